"""👍/👎 on bot answers, kept with the question and the answer for staff statistics.

SQLite by default (stdlib sqlite3, one short connection per call: feedback is rare
and this keeps the store safe across sanic's worker and any script reading it)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

RATINGS = ("up", "down")
MAX_TEXT_CHARS = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    session_id TEXT NOT NULL,
    message_id TEXT,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    UNIQUE (session_id, message_id)
)
"""


class InvalidFeedback(ValueError):
    """Feedback that cannot be stored; the message says why."""


@dataclass(frozen=True)
class Feedback:
    session_id: str
    rating: str
    question: str
    answer: str
    message_id: Optional[str] = None
    channel: str = "widget"
    created_at: str = ""


def parse_feedback(payload: object) -> Feedback:
    if not isinstance(payload, dict):
        raise InvalidFeedback("body must be a JSON object")
    rating = payload.get("rating")
    if rating not in RATINGS:
        raise InvalidFeedback("rating must be 'up' or 'down'")
    fields = {}
    for name in ("question", "answer"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidFeedback(f"{name} is required")
        fields[name] = value[:MAX_TEXT_CHARS]
    message_id = payload.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or len(message_id) > 100):
        raise InvalidFeedback("message_id must be a short string")
    return Feedback(str(payload.get("session_id")), rating, fields["question"], fields["answer"], message_id)


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection, connection:
            connection.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def add(self, feedback: Feedback) -> bool:
        """Store it; False when this answer already has feedback from this session."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as connection, connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO feedback (created_at, channel, session_id, message_id, rating, question, answer)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    feedback.channel,
                    feedback.session_id,
                    feedback.message_id,
                    feedback.rating,
                    feedback.question,
                    feedback.answer,
                ),
            )
            return cursor.rowcount == 1

    def all(self) -> List[Feedback]:
        with closing(self._connect()) as connection:
            rows = connection.execute(
                "SELECT session_id, rating, question, answer, message_id, channel, created_at FROM feedback ORDER BY id"
            ).fetchall()
        return [Feedback(**dict(row)) for row in rows]
