"""Staff login sessions for /admin, kept server-side so logout, password changes and
removed users end them at once.

The browser holds a random id in an HttpOnly, SameSite=Strict cookie; the database holds
only its sha256, so a leaked copy of the file cannot be replayed as a login. Each
session carries its own CSRF token for forms and API calls. Same SQLite pattern (and
usually the same file) as web/admin/users.py."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from kb.sqlite_files import SqliteFile
from web.admin.users import ROLES

COOKIE_NAME = "zone_admin"
MAX_ID_CHARS = 200  # token_urlsafe(32) is 43 chars; anything far longer is not ours

SCHEMA = """
CREATE TABLE IF NOT EXISTS admin_sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS admin_sessions_username ON admin_sessions (username);
"""


@dataclass(frozen=True)
class Session:
    session_id: str  # only right after create(); the store cannot recover it later
    username: str
    role: str
    csrf_token: str
    expires_at: float


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_matches(session: Session, supplied: Optional[str]) -> bool:
    """Constant-time, so the token cannot be guessed byte by byte from response times."""
    if not supplied or not isinstance(supplied, str) or not session.csrf_token:
        return False
    return hmac.compare_digest(session.csrf_token.encode("utf-8"), supplied.encode("utf-8"))


def cookie_options(secure: bool) -> dict:
    """Attributes for the session cookie: never readable by scripts, never sent
    cross-site, only to /admin. `secure` is off only for plain-http local development.

    "secure" is left out rather than set to False: sanic 21.12 renders a False flag that
    reaches the cookie through dict.update() as "Secure=False", which browsers read as
    Secure, so the cookie would never come back over http."""
    options = {"httponly": True, "samesite": "Strict", "path": "/admin"}
    if secure:
        options["secure"] = True
    return options


class SessionStore:
    def __init__(
        self, path: Union[str, Path], idle_seconds: float = 8 * 3600, max_age_seconds: float = 24 * 3600
    ) -> None:
        """Sessions end after `idle_seconds` without use (sliding) and in any case
        `max_age_seconds` after login."""
        self.path = Path(path)
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds
        self._db = SqliteFile(self.path, SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return self._db.connect()

    def create(self, username: str, role: str, now: Optional[float] = None) -> Session:
        if role not in ROLES:
            raise ValueError(f"unknown role: {role!r}")
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        expires_at = now + min(self.idle_seconds, self.max_age_seconds)
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM admin_sessions WHERE expires_at <= ?", (now,))  # housekeeping
            connection.execute(
                "INSERT INTO admin_sessions (id_hash, username, role, csrf_token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (hash_id(session_id), username, role, csrf_token, now, expires_at),
            )
        return Session(session_id, username, role, csrf_token, expires_at)

    def get(self, session_id: Optional[str], now: Optional[float] = None) -> Optional[Session]:
        """The live session for this cookie value, its idle timer restarted; None when
        unknown, idle too long or past its absolute age."""
        if not session_id or not isinstance(session_id, str) or len(session_id) > MAX_ID_CHARS:
            return None
        now = time.time() if now is None else now
        id_hash = hash_id(session_id)
        with closing(self._connect()) as connection, connection:
            row = connection.execute("SELECT * FROM admin_sessions WHERE id_hash = ?", (id_hash,)).fetchone()
            if row is None:
                return None
            absolute_end = row["created_at"] + self.max_age_seconds
            if now >= row["expires_at"] or now >= absolute_end:
                connection.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (id_hash,))
                return None
            expires_at = min(now + self.idle_seconds, absolute_end)
            connection.execute("UPDATE admin_sessions SET expires_at = ? WHERE id_hash = ?", (expires_at, id_hash))
        return Session("", row["username"], row["role"], row["csrf_token"], expires_at)

    def delete(self, session_id: Optional[str]) -> None:
        """Log out this one session; unknown ids are ignored (logout is idempotent)."""
        if not session_id or not isinstance(session_id, str):
            return
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (hash_id(session_id),))

    def delete_user(self, username: str) -> int:
        """Log the user out everywhere (removed, password or role changed); returns how many."""
        with closing(self._connect()) as connection, connection:
            return connection.execute("DELETE FROM admin_sessions WHERE username = ?", (username,)).rowcount
