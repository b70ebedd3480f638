"""The live model file and its history: what the Rasa servers pull, and what one click
rolls back to.

Rasa servers pull `live` over HTTP (endpoints.yml `models:`) with If-None-Match set to the
fingerprint they run; a new file gets a new ETag, and Rasa loads it while conversations
stay in the tracker store, so switching drops none of them. Installing and rolling back
are renames, so a pull never reads half a model."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class ModelVersion:
    path: Path
    fingerprint: str
    saved_at: float


class ModelRegistry:
    def __init__(self, live: Path, history_dir: Path, keep: int = 5) -> None:
        self.live = Path(live)
        self.history_dir = Path(history_dir)
        self.keep = keep
        self._lock = threading.Lock()
        self._fingerprints: Dict[Tuple[str, int, int], str] = {}

    def fingerprint(self, path: Optional[Path] = None) -> Optional[str]:
        """sha256 of the file (cached by mtime and size: the model is ~100 MB)."""
        path = path or self.live
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._fingerprints:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            self._fingerprints[key] = digest.hexdigest()[:32]
        return self._fingerprints[key]

    def history(self) -> List[ModelVersion]:
        versions = []
        for path in sorted(self.history_dir.glob("*.tar.gz"), reverse=True):
            versions.append(ModelVersion(path, self.fingerprint(path) or "", path.stat().st_mtime))
        return versions

    def install(self, candidate: Path) -> str:
        """Make `candidate` the live model; the one it replaces goes into the history."""
        with self._lock:
            self._archive_live()
            staged = self.live.with_name(f".{self.live.name}.incoming")
            shutil.copyfile(candidate, staged)
            os.replace(staged, self.live)
            self._prune()
            return self.fingerprint() or ""

    def rollback(self) -> Optional[str]:
        """Back to the most recent earlier model; the current one is kept in the history,
        so a rollback can itself be undone. None when there is nothing to go back to."""
        with self._lock:
            current = self.fingerprint()
            earlier = next((v for v in self.history() if v.fingerprint != current), None)
            if earlier is None:
                return None
            staged = self.live.with_name(f".{self.live.name}.incoming")
            shutil.copyfile(earlier.path, staged)
            earlier.path.unlink()
            self._archive_live()
            os.replace(staged, self.live)
            os.utime(self.live)  # newer than its training inputs: `make train` keeps it
            return self.fingerprint()

    def _archive_live(self) -> None:
        if not self.live.exists():
            return
        self.history_dir.mkdir(parents=True, exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S") + f"-{self.fingerprint()[:8]}.tar.gz"
        shutil.copyfile(self.live, self.history_dir / name)

    def _prune(self) -> None:
        for version in self.history()[self.keep :]:
            version.path.unlink(missing_ok=True)
