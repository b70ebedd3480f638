"""Rasa input channel for the zone's WeChat Official Account, anatomy after Rasa's
facebook.py: name(), from_credentials(), blueprint() with a health route and GET/POST
webhook. Protocol work is in protocol.py, rendering in render.py, memory in store.py.

The 5-second rule: WeChat waits 5 s for a passive reply and otherwise retries the same
message (same MsgId) up to three times. Each message is processed once; every request
for it waits for that one answer; if it is not ready within the reply window (4.5 s),
the request answers "success" and the answer goes out through the customer-service API
when ready. Exactly one of the two delivers it."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors import limits
from connectors.never_silent import channel_text, never_silent
from connectors.rate_limit import ChatLimits
from connectors.wechat import menu
from connectors.wechat.customer_service import CustomerServiceClient
from connectors.wechat.protocol import (
    Crypto,
    Incoming,
    Refused,
    check_body,
    check_fresh,
    check_signature,
    parse,
    text_reply,
)
from connectors.wechat.render import MORE_HINT, Rendered, render
from connectors.wechat.store import LocalStore

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"
REPLY_WINDOW_SECONDS = 4.5
# After an answer is stored, how long a waiting request (on any instance) gets to claim
# it before the customer-service API does; longer than the Redis store's poll interval.
CLAIM_GRACE_SECONDS = 0.2
GREET_PAYLOAD = "/greet"
CONTINUE_WORDS = {"继续", "繼續", "更多"}
PLEASE_TYPE = "您好，目前我只能阅读文字消息。请直接输入您想了解的问题，例如“湘潭经开区离机场多远？”"
NOTHING_MORE = "已经没有更多内容了。您可以继续提问。"
ERROR_TEXT = "抱歉，系统暂时出了点问题，请稍后再试。"
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")

Response = Tuple[int, str, str]  # status, content type, body


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            token=str(credentials.get("token") or ""),
            app_id=str(credentials.get("app_id") or ""),
            app_secret=str(credentials.get("app_secret") or ""),
            encoding_aes_key=str(credentials.get("encoding_aes_key") or ""),
            api_base_url=str(credentials.get("api_base_url") or DEFAULT_API_BASE_URL),
            store=_store_for(credentials.get("redis_url")),
            redis_url=credentials.get("redis_url") or None,
        )

    def __init__(
        self,
        token: str,
        app_id: str = "",
        app_secret: str = "",
        encoding_aes_key: str = "",
        api_base_url: str = DEFAULT_API_BASE_URL,
        reply_window: float = REPLY_WINDOW_SECONDS,
        store: Optional[Any] = None,
        customer_service: Optional[CustomerServiceClient] = None,
        redis_url: Optional[str] = None,
    ) -> None:
        self.token = token
        self.app_id = app_id
        self.crypto = Crypto(token, encoding_aes_key, app_id) if encoding_aes_key else None
        self.reply_window = reply_window
        self.store = store or LocalStore()
        self.customer_service = customer_service or CustomerServiceClient(
            api_base_url, app_id, app_secret, redis_url=redis_url
        )
        self._tasks: set = set()
        # Per follower only: every message comes from WeChat's servers, not the follower.
        self.chat_limits = ChatLimits()

    async def drain(self) -> None:
        """Wait until every message in progress has been answered and delivered (a clean
        shutdown; tests wait on this instead of sleeping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- sanic ----------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = never_silent(on_new_message)  # never silence (action server down)
        wechat_webhook = Blueprint("wechat_webhook", __name__)

        @wechat_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.token)})

        @wechat_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return _http(self.handle_verification(request.args))

        @wechat_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return _http(await self.handle_post(request.args, request.body or b"", on_new_message))

        return wechat_webhook

    # --- requests -------------------------------------------------------------------

    def handle_verification(self, args: Mapping) -> Response:
        """GET from the MP console when the server URL is saved: echo `echostr`."""
        if not self.token:
            return 503, "text/plain", "wechat channel not configured"
        try:
            timestamp, nonce = _arg(args, "timestamp"), _arg(args, "nonce")
            check_signature((self.token, timestamp, nonce), _arg(args, "signature"))
            check_fresh(timestamp)
        except Refused as refused:
            logger.info("wechat.verify.refused reason=%s", refused.reason)
            return refused.status, "text/plain", "forbidden"
        return 200, "text/plain", _arg(args, "echostr")

    async def handle_post(
        self, args: Mapping, body: bytes, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Response:
        if not self.token:
            return 503, "text/plain", "wechat channel not configured"
        timestamp, nonce = _arg(args, "timestamp"), _arg(args, "nonce")
        encrypted = _arg(args, "encrypt_type") == "aes"
        try:
            check_body(body)
            check_signature((self.token, timestamp, nonce), _arg(args, "signature"))
            check_fresh(timestamp)
            if not encrypted and self.crypto is not None:
                # With an AES key the account is in safe or compatible mode, where WeChat
                # always encrypts: a plaintext message is someone skipping the encryption.
                raise Refused(403, "plaintext_with_aes_key")
            if encrypted:
                if self.crypto is None:
                    raise Refused(400, "encryption_not_configured")
                body = self.crypto.decrypt(body, _arg(args, "msg_signature"), timestamp, nonce)
                check_body(body)
            incoming = parse(body)
            if not await self.store.accept_nonce(nonce, timestamp, incoming.dedup_key):
                raise Refused(403, "replayed_nonce")
        except Refused as refused:
            logger.info("wechat.request.refused reason=%s", refused.reason)
            return refused.status, "text/plain", "forbidden" if refused.status == 403 else "bad request"

        logger.info("wechat.message.received kind=%s", incoming.kind)
        content = await self.answer(incoming, on_new_message)
        if not content:
            return 200, "text/plain", "success"
        reply = text_reply(incoming, content)
        if encrypted:
            reply = self.crypto.encrypt(reply, nonce, timestamp)
        return 200, "application/xml", reply

    # --- what to say ------------------------------------------------------------------

    async def answer(
        self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Optional[str]:
        """The passive reply's text, or None to answer "success"."""
        metadata: Dict[str, Any] = {"wechat": {"account": incoming.account}}
        if incoming.kind == "event":
            if incoming.event in ("subscribe", "subscribe_scan", "scan"):
                if incoming.scene:
                    metadata["wechat"]["scene"] = incoming.scene  # which QR code brought them
                text = GREET_PAYLOAD
            elif incoming.event == "click":
                text = menu.payload_for(incoming.event_key) or ""
            else:
                return None  # unsubscribe, VIEW, LOCATION reports ...: nothing to say
            if not text:
                return None
        elif incoming.kind in ("text", "voice") and incoming.text.strip():
            text = limits.message_text(incoming.text.strip())  # capped like every channel
            if text in CONTINUE_WORDS:
                return await self.store.next_overflow(incoming.open_id) or NOTHING_MORE
            number = _NUMBER.match(text)
            if number:
                text = await self.store.option(incoming.open_id, int(number.group(1))) or text
        else:
            return PLEASE_TYPE  # images, locations, voice without recognition ...
        return await self._exchange(incoming, text, metadata, on_new_message)

    async def _exchange(
        self,
        incoming: Incoming,
        text: str,
        metadata: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> Optional[str]:
        key = incoming.dedup_key
        if await self.store.begin(key):
            if not self.chat_limits.allow(limits.conversation_id(self.name(), incoming.open_id)):
                # Answered without a turn; WeChat's retries of it get the same answer.
                await self.store.set_answer(key, Rendered([channel_text("too_fast", text)]))
                return await self._deliver_now(key, incoming)
            task = asyncio.ensure_future(self._process(key, incoming, text, metadata, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            logger.info("wechat.message.retry")
        return await self._deliver_now(key, incoming)

    async def _deliver_now(self, key: str, incoming: Incoming) -> Optional[str]:
        """The passive reply when the answer is ready within the window, else None."""
        rendered = await self.store.wait_answer(key, self.reply_window)
        if rendered is None:
            await self.store.mark_gave_up(key)
            logger.info("wechat.reply.deferred")
            return None
        if not rendered.parts or not await self.store.claim_delivery(key):
            return None
        if len(rendered.parts) > 1:
            await self.store.set_overflow(incoming.open_id, rendered.parts[1:])
        return rendered.parts[0]

    async def _process(
        self,
        key: str,
        incoming: Incoming,
        text: str,
        metadata: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        collector = CollectingOutputChannel()
        try:
            # The conversation is `wechat:<OpenID>` (connectors/limits.py); the OpenID
            # alone is what WeChat and this channel's own store know the follower by.
            conversation = limits.conversation_id(self.name(), incoming.open_id)
            await on_new_message(
                UserMessage(text, collector, conversation, input_channel=self.name(), metadata=metadata)
            )
            rendered = render(collector.messages)
        except Exception:
            logger.exception("wechat.message.failed")
            rendered = Rendered([ERROR_TEXT])
        if rendered.options:
            await self.store.set_options(incoming.open_id, rendered.options)
        await self.store.set_answer(key, rendered)
        await asyncio.sleep(CLAIM_GRACE_SECONDS)  # a request waiting for it claims it first
        if rendered.parts and await self.store.gave_up(key) and await self.store.claim_delivery(key):
            await self._deliver_later(incoming.open_id, rendered)

    async def _deliver_later(self, open_id: str, rendered: Rendered) -> None:
        try:
            for part in rendered.parts:
                await self.customer_service.send_text(open_id, part.replace(MORE_HINT, ""))
        except Exception:
            logger.exception("wechat.customer_service.failed")


def _store_for(redis_url: Optional[str]) -> Any:
    """Redis when REDIS_URL is set (several instances share retries), else memory."""
    if redis_url:
        from connectors.wechat.redis_store import RedisStore

        return RedisStore(redis_url)
    return LocalStore()


def _arg(args: Mapping, name: str) -> str:
    value = args.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _http(result: Response) -> HTTPResponse:
    status, content_type, body = result
    return response.text(body, status=status, content_type=content_type)
