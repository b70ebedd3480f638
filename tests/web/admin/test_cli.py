"""The account CLI: the only way to create staff users."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from web.admin import cli
from web.admin.sessions import SessionStore
from web.admin.users import UserStore

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct-horse-1"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "admin.db"
    monkeypatch.setenv("ADMIN_DB", str(path))
    return path


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(list(argv))


def test_add_with_password_stdin_then_log_in(db: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add", "alice", "--role", "publisher", "--password-stdin", stdin=PASSWORD + "\n") == 0
    out = capsys.readouterr().out
    assert "alice" in out and PASSWORD not in out
    result = UserStore(db).authenticate("alice", PASSWORD)
    assert result.ok and result.user.role == "publisher"


def test_errors_go_to_stderr_in_both_languages_with_exit_1(db: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin="short\n") == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("error: ") and "密码至少 10 个字符" in err and "password must be at least 10 characters" in err
    )
    assert run(monkeypatch, "add", "alice", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "role must be editor or publisher" in capsys.readouterr().err
    assert UserStore(db).list() == []


def test_existing_and_unknown_users_are_errors(db: Path, monkeypatch, capsys) -> None:
    run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    assert run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "已存在" in capsys.readouterr().err
    for argv in (["remove", "bob"], ["role", "bob", "editor"]):
        assert run(monkeypatch, *argv) == 1
        assert "不存在" in capsys.readouterr().err


def test_usage_errors_exit_1(db: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add", "alice") == 1  # --role is required
    assert run(monkeypatch, "frobnicate") == 1
    assert run(monkeypatch) == 1


def test_without_a_terminal_the_password_must_come_from_stdin(db: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add", "alice", "--role", "editor", stdin=PASSWORD + "\n") == 1
    assert "--password-stdin" in capsys.readouterr().err
    assert run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin="") == 1


def test_at_a_terminal_the_password_is_typed_twice(db: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    typed = iter([PASSWORD, "something-else", PASSWORD, PASSWORD])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(typed))
    assert cli.main(["add", "alice", "--role", "editor"]) == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert cli.main(["add", "alice", "--role", "editor"]) == 0
    assert UserStore(db).authenticate("alice", PASSWORD).ok


def test_list_shows_users_without_secrets(db: Path, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "list") == 0
    assert "no users" in capsys.readouterr().out
    run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    run(monkeypatch, "add", "bob", "--role", "publisher", "--password-stdin", stdin=PASSWORD + "\n")
    capsys.readouterr()
    assert run(monkeypatch, "list") == 0
    out = capsys.readouterr().out
    assert "alice\teditor" in out and "bob\tpublisher" in out
    assert "$argon2" not in out and PASSWORD not in out


def test_passwd_role_and_remove_log_the_user_out_everywhere(db: Path, monkeypatch, capsys) -> None:
    run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    sessions = SessionStore(db)
    first = sessions.create("alice", "editor")
    assert run(monkeypatch, "passwd", "alice", "--password-stdin", stdin="a-new-password\n") == 0
    assert sessions.get(first.session_id) is None
    assert UserStore(db).authenticate("alice", "a-new-password").ok
    second = sessions.create("alice", "editor")
    assert run(monkeypatch, "role", "alice", "publisher") == 0
    assert sessions.get(second.session_id) is None and UserStore(db).get("alice").role == "publisher"
    third = sessions.create("alice", "publisher")
    assert run(monkeypatch, "remove", "alice") == 0
    assert sessions.get(third.session_id) is None and UserStore(db).get("alice") is None


def test_list_shows_the_last_login_and_there_is_no_lock_to_undo(db: Path, monkeypatch, capsys) -> None:
    run(monkeypatch, "add", "alice", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    users = UserStore(db)
    for _ in range(8):
        users.authenticate("alice", "wrong-password")
    assert users.authenticate("alice", PASSWORD).ok
    capsys.readouterr()
    run(monkeypatch, "list")
    listed = capsys.readouterr().out
    assert listed.startswith("alice\teditor") and "locked" not in listed and "上次登录" in listed
    assert run(monkeypatch, "unlock", "alice") == 1  # the command is gone: logins are throttled, never locked


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    env = {"ADMIN_DB": str(tmp_path / "admin.db"), "PATH": "/usr/bin:/bin"}
    added = subprocess.run(
        [sys.executable, "-m", "web.admin.cli", "add", "alice", "--role", "editor", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert added.returncode == 0, added.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "web.admin.cli", "remove", "bob"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert refused.returncode == 1 and "error:" in refused.stderr
    with sqlite3.connect(tmp_path / "admin.db") as connection:
        assert connection.execute("SELECT username FROM users").fetchall() == [("alice",)]
