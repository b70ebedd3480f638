"""Small SQLite files shared by several processes (admin users and sessions, audit log,
publish jobs, inbox): one short-lived connection per operation, WAL journal, schema
created on first use. Kept in one place so every store behaves the same."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Union


def connect(path: Union[str, Path]) -> sqlite3.Connection:
    """One short-lived connection; the 10 s timeout waits out another process's write."""
    connection = sqlite3.connect(str(path), timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def prepare(path: Path, schema: str) -> None:
    """Create the folder, switch the file to WAL (a property of the file, kept) and
    create the tables. Idempotent, so racing processes are harmless."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        with connection:
            connection.executescript(schema)


class SqliteFile:
    """A store's database file: prepared on first use, never at import or construction."""

    def __init__(self, path: Union[str, Path], schema: str) -> None:
        self.path = Path(path)
        self.schema = schema
        self._ready = False

    def connect(self) -> sqlite3.Connection:
        if not self._ready:
            prepare(self.path, self.schema)
            self._ready = True
        return connect(self.path)
