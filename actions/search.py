"""When the NLU model is unsure: keyword search, or an honest 'I don't know'."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.dialogue import DialogueAction
from actions.turn import Turn
from actions.unanswered import note_search_reply
from kb.answers import Reply
from kb.model import KnowledgeBase


class ActionSearchKnowledge(DialogueAction):
    action_name = "action_search_knowledge"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        reply = super().respond(knowledge, turn, tracker)
        note_search_reply(knowledge, turn, tracker, reply)
        return reply
