"""How every store reaches its database: SQLAlchemy Core, on SQLite or PostgreSQL.

A store is given a location: a SQLAlchemy URL ("postgresql://user@host/db") or a plain
file path, which means a SQLite file (what a single machine uses by default). The store
declares its tables once (a MetaData) and gets from here:
- one engine per URL and process, made on first use (never at import), so stores that
  share a database share its connection pool, and a process that forks before using it
  has nothing to inherit;
- its tables and indexes, created on first use and again harmlessly by a racing process;
- transactions that behave alike on both databases: `write()` and `read()`.

SQLite specifics are kept here, not in the stores: WAL (readers never wait for the
writer), a 30 s busy timeout (wait out another process's write instead of failing),
no connection pool (each operation opens the file, as several processes share it), and
BEGIN IMMEDIATE for writes, so a transaction that reads and then writes takes the
write lock first instead of failing half-way with "database is locked" (what
PostgreSQL's row locks and unique indexes do there)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Union

from sqlalchemy import MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.pool import NullPool

Location = Union[str, Path]
SQLITE_BUSY_TIMEOUT_SECONDS = 30

_engines: Dict[str, Engine] = {}
_engines_lock = threading.Lock()


def database_url(location: Location) -> str:
    """A SQLAlchemy URL as given, or a file path as the URL of that SQLite file."""
    text = str(location).strip()
    if not text:
        raise ValueError("a database location is empty: give a file path or a SQLAlchemy URL")
    return text if "://" in text else "sqlite:///" + text


def printable(location: Location) -> str:
    """The location as a URL with its password hidden, for logs and error messages."""
    return make_url(database_url(location)).render_as_string(hide_password=True)


def engine_for(url: str) -> Engine:
    """The process's engine for this URL, made on first use."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create_engine(url)
        return engine


def dispose_all() -> None:
    """Close every pooled connection (tests, and a process about to exit or fork)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed, future=True, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    )
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    raw = engine.raw_connection()  # outside any transaction, which the pragma refuses
    try:
        # A property of the file, kept once set; asking again when it is set is cheap.
        raw.cursor().execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()
    return engine


def _sqlite_connected(dbapi_connection, _record) -> None:
    # The driver must not begin transactions on its own (it would BEGIN DEFERRED before
    # the first write only); _sqlite_begin does, for every transaction.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get("read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """One store's view of its database: its tables, made on first use."""

    def __init__(self, location: Location, metadata: MetaData) -> None:
        self.url = database_url(location)
        self.metadata = metadata
        self._ready = False
        self._ready_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def engine(self) -> Engine:
        engine = engine_for(self.url)
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    _create_tables(engine, self.metadata)
                    self._ready = True
        return engine

    @property
    def path(self) -> Optional[Path]:
        """The SQLite file; None for a server database (or SQLite in memory)."""
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database and database != ":memory:" else None

    def exists(self) -> bool:
        """False only for a SQLite file that was never made: reading it would create it
        empty, so a reader of another store's data (the inbox importing feedback) asks
        first. A server database is assumed to be there."""
        return self.path is None or self.path.exists()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction, committed at the end or rolled back on an exception."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent snapshot for reading; never takes SQLite's write lock."""
        with self.engine.connect() as connection:
            connection.execution_options(read_only=True)
            yield connection

    def insert_ignoring_duplicates(self, table: Table):
        """INSERT that does nothing (rowcount 0) when a unique key is already there."""
        dialect = sqlite if self.is_sqlite else postgresql
        return dialect.insert(table).on_conflict_do_nothing()


def _create_tables(engine: Engine, metadata: MetaData) -> None:
    """Tables, then indexes one by one: create_all skips the indexes of a table that
    already exists, and an index added later must reach databases made before it."""
    for attempt in (1, 2):
        try:
            with engine.begin() as connection:
                metadata.create_all(connection)
                for table in metadata.sorted_tables:
                    for index in table.indexes:
                        index.create(connection, checkfirst=True)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == 2:
                raise  # not the harmless race with another process creating the same tables
