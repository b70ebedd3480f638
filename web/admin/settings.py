"""Admin area settings, taken from core/settings.py when the web app starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from core import settings
from kb.store import PROJECT_ROOT, knowledge_dir


def _path(name: str, default: Path) -> Path:
    value = settings.get(name)
    return Path(value) if value else default


@dataclass(frozen=True)
class AdminSettings:
    admin_db: str  # users, sessions, audit log, publish jobs: a SQLite file path or a database URL
    inbox_db: str
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
    rasa_url: str = ""  # Rasa's HTTP API, for the hit test's /model/parse
    rasa_token: Optional[str] = None  # RASA_AUTH_TOKEN; unset: the API is off

    @classmethod
    def from_env(cls) -> "AdminSettings":
        project = _path("PROJECT_DIR", PROJECT_ROOT)
        return cls(
            admin_db=settings.database("ADMIN"),
            inbox_db=settings.database("INBOX"),
            knowledge_dir=knowledge_dir(),
            project_dir=project,
            live_model=_path("LIVE_MODEL", project / "models" / "assistant.tar.gz"),
            model_history=_path("MODEL_HISTORY_DIR", project / "models" / "history"),
            publish_work_dir=Path(settings.get("PUBLISH_WORK_DIR")),
            heldout=_path("HELDOUT_FILE", PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"),
            api_token=settings.get("ADMIN_API_TOKEN"),
            cookie_secure=settings.get("ADMIN_COOKIE_SECURE"),
            model_server_token=settings.get("MODEL_SERVER_TOKEN"),
            min_phrasing_accuracy=settings.get("PUBLISH_MIN_PHRASING_ACCURACY"),
            min_heldout_accuracy=settings.get("PUBLISH_MIN_HELDOUT_ACCURACY"),
            review_after_days=settings.get("REVIEW_AFTER_DAYS"),
            tracker_db_url=settings.tracker_db_url(),
            rasa_url=f"http://{settings.get('RASA_HOST')}:{settings.get('RASA_PORT')}",
            rasa_token=settings.get("RASA_AUTH_TOKEN"),
        )
