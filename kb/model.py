"""Typed views of the knowledge files. Built only from entries that passed validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Source:
    document_id: str
    document_title: str
    section_id: str
    section_label: str


@dataclass(frozen=True)
class Figure:
    id: str
    name: str
    aliases: Tuple[str, ...]
    kind: str  # "indicator" (economic, may have growth) or "fact"
    value: float
    unit: str
    period: str  # period or as-of date, as the source states it
    source: Source
    reviewed_at: str
    growth_pct: Optional[float] = None
    prefix: str = ""
    note: str = ""

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.name,) + self.aliases


@dataclass(frozen=True)
class FaqEntry:
    id: str
    category: str
    category_title: str
    question: str
    answer: str  # raw text; may hold {figure_id} / {figure_id.growth} placeholders
    phrasings: Tuple[str, ...]
    source: Source
    period: str
    reviewed_at: str
    terms: Tuple[str, ...] = ()
    no_published_figure: bool = False
    disabled: bool = False


@dataclass(frozen=True)
class DocumentSection:
    """One section of an imported document, in the document's own division: a chapter,
    an article (第三条), a numbered part (（二）) or a heading with its text."""

    id: str
    heading: str  # the heading path, "第二章 用地保障 › 第五条"
    text: str


@dataclass(frozen=True)
class ImportedDocument:
    """A document staff imported (knowledge/documents/<id>.yml): answered from as it is,
    passage by passage, and always cited with its title, section, issuer and period."""

    id: str
    title: str
    issuer: str
    issued: str  # the date on the document, 2024-03-01
    period: str  # the period it applies to, as the document states it
    reviewed_at: str
    sections: Tuple[DocumentSection, ...]
    file_name: str = ""
    dismissed: Tuple[str, ...] = ()  # suggestions staff discarded (kb/suggestions.py keys)


@dataclass(frozen=True)
class MenuTopic:
    title: str
    payload: str


@dataclass
class KnowledgeBase:
    figures: Dict[str, Figure] = field(default_factory=dict)
    faqs: Dict[str, FaqEntry] = field(default_factory=dict)
    messages: Dict[str, str] = field(default_factory=dict)
    menu_topics: List[MenuTopic] = field(default_factory=list)
    contact: Dict[str, str] = field(default_factory=dict)
    synonyms: Dict[str, str] = field(default_factory=dict)  # variant -> canonical
    dictionary_terms: List[str] = field(default_factory=list)
    documents: Dict[str, ImportedDocument] = field(default_factory=dict)

    def active_faqs(self) -> List[FaqEntry]:
        return [entry for entry in self.faqs.values() if not entry.disabled]

    def message(self, key: str, **values: str) -> str:
        template = self.messages.get(key, "")
        return template.format(**values) if values else template
