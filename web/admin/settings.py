"""Admin area settings, read from the environment in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kb.store import PROJECT_ROOT, knowledge_dir

MIN_API_TOKEN_LENGTH = 32


class SettingsError(ValueError):
    pass


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def tracker_db_url() -> str:
    """SQLAlchemy URL of Rasa's tracker store, for the statistics (TRACKER_DB_URL wins)."""
    if os.environ.get("TRACKER_DB_URL"):
        return os.environ["TRACKER_DB_URL"]
    dialect = os.environ.get("TRACKER_DB_DIALECT", "sqlite")
    database = os.environ.get("TRACKER_DB", ".state/tracker.db")
    if dialect == "sqlite":
        return f"sqlite:///{database}"
    user, password = os.environ.get("TRACKER_DB_USER", ""), os.environ.get("TRACKER_DB_PASSWORD", "")
    host, port = os.environ.get("TRACKER_DB_HOST", "localhost"), os.environ.get("TRACKER_DB_PORT", "5432")
    credentials = f"{user}:{password}@" if user else ""
    return f"{dialect}://{credentials}{host}:{port}/{database}"


@dataclass(frozen=True)
class AdminSettings:
    admin_db: Path  # users, sessions, audit log, publish jobs
    inbox_db: Path
    knowledge_dir: Path
    project_dir: Path  # config.yml, domain.yml, data/
    live_model: Path
    model_history: Path
    publish_work_dir: Path
    heldout: Path
    api_token: Optional[str]
    cookie_secure: bool
    model_server_token: Optional[str]
    min_phrasing_accuracy: float
    min_heldout_accuracy: float
    review_after_days: int
    tracker_db_url: str

    @classmethod
    def from_env(cls) -> "AdminSettings":
        token = os.environ.get("ADMIN_API_TOKEN") or None
        if token is not None and len(token) < MIN_API_TOKEN_LENGTH:
            raise SettingsError(
                f"ADMIN_API_TOKEN must be at least {MIN_API_TOKEN_LENGTH} characters "
                "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        project = _path("PROJECT_DIR", PROJECT_ROOT)
        return cls(
            admin_db=_path("ADMIN_DB", Path(".state/admin.db")),
            inbox_db=_path("INBOX_DB", Path(".state/inbox.db")),
            knowledge_dir=knowledge_dir(),
            project_dir=project,
            live_model=_path("LIVE_MODEL", project / "models" / "assistant.tar.gz"),
            model_history=_path("MODEL_HISTORY_DIR", project / "models" / "history"),
            publish_work_dir=_path("PUBLISH_WORK_DIR", Path(".state/publish")),
            heldout=_path("HELDOUT_FILE", PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"),
            api_token=token,
            cookie_secure=_flag("ADMIN_COOKIE_SECURE"),
            model_server_token=os.environ.get("MODEL_SERVER_TOKEN") or None,
            min_phrasing_accuracy=float(os.environ.get("PUBLISH_MIN_PHRASING_ACCURACY", "0.98")),
            min_heldout_accuracy=float(os.environ.get("PUBLISH_MIN_HELDOUT_ACCURACY", "0.92")),
            review_after_days=int(os.environ.get("REVIEW_AFTER_DAYS", "365")),
            tracker_db_url=tracker_db_url(),
        )
