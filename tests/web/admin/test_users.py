"""Staff accounts: argon2 hashes, roles, lock-out, and no hint about which usernames exist."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from web.admin.users import ROLES, UserError, UserStore, can

PASSWORD = "correct-horse-1"
NOW = 1_700_000_000.0


class CountingHasher(PasswordHasher):
    """Cheap parameters for speed, and a count of verify calls."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # type: ignore[override]
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def users(tmp_path: Path, hasher: CountingHasher) -> UserStore:
    store = UserStore(tmp_path / "state" / "admin.db", hasher=hasher)
    store.add("alice", PASSWORD, "editor")
    return store


def stored_hash(store: UserStore, username: str) -> str:
    with sqlite3.connect(store.db.path) as connection:
        return connection.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()[0]


def test_constructing_a_store_touches_nothing_on_disk(tmp_path: Path) -> None:
    UserStore(tmp_path / "later" / "admin.db")
    assert not (tmp_path / "later").exists()


def test_password_is_stored_as_an_argon2_hash(users: UserStore) -> None:
    password_hash = stored_hash(users, "alice")
    assert password_hash.startswith("$argon2") and PASSWORD not in password_hash
    data = b"".join(p.read_bytes() for p in users.db.path.parent.glob("admin.db*"))
    assert PASSWORD.encode() not in data


def test_right_password_logs_in_and_records_the_time(users: UserStore) -> None:
    result = users.authenticate("alice", PASSWORD, now=NOW)
    assert result.ok and result.reason == "ok" and result.user.username == "alice" and result.user.role == "editor"
    assert users.get("alice").last_login == NOW


def test_wrong_password_and_unknown_user_look_the_same(users: UserStore, hasher: CountingHasher) -> None:
    wrong = users.authenticate("alice", "not-the-password", now=NOW)
    before = hasher.verified
    unknown = users.authenticate("nobody", PASSWORD, now=NOW)
    assert hasher.verified == before + 1  # an argon2 verify against a dummy hash, like a real user
    assert (wrong.ok, wrong.reason, wrong.message, wrong.user) == (False, "invalid", "用户名或密码不正确", None)
    assert (unknown.ok, unknown.reason, unknown.message, unknown.user) == (wrong.ok, wrong.reason, wrong.message, None)


def test_wrong_passwords_never_lock_an_account(users: UserStore) -> None:
    """Guessing is slowed per address and per name in front of the store (throttle.py);
    the store itself never locks, or anyone could lock a staff member out."""
    results = [users.authenticate("alice", "wrong-password", now=NOW + i) for i in range(20)]
    assert {r.reason for r in results} == {"invalid"}
    assert users.authenticate("alice", PASSWORD, now=NOW + 21).ok


def test_outdated_hash_parameters_are_upgraded_at_login(tmp_path: Path) -> None:
    old = UserStore(tmp_path / "admin.db", hasher=CountingHasher(time_cost=1))
    old.add("alice", PASSWORD, "editor")
    new = UserStore(tmp_path / "admin.db", hasher=CountingHasher(time_cost=2))
    assert ",t=1," in stored_hash(new, "alice")
    assert new.authenticate("alice", PASSWORD).ok
    assert ",t=2," in stored_hash(new, "alice") and new.authenticate("alice", PASSWORD).ok


@pytest.mark.parametrize("username", ["ab", "x" * 33, "张三", "alice bob", "a/b", "", "alice\n"])
def test_bad_usernames_are_refused(users: UserStore, username: str) -> None:
    with pytest.raises(UserError, match="用户名"):
        users.add(username, PASSWORD, "editor")


@pytest.mark.parametrize("role", ["admin", "Editor", "", "root"])
def test_unknown_roles_are_refused(users: UserStore, role: str) -> None:
    with pytest.raises(UserError, match="角色"):
        users.add("bob", PASSWORD, role)
    with pytest.raises(UserError, match="角色"):
        users.set_role("alice", role)


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "至少 10 个字符"),
        ("123456789", "至少 10 个字符"),
        ("carol.long", "不能与用户名相同"),
        ("CAROL.LONG", "不能与用户名相同"),
    ],
)
def test_weak_passwords_are_refused(users: UserStore, password: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        users.add("carol.long", password, "editor")
    with pytest.raises(UserError, match="至少 10 个字符"):
        users.set_password("alice", "short")


def test_an_existing_username_is_refused(users: UserStore) -> None:
    with pytest.raises(UserError, match="已存在") as refused:
        users.add("alice", "another-password", "publisher")
    assert refused.value.english == "user alice already exists"
    assert users.get("alice").role == "editor"


def test_changes_to_unknown_users_are_refused(users: UserStore) -> None:
    for change in (
        lambda: users.set_password("nobody", PASSWORD),
        lambda: users.set_role("nobody", "editor"),
        lambda: users.remove("nobody"),
    ):
        with pytest.raises(UserError, match="不存在"):
            change()


def test_set_password_role_remove_and_list(users: UserStore) -> None:
    users.add("bob", PASSWORD, "publisher")
    users.set_password("alice", "a-new-password")
    assert not users.authenticate("alice", PASSWORD).ok and users.authenticate("alice", "a-new-password").ok
    users.set_role("alice", "publisher")
    assert [(u.username, u.role) for u in users.list()] == [("alice", "publisher"), ("bob", "publisher")]
    users.remove("bob")
    assert [u.username for u in users.list()] == ["alice"] and users.get("bob") is None
    assert users.authenticate("bob", PASSWORD).reason == "invalid"


def test_roles_and_permissions() -> None:
    assert ROLES == ("editor", "publisher")
    assert can("editor", "edit") and not can("editor", "publish")
    assert can("publisher", "edit") and can("publisher", "publish")
    assert not can("admin", "edit") and not can("publisher", "delete_everything")


def test_two_stores_on_one_file_share_the_accounts(tmp_path: Path, hasher: CountingHasher) -> None:
    first = UserStore(tmp_path / "admin.db", hasher=hasher)
    second = UserStore(tmp_path / "admin.db", hasher=hasher)
    first.add("alice", PASSWORD, "editor")
    assert second.authenticate("alice", PASSWORD, now=NOW).ok
    assert first.get("alice").last_login == NOW
    with sqlite3.connect(tmp_path / "admin.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
