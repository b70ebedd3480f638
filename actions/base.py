"""The one place replies are built and sent: in the investor's script, with the same
handling of empty and over-long messages everywhere, and never silence on error."""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turn import Turn, read_turn
from kb import answers, store
from kb.answers import Reply
from kb.model import KnowledgeBase
from kb.text import in_script

logger = logging.getLogger(__name__)

# Used when even the knowledge base cannot be read, so it cannot come from messages.yml.
ERROR_TEXT = "抱歉，系统暂时出了点问题，请稍后再试。"

# The model only knows Chinese; an English greeting or thanks is still understood
# (those intents are trained on "hi"/"thanks"), anything else gets a polite request
# to ask in Chinese rather than a confident answer to a question nobody asked.
LATIN_OK_INTENTS = frozenset({"greet", "goodbye", "thank"})

Responder = Callable[[KnowledgeBase, Turn, Tracker], Reply]


def build_reply(turn: Turn, tracker: Tracker, respond: Responder, name: str) -> Reply:
    """Run one responder with the shared rules; a failure becomes a polite error reply."""
    try:
        knowledge = store.current()
        if turn.empty:
            return answers.message(knowledge, "empty_message")
        if not turn.has_chinese and turn.intent not in LATIN_OK_INTENTS:
            return answers.message(knowledge, "not_chinese")
        reply = respond(knowledge, turn, tracker)
        if turn.truncated:
            reply.texts.insert(0, knowledge.message("too_long"))
        return reply
    except Exception:  # an investor must get an answer, not silence
        logger.exception("reply.failed", extra={"responder": name})
        return Reply([ERROR_TEXT])


def localise(reply: Reply, script: str) -> Reply:
    """The reply in the investor's script; button payloads stay as they are."""
    return Reply(
        [in_script(text, script) for text in reply.texts],
        [(in_script(title, script), payload) for title, payload in reply.buttons],
        reply.slots,
    )


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One message per text; the buttons go with the last one."""
    buttons = [{"title": title, "payload": payload} for title, payload in reply.buttons]
    for index, text in enumerate(reply.texts):
        last = index == len(reply.texts) - 1
        dispatcher.utter_message(text=text, buttons=buttons if last and buttons else None)


class ZoneAction(Action, metaclass=ABCMeta):
    """Base for every custom action."""

    action_name: str = ""

    def name(self) -> Text:
        return self.action_name

    @abstractmethod
    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        """What to say this turn; abstract, so rasa-sdk registers only concrete actions."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        turn = read_turn(tracker)
        reply = localise(build_reply(turn, tracker, self.respond, self.name()), turn.script)
        send(dispatcher, reply)
        return [SlotSet(slot, value) for slot, value in reply.slots.items()]
