"""Staff login sessions for /admin, kept server-side so logout, password changes and
removed users end them at once.

The browser holds a random id in an HttpOnly, SameSite=Strict cookie; the database holds
only its sha256, so a leaked copy of the file cannot be replayed as a login. Each
session carries its own CSRF token for forms and API calls. Same database as
web/admin/users.py (core/database.py: a SQLite file or PostgreSQL)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Column, Float, Index, MetaData, Table, Text, delete, insert, select, update

from core.database import Database, Location
from web.admin.users import ROLES

COOKIE_NAME = "zone_admin"
MAX_ID_CHARS = 200  # token_urlsafe(32) is 43 chars; anything far longer is not ours

metadata = MetaData()
sessions_table = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", Text, primary_key=True),
    Column("username", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("admin_sessions_username", "username"),
)


@dataclass(frozen=True)
class Session:
    session_id: str  # only right after create(); the store cannot recover it later
    username: str
    role: str
    csrf_token: str
    expires_at: float


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_matches(expected: str, supplied: Optional[str]) -> bool:
    """Constant-time, so the token cannot be guessed byte by byte from response times."""
    if not supplied or not isinstance(supplied, str) or not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), supplied.encode("utf-8"))


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
    def __init__(self, location: Location, idle_seconds: float = 8 * 3600, max_age_seconds: float = 24 * 3600) -> None:
        """Sessions end after `idle_seconds` without use (sliding) and in any case
        `max_age_seconds` after login. `location`: a SQLite file path or a database URL."""
        self.db = Database(location, metadata)
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds

    def create(self, username: str, role: str, now: Optional[float] = None) -> Session:
        if role not in ROLES:
            raise ValueError(f"unknown role: {role!r}")
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        expires_at = now + min(self.idle_seconds, self.max_age_seconds)
        with self.db.write() as connection:
            connection.execute(delete(sessions_table).where(sessions_table.c.expires_at <= now))  # housekeeping
            connection.execute(
                insert(sessions_table).values(
                    id_hash=hash_id(session_id),
                    username=username,
                    role=role,
                    csrf_token=csrf_token,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return Session(session_id, username, role, csrf_token, expires_at)

    def get(self, session_id: Optional[str], now: Optional[float] = None) -> Optional[Session]:
        """The live session for this cookie value, its idle timer restarted; None when
        unknown, idle too long or past its absolute age."""
        if not session_id or not isinstance(session_id, str) or len(session_id) > MAX_ID_CHARS:
            return None
        now = time.time() if now is None else now
        this_session = sessions_table.c.id_hash == hash_id(session_id)
        with self.db.write() as connection:
            row = connection.execute(select(sessions_table).where(this_session)).first()
            if row is None:
                return None
            absolute_end = row.created_at + self.max_age_seconds
            if now >= row.expires_at or now >= absolute_end:
                connection.execute(delete(sessions_table).where(this_session))
                return None
            expires_at = min(now + self.idle_seconds, absolute_end)
            connection.execute(update(sessions_table).where(this_session).values(expires_at=expires_at))
        return Session("", row.username, row.role, row.csrf_token, expires_at)

    def delete(self, session_id: Optional[str]) -> None:
        """Log out this one session; unknown ids are ignored (logout is idempotent)."""
        if not session_id or not isinstance(session_id, str):
            return
        with self.db.write() as connection:
            connection.execute(delete(sessions_table).where(sessions_table.c.id_hash == hash_id(session_id)))

    def delete_user(self, username: str) -> int:
        """Log the user out everywhere (removed, password or role changed); returns how many."""
        with self.db.write() as connection:
            return connection.execute(delete(sessions_table).where(sessions_table.c.username == username)).rowcount
