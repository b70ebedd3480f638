"""Web app settings, read from the environment in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Union

from connectors.limits import parse_origins
from connectors.socketio_secure.tokens import check_secret


@dataclass(frozen=True)
class WebSettings:
    host: str
    port: int
    socket_url: str  # where browsers reach the Rasa socket.io channel
    socket_path: str
    session_secret: str
    allowed_origins: Union[str, List[str]]
    feedback_db: Path

    @classmethod
    def from_env(cls) -> "WebSettings":
        return cls(
            host=os.environ.get("WEB_HOST", "127.0.0.1"),
            port=int(os.environ.get("WEB_PORT", "8080")),
            socket_url=os.environ.get("WIDGET_SOCKET_URL")
            or f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:{os.environ.get('RASA_PORT', '5005')}",
            socket_path=os.environ.get("WIDGET_SOCKET_PATH", "/socket.io"),
            session_secret=check_secret(os.environ.get("WIDGET_SESSION_SECRET")),
            allowed_origins=parse_origins(os.environ.get("WIDGET_ALLOWED_ORIGINS")),
            feedback_db=Path(os.environ.get("FEEDBACK_DB", ".state/feedback.db")),
        )
