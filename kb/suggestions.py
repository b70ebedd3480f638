"""Entries an imported document suggests, for staff to confirm, edit or leave.

- An FAQ entry per section: the section's text as the answer, a question made from its
  heading (or its first clause when the heading is only a number, 第五条), the document's
  period, and the section as its source.
- A figure per sentence that states a number with a unit (30万元, 50%, 5亿元): the words
  before the number in its clause as the name, the year the sentence names or else the
  document's period as its period, the section as its source.

Nothing here is saved: a confirmed suggestion opens the normal FAQ or figure form, and
the save goes through the editor's checks and then publishing like any other entry.
A section that an entry already cites is marked as taken; a suggestion staff discard is
recorded in the document's file (`dismissed`, kb/documents.dismiss) and not shown again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Set, Tuple

from kb.model import ImportedDocument, KnowledgeBase
from kb.passages import sentences

_NUMBERING = re.compile(
    r"^(第[一二三四五六七八九十百零〇两\d]+[编章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])\s*"
)
_VALUE = re.compile(
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>万美元|亿美元|亿元|万元|元/平方米|元|%|‰|万亩|亩|平方公里|平方米|公里|万人|人|家|个|倍|年|天|日)"
)
_LEAD_IN = re.compile(r"^(对|对于|凡|其中|并|且|按|按照|经|在|给予|其)")
_TRAILING = re.compile(
    r"(达到|达|为|是|超过|不超过|不低于|低于|高于|约|共|计|合计|累计|给予|一次性奖励|奖励|最高|每年最高|每年|以上|以下)$"
)
_YEAR = re.compile(r"(20\d{2})年")
MAX_ANSWER_CHARS = 600  # one WeChat message with the source line


@dataclass(frozen=True)
class FaqSuggestion:
    key: str  # "faq:s6": what 放弃 records in the document's file
    section_id: str
    heading: str
    question: str
    answer: str
    period: str
    taken: bool


@dataclass(frozen=True)
class FigureSuggestion:
    key: str  # "figure:s6:30"
    section_id: str
    heading: str
    name: str
    value: str
    unit: str
    period: str
    sentence: str
    taken: bool


def _topic(heading: str, text: str) -> str:
    last = heading.split(" › ")[-1]
    words = _NUMBERING.sub("", last).strip()
    if words and words != "前言":
        return words
    first = re.split(r"[，,。；;：:]", text, maxsplit=1)[0]
    return first[:24]


def _strip(clause: str) -> str:
    previous = None
    while clause and clause != previous:
        previous = clause
        clause = _TRAILING.sub("", _LEAD_IN.sub("", clause)).strip()
    return clause


def _figure_name(sentence: str, start: int) -> str:
    """The words the number belongs to; when its own clause is only a verb ("一次性奖励
    200万元"), the clause before it says what for."""
    clauses = re.split(r"[，,；;：:。（(]", sentence[:start])
    name = _strip(clauses[-1].strip())
    if len(name) < 2 and len(clauses) > 1:
        name = _strip(clauses[-2].strip()).removesuffix("的") + clauses[-1].strip()
    return name[-20:]


def _is_date(sentence: str, match: re.Match) -> bool:
    """2024年, 3月1日: a date, not a figure."""
    unit, before = match.group("unit"), sentence[: match.start()]
    return (unit == "年" and len(match.group("value")) == 4) or (unit == "日" and before.endswith("月"))


def _taken(knowledge: KnowledgeBase, document_id: str) -> Set[Tuple[str, str]]:
    """What entries already take from the document: ("faq", section id) for an FAQ entry
    citing the section, (section id, value) for a figure citing it with that value."""
    taken: Set[Tuple[str, str]] = set()
    for entry in knowledge.faqs.values():
        if entry.source.document_id == document_id:
            taken.add(("faq", entry.source.section_id))
    for figure in knowledge.figures.values():
        if figure.source.document_id == document_id:
            taken.add((figure.source.section_id, f"{figure.value:g}"))
    return taken


def faq_suggestions(knowledge: KnowledgeBase, document: ImportedDocument) -> List[FaqSuggestion]:
    taken = _taken(knowledge, document.id)
    found = []
    for section in document.sections:
        if len(section.text) < 10:
            continue
        key = f"faq:{section.id}"
        if key in document.dismissed:
            continue
        topic = _topic(section.heading, section.text)
        question = topic if topic.endswith(("？", "?")) else f"{topic}有什么规定？"
        found.append(
            FaqSuggestion(
                key,
                section.id,
                section.heading,
                question,
                section.text[:MAX_ANSWER_CHARS],
                document.period,
                ("faq", section.id) in taken,
            )
        )
    return found


def figure_suggestions(knowledge: KnowledgeBase, document: ImportedDocument) -> List[FigureSuggestion]:
    taken = _taken(knowledge, document.id)
    found = []
    for section in document.sections:
        for sentence in sentences(section.text):
            for match in _VALUE.finditer(sentence):
                name = _figure_name(sentence, match.start())
                if len(name) < 2 or _is_date(sentence, match):
                    continue
                key = f"figure:{section.id}:{float(match.group('value')):g}"
                if key in document.dismissed:
                    continue
                year = _YEAR.search(sentence)
                found.append(
                    FigureSuggestion(
                        key,
                        section.id,
                        section.heading,
                        name,
                        match.group("value"),
                        match.group("unit"),
                        f"{year.group(1)}年" if year else document.period,
                        sentence,
                        (section.id, f"{float(match.group('value')):g}") in taken,
                    )
                )
    return found
