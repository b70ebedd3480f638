"""Signed session tokens for the website widget.

Rasa 3.6's socketio channel lets a client name any session id and join its room, so
whoever learns another visitor's id can read and write their conversation. Here the
server picks the id (unguessable) and hands out a token signed with a server secret;
a client must present the token to resume the session. Pure functions, stdlib hmac."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

MIN_SECRET_LENGTH = 32
DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 3600  # a visitor may come back within a month
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


class WeakSecret(ValueError):
    """The signing secret is missing or too short to be safe."""


@dataclass(frozen=True)
class SessionGrant:
    session_id: str
    token: str


def check_secret(secret: Optional[str]) -> str:
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise WeakSecret(
            f"WIDGET_SESSION_SECRET must be set to at least {MIN_SECRET_LENGTH} random characters "
            "(e.g. `python3 -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return secret


def _signature(secret: str, session_id: str, issued_at: int) -> str:
    message = f"{session_id}.{issued_at}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_session(secret: str, now: Optional[float] = None) -> SessionGrant:
    """A fresh unguessable session id and its token."""
    session_id = secrets.token_urlsafe(24)
    return SessionGrant(session_id, sign(secret, session_id, now))


def sign(secret: str, session_id: str, now: Optional[float] = None) -> str:
    issued_at = int(now if now is not None else time.time())
    return f"{issued_at}.{_signature(secret, session_id, issued_at)}"


def verify(
    secret: str,
    session_id: object,
    token: object,
    now: Optional[float] = None,
    max_age: int = DEFAULT_MAX_AGE_SECONDS,
) -> bool:
    """True only for a token this server issued for exactly this session id, not expired."""
    if not isinstance(session_id, str) or not isinstance(token, str) or not _SESSION_ID.match(session_id):
        return False
    issued_text, _, signature = token.partition(".")
    if not issued_text.isdigit() or not signature:
        return False
    issued_at = int(issued_text)
    current = now if now is not None else time.time()
    if issued_at > current + 60 or current - issued_at > max_age:
        return False
    return hmac.compare_digest(signature, _signature(secret, session_id, issued_at))


# --- feedback on answers ----------------------------------------------------------------
# Each answer the widget channel sends carries a signature of (session, message id,
# question, answer), keyed by a key derived from the same secret; the web app takes 👍/👎
# only with a signature that matches what is posted. So feedback is possible only on an
# answer this server sent to that session, with the text it really sent: invented
# questions and answers (which once became inbox entries) are refused. A signature needs
# no shared database between the Rasa instances and the web app.


def feedback_key(secret: str) -> bytes:
    """A key of its own, so an answer signature can never pass as a session token."""
    return hmac.new(secret.encode(), b"widget-answer-feedback", hashlib.sha256).digest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def sign_answer(key: bytes, session_id: str, message_id: str, question: str, answer: str) -> str:
    """`question` is the text as the channel processed it (capped, connectors/limits.py)."""
    message = "|".join((session_id, message_id, _digest(question), _digest(answer))).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def answer_signed(
    key: bytes, session_id: object, message_id: object, question: object, answer: object, signature: object
) -> bool:
    if not all(isinstance(value, str) for value in (session_id, message_id, question, answer, signature)):
        return False
    return hmac.compare_digest(signature, sign_answer(key, session_id, message_id, question, answer))
