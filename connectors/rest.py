"""Rasa's REST channel (POST /webhooks/rest/webhook), unchanged except that a turn the
assistant could not answer gets "please try again shortly" instead of `[]`
(connectors/never_silent.py)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from connectors.never_silent import never_silent


class NeverSilentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as Rasa's own REST channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))
