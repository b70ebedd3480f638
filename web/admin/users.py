"""Staff accounts for /admin: argon2 password hashes and two roles.

Wrong passwords do not lock an account (anyone could then lock staff out, and a lock
told which names exist): guessing is slowed per client address and per name by
web/admin/throttle.py, in front of this store.

A SQLite file or a PostgreSQL database (core/database.py), shared with the sessions, the
audit log and the publish jobs; safe across the web app and the admin CLI writing at
once. The table is created on first use, so constructing a store (or importing this
module) touches nothing on disk. There is no default user or password:
staff accounts are made with `python -m web.admin.cli add`."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, List, Literal, Mapping, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, Float, Integer, MetaData, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.database import Database, Location

ROLES = ("editor", "publisher")
PERMISSIONS = {"editor": frozenset({"edit"}), "publisher": frozenset({"edit", "publish"})}
ROLE_NAMES = {"editor": "编辑", "publisher": "发布员"}

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{3,32}")
MIN_PASSWORD_CHARS = 10

metadata = MetaData()
users_table = Table(
    "users",
    metadata,
    Column("username", Text, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    # failed_attempts and locked_until are unused since logins are throttled, not
    # locked; kept so existing databases need no migration.
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", Float),
    Column("created_at", Float, nullable=False),
    Column("last_login", Float),
)

INVALID_MESSAGE = "用户名或密码不正确"


def can(role: str, permission: str) -> bool:
    """One place that decides what a role may do, so views and API agree."""
    return permission in PERMISSIONS.get(role, frozenset())


class UserError(ValueError):
    """A refused account change. str() is the Chinese message for staff; `english` is
    for the CLI, which prints both."""

    def __init__(self, message: str, english: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.english = english


@dataclass(frozen=True)
class User:
    username: str
    role: str
    last_login: Optional[float] = None


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    user: Optional[User]
    reason: Literal["ok", "invalid"]
    message: str


def check_username(username: str) -> None:
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise UserError(
            "用户名须为 3–32 个字符，只能包含英文字母、数字、下划线、点或连字符",
            "username must be 3-32 characters of A-Z a-z 0-9 _ . -",
        )


def check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError("角色只能是 editor（编辑）或 publisher（发布员）", "role must be editor or publisher")


def check_password(username: str, password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise UserError(
            f"密码至少 {MIN_PASSWORD_CHARS} 个字符", f"password must be at least {MIN_PASSWORD_CHARS} characters"
        )
    if password.casefold() == username.casefold():
        raise UserError("密码不能与用户名相同", "password must not be the username")


_INVALID = AuthResult(False, None, "invalid", INVALID_MESSAGE)


class UserStore:
    def __init__(self, location: Location, hasher: Optional[PasswordHasher] = None) -> None:
        """`location`: a SQLite file path or a database URL. `hasher` is for tests
        (cheap parameters); production uses argon2's defaults."""
        self.db = Database(location, metadata)
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: Optional[str] = None

    def _row(self, username: str) -> Optional[Mapping[str, Any]]:
        with self.db.read() as connection:
            row = connection.execute(select(users_table).where(users_table.c.username == username)).first()
        return row._mapping if row else None

    @staticmethod
    def _require(connection, username: str) -> None:
        found = connection.execute(select(users_table.c.username).where(users_table.c.username == username)).first()
        if found is None:
            raise UserError(f"用户 {username} 不存在", f"no such user: {username}")

    def add(self, username: str, password: str, role: str) -> User:
        check_username(username)
        check_role(role)
        check_password(username, password)
        password_hash = self.hasher.hash(password)
        try:
            with self.db.write() as connection:
                connection.execute(
                    insert(users_table).values(
                        username=username,
                        password_hash=password_hash,
                        role=role,
                        failed_attempts=0,
                        created_at=time.time(),
                    )
                )
        except IntegrityError:
            raise UserError(f"用户 {username} 已存在", f"user {username} already exists") from None
        return User(username, role)

    def get(self, username: str) -> Optional[User]:
        row = self._row(username)
        return User(row["username"], row["role"], row["last_login"]) if row else None

    def set_password(self, username: str, password: str) -> None:
        """Changes only the hash; callers also end the user's sessions (SessionStore.delete_user)."""
        check_password(username, password)
        password_hash = self.hasher.hash(password)
        self._update(username, password_hash=password_hash)

    def set_role(self, username: str, role: str) -> None:
        check_role(role)
        self._update(username, role=role)

    def _update(self, username: str, **values: Any) -> None:
        with self.db.write() as connection:
            self._require(connection, username)
            connection.execute(update(users_table).where(users_table.c.username == username).values(**values))

    def remove(self, username: str) -> None:
        with self.db.write() as connection:
            self._require(connection, username)
            connection.execute(delete(users_table).where(users_table.c.username == username))

    def list(self) -> List[User]:
        query = select(users_table.c.username, users_table.c.role, users_table.c.last_login).order_by(
            users_table.c.username
        )
        with self.db.read() as connection:
            return [User(**row._mapping) for row in connection.execute(query)]

    def _dummy(self) -> str:
        """A hash nobody knows the password of, with this store's parameters, so that an
        unknown username costs one argon2 verify like a known one."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(24))
        return self._dummy_hash

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def authenticate(self, username: str, password: str, now: Optional[float] = None) -> AuthResult:
        """Unknown users and wrong passwords give the same answer after the same work, so
        the login form does not tell which usernames exist."""
        now = time.time() if now is None else now
        dummy = self._dummy()  # computed before the lookup, so the first call costs the same either way
        password = password if isinstance(password, str) else ""
        row = self._row(username) if isinstance(username, str) and USERNAME_PATTERN.fullmatch(username) else None
        if row is None:
            self._verify(dummy, password)
            return _INVALID
        if not self._verify(row["password_hash"], password):
            return _INVALID
        new_hash = self.hasher.hash(password) if self.hasher.check_needs_rehash(row["password_hash"]) else None
        # Guarded update: if another process changed the password while we were
        # verifying, this login does not count.
        guarded = update(users_table).where(
            users_table.c.username == username, users_table.c.password_hash == row["password_hash"]
        )
        values = {"last_login": now, **({"password_hash": new_hash} if new_hash else {})}
        with self.db.write() as connection:
            result = connection.execute(guarded.values(**values))
        if result.rowcount != 1:
            return _INVALID
        return AuthResult(True, User(username, row["role"], now), "ok", "登录成功")
