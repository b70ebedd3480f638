"""Natural-language generation endpoint for Rasa's `utter_faq` retrieval action.

The ResponseSelector picks the FAQ; Rasa then asks this endpoint (endpoints.yml `nlg:`)
for the words, and they are read live from knowledge/, so an edited answer is what
investors get next, with no retraining. Request and response follow Rasa's NLG server
format: {"response": "utter_faq/airport", "tracker": {...}} -> {"text": ..., "buttons": [...]}."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from rasa_sdk import Tracker

from actions.base import build_reply, localise
from actions.turn import Turn, read_turn
from actions.unanswered import note_search_reply
from kb import answers, parse_data, store
from kb.answers import Reply
from kb.model import KnowledgeBase

RETRIEVAL_PREFIX = "utter_faq/"
# The investment-intention form's questions: utter_ask_lead_<x> -> messages.yml lead_ask_<x>.
FORM_QUESTION_PREFIX = "utter_ask_lead_"


class BadNlgRequest(ValueError):
    """The request is not in Rasa's NLG format."""


def selected_confidence(tracker: Tracker) -> float:
    """The ResponseSelector's confidence in the FAQ it picked this turn."""
    return parse_data.selected_confidence(tracker.latest_message)


def selected_faq_id(tracker: Tracker) -> str:
    """The FAQ entry the ResponseSelector picked this turn ("" when none)."""
    return parse_data.selected_faq_id(tracker.latest_message)


def _faq_responder(faq_id: Optional[str]):
    def respond(knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        confidence = selected_confidence(tracker)
        reply = answers.answer_faq(knowledge, faq_id, confidence, turn.text)
        if confidence < answers.FAQ_MIN_CONFIDENCE:  # unsure: staff should see the question
            note_search_reply(knowledge, turn, tracker, reply)
        return reply

    return respond


def _parse(payload: Any) -> Tuple[str, Tracker]:
    if not isinstance(payload, dict) or not isinstance(payload.get("response"), str):
        raise BadNlgRequest("expected JSON with a 'response' name and a 'tracker'")
    tracker_state = payload.get("tracker")
    if not isinstance(tracker_state, dict) or "sender_id" not in tracker_state:
        raise BadNlgRequest("expected a 'tracker' object with a sender_id")
    return payload["response"], Tracker.from_dict(tracker_state)


def generate(payload: Any) -> Dict[str, Any]:
    """One message in Rasa's NLG response format."""
    response_name, tracker = _parse(payload)
    faq_id = response_name[len(RETRIEVAL_PREFIX) :] if response_name.startswith(RETRIEVAL_PREFIX) else None
    turn = read_turn(tracker)
    if response_name.startswith(FORM_QUESTION_PREFIX):
        key = "lead_ask_" + response_name[len(FORM_QUESTION_PREFIX) :]
        reply = build_reply(turn, tracker, lambda kb, t, tr: answers.message(kb, key), response_name)
        # build_reply answers an empty turn with "you typed nothing"; a form question
        # is asked whatever the last message was.
        if turn.empty or not turn.has_chinese:
            reply = Reply([store.current().message(key)])
    elif faq_id is None:
        # Only utter_faq/* comes here; any other response name (e.g. Rasa's own
        # utter_default) gets the honest "I don't know" with the staff offer.
        reply = build_reply(turn, tracker, lambda kb, t, tr: answers.dont_know(kb), response_name)
    else:
        reply = build_reply(turn, tracker, _faq_responder(faq_id), response_name)
    reply = localise(reply, turn.script)
    message: Dict[str, Any] = {"text": "\n\n".join(reply.texts)}
    if reply.buttons:
        message["buttons"] = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    return message
