"""Rasa's REST channel (POST /webhooks/rest/webhook), unchanged except that a turn the
assistant could not answer gets "please try again shortly" instead of `[]`
(connectors/never_silent.py).

Its blueprint also carries the server's heap watch (serving/heap.py). Rasa offers no
other place for code that runs once the model is loaded, and every credentials file of
this project enables the REST channel, so every Rasa server gets the watch exactly once."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from connectors import limits
from connectors.never_silent import never_silent
from serving.heap import watch_heap_after_start


class NeverSilentRestInput(RestInput):
    """The caller sets only the sender and the text: the message is capped
    (connectors/limits.py), and the channel name and metadata are the server's, so a
    caller cannot pose as the widget or WeChat or attach a large blob to the tracker."""

    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as Rasa's own REST channel

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return limits.sender_id((req.json or {}).get("sender")) or None

    def _extract_message(self, req: Request) -> Optional[Text]:
        return limits.message_text((req.json or {}).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message))
        blueprint.listener("after_server_start")(watch_heap_after_start)
        return blueprint
