"""Economic figures, with the indicator remembered for follow-up questions."""
from __future__ import annotations

from rasa_sdk import Tracker

from actions.base import ZoneAction
from actions.turn import Turn
from kb import answers
from kb.answers import Reply
from kb.model import KnowledgeBase


class ActionLookupFigure(ZoneAction):
    action_name = "action_lookup_figure"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return answers.lookup_figure(
            knowledge, turn.text, turn.entities.get("indicator"),
            tracker.get_slot("indicator"), tracker.get_slot("figure_aspect"),
        )


class ActionLookupGrowth(ZoneAction):
    action_name = "action_lookup_growth"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return answers.lookup_growth(
            knowledge, turn.text, turn.entities.get("indicator"), tracker.get_slot("indicator")
        )
