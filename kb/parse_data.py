"""Reading Rasa's parse data (a message's intent, entities and the ResponseSelector's FAQ
choice), as the actions see it in `tracker.latest_message` and the admin's hit test gets
it from Rasa's /model/parse: one reading for both, so the hit test shows what the
assistant itself decides."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

from kb.dialogue import CONTEXT_SLOT, Understanding


def _faq_selector(parse: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    return ((parse or {}).get("response_selector") or {}).get("faq") or {}


def selected_faq_id(parse: Optional[Mapping[str, Any]]) -> str:
    """The FAQ entry the ResponseSelector picked ("" when none)."""
    key = (_faq_selector(parse).get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[-1] if key else ""


def selected_confidence(parse: Optional[Mapping[str, Any]]) -> float:
    """The ResponseSelector's confidence in the FAQ it picked."""
    return float((_faq_selector(parse).get("response") or {}).get("confidence") or 0.0)


def selector_ranking(parse: Optional[Mapping[str, Any]]) -> Tuple[Tuple[str, float], ...]:
    """The ResponseSelector's (FAQ id, confidence) ranking, best first."""
    result = []
    for item in _faq_selector(parse).get("ranking") or []:
        key = str(item.get("intent_response_key") or "")
        if key:
            result.append((key.split("/", 1)[-1], float(item.get("confidence") or 0.0)))
    return tuple(result)


def intent_of(parse: Optional[Mapping[str, Any]]) -> Tuple[Optional[str], float]:
    intent = (parse or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def entities_of(parse: Optional[Mapping[str, Any]]) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for entity in (parse or {}).get("entities") or []:
        found.setdefault(entity.get("entity"), str(entity.get("value", "")))
    return found


def understanding(text: str, parse: Optional[Mapping[str, Any]], slots: Mapping[str, Any]) -> Understanding:
    """What kb.dialogue.respond needs for one turn: the parse and the conversation's slots."""
    return Understanding(
        text=text,
        intent=intent_of(parse)[0],
        faq_id=selected_faq_id(parse) or None,
        faq_confidence=selected_confidence(parse),
        faq_ranking=selector_ranking(parse),
        entity=entities_of(parse).get("indicator"),
        remembered_indicator=slots.get("indicator"),
        previous_aspect=slots.get("figure_aspect"),
        context=slots.get(CONTEXT_SLOT),
    )
