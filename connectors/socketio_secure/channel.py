"""Socket.IO input channel for the website widget, with sessions bound to signed tokens.

Same events as Rasa's socketio channel (session_request / session_confirm,
user_uttered), three differences:
1. the server chooses the session id and signs it (tokens.py); a client that asks for a
   session without that session's valid token gets a fresh session of its own;
2. the sender of a message is the session bound to the socket, never a session id the
   client writes into the message; its conversation is `web:<session id>`
   (connectors/limits.py), which no other channel can address;
3. each message carries a client message id and is answered in the socket.io
   acknowledgement, once: a resend after a dropped connection gets the same answer
   without running the actions again (replies.py).
Configured in credentials.yml; the secret comes from WIDGET_SESSION_SECRET."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from connectors import limits
from connectors.limits import parse_origins
from connectors.never_silent import channel_text, never_silent
from connectors.rate_limit import ChatLimits
from connectors.socketio_secure import tokens
from connectors.socketio_secure.replies import ReplyCache

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = limits.MAX_MESSAGE_CHARS
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


MAX_PAGE_CHARS = 200


def page_metadata(value: Any) -> Dict[str, str]:
    """Of what the client sends as metadata, only the page the widget is on (a short
    string) is kept: the tracker stores metadata, and the client must not fill it."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    page = value.get("page") if isinstance(value, dict) else None
    return {"page": page[:MAX_PAGE_CHARS]} if isinstance(page, str) else {}


class SecureSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            session_secret=tokens.check_secret(credentials.get("session_secret")),
            allowed_origins=parse_origins(credentials.get("cors_allowed_origins")),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            metadata_key=credentials.get("metadata_key", "metadata"),
        )

    def __init__(
        self,
        session_secret: str,
        allowed_origins: Union[str, List[str], None] = None,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        socketio_path: Text = "/socket.io",
        metadata_key: Text = "metadata",
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
            metadata_key=metadata_key,
        )
        self.session_secret = session_secret
        self.allowed_origins = allowed_origins
        self.replies = ReplyCache()
        self.chat_limits = ChatLimits()
        self.feedback_key = tokens.feedback_key(session_secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = never_silent(on_new_message)  # never silence (action server down)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # for get_output_channel (external events to a session's room)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            await self._grant_session(sio, sid, data if isinstance(data, dict) else {})

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> Dict[str, Any]:
            return await self._handle_message(sio, sid, data, on_new_message)

        return socketio_webhook

    async def _grant_session(self, sio: AsyncServer, sid: Text, data: Dict[str, Any]) -> None:
        requested, token = data.get("session_id"), data.get("token")
        resumed = tokens.verify(self.session_secret, requested, token)
        if resumed:
            grant = tokens.SessionGrant(requested, tokens.sign(self.session_secret, requested))
        else:
            if requested:
                logger.info("socketio.session.refused")  # never log the id itself
            grant = tokens.new_session(self.session_secret)
        previous = (await sio.get_session(sid)).get("session_id")
        if previous and previous != grant.session_id:
            await sio.leave_room(sid, limits.conversation_id(self.name(), previous))
        await sio.save_session(sid, {"session_id": grant.session_id})
        # The room is the conversation id: Rasa's output channel emits to the recipient.
        await sio.enter_room(sid, limits.conversation_id(self.name(), grant.session_id))
        await sio.emit(
            "session_confirm",
            {"session_id": grant.session_id, "token": grant.token, "resumed": resumed},
            room=sid,
        )

    @staticmethod
    async def _client_address(sio: AsyncServer, sid: Text) -> str:
        environ = sio.get_environ(sid) or {}
        request = environ.get("sanic.request")
        peer = getattr(request, "ip", "") if request is not None else environ.get("REMOTE_ADDR", "")
        return limits.client_address(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))

    async def _handle_message(
        self,
        sio: AsyncServer,
        sid: Text,
        data: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> Dict[str, Any]:
        session_id = (await sio.get_session(sid)).get("session_id")
        if not session_id:
            return {"error": "no_session"}
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return {"error": "bad_message"}
        message_id = data.get("message_id")
        if not isinstance(message_id, str) or not _MESSAGE_ID.match(message_id):
            message_id = uuid.uuid4().hex  # an old client without ids: no de-duplication
        text = limits.message_text(data.get("message", ""))
        metadata = page_metadata(data.get(self.metadata_key))
        conversation = limits.conversation_id(self.name(), session_id)
        if not self.replies.known((session_id, message_id)) and not self.chat_limits.allow(
            conversation, await self._client_address(sio, sid)
        ):
            # Not cached: the same message sent again later is answered normally.
            return {
                "message_id": message_id,
                "messages": [{"recipient_id": conversation, "text": channel_text("too_fast", text)}],
            }

        async def process() -> Dict[str, Any]:
            collector = CollectingOutputChannel()
            await on_new_message(
                UserMessage(text, collector, conversation, input_channel=self.name(), metadata=metadata)
            )
            # Each answer carries a signature of what was asked and answered in this
            # session: feedback is taken only on answers the server really sent.
            messages = [
                {
                    **m,
                    "feedback_token": tokens.sign_answer(
                        self.feedback_key, session_id, f"{message_id}-{index}", text, m.get("text") or ""
                    ),
                }
                for index, m in enumerate(collector.messages)
            ]
            return {"message_id": message_id, "messages": messages}

        try:
            return await self.replies.run_once((session_id, message_id), process)
        except Exception:
            logger.exception("socketio.message.failed")
            return {"message_id": message_id, "error": "server_error"}
