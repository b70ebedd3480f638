"""Answers from imported documents: the passage that answers the question, quoted as it is
and cited with the document, its section, issuer and period.

A passage is one to three consecutive sentences of one section (BM25 over sentences, the
section heading counted with each of them, so "第五条" and the chapter's topic words find
its sentences). A reply quotes exactly one passage: numbers are never taken from one
place and put with words from another. When the question asks for a number the passage
does not state, the reply says the document gives none and quotes what it does say."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import List, Optional, Tuple

from kb.model import DocumentSection, ImportedDocument, KnowledgeBase
from kb.text import tokenize

MIN_SCORE = 2.0
MIN_COVERAGE = 0.5
MAX_SENTENCES = 3
MAX_PASSAGE_CHARS = 220
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两\d]+[条章节]")
_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:万|亿|元|%|倍|年|个|家|亩)")
ASKS_A_NUMBER = re.compile(r"多少|几[个家年倍万亿项成]?|多大|多高|多长|比例|标准是|上限|最高|金额")


@dataclass(frozen=True)
class Passage:
    document: ImportedDocument
    section: DocumentSection
    text: str
    score: float
    coverage: float

    @property
    def states_a_number(self) -> bool:
        return bool(_HAS_NUMBER.search(_ARTICLE.sub("", self.text)))


def sentences(text: str) -> List[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


@dataclass
class _Index:
    keys: List[Tuple[str, int, int]]  # (document id, section index, sentence index)
    vocabularies: List[set]
    bm25: object


_cache: dict = {}
_cache_lock = threading.Lock()


def _words(knowledge: KnowledgeBase, text: str) -> List[str]:
    return tokenize(text.lower(), knowledge.dictionary_terms, knowledge.synonyms)


def _index(knowledge: KnowledgeBase) -> Optional[_Index]:
    with _cache_lock:
        cached = _cache.get("index")
        if cached is not None and cached[0] is knowledge:
            return cached[1]
    keys, documents = [], []
    for document in knowledge.documents.values():
        for s_index, section in enumerate(document.sections):
            heading_words = _words(knowledge, section.heading)
            for t_index, sentence in enumerate(sentences(section.text)):
                keys.append((document.id, s_index, t_index))
                documents.append(_words(knowledge, sentence) + heading_words)
    index = None
    if documents:
        from rank_bm25 import BM25Okapi

        index = _Index(keys, [set(d) for d in documents], BM25Okapi(documents))
    with _cache_lock:
        _cache["index"] = (knowledge, index)
    return index


def _passage_text(section: DocumentSection, start: int) -> str:
    """The sentence and what it needs: the following ones while it announces them (ends
    with ：) or is too short to stand alone, up to three sentences."""
    parts = sentences(section.text)
    chosen = [parts[start]]
    index = start + 1
    while index < len(parts) and len(chosen) < MAX_SENTENCES:
        last = chosen[-1]
        if not (last.endswith(("：", ":")) or len("".join(chosen)) < 25):
            break
        if len("".join(chosen)) + len(parts[index]) > MAX_PASSAGE_CHARS:
            break
        chosen.append(parts[index])
        index += 1
    return "".join(chosen) if all(re.search(r"[。！？；!?;：:]$", c) for c in chosen[:-1]) else "\n".join(chosen)


def _named_article(knowledge: KnowledgeBase, text: str) -> Optional[Passage]:
    """ "第五条说了什么": the article itself, in the document the question names (or the
    only one that has such an article)."""
    match = _ARTICLE.search(text)
    if not match:
        return None
    found = []
    for document in knowledge.documents.values():
        for section in document.sections:
            if section.heading.split(" › ")[-1] == match.group(0) or section.heading.endswith(" " + match.group(0)):
                title_words = set(_words(knowledge, document.title))
                named = len(title_words & set(_words(knowledge, text)))
                found.append((named, document, section))
    if not found:
        return None
    found.sort(key=lambda item: -item[0])
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None  # two documents have a 第五条 and the question does not say which
    _, document, section = found[0]
    return Passage(document, section, _passage_text(section, 0), float("inf"), 1.0)


def rank(knowledge: KnowledgeBase, text: str, limit: int = 3) -> List[Passage]:
    """The best passages, best first, one per section, with their BM25 score and how much
    of the question's content words they cover (for the admin's hit test)."""
    index = _index(knowledge) if knowledge.documents and text else None
    words = _words(knowledge, text) if index is not None else []
    if not words:
        return []
    scores = index.bm25.get_scores(words)
    unique = set(words)
    found: List[Passage] = []
    seen = set()
    for i in sorted(range(len(scores)), key=lambda i: scores[i], reverse=True):
        if scores[i] <= 0 or len(found) >= limit:
            break
        document_id, s_index, t_index = index.keys[i]
        if (document_id, s_index) in seen:
            continue
        seen.add((document_id, s_index))
        document = knowledge.documents[document_id]
        section = document.sections[s_index]
        coverage = len(unique & index.vocabularies[i]) / len(unique)
        found.append(Passage(document, section, _passage_text(section, t_index), float(scores[i]), coverage))
    return found


def best_passage(knowledge: KnowledgeBase, text: str) -> Optional[Passage]:
    """The passage that answers the question, or None when no sentence of the imported
    documents covers most of its content words."""
    if not knowledge.documents or not text:
        return None
    named = _named_article(knowledge, text)
    if named is not None:
        return named
    ranked = rank(knowledge, text, limit=1)
    if not ranked or ranked[0].score < MIN_SCORE or ranked[0].coverage < MIN_COVERAGE:
        return None
    return ranked[0]


def names_an_article(knowledge: KnowledgeBase, text: str) -> bool:
    """The question names an article (第五条) that an imported document has."""
    return bool(knowledge.documents) and _named_article(knowledge, text) is not None


def asks_a_number(text: str) -> bool:
    return bool(ASKS_A_NUMBER.search(text))
