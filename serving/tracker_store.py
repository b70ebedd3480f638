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

Used by deploy/endpoints.prod.yml as `type: serving.tracker_store.ResilientSQLTrackerStore`.
"""
from __future__ import annotations

import os
from typing import Any, Dict

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, is_postgresql_url

SYNCHRONOUS_COMMIT_VALUES = ("on", "off", "local", "remote_write", "remote_apply")


def engine_kwargs(url: Any) -> Dict[str, Any]:
    kwargs = create_engine_kwargs(url)
    if is_postgresql_url(url):
        value = (os.environ.get("TRACKER_SYNCHRONOUS_COMMIT") or "off").strip().lower()
        if value not in SYNCHRONOUS_COMMIT_VALUES:
            raise ValueError(f"TRACKER_SYNCHRONOUS_COMMIT must be one of {', '.join(SYNCHRONOUS_COMMIT_VALUES)}, not {value!r}")
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
