"""The audit log of knowledge edits: who changed which entry, when, and the whole file
before and after, so any earlier version can be restored in one step.

Kept in the admin database (core/database.py: a SQLite file or PostgreSQL); safe to
read and write from several processes. Whole-file snapshots rather than diffs: knowledge files are a few KB, and a
snapshot can always be restored even when later edits touched the same lines."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text, insert, select

from core.database import Database, Location

metadata = MetaData()
audit_table = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("user", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("entry_id", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
    Index("audit_entry", "kind", "entry_id"),
    sqlite_autoincrement=True,  # ids are never reused, so a restore link always means one record
)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: float
    user: str
    action: str  # create | update | disable | enable | add_phrasing | restore | import
    kind: str  # faq | figure | file
    entry_id: str
    path: str  # relative to the knowledge folder
    changes: List[str]  # human-readable, one line per changed field
    before: Optional[str]  # None: the file did not exist
    after: Optional[str]


class AuditLog:
    def __init__(self, location: Location) -> None:
        """`location`: a SQLite file path or a database URL."""
        self.db = Database(location, metadata)

    def record(
        self,
        user: str,
        action: str,
        kind: str,
        entry_id: str,
        path: str,
        changes: Sequence[str],
        before: Optional[str],
        after: Optional[str],
    ) -> int:
        row = dict(
            at=time.time(),
            user=user,
            action=action,
            kind=kind,
            entry_id=entry_id,
            path=path,
            changes=json.dumps(list(changes), ensure_ascii=False),
            before=before,
            after=after,
        )
        with self.db.write() as connection:
            return int(connection.execute(insert(audit_table).values(**row)).inserted_primary_key[0])

    def get(self, record_id: int) -> Optional[AuditRecord]:
        rows = self._select(audit_table.c.id == record_id, 1)
        return rows[0] if rows else None

    def recent(self, limit: int = 100, kind: Optional[str] = None, entry_id: Optional[str] = None) -> List[AuditRecord]:
        if kind and entry_id:
            return self._select((audit_table.c.kind == kind) & (audit_table.c.entry_id == entry_id), limit)
        return self._select(None, limit)

    def last_change(self, kind: str, entry_id: str) -> Optional[AuditRecord]:
        rows = self.recent(1, kind, entry_id)
        return rows[0] if rows else None

    def _select(self, where, limit: int) -> List[AuditRecord]:
        query = select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
        if where is not None:
            query = query.where(where)
        with self.db.read() as connection:
            rows = connection.execute(query).all()
        return [AuditRecord(**{**row._mapping, "changes": json.loads(row.changes)}) for row in rows]
