"""Rasa's SQL tracker store, made to survive a database restart.

Rasa 3.6 creates its SQLAlchemy engine without `pool_pre_ping`, so after PostgreSQL
restarts every pooled connection is dead and each one fails a request before the pool
notices. This subclass swaps in an engine that checks a connection before lending it
(one `SELECT 1` per checkout, well under a millisecond on loopback), so the first
message after a restart is answered from the stored conversation instead of failing.

Used by deploy/endpoints.prod.yml as `type: serving.tracker_store.ResilientSQLTrackerStore`.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ResilientSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa passes the endpoint's `url` as `host` to custom tracker stores.
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
