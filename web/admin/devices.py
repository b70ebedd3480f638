"""The "known device" cookie: proof that this browser has logged in as a name before.

web/admin/throttle.py slows attempts on a name that is being guessed from many
addresses; a browser holding this cookie for that name is not slowed, so an attack on
a staff member's name never keeps that staff member out on their own computer. The
cookie is an HMAC of the name and an expiry, keyed by a key derived from the web app's
secret (WIDGET_SESSION_SECRET): it holds no session and grants nothing but the right
to try a password at the normal pace."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Optional

COOKIE_NAME = "zone_admin_device"
LIFETIME_SECONDS = 90 * 86400


def device_key(secret: str) -> bytes:
    """A key of its own, so a device cookie can never pass as a widget session token."""
    return hmac.new(secret.encode("utf-8"), b"admin-known-device", hashlib.sha256).digest()


def _mac(key: bytes, name: str, expires: int) -> str:
    return hmac.new(key, f"{name}|{expires}".encode("utf-8"), hashlib.sha256).hexdigest()


def issue(key: bytes, username: str, now: Optional[float] = None) -> str:
    expires = int((time.time() if now is None else now) + LIFETIME_SECONDS)
    name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii")
    return f"{name}.{expires}.{_mac(key, username, expires)}"


def known(key: bytes, cookie: Optional[str], username: str, now: Optional[float] = None) -> bool:
    """Does this cookie say this browser logged in as `username` (and is it unexpired)?"""
    try:
        name, expires_text, mac = (cookie or "").split(".")
        expires = int(expires_text)
        cookie_name = base64.urlsafe_b64decode(name.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError):
        return False
    if cookie_name != username or expires < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(mac, _mac(key, username, expires))
