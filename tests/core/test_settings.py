"""core/settings.py: one table of settings, read nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import settings
from core.settings import SETTINGS, SettingError
from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = [package for package in LAYERS if package != "tests"]


def test_defaults_values_and_empty_means_unset():
    assert settings.get("WEB_PORT", {}) == 8080
    assert settings.get("WEB_PORT", {"WEB_PORT": " 9090 "}) == 9090
    assert settings.get("WEB_PORT", {"WEB_PORT": ""}) == 8080
    assert settings.get("ADMIN_API_TOKEN", {}) is None
    assert settings.get("ADMIN_COOKIE_SECURE", {"ADMIN_COOKIE_SECURE": "Yes"}) is True
    assert settings.get("LOG_LEVEL", {"LOG_LEVEL": "debug"}) == "DEBUG"


def test_a_bad_value_names_the_variable_and_never_shows_a_secret():
    with pytest.raises(SettingError, match=r"WEB_PORT='80a': not a whole number"):
        settings.get("WEB_PORT", {"WEB_PORT": "80a"})
    with pytest.raises(SettingError) as error:
        settings.get("ADMIN_API_TOKEN", {"ADMIN_API_TOKEN": "short-but-secret"})
    assert "ADMIN_API_TOKEN" in str(error.value) and "short-but-secret" not in str(error.value)
    with pytest.raises(SettingError, match="must be from 0 to 1"):
        settings.get("PUBLISH_MIN_HELDOUT_ACCURACY", {"PUBLISH_MIN_HELDOUT_ACCURACY": "92"})


def test_check_lists_every_problem_at_once(monkeypatch, capsys):
    found = settings.problems({"WEB_PORT": "x", "FAQ_RERANKER": "bert", "LEADS_DB_URL": "leads.db"})
    assert [problem.split("=")[0] for problem in found] == ["WEB_PORT", "FAQ_RERANKER", "LEADS_DB_URL"]
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert settings.main(["check"]) == 0 and "all usable" in capsys.readouterr().out
    monkeypatch.setenv("WEB_PORT", "eighty")
    monkeypatch.setenv("ADMIN_API_TOKEN", "too-short")
    assert settings.main(["check"]) == 1
    errors = capsys.readouterr().err
    assert "WEB_PORT='eighty'" in errors and "ADMIN_API_TOKEN=(hidden)" in errors and "too-short" not in errors


def test_a_store_url_wins_over_its_file():
    assert settings.database("ADMIN", {}) == ".state/admin.db"
    assert settings.database("ADMIN", {"ADMIN_DB": "/srv/admin.db"}) == "/srv/admin.db"
    url = "postgresql://zone@db/zone"
    assert settings.database("ADMIN", {"ADMIN_DB": "/srv/admin.db", "ADMIN_DB_URL": url}) == url
    for store in settings.STORES:
        assert f"{store}_DB" in SETTINGS and f"{store}_DB_URL" in SETTINGS


def test_once_reads_the_environment_the_first_time_and_keeps_it(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    assert settings.once("TRUSTED_PROXY_HOPS") == 1
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    assert settings.once("TRUSTED_PROXY_HOPS") == 1 and settings.get("TRUSTED_PROXY_HOPS") == 2
    monkeypatch.setenv("INBOX_DB_URL", "postgresql://inbox@db/inbox")
    assert settings.database_once("INBOX") == "postgresql://inbox@db/inbox"
    settings.forget()
    assert settings.once("TRUSTED_PROXY_HOPS") == 2


def test_a_bad_value_read_once_fails_every_time_and_is_not_remembered(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "one")
    for _ in range(2):
        with pytest.raises(SettingError, match="TRUSTED_PROXY_HOPS='one'"):
            settings.once("TRUSTED_PROXY_HOPS")
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "0")
    assert settings.once("TRUSTED_PROXY_HOPS") == 0


def test_docs_list_every_setting():
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert documented == settings.markdown(), "run: python -m core.settings doc > docs/settings.md"


def _environment_reads(path: Path):
    """os.environ.get(...), os.getenv(...) and os.environ[...] read as a value."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func
            if ast.unparse(target) in ("os.environ.get", "os.getenv"):
                yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if ast.unparse(node.value) == "os.environ":
                yield node.lineno, ast.unparse(node)


def test_no_module_reads_the_environment_itself():
    """Copying the environment for a child process is fine; reading a variable from it
    belongs in core/settings.py, where its default and check are."""
    found = []
    for package in PRODUCTION:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "core" / "settings.py":
                continue
            found += [f"{path.relative_to(ROOT)}:{line} {code}" for line, code in _environment_reads(path)]
    assert found == []


def test_every_variable_named_in_rasa_files_is_declared():
    import re

    named = set()
    for name in ("credentials.yml", "endpoints.yml"):
        named |= set(re.findall(r"\$\{(\w+)\}", (ROOT / name).read_text(encoding="utf-8")))
    assert named - set(SETTINGS) == set()
