"""WeChat server protocol as pure functions: signatures (compared in constant time),
freshness, XML safety, parsing, AES decryption and encrypted passive replies.

wechatpy does the message parsing and the AES work; its own signature checks compare
with `!=`, so signatures are computed with its signer and compared here with
hmac.compare_digest."""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW_SECONDS = 300
_DANGEROUS_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCRYPT = re.compile(rb"<Encrypt>\s*<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>\s*</Encrypt>")
# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class Refused(Exception):
    """A request that must not be processed; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def check_signature(expected_parts: tuple, given: Optional[str]) -> None:
    if not given or not hmac.compare_digest(signature(*expected_parts), given):
        raise Refused(403, "bad_signature")


def check_fresh(timestamp: Optional[str], now: Optional[float] = None) -> int:
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(403, "bad_timestamp")
    value = int(timestamp)
    if abs((now if now is not None else time.time()) - value) > MAX_CLOCK_SKEW_SECONDS:
        raise Refused(403, "stale_timestamp")
    return value


def check_body(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, "body_too_large")
    if _DANGEROUS_XML.search(body):
        raise Refused(400, "doctype_or_entity")


@dataclass
class Incoming:
    """One message or event from a follower, as the channel needs it."""

    kind: str  # text, voice, event, other
    open_id: str
    account: str
    create_time: int
    msg_id: Optional[str] = None
    text: str = ""
    event: str = ""
    event_key: str = ""
    scene: str = ""
    raw_type: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def dedup_key(self) -> str:
        """WeChat retries a message with the same MsgId; events have none."""
        return f"msg:{self.msg_id}" if self.msg_id else f"evt:{self.open_id}:{self.create_time}:{self.event}"


def parse(xml: bytes) -> Incoming:
    """The message as the channel needs it; Refused(400) for anything that is not a
    well-formed WeChat message. A signed request can still carry odd XML (an element
    inside <Content>, a word as <CreateTime>): wechatpy then gives a dict, or raises
    only when the field is read, so every field used is read and type-checked here."""
    try:
        message = parse_message(xml.decode("utf-8"))
        if message is None or not getattr(message, "source", None):
            raise Refused(400, "bad_xml")
        base = dict(
            open_id=_text(message.source),
            account=_text(message.target),
            create_time=int(message.time or 0),
            msg_id=_text(message.id) if getattr(message, "id", None) else None,
            raw_type=_text(message.type),
        )
        if message.type == "text":
            return Incoming(kind="text", text=_text(message.content or ""), **base)
        if message.type == "voice":
            return Incoming(kind="voice", text=_text(getattr(message, "recognition", None) or "").strip(), **base)
        if message.type == "event":
            event = _text(message.event or "").lower()
            key = _text(getattr(message, "key", "") or "")
            scene = _text(getattr(message, "scene_id", "") or "")
            return Incoming(kind="event", event=event, event_key=key, scene=scene, **base)
        return Incoming(kind="other", **base)
    except Refused:
        raise
    except Exception:  # malformed XML, missing or odd fields
        raise Refused(400, "bad_xml") from None


def _text(value: Any) -> str:
    """A field's text; an XML element with children (a dict or list here) is refused."""
    if isinstance(value, (dict, list)):
        raise Refused(400, "bad_xml")
    return str(value)


class Crypto:
    """AES (safe and compatible modes) for one account."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        self.token, self.app_id = token, app_id
        self._crypto = WeChatCrypto(token, encoding_aes_key, app_id)

    def decrypt(self, body: bytes, msg_signature: Optional[str], timestamp: str, nonce: str) -> bytes:
        match = _ENCRYPT.search(body)
        if not match:
            raise Refused(400, "no_encrypted_payload")
        encrypted = match.group(1).decode()
        check_signature((self.token, timestamp, nonce, encrypted), msg_signature)
        try:
            return PrpCrypto(self._crypto.key).decrypt(encrypted, self.app_id).encode("utf-8")
        except Exception:  # wrong key, wrong AppID, corrupt payload
            raise Refused(400, "decrypt_failed") from None

    def encrypt(self, reply_xml: str, nonce: str, timestamp: str) -> str:
        return self._crypto.encrypt_message(reply_xml, nonce, timestamp)


def text_reply(incoming: Incoming, content: str) -> str:
    return TextReply(source=incoming.account, target=incoming.open_id, content=content).render()
