"""Web app settings, taken from core/settings.py when the web app starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Union

from connectors.limits import parse_origins
from connectors.socketio_secure.tokens import check_secret
from core import settings as setting


@dataclass(frozen=True)
class WebSettings:
    host: str
    port: int
    socket_url: str  # where browsers reach the Rasa socket.io channel
    socket_path: str
    session_secret: str
    allowed_origins: Union[str, List[str]]
    feedback_db: str  # a SQLite file path or a database URL

    @classmethod
    def from_env(cls) -> "WebSettings":
        return cls(
            host=setting.get("WEB_HOST"),
            port=setting.get("WEB_PORT"),
            socket_url=setting.get("WIDGET_SOCKET_URL")
            or f"http://{setting.get('RASA_HOST')}:{setting.get('RASA_PORT')}",
            socket_path=setting.get("WIDGET_SOCKET_PATH"),
            session_secret=check_secret(setting.get("WIDGET_SESSION_SECRET")),
            allowed_origins=parse_origins(setting.get("WIDGET_ALLOWED_ORIGINS")),
            feedback_db=setting.database("FEEDBACK"),
        )
