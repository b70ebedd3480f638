"""Economic figures; the figure (and any answer) is remembered for follow-up questions."""

from __future__ import annotations

from actions.dialogue import DialogueAction


class ActionLookupFigure(DialogueAction):
    action_name = "action_lookup_figure"


class ActionLookupGrowth(DialogueAction):
    action_name = "action_lookup_growth"
