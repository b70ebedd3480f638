"""Shared fixtures. Unit tests read a small fixture knowledge base (tests/fixtures/knowledge/:
19 FAQ entries in the real file format and the 20 figures with made-up values; only tests
change it), never the knowledge/ staff edit, so a staff edit cannot break them. The few tests about the live content itself
(it is valid, the generated training files match it) ask for `live_knowledge`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest

from core import settings
from kb import store
from kb.loader import load_knowledge
from kb.model import KnowledgeBase

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LIVE_KNOWLEDGE = PROJECT_ROOT / "knowledge"  # what staff edit and the model is trained on
KNOWLEDGE = PROJECT_ROOT / "tests" / "fixtures" / "knowledge"


@pytest.fixture(autouse=True)
def scratch_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Questions the actions record as unanswered go to a scratch inbox, never .state/."""
    path = tmp_path / "inbox.db"
    monkeypatch.setenv("INBOX_DB", str(path))
    monkeypatch.setenv("LEADS_DB", str(tmp_path / "leads.db"))  # and leads, handoffs
    monkeypatch.delenv("LEADS_DB_URL", raising=False)
    monkeypatch.setenv("LEAD_WEBHOOK_URL", "")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE))  # the actions' default store reads the fixture
    settings.forget()  # what code reads once per process is read again from this environment
    yield path
    settings.forget()


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """Sets an environment variable for this test, including the ones code reads once
    per process (`settings.once`), which are read again after the change."""

    def set_variable(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        settings.forget()

    return set_variable


def _load(root: Path) -> KnowledgeBase:
    result = load_knowledge(root)
    assert result.ok, "\n".join(map(str, result.problems))
    return result.knowledge


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The fixture knowledge base."""
    return _load(KNOWLEDGE)


@pytest.fixture(scope="session")
def live_knowledge() -> KnowledgeBase:
    """knowledge/ as staff left it: only for tests that hold for any valid content."""
    return _load(LIVE_KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge base for tests that edit or break files."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def live_store(knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch) -> store.KnowledgeStore:
    """Point the actions' knowledge store at the scratch copy."""
    scratch = store.KnowledgeStore(knowledge_copy)
    monkeypatch.setattr(store, "_default_store", scratch)
    return scratch


@pytest.fixture(scope="session")
def postgres_url():
    """TEST_POSTGRES_URL if set, else a throwaway server on loopback; skipped where
    PostgreSQL is not installed, except in CI (.ci/run installs it)."""
    import os

    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    from tests.postgres import pg_bin, throwaway_postgres

    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs it (apt-get install -y postgresql)")
        pytest.skip("PostgreSQL is not installed")
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The real action server, Rasa server and web app on free ports (live and browser tests)."""
    from scripts.live_servers import MODEL, Servers

    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first")
    running = Servers(tmp_path_factory.mktemp("servers"))
    running.start_all()
    yield running
    running.stop_all()
