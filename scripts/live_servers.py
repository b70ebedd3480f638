"""The test harness: the real action server, web app and Rasa server on free local
ports (serving/processes.py) with test settings and known test secrets, for the live
and browser tests, `make eval`, `make audit` and measurements. Plain library: no pytest.
Nothing below scripts/ imports this."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

from core import settings

# Re-exported: the tests and scripts take them from here.
from serving.processes import BIN, MODEL, PROJECT_ROOT, Processes, free_port, http  # noqa: F401

TOKEN = "live-test-token"
ADMIN_API_TOKEN = "live-test-admin-api-token-0123456789abcdef"
REST_TOKEN = "live-test-rest-channel-token"
PARTNER_ORIGIN = "http://partner.example"
SESSION_SECRET = "live-test-widget-session-secret-0123456789abcdef"
# WeChat's published sample account (Token, EncodingAESKey, AppID).
WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID = (
    "QDG6eK",
    "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "wx5823bf96d3bd56c7",
)


def harness_settings(workdir: Path) -> Dict[str, str]:
    """Settings of a test run: known test secrets, SQLite files in `workdir`, WeChat's
    published sample account, nothing reachable outside this machine."""
    return {
        # The knowledge the trained model was trained on (unit tests use a fixture copy).
        "KNOWLEDGE_DIR": str(PROJECT_ROOT / "knowledge"),
        "TRACKER_DB_DIALECT": "sqlite",
        "TRACKER_DB": str(workdir / "tracker.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        "WIDGET_SESSION_SECRET": SESSION_SECRET,
        # The tests and the scorer call REST as the zone's own integrations do, with
        # the channel's token (anonymous callers are rate-limited).
        "REST_CHANNEL_TOKEN": REST_TOKEN,
        "REST_CHANNEL_REQUIRE_TOKEN": "false",
        "FEEDBACK_DB": str(workdir / "feedback.db"),
        "WECHAT_TOKEN": WECHAT_TOKEN,
        "WECHAT_APP_ID": WECHAT_APP_ID,
        "WECHAT_APP_SECRET": "live-test-app-secret",
        "WECHAT_ENCODING_AES_KEY": WECHAT_AES_KEY,
        "WECHAT_API_BASE_URL": "http://127.0.0.1:9",
        "REDIS_URL": "",
        "ADMIN_DB": str(workdir / "admin.db"),
        "INBOX_DB": str(workdir / "inbox.db"),
        "LEADS_DB": str(workdir / "leads.db"),
        **{f"{store}_DB_URL": "" for store in settings.STORES},
        "LEAD_WEBHOOK_URL": "",
        "ADMIN_API_TOKEN": ADMIN_API_TOKEN,
        "PUBLISH_WORK_DIR": str(workdir / "publish"),
        "MODEL_SERVER_TOKEN": "",
        "MODEL_PULL_SECONDS": "2",
    }


def harness_env(workdir: Path) -> Dict[str, str]:
    """This process's environment with the test settings on top."""
    return {**os.environ, **harness_settings(workdir)}


class Servers(Processes):
    """The processes with test settings, unless `base_env` gives the environment; Rasa's
    HTTP API on with the test token."""

    def __init__(
        self,
        workdir: Path,
        workspace: Optional[Path] = None,
        extra_env: Optional[Dict[str, str]] = None,
        ports: Optional[Dict[str, int]] = None,
        base_env: Optional[Dict[str, str]] = None,
    ) -> None:
        # A port for a test page that embeds the widget from another origin.
        self.partner_port = free_port()
        env = dict(base_env) if base_env is not None else harness_env(workdir)
        super().__init__(workdir, env, workspace=workspace, ports=ports, rasa_token=TOKEN)
        if base_env is None:
            # The web app's own pages embed the widget; partner.example and the partner
            # port stand for the zone's other sites in the tests. Any other origin is refused.
            self.env["WIDGET_ALLOWED_ORIGINS"] = (
                f"{self.web_url},{PARTNER_ORIGIN}," f"http://127.0.0.1:{self.partner_port}"
            )
        self.env.update(extra_env or {})
