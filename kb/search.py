"""Keyword search over the knowledge base, used when the NLU model is unsure.

BM25 (rank_bm25) over jieba tokens of each FAQ's question, phrasings, dictionary terms
and answer, and of each figure's names. It answers only when the best hit covers most
of the question's content words and clearly beats the runner-up; otherwise the
assistant says it does not know, which is better than a confident wrong answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from kb.model import KnowledgeBase
from kb.text import tokenize

# Calibrated on tests/kb/test_search.py: bare keywords ("机场", "海外仓") must hit,
# unrelated questions ("长沙房价", "帮我订机票") must not.
MIN_COVERAGE = 0.6
MIN_SCORE = 1.5
MIN_MARGIN = 1.15


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "faq" or "figure"
    id: str
    score: float
    coverage: float


@dataclass
class _Index:
    keys: List[Tuple[str, str]]
    vocabularies: List[set]
    bm25: object


_cache: dict = {}
_cache_lock = threading.Lock()


def query_tokens(knowledge: KnowledgeBase, text: str) -> List[str]:
    return tokenize(text, knowledge.dictionary_terms, knowledge.synonyms)


def _build(knowledge: KnowledgeBase) -> _Index:
    from rank_bm25 import BM25Okapi

    keys, documents = [], []
    for entry in knowledge.active_faqs():
        words: List[str] = []
        for text in (entry.question,) + entry.phrasings + entry.terms + (entry.answer,):
            words.extend(query_tokens(knowledge, text.lower()))
        keys.append(("faq", entry.id))
        documents.append(words)
    for figure in knowledge.figures.values():
        words = []
        for name in figure.names:
            words.extend(query_tokens(knowledge, name.lower()))
        keys.append(("figure", figure.id))
        documents.append(words)
    return _Index(keys, [set(d) for d in documents], BM25Okapi(documents))


def _index(knowledge: KnowledgeBase) -> _Index:
    with _cache_lock:
        cached = _cache.get("index")
        if cached is None or cached[0] is not knowledge:
            cached = (knowledge, _build(knowledge))
            _cache["index"] = cached
        return cached[1]


def rank(knowledge: KnowledgeBase, text: str, limit: int = 3) -> List[SearchHit]:
    """The best matches, best first, each with its BM25 score and token coverage."""
    words = query_tokens(knowledge, text)
    if not words:
        return []
    index = _index(knowledge)
    scores = index.bm25.get_scores(words)
    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:limit]
    unique = set(words)
    return [
        SearchHit(
            index.keys[i][0],
            index.keys[i][1],
            float(scores[i]),
            len(unique & index.vocabularies[i]) / len(unique),
        )
        for i in order
        if scores[i] > 0
    ]


def faq_scores(knowledge: KnowledgeBase, text: str, entry_ids: List[str]) -> Dict[str, float]:
    """The BM25 score of each of these FAQ entries for the text (0 for an unknown id)."""
    words = query_tokens(knowledge, text)
    index = _index(knowledge)
    scores = index.bm25.get_scores(words) if words else []
    position = {key: i for i, key in enumerate(index.keys)}
    return {
        entry_id: float(scores[position[("faq", entry_id)]]) if ("faq", entry_id) in position and words else 0.0
        for entry_id in entry_ids
    }


def best_answer(knowledge: KnowledgeBase, text: str) -> Optional[SearchHit]:
    """The hit to answer with, or None when no entry is a confident match."""
    hits = rank(knowledge, text)
    if not hits:
        return None
    top = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if top.coverage < MIN_COVERAGE or top.score < MIN_SCORE:
        return None
    if runner_up and top.score < runner_up * MIN_MARGIN:
        return None
    return top
