"""Starts the assistant's processes (action server, web app, Rasa server) as child
processes with a given environment, waits until each answers, and stops them: the
production profile (serving/stack.py, make run-prod), the test harness
(scripts/live_servers.py) and `make bench` all start them through this class, so what is
tested and measured is what runs. It holds no settings of its own: the caller passes
the whole environment."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from core import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(
    method: str, url: str, body: Optional[dict] = None, timeout: float = 30, headers: Optional[Dict[str, str]] = None
) -> tuple:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Processes:
    """`env` is the whole environment of the children (ports are added). `workspace`,
    when given, is a copy of the project (knowledge/, config.yml, domain.yml, data/,
    models/) that the admin may edit and publish into. `ports` fixes the
    action/rasa/web ports (else free ones are taken). `rasa_token` enables Rasa's HTTP
    API with that token."""

    def __init__(
        self,
        workdir: Path,
        env: Dict[str, str],
        workspace: Optional[Path] = None,
        extra_env: Optional[Dict[str, str]] = None,
        ports: Optional[Dict[str, int]] = None,
        rasa_token: Optional[str] = None,
    ) -> None:
        ports = ports or {}
        self.action_port = ports.get("action") or free_port()
        self.rasa_port = ports.get("rasa") or free_port()
        self.web_port = ports.get("web") or free_port()
        self.model = (workspace or PROJECT_ROOT) / "models" / "assistant.tar.gz"
        self.rasa_token = rasa_token
        self.env = dict(env)
        self.env.update(self._port_settings())
        # The local web app's pages embed the widget; a deployment lists its sites.
        self.env.setdefault("WIDGET_ALLOWED_ORIGINS", self.web_url)
        if workspace is not None:
            self.env.update(
                {
                    "KNOWLEDGE_DIR": str(workspace / "knowledge"),
                    "PROJECT_DIR": str(workspace),
                    "LIVE_MODEL": str(self.model),
                    "MODEL_HISTORY_DIR": str(workspace / "models" / "history"),
                }
            )
        self.env.update(extra_env or {})
        self.env.setdefault("FEEDBACK_DB", str(workdir / "feedback.db"))
        self.logs = workdir
        self.action: Optional[subprocess.Popen] = None
        self.web: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None

    @property
    def feedback_db(self) -> str:
        """Where the web app stores feedback: a file, or a database URL (production profile)."""
        return settings.database("FEEDBACK", self.env)

    def _port_settings(self) -> Dict[str, str]:
        return {
            "PYTHONPATH": str(PROJECT_ROOT),
            "ACTION_HOST": "127.0.0.1",
            "ACTION_PORT": str(self.action_port),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "NLG_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/nlg",
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(self.web_port),
            "RASA_HOST": "127.0.0.1",
            "RASA_PORT": str(self.rasa_port),
            "MODEL_SERVER_URL": f"http://127.0.0.1:{self.web_port}/models/assistant.tar.gz",
        }

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _start(self, name: str, command: List[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def _wait(self, process: subprocess.Popen, url: str, name: str, seconds: int = 240) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {(self.logs / f'{name}.log').read_text()[-3000:]}")
            try:
                if http("GET", url, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"{name} did not start within {seconds}s")

    def start_action_server(self) -> None:
        self.action = self._start("action", [str(BIN / "python"), "-m", "actions.server"])
        self._wait(self.action, f"http://127.0.0.1:{self.action_port}/health", "action")

    def rasa_command(
        self, port: int, endpoints: str = "endpoints.yml", credentials: str = "credentials.yml"
    ) -> List[str]:
        return [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(self.model),
            "--endpoints",
            endpoints,
            "--credentials",
            credentials,
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            *(["--enable-api", "--auth-token", self.rasa_token] if self.rasa_token else []),
        ]

    def start_rasa(self) -> None:
        self.rasa = self._start("rasa", self.rasa_command(self.rasa_port))
        self._wait(self.rasa, self.rasa_url + "/", "rasa")

    def start_web(self) -> None:
        self.web = self._start("web", [str(BIN / "python"), "-m", "web.app"])
        self._wait(self.web, self.web_url + "/health", "web")

    def start_all(self) -> None:
        self.start_action_server()
        self.start_web()  # the model server: Rasa pulls its model from it at start
        self.start_rasa()

    def stop_all(self) -> None:
        for process in (self.web, self.rasa, self.action):
            self.stop(process)

    def stop(self, process: Optional[subprocess.Popen]) -> None:
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    @property
    def rest_headers(self) -> Dict[str, str]:
        """What a REST caller of these servers sends (the channel's bearer token, if set)."""
        token = self.env.get("REST_CHANNEL_TOKEN")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def say(self, sender: str, text: str) -> List[Dict]:
        """One turn over REST: the assistant's messages."""
        status, body = http(
            "POST",
            self.rasa_url + "/webhooks/rest/webhook",
            {"sender": sender, "message": text},
            headers=self.rest_headers,
        )
        if status != 200:
            raise RuntimeError(f"REST channel answered {status}: {body[:300]}")
        return json.loads(body)

    def admin_api(self, method: str, path: str, body: Optional[dict] = None) -> tuple:
        """(status, parsed JSON) from the admin API with ADMIN_API_TOKEN."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.web_url + path,
            data=data,
            method=method,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.env.get('ADMIN_API_TOKEN', '')}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read().decode() or "null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "null")
