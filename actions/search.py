"""When the NLU model is unsure: keyword search, or an honest 'I don't know'."""
from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import ZoneAction
from actions.turn import Turn
from actions.unanswered import note_search_reply
from kb import answers
from kb.answers import Reply
from kb.model import KnowledgeBase


class ActionSearchKnowledge(ZoneAction):
    action_name = "action_search_knowledge"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        reply = answers.search_answer(knowledge, turn.text)
        note_search_reply(knowledge, turn, tracker, reply)
        return reply
