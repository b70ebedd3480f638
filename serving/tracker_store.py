"""Rasa's SQL tracker store, made to survive a database restart and to wait less.

1. Rasa 3.6 creates its SQLAlchemy engine without `pool_pre_ping`, so after PostgreSQL
   restarts every pooled connection is dead and the next turn on each one loses its
   context (Rasa then starts a new conversation). This subclass swaps in an engine that
   checks a connection before lending it (one `SELECT 1` per checkout on loopback), so
   the first message after a restart is answered from the stored conversation. The
   production-profile test restarts PostgreSQL and fails without it.
2. Rasa's tracker store is synchronous: while PostgreSQL flushes its write-ahead log
   for a commit, the Rasa process's event loop waits and no other investor is served.
   TRACKER_SYNCHRONOUS_COMMIT (default `off`) sets PostgreSQL's `synchronous_commit` for
   these connections only: a commit returns before the flush. A clean restart loses
   nothing; only a crash of the database server itself can lose the last fraction of a
   second of chat turns, never corrupt them. Leads keep full durability (leads/store.py).
   Numbers in docs/performance.md; set it to `on` to wait for every flush.
3. Every database round trip blocks the Rasa process, and on a busy machine each one also
   waits for PostgreSQL to get a CPU. Rasa's save counts the session's stored events
   again (one more query with a subquery) and inserts the new ones one row at a time.
   This store remembers, on the tracker object it loaded, how many of its events are
   stored. Saving then inserts `events[count:]` in one multi-row INSERT. A tracker this
   store did not load (a new conversation, a replaced history, a copy) falls back to
   Rasa's count. Measured in docs/performance.md.

Used by deploy/endpoints.prod.yml as `type: serving.tracker_store.ResilientSQLTrackerStore`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, is_postgresql_url
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from core import settings

# Set on tracker objects by this store; Rasa never reads it.
STORED_ATTRIBUTE = "_xiangtan_stored"


@dataclass
class Stored:
    """tracker.events[:count] are in the database, and the last of them is this object."""

    count: int
    last_event: Optional[Event]


def mark_stored(tracker: DialogueStateTracker) -> None:
    count = len(tracker.events)
    setattr(tracker, STORED_ATTRIBUTE, Stored(count, tracker.events[-1] if count else None))


def stored_count(tracker: DialogueStateTracker) -> Optional[int]:
    """How many of the tracker's events are stored, or None when this store cannot vouch
    for it: it never saw this object, or its events changed other than by appending."""
    stored = getattr(tracker, STORED_ATTRIBUTE, None)
    if stored is None or len(tracker.events) < stored.count:
        return None
    if stored.count and tracker.events[stored.count - 1] is not stored.last_event:
        return None
    return stored.count


def event_row(sender_id: str, event: Event) -> Dict[str, Any]:
    """The columns Rasa's SQLTrackerStore.save writes for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def engine_kwargs(url: Any) -> Dict[str, Any]:
    kwargs = create_engine_kwargs(url)
    if is_postgresql_url(url):
        value = settings.get("TRACKER_SYNCHRONOUS_COMMIT")
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args["options"] = f"{connect_args.get('options', '')} -c synchronous_commit={value}".strip()
    return kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa passes the endpoint's `url` as `host` to custom tracker stores.
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            mark_stored(tracker)  # Rasa's retrieve returns exactly the stored session events
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        count = stored_count(tracker)
        with self.session_scope() as session:
            if count is None:
                new_events: List[Event] = list(self._additional_events(session, tracker))
            else:
                new_events = list(tracker.events)[count:]
            if new_events:
                # Core executemany: psycopg2 sends all rows in one INSERT ... VALUES.
                session.execute(
                    self.SQLEvent.__table__.insert(), [event_row(tracker.sender_id, event) for event in new_events]
                )
            session.commit()
        mark_stored(tracker)
