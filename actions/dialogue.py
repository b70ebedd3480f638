"""The informational actions: each reads the turn and the conversation's context from the
tracker and lets kb/dialogue.py decide the answer (scope, follow-ups, intent, honesty)."""

from __future__ import annotations

from abc import abstractmethod

from rasa_sdk import Tracker

from actions.base import ZoneAction
from actions.nlg import selected_confidence
from actions.turn import Turn
from actions.unanswered import note_search_reply
from kb import dialogue, parse_data
from kb.answers import FAQ_MIN_CONFIDENCE, Reply
from kb.model import KnowledgeBase


def understanding(turn: Turn, tracker: Tracker) -> dialogue.Understanding:
    slots = {name: tracker.get_slot(name) for name in ("indicator", "figure_aspect", dialogue.CONTEXT_SLOT)}
    return parse_data.understanding(turn.text, tracker.latest_message, slots)


class DialogueAction(ZoneAction):
    """Answers through kb.dialogue.respond; subclasses only name themselves."""

    @property
    @abstractmethod
    def action_name(self) -> str:  # type: ignore[override]
        """Set as a class attribute; abstract here so rasa-sdk registers only the subclasses."""

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return dialogue.respond(knowledge, understanding(turn, tracker))


class ActionAnswerFaq(DialogueAction):
    """The FAQ the ResponseSelector chose, through the same decisions as every answer."""

    action_name = "action_answer_faq"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        reply = super().respond(knowledge, turn, tracker)
        if selected_confidence(tracker) < FAQ_MIN_CONFIDENCE:  # unsure: staff should see it
            note_search_reply(knowledge, turn, tracker, reply)
        return reply


class ActionAnswerFollowup(DialogueAction):
    """A question about the last answer; answered as a question of its own when it is not."""

    action_name = "action_answer_followup"
