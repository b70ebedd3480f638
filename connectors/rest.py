"""Rasa's REST channel (POST /webhooks/rest/webhook), with four differences: a turn the
assistant could not answer gets "please try again shortly" instead of `[]`
(connectors/never_silent.py); the conversation is `rest:<sender>` and only the sender
and the text come from the caller; with REST_CHANNEL_TOKEN set, a caller needs it (the
production profile serves REST only so); anonymous callers are rate-limited.

Its blueprint also carries what every Rasa server of this project runs once: the
JSON-Schema validator cache and the heap watch (connectors/rasa_server/) and the
constant-time check of the HTTP API's token (connectors/api_token.py). Rasa offers no
other place for code that runs once the model is loaded, and every credentials file of
this project enables the REST channel, so every Rasa server gets the watch exactly once."""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from connectors import api_token, limits
from connectors.never_silent import channel_text, never_silent
from connectors.rasa_server import schema_cache
from connectors.rasa_server.heap import watch_heap_after_start
from connectors.rate_limit import ChatLimits


async def _install_api_token_check(app: Any, _loop: Any) -> None:
    api_token.install(app)


class NeverSilentRestInput(RestInput):
    """The caller sets only the sender and the text: the message is capped
    (connectors/limits.py), the conversation is `rest:<sender>`, and the channel name and
    metadata are the server's, so a caller cannot pose as the widget or WeChat, reach
    their conversations, or attach a large blob to the tracker."""

    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as Rasa's own REST channel

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            token=str(credentials.get("token") or ""),
            require_token=str(credentials.get("require_token") or "").lower() in ("1", "true", "yes"),
        )

    def __init__(self, token: str = "", require_token: bool = False) -> None:
        """With a `token`, a message needs `Authorization: Bearer <token>`. Without one the
        channel is open (local development, tests), unless `require_token`: then it is
        off. The production profile sets require_token (REST_CHANNEL_REQUIRE_TOKEN):
        there REST is for the zone's own integrations, never for anonymous callers."""
        self.token, self.require_token = token, require_token
        self.chat_limits = ChatLimits()

    def refusal(self, request: Request) -> Optional[response.HTTPResponse]:
        """Why this request may not post a message, as the answer; None when it may."""
        if not self.token:
            if self.require_token:
                return response.json({"error": "the REST channel is off: set REST_CHANNEL_TOKEN to use it"}, status=403)
            return None
        given = request.headers.get("authorization", "")
        expected = f"Bearer {self.token}"
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
            return response.json({"error": "missing or wrong REST channel token (Authorization: Bearer …)"}, status=401)
        return None

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = limits.sender_id((req.json or {}).get("sender"))
        return limits.conversation_id(self.name(), sender) if sender else None

    async def too_fast(self, request: Request) -> Optional[response.HTTPResponse]:
        """The polite reply, without running the turn, to an anonymous caller over the
        chat limits (connectors/rate_limit.py). A caller with the channel's token is
        one of the zone's own integrations (evaluation, load tests) and is not limited."""
        if self.token:
            return None
        try:
            sender = await self._extract_sender(request) or ""
            text = self._extract_message(request)
        except Exception:  # not JSON: Rasa's handler answers that
            return None
        address = limits.client_address(request.ip, request.headers.get("x-forwarded-for", ""))
        if self.chat_limits.allow(sender, address):
            return None
        return response.json([{"recipient_id": sender, "text": channel_text("too_fast", text)}])

    def _extract_message(self, req: Request) -> Optional[Text]:
        return limits.message_text((req.json or {}).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        schema_cache.install()  # before the first action-server reply is validated
        blueprint = super().blueprint(never_silent(on_new_message))

        @blueprint.on_request
        async def check_caller(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST":
                return None
            return self.refusal(request) or await self.too_fast(request)

        blueprint.listener("after_server_start")(watch_heap_after_start)
        blueprint.listener("before_server_start")(_install_api_token_check)
        return blueprint
