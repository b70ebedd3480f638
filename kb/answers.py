"""What the assistant says, decided from the knowledge base and the current turn.

Plain functions (no rasa_sdk) so every branch can be tested directly; the actions in
actions/ only read the tracker, call one of these and send the Reply."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from kb import passages, scope, search
from kb.figures import find_figure_by_name, find_figure_in_text
from kb.model import Figure, KnowledgeBase
from kb.render import render_answer, render_figure, render_growth

# Below this ResponseSelector confidence the FAQ label is not trusted on its own and the
# keyword search gets a say (it is right more often on bare keywords).
FAQ_MIN_CONFIDENCE = 0.5
STAFF_BUTTON_TITLE = "联系招商人员"
STAFF_BUTTON_PAYLOAD = "我想联系招商人员"
ASPECT_VALUE, ASPECT_GROWTH = "value", "growth"

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=年|全年|整年|的|数据|数字)")  # "2020全年的数字有没有"
_ELLIPTICAL = re.compile(r"^(那|那么|还有|再问下?)?.{1,14}(呢|咧|捏)[?？]?$")
_VALUE_WORDS = re.compile(r"多少|总量|规模|是几|数值|数据")


@dataclass
class Reply:
    texts: List[str]
    buttons: List[Tuple[str, str]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    # What the reply answered, ("faq" | "figure", id), so the next turn can follow on.
    about: Optional[Tuple[str, str]] = None


def mentions_other_zone(text: str) -> bool:
    """True when the question names a development zone other than this one
    ("株洲经开区的工业总产值" must not be answered with this zone's figure)."""
    return scope.other_zone(text) is not None


def _other_zone_reply(knowledge: KnowledgeBase, text: str) -> Optional[Reply]:
    return Reply([knowledge.message("other_zone")]) if mentions_other_zone(text) else None


def staff_button() -> Tuple[str, str]:
    return (STAFF_BUTTON_TITLE, STAFF_BUTTON_PAYLOAD)


def _menu_buttons(knowledge: KnowledgeBase) -> List[Tuple[str, str]]:
    return [(topic.title, topic.payload) for topic in knowledge.menu_topics]


def message(knowledge: KnowledgeBase, key: str) -> Reply:
    return Reply([knowledge.message(key)])


def greet(knowledge: KnowledgeBase) -> Reply:
    return Reply([knowledge.message("greet")], _menu_buttons(knowledge))


def menu(knowledge: KnowledgeBase) -> Reply:
    return Reply([knowledge.message("menu")], _menu_buttons(knowledge))


def staff_contact(knowledge: KnowledgeBase) -> Reply:
    """How to reach a person: the configured contact, or an honest 'not recorded yet'."""
    contact = knowledge.contact
    labels = (("phone", "电话"), ("email", "邮箱"), ("address", "地址"), ("office_hours", "办公时间"))
    details = [f"{label}：{contact[key]}" for key, label in labels if contact.get(key)]
    if not details:
        return Reply([knowledge.message("staff_contact_missing")])
    return Reply([knowledge.message("staff_contact") + "\n" + "\n".join(details)])


def dont_know(knowledge: KnowledgeBase) -> Reply:
    return Reply([knowledge.message("dont_know")], [staff_button()])


def faq_reply(knowledge: KnowledgeBase, faq_id: str) -> Reply:
    entry = knowledge.faqs[faq_id]
    buttons = [staff_button()] if entry.no_published_figure else []
    return Reply([render_answer(knowledge, entry)], buttons, about=("faq", entry.id))


def _figure_reply(knowledge: KnowledgeBase, figure: Figure, aspect: str, question: str = "") -> Reply:
    about = ("figure", figure.id)
    year = other_year(question, figure.period)
    if year:  # "2019年工业产值多少": the source has only its own period
        return Reply(
            [
                knowledge.message("figure_other_period", name=figure.name, year=year, period=figure.period),
                render_figure(knowledge, figure),
            ],
            [staff_button()],
            {"indicator": figure.id, "figure_aspect": aspect},
            about,
        )
    if aspect == ASPECT_GROWTH:
        text = render_growth(knowledge, figure)
        if text is None:
            return Reply(
                [knowledge.message("growth_missing", name=figure.name), render_figure(knowledge, figure)],
                [staff_button()],
                {"indicator": figure.id, "figure_aspect": aspect},
                about,
            )
    else:
        text = render_figure(knowledge, figure)
    return Reply([text], [], {"indicator": figure.id, "figure_aspect": aspect}, about)


def other_year(text: str, period: str) -> Optional[str]:
    """A year the question names ("2019年") that is not in the period the source gives."""
    for match in _YEAR.finditer(text or ""):
        if match.group(1) not in period:
            return match.group(1) + "年"
    return None


def first_sentence(text: str) -> str:
    """A long message's opening question, which search can still match."""
    return re.split(r"[。！？!?\n]", text, maxsplit=1)[0]


def passage_reply(knowledge: KnowledgeBase, passage: passages.Passage, question: str) -> Reply:
    """One passage of an imported document, quoted, with its citation. A question for a
    number the passage does not state is told the document gives none, and shown what it
    does say (never a number from elsewhere)."""
    document = passage.document
    source = knowledge.message(
        "document_source_line",
        document=document.title,
        section=passage.section.heading,
        issuer=document.issuer,
        issued=document.issued,
        period=document.period,
    )
    if passages.asks_a_number(question) and not passage.states_a_number:
        opening = knowledge.message("document_no_figure", document=document.title)
        return Reply([f"{opening}\n{passage.text}\n{source}"], [staff_button()])
    opening = knowledge.message("document_passage", document=document.title, section=passage.section.heading)
    return Reply([f"{opening}\n{passage.text}\n{source}"])


def document_answer(knowledge: KnowledgeBase, text: str, with_a_number: bool = False) -> Optional[Reply]:
    """The imported documents' answer, or None when no passage answers the question (or,
    `with_a_number`, none that states a number)."""
    passage = passages.best_passage(knowledge, text)
    if passage is None or (with_a_number and not passage.states_a_number):
        return None
    return passage_reply(knowledge, passage, text)


def search_answer(knowledge: KnowledgeBase, text: str) -> Reply:
    """Keyword search when NLU is unsure: answer only a confident hit; then the imported
    documents' passages; else say so."""
    other_zone = _other_zone_reply(knowledge, text)
    if other_zone:
        return other_zone
    hit = search.best_answer(knowledge, text) or search.best_answer(knowledge, first_sentence(text))
    if hit is None:
        return document_answer(knowledge, text) or dont_know(knowledge)
    if hit.kind == "figure":
        return _figure_reply(knowledge, knowledge.figures[hit.id], ASPECT_VALUE)
    return faq_reply(knowledge, hit.id)


def answer_faq(knowledge: KnowledgeBase, faq_id: Optional[str], confidence: float, text: str) -> Reply:
    """The FAQ the ResponseSelector chose, unless it is unsure or the entry is gone."""
    other_zone = _other_zone_reply(knowledge, text)
    if other_zone:
        return other_zone
    entry = knowledge.faqs.get(faq_id or "")
    if entry is None or entry.disabled or confidence < FAQ_MIN_CONFIDENCE:
        hit = search.best_answer(knowledge, text)
        if hit is not None:
            return search_answer(knowledge, text)
        documents = document_answer(knowledge, text)  # an imported document before an unsure guess
        if documents is not None:
            return documents
        if entry is None or entry.disabled:
            return dont_know(knowledge)
    return faq_reply(knowledge, entry.id)


def _resolve_figure(
    knowledge: KnowledgeBase, text: str, entity: Optional[str], remembered: Optional[str]
) -> Optional[Figure]:
    """Named in the text (longest alias wins), else the NLU entity, else the figure the
    conversation was already about ("增长了多少" right after "工业总产值多少")."""
    return (
        find_figure_in_text(knowledge, text)
        or find_figure_by_name(knowledge, entity)
        or find_figure_by_name(knowledge, remembered)
    )


def is_elliptical(text: str) -> bool:
    """'那固定资产投资呢': a follow-up that keeps the previous question's aspect."""
    return bool(_ELLIPTICAL.match(text)) and not _VALUE_WORDS.search(text)


def lookup_figure(
    knowledge: KnowledgeBase,
    text: str,
    entity: Optional[str],
    remembered: Optional[str],
    previous_aspect: Optional[str] = None,
) -> Reply:
    other_zone = _other_zone_reply(knowledge, text)
    if other_zone:
        return other_zone
    figure = _resolve_figure(knowledge, text, entity, remembered)
    if figure is None:
        return _ask_which_figure(knowledge)
    aspect = ASPECT_GROWTH if previous_aspect == ASPECT_GROWTH and is_elliptical(text) else ASPECT_VALUE
    return _figure_reply(knowledge, figure, aspect, text)


def lookup_growth(knowledge: KnowledgeBase, text: str, entity: Optional[str], remembered: Optional[str]) -> Reply:
    other_zone = _other_zone_reply(knowledge, text)
    if other_zone:
        return other_zone
    figure = _resolve_figure(knowledge, text, entity, remembered)
    if figure is None:
        return _ask_which_figure(knowledge)
    return _figure_reply(knowledge, figure, ASPECT_GROWTH, text)


def _ask_which_figure(knowledge: KnowledgeBase) -> Reply:
    indicators = [f for f in knowledge.figures.values() if f.kind == "indicator"]
    buttons = [(f.name, f"{f.name}是多少") for f in indicators]
    return Reply([knowledge.message("figure_unknown")], buttons)
