"""A real web app on a free port over a scratch copy of the project, with one editor and
one publisher (no Rasa needed: the admin area only edits files and stores)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

from kb.loader import load_knowledge
from kb.training_data import write_generated_files
from scripts.live_servers import ADMIN_API_TOKEN, PROJECT_ROOT, SESSION_SECRET, free_port
from tests.conftest import KNOWLEDGE as FIXTURE_KNOWLEDGE
from web.admin.users import UserStore

PASSWORDS = {"editor1": "editor-password-1", "publisher1": "publisher-password-1"}


@dataclass
class AdminServer:
    url: str
    workspace: Path
    admin_db: Path
    feedback_db: Path
    inbox_db: Path
    leads_db: Path

    def login(self, username: str, password: str = "") -> requests.Session:
        session = requests.Session()
        form = session.get(self.url + "/admin/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
        reply = session.post(
            self.url + "/admin/login",
            data={"login_token": token, "username": username, "password": password or PASSWORDS[username]},
        )
        assert reply.status_code == 200 and "退出" in reply.text, reply.text[:500]
        return session

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {ADMIN_API_TOKEN}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


def csrf_of(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', session.get(url).text).group(1)


def make_workspace(target: Path) -> Path:
    """The fixture knowledge base, config.yml, domain.yml and data/ with the files
    generated from that knowledge (so nothing is unpublished at the start)."""
    shutil.copytree(FIXTURE_KNOWLEDGE, target / "knowledge")
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    write_generated_files(load_knowledge(target / "knowledge").knowledge, target)
    for name in ("config.yml", "domain.yml"):
        shutil.copyfile(PROJECT_ROOT / name, target / name)
    (target / "models").mkdir()
    return target


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory) -> Iterator[AdminServer]:
    root = tmp_path_factory.mktemp("admin")
    workspace = make_workspace(root / "project")
    (workspace / "models" / "assistant.tar.gz").write_bytes(b"stand-in model")
    users = UserStore(root / "admin.db")
    users.add("editor1", PASSWORDS["editor1"], "editor")
    users.add("publisher1", PASSWORDS["publisher1"], "publisher")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "WIDGET_SESSION_SECRET": SESSION_SECRET,
        "FEEDBACK_DB": str(root / "feedback.db"),
        "ADMIN_DB": str(root / "admin.db"),
        "INBOX_DB": str(root / "inbox.db"),
        "LEADS_DB": str(root / "leads.db"),
        "ADMIN_API_TOKEN": ADMIN_API_TOKEN,
        "KNOWLEDGE_DIR": str(workspace / "knowledge"),
        "PROJECT_DIR": str(workspace),
        "LIVE_MODEL": str(workspace / "models" / "assistant.tar.gz"),
        "MODEL_HISTORY_DIR": str(workspace / "models" / "history"),
        "PUBLISH_WORK_DIR": str(root / "publish"),
        "TRACKER_DB_DIALECT": "sqlite",
        "TRACKER_DB": str(root / "tracker.db"),
        "REVIEW_AFTER_DAYS": "365",
        # As behind a reverse proxy: the client address comes from X-Real-IP, so a test
        # can log in from several addresses (the login throttle counts per address).
        "SANIC_REAL_IP_HEADER": "x-real-ip",
        "WIDGET_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
    }
    log = open(root / "web.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "web.app"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.time() > deadline:
            raise RuntimeError((root / "web.log").read_text()[-3000:])
        time.sleep(0.3)
    yield AdminServer(url, workspace, root / "admin.db", root / "feedback.db", root / "inbox.db", root / "leads.db")
    process.terminate()
    process.wait(timeout=30)
