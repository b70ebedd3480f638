"""Staff sessions: hashed ids, idle and absolute expiry, CSRF tokens, logout everywhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from web.admin.sessions import COOKIE_NAME, SessionStore, cookie_options, csrf_matches
from web.admin.users import UserStore

NOW = 1_700_000_000.0
HOUR = 3600.0


@pytest.fixture
def sessions(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "state" / "admin.db")


def test_constructing_a_store_touches_nothing_on_disk(tmp_path: Path) -> None:
    SessionStore(tmp_path / "later" / "admin.db")
    assert not (tmp_path / "later").exists()


def test_create_then_get(sessions: SessionStore) -> None:
    created = sessions.create("alice", "editor", now=NOW)
    assert len(created.session_id) >= 43 and len(created.csrf_token) >= 43
    assert created.session_id != created.csrf_token and created.expires_at == NOW + 8 * HOUR
    found = sessions.get(created.session_id, now=NOW + 60)
    assert (found.username, found.role, found.csrf_token) == ("alice", "editor", created.csrf_token)
    assert found.session_id == ""  # the store cannot give the id back


def test_every_session_is_different(sessions: SessionStore) -> None:
    a, b = sessions.create("alice", "editor"), sessions.create("alice", "editor")
    assert a.session_id != b.session_id and a.csrf_token != b.csrf_token


@pytest.mark.parametrize("session_id", [None, "", "made-up", "x" * 10_000])
def test_unknown_ids_get_nothing(sessions: SessionStore, session_id) -> None:
    sessions.create("alice", "editor")
    assert sessions.get(session_id) is None


def test_session_id_is_stored_only_as_its_sha256(sessions: SessionStore) -> None:
    created = sessions.create("alice", "publisher", now=NOW)
    data = b"".join(p.read_bytes() for p in sessions.db.path.parent.glob("admin.db*"))  # includes the WAL file
    assert created.session_id.encode() not in data
    assert hashlib.sha256(created.session_id.encode()).hexdigest().encode() in data


def test_idle_sessions_expire(sessions: SessionStore) -> None:
    created = sessions.create("alice", "editor", now=NOW)
    assert sessions.get(created.session_id, now=NOW + 8 * HOUR) is None
    assert sessions.get(created.session_id, now=NOW + 60) is None  # and it is gone for good


def test_use_slides_the_idle_timeout(sessions: SessionStore) -> None:
    created = sessions.create("alice", "editor", now=NOW)
    expiries = [sessions.get(created.session_id, now=NOW + hours * HOUR).expires_at for hours in (7, 14, 21)]
    assert expiries == [NOW + 15 * HOUR, NOW + 22 * HOUR, NOW + 24 * HOUR]  # the last one capped at 24 h


def test_no_session_outlives_the_absolute_maximum(sessions: SessionStore) -> None:
    created = sessions.create("alice", "editor", now=NOW)
    for hours in range(1, 24):
        assert sessions.get(created.session_id, now=NOW + hours * HOUR) is not None
    assert sessions.get(created.session_id, now=NOW + 23.5 * HOUR).expires_at == NOW + 24 * HOUR
    assert sessions.get(created.session_id, now=NOW + 24 * HOUR) is None


def test_timeouts_come_from_the_constructor(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "admin.db", idle_seconds=60, max_age_seconds=100)
    created = store.create("alice", "editor", now=NOW)
    assert store.get(created.session_id, now=NOW + 59) is not None
    assert store.get(created.session_id, now=NOW + 99).expires_at == NOW + 100
    assert store.get(created.session_id, now=NOW + 100) is None


def test_delete_logs_out_one_session(sessions: SessionStore) -> None:
    a, b = sessions.create("alice", "editor"), sessions.create("alice", "editor")
    sessions.delete(a.session_id)
    sessions.delete("made-up")
    sessions.delete(None)
    assert sessions.get(a.session_id) is None and sessions.get(b.session_id) is not None


def test_delete_user_logs_out_everywhere(sessions: SessionStore) -> None:
    mine = [sessions.create("alice", "editor") for _ in range(3)]
    other = sessions.create("bob", "publisher")
    assert sessions.delete_user("alice") == 3
    assert all(sessions.get(s.session_id) is None for s in mine)
    assert sessions.get(other.session_id).username == "bob"


def test_unknown_roles_get_no_session(sessions: SessionStore) -> None:
    with pytest.raises(ValueError):
        sessions.create("alice", "admin")


def test_users_and_sessions_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "admin.db"
    UserStore(path).add("alice", "correct-horse-1", "editor")
    created = SessionStore(path).create("alice", "editor")
    assert SessionStore(path).get(created.session_id).username == "alice" and UserStore(path).get("alice")


def test_csrf_matches_only_the_sessions_own_token(sessions: SessionStore) -> None:
    created = sessions.create("alice", "editor")
    found = sessions.get(created.session_id)
    assert csrf_matches(found.csrf_token, created.csrf_token)
    for wrong in (None, "", created.csrf_token[:-1], created.csrf_token + "x", "令牌", created.session_id):
        assert not csrf_matches(found.csrf_token, wrong)
    assert not csrf_matches("", "")


def test_cookie_is_httponly_strict_and_scoped_to_admin() -> None:
    assert COOKIE_NAME == "zone_admin"
    assert cookie_options(True) == {"httponly": True, "samesite": "Strict", "secure": True, "path": "/admin"}
    assert cookie_options(False) == {"httponly": True, "samesite": "Strict", "path": "/admin"}  # no "Secure=False"


def test_cookie_options_render_as_real_flags_in_sanic() -> None:
    from sanic.cookies import Cookie  # the web app's cookie class, applied the way views.py does

    for secure, flag in ((True, True), (False, False)):
        cookie = Cookie(COOKIE_NAME, "value")
        cookie.update(cookie_options(secure))
        rendered = str(cookie)
        assert "HttpOnly" in rendered and "SameSite=Strict" in rendered and "Path=/admin" in rendered
        assert ("Secure" in rendered) is flag and "=False" not in rendered and "=True" not in rendered
