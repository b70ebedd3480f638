"""👍/👎 on bot answers, kept with the question and the answer for staff statistics.

A SQLite file by default, or PostgreSQL (core/database.py): safe across the web app and
the admin's inbox, which imports the 👎 ratings from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from sqlalchemy import CheckConstraint, Column, Integer, MetaData, Table, Text, UniqueConstraint, select

from core.database import Database, Location

RATINGS = ("up", "down")
MAX_TEXT_CHARS = 5000

metadata = MetaData()
feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Text, nullable=False),  # ISO-8601, UTC
    Column("channel", Text, nullable=False),
    Column("session_id", Text, nullable=False),
    Column("message_id", Text),
    Column("rating", Text, CheckConstraint("rating IN ('up', 'down')"), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    UniqueConstraint("session_id", "message_id"),
    sqlite_autoincrement=True,  # the inbox remembers the last id it imported: ids never come back
)


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


@dataclass(frozen=True)
class StoredFeedback:
    """A stored rating with its id, for the inbox's import of new 👎."""

    id: int
    created_at: str
    channel: str
    session_id: str
    rating: str
    question: str


class FeedbackStore:
    def __init__(self, location: Location) -> None:
        """`location`: a SQLite file path or a database URL."""
        self.db = Database(location, metadata)

    def add(self, feedback: Feedback) -> bool:
        """Store it; False when this answer already has feedback from this session."""
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        row = dict(
            created_at=now,
            channel=feedback.channel,
            session_id=feedback.session_id,
            message_id=feedback.message_id,
            rating=feedback.rating,
            question=feedback.question,
            answer=feedback.answer,
        )
        with self.db.write() as connection:
            return connection.execute(self.db.insert_ignoring_duplicates(feedback_table).values(**row)).rowcount == 1

    def all(self) -> List[Feedback]:
        columns = [feedback_table.c[name] for name in Feedback.__dataclass_fields__]
        with self.db.read() as connection:
            rows = connection.execute(select(*columns).order_by(feedback_table.c.id)).all()
        return [Feedback(**row._mapping) for row in rows]

    def after(self, last_id: int) -> List[StoredFeedback]:
        """Ratings stored after `last_id`, oldest first; none (and no file made) when
        nothing was ever stored."""
        if not self.db.exists():
            return []
        columns = [feedback_table.c[name] for name in StoredFeedback.__dataclass_fields__]
        query = select(*columns).where(feedback_table.c.id > last_id).order_by(feedback_table.c.id)
        with self.db.read() as connection:
            return [StoredFeedback(**row._mapping) for row in connection.execute(query)]

    def created_and_ratings(self) -> List[tuple]:
        """(created_at, rating) of every rating, for the dashboard; none when nothing was stored."""
        if not self.db.exists():
            return []
        with self.db.read() as connection:
            return [
                tuple(row) for row in connection.execute(select(feedback_table.c.created_at, feedback_table.c.rating))
            ]
