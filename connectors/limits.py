"""What a channel accepts from the internet, the same for every channel.

A message is cut to MAX_MESSAGE_CHARS before Rasa sees it, so the conversation stores
only that much (a 1.2 MB paste once made the tracker too big for the action server and
broke the conversation for good); the reply then says the message was long (the
`too_long` message, from the normaliser's own, shorter cut). A sender id is the
channel's key for the conversation: control characters would forge log lines, so they
are removed and the id is capped.

Conversation ids are namespaced by channel (`rest:…`, `web:…`, `wechat:…`), and each
channel adds its own prefix to whatever id it has, so no caller of one channel can
reach a conversation of another: a REST caller who knows a follower's OpenID and sends
it as `sender` (or sends `wechat:<OpenID>`) talks in `rest:…`, never in that follower's
conversation. Trackers stored before the prefixes are renamed by
`python -m serving.migrate_conversation_ids`."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, List, Union

from core import settings

# The numbers live in the foundation (core/limits.py); channels use them from here.
from core.limits import CHANNEL_PREFIXES, MAX_MESSAGE_CHARS, MAX_SENDER_CHARS  # noqa: F401

logger = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def message_text(value: Any) -> str:
    """The text to process: a string cut to the cap with lone surrogates replaced;
    anything else (a number, a list, null) is an empty message, which gets a reply."""
    if not isinstance(value, str):
        return ""
    text = value[:MAX_MESSAGE_CHARS]
    # A lone surrogate ("\ud800") cannot be encoded as UTF-8 and would fail the turn later.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def sender_id(value: Any) -> str:
    """The sender id without control characters, capped; "" when there is none."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return ""
    return _CONTROL.sub("", str(value))[:MAX_SENDER_CHARS].strip()


def conversation_id(channel: str, raw_id: str) -> str:
    """The conversation id channel `channel` (a Rasa channel name) uses for `raw_id`."""
    return f"{CHANNEL_PREFIXES[channel]}:{raw_id}"


def is_namespaced(conversation: str) -> bool:
    return any(conversation.startswith(prefix + ":") for prefix in CHANNEL_PREFIXES.values())


def log_id(conversation: str) -> str:
    """What logs say instead of a conversation id: a short hash. Ids are OpenIDs and
    session ids, which must not reach log files; the hash still tells lines of one
    conversation apart."""
    return hashlib.sha256(str(conversation).encode("utf-8", "replace")).hexdigest()[:12]


def trusted_proxy_hops() -> int:
    """How many reverse proxies in front of this server append to X-Forwarded-For
    (TRUSTED_PROXY_HOPS; 0 = none, use the connection's address; the production
    profile's nginx is 1)."""
    return settings.once("TRUSTED_PROXY_HOPS")


def client_address(peer: str, forwarded_for: str = "", hops: int = -1) -> str:
    """The client's address. With `hops` trusted proxies, the address the outermost of
    them saw (what a client writes into X-Forwarded-For itself comes before it and is
    ignored); without proxies the connection's address."""
    hops = trusted_proxy_hops() if hops < 0 else hops
    if hops == 0:
        return peer or ""
    chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    return chain[-hops] if len(chain) >= hops else (peer or "")


class OriginsNotSet(ValueError):
    """WIDGET_ALLOWED_ORIGINS is empty."""


def parse_origins(value: Union[str, List[str], None]) -> Union[str, List[str]]:
    """The origins (sites) allowed to open the chat socket and post feedback, from a
    comma-separated WIDGET_ALLOWED_ORIGINS. Empty is an error, not "everyone": an
    embedding site must be named (the Makefile's default is the local web app). `*`
    still allows every site, when asked for explicitly, with a warning."""
    if isinstance(value, list):
        return value
    if not value or not value.strip():
        raise OriginsNotSet(
            "WIDGET_ALLOWED_ORIGINS must list the sites that embed the chat widget, "
            "comma-separated, e.g. https://www.example.gov.cn (or * to allow every site)"
        )
    if value.strip() == "*":
        logger.warning("origins.any: WIDGET_ALLOWED_ORIGINS is *, so any website may embed the chat widget")
        return "*"
    return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
