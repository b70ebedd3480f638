"""Greeting, menu, small talk, out-of-scope and asking for a person."""

from __future__ import annotations

from abc import abstractmethod

from rasa_sdk import Tracker

from actions.base import ZoneAction
from actions.dialogue import DialogueAction
from actions.turn import Turn
from kb import answers
from kb.answers import Reply
from kb.model import KnowledgeBase


class ActionGreet(ZoneAction):
    action_name = "action_greet"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return answers.greet(knowledge)


class ActionShowMenu(ZoneAction):
    action_name = "action_show_menu"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return answers.menu(knowledge)


class _FixedMessage(ZoneAction):
    """Replies with one sentence from knowledge/messages.yml; states no zone facts."""

    @property
    @abstractmethod
    def message_key(self) -> str:
        """Key in knowledge/messages.yml; subclasses set it as a class attribute."""

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        return answers.message(knowledge, self.message_key)


class ActionGoodbye(_FixedMessage):
    action_name, message_key = "action_goodbye", "goodbye"


class ActionThank(_FixedMessage):
    action_name, message_key = "action_thank", "thank"


class ActionBotChallenge(_FixedMessage):
    action_name, message_key = "action_bot_challenge", "bot_challenge"


class ActionChitchat(DialogueAction):
    """Small talk, unless it is a follow-up of the last answer ("那第二个呢")."""

    action_name = "action_chitchat"


class ActionOutOfScope(DialogueAction):
    """Declines, unless the message is a follow-up of the last answer."""

    action_name = "action_out_of_scope"
