"""The live knowledge base: re-read when a file under knowledge/ changes, so an edited
answer or figure is what the assistant says next, with no retraining and no restart.

If an edit breaks a file, the last good version keeps serving and the problem is logged:
a typo by staff must never take the assistant down."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional, Tuple

from core import settings
from kb.loader import LoadResult, load_knowledge
from kb.model import KnowledgeBase

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class KnowledgeUnavailable(RuntimeError):
    """No valid knowledge base could be loaded at all."""


def knowledge_dir() -> Path:
    return Path(settings.once("KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")


def _signature(root: Path) -> Tuple[Tuple[str, int, int], ...]:
    files = sorted(p for p in root.rglob("*.yml") if p.is_file()) if root.is_dir() else []
    stats = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:  # renamed away mid-scan by an atomic save
            continue
        stats.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


class KnowledgeStore:
    """Holds the current KnowledgeBase and reloads it when the files change."""

    def __init__(self, root: Optional[Path] = None) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._signature: Tuple = ()
        self._knowledge: Optional[KnowledgeBase] = None
        self.generation = 0  # bumped on every successful reload (logged, to trace edits)

    @property
    def root(self) -> Path:
        return self._root or knowledge_dir()

    def get(self) -> KnowledgeBase:
        signature = _signature(self.root)
        if self._knowledge is not None and signature == self._signature:
            return self._knowledge
        with self._lock:
            if self._knowledge is None or signature != self._signature:
                self._reload(signature)
        if self._knowledge is None:
            raise KnowledgeUnavailable(f"knowledge base at {self.root} has errors")
        return self._knowledge

    def _reload(self, signature: Tuple) -> None:
        result: LoadResult = load_knowledge(self.root)
        self._signature = signature
        if result.ok:
            self._knowledge = result.knowledge
            self.generation += 1
            logger.info("knowledge.reloaded", extra={"generation": self.generation})
            return
        for problem in result.problems:
            logger.error("knowledge.invalid %s", problem)
        if self._knowledge is None:
            logger.error("knowledge.unavailable: no earlier valid version to fall back on")


_default_store: Optional[KnowledgeStore] = None


def default_store() -> KnowledgeStore:
    global _default_store
    if _default_store is None:
        _default_store = KnowledgeStore()
    return _default_store


def current() -> KnowledgeBase:
    return default_store().get()
