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

    def active_faqs(self) -> List[FaqEntry]:
        return [entry for entry in self.faqs.values() if not entry.disabled]

    def message(self, key: str, **values: str) -> str:
        template = self.messages.get(key, "")
        return template.format(**values) if values else template
