"""The audit log of knowledge edits: who changed which entry, when, and the whole file
before and after, so any earlier version can be restored in one step.

SQLite (one small file beside the admin database); safe to read and write from several
processes. Whole-file snapshots rather than diffs: knowledge files are a few KB, and a
snapshot can always be restored even when later edits touched the same lines."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from kb.sqlite_files import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    path TEXT NOT NULL,
    changes TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS audit_entry ON audit (kind, entry_id);
"""


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
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = SqliteFile(self.path, SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return self._db.connect()

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
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO audit (at, user, action, kind, entry_id, path, changes, before, after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    user,
                    action,
                    kind,
                    entry_id,
                    path,
                    json.dumps(list(changes), ensure_ascii=False),
                    before,
                    after,
                ),
            )
            return int(cursor.lastrowid)

    def get(self, record_id: int) -> Optional[AuditRecord]:
        rows = self._select("WHERE id = ?", (record_id,), 1)
        return rows[0] if rows else None

    def recent(self, limit: int = 100, kind: Optional[str] = None, entry_id: Optional[str] = None) -> List[AuditRecord]:
        if kind and entry_id:
            return self._select("WHERE kind = ? AND entry_id = ?", (kind, entry_id), limit)
        return self._select("", (), limit)

    def last_change(self, kind: str, entry_id: str) -> Optional[AuditRecord]:
        rows = self.recent(1, kind, entry_id)
        return rows[0] if rows else None

    def _select(self, where: str, params: tuple, limit: int) -> List[AuditRecord]:
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT id, at, user, action, kind, entry_id, path, changes, before, after FROM audit {where}"
                " ORDER BY id DESC LIMIT ?",
                params + (limit,),
            ).fetchall()
        return [
            AuditRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]), row[8], row[9])
            for row in rows
        ]
