"""Rasa's REST channel (POST /webhooks/rest/webhook), unchanged except that a turn the
assistant could not answer gets "please try again shortly" instead of `[]`
(connectors/never_silent.py).

Its blueprint also carries the server's heap watch (serving/heap.py). Rasa offers no
other place for code that runs once the model is loaded, and every credentials file of
this project enables the REST channel, so every Rasa server gets the watch exactly once."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from connectors.never_silent import never_silent
from serving.heap import watch_heap_after_start


class NeverSilentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as Rasa's own REST channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message))
        blueprint.listener("after_server_start")(watch_heap_after_start)
        return blueprint
