"""core/database.py: locations, SQLite's locking, and databases made before it."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select, update

from core.database import Database, database_url, printable
from publishing.jobs import JobBusy, JobStore
from web.admin.users import UserStore

metadata = MetaData()
counter = Table("counter", metadata, Column("id", Integer, primary_key=True), Column("value", Integer))


def test_locations():
    assert database_url("/srv/state/admin.db") == "sqlite:////srv/state/admin.db"
    assert database_url(".state/admin.db") == "sqlite:///.state/admin.db"
    assert database_url("postgresql://zone:pw@db/zone") == "postgresql://zone:pw@db/zone"
    assert printable("postgresql://zone:secret@db/zone") == "postgresql://zone:***@db/zone"
    assert Database("postgresql://db/zone", metadata).path is None


def test_nothing_is_made_before_first_use(tmp_path):
    db = Database(tmp_path / "later" / "x.db", metadata)
    assert not db.exists() and not (tmp_path / "later").exists()
    with db.read() as connection:
        assert connection.execute(select(counter)).all() == []
    assert db.exists()
    with closing(sqlite3.connect(db.path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transactions_that_read_then_write_never_fail_half_way(tmp_path):
    """Deferred SQLite transactions that read and then write fail with "database is
    locked" when they overlap; writes begin IMMEDIATE, so they queue instead."""
    db = Database(tmp_path / "x.db", metadata)
    with db.write() as connection:
        connection.execute(counter.insert().values(id=1, value=0))
    errors, start = [], threading.Barrier(8)

    def increment() -> None:
        start.wait()
        try:
            for _ in range(10):
                with db.write() as connection:
                    value = connection.execute(select(counter.c.value)).scalar_one()
                    connection.execute(update(counter).values(value=value + 1))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.read() as connection:
        assert connection.execute(select(counter.c.value)).scalar_one() == 80


def test_a_reader_is_not_held_up_by_a_writer(tmp_path):
    db = Database(tmp_path / "x.db", metadata)
    with db.write() as connection:
        connection.execute(counter.insert().values(id=1, value=7))
    with db.write() as writing:
        writing.execute(update(counter).values(value=8))  # not committed yet
        with db.read() as reading:  # would wait 30 s for the lock if reads took it
            assert reading.execute(select(counter.c.value)).scalar_one() == 7


def test_admin_databases_made_before_this_helper_keep_working(tmp_path):
    """The files on existing servers were made with hand-written SQL; the stores use
    them as they are, and the one-running-job index is added to the old table."""
    path = tmp_path / "admin.db"
    with closing(sqlite3.connect(path)) as old, old:
        old.executescript(
            """
            CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                failed_attempts INTEGER NOT NULL DEFAULT 0, locked_until REAL, created_at REAL NOT NULL,
                last_login REAL);
            CREATE TABLE publish_jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, user TEXT NOT NULL,
                created_at REAL NOT NULL, finished_at REAL, status TEXT NOT NULL, stage TEXT NOT NULL,
                progress INTEGER NOT NULL, message TEXT NOT NULL, failures TEXT NOT NULL, scores TEXT NOT NULL,
                fingerprint TEXT);
            INSERT INTO publish_jobs VALUES ('old1', 'publish', 'alice', 1.0, 2.0, 'succeeded', '完成', 100,
                '已上线', '[]', '{}', 'abc');
            """
        )
    jobs = JobStore(path)
    assert jobs.get("old1").fingerprint == "abc" and jobs.recent()[0].id == "old1"
    jobs.start("bob")
    with pytest.raises(JobBusy):
        jobs.start("carol")
    with closing(sqlite3.connect(path)) as raw:
        indexes = {row[1] for row in raw.execute("PRAGMA index_list(publish_jobs)")}
    assert "publish_jobs_one_running" in indexes
    users = UserStore(path)
    users.add("alice", "correct-horse-1", "editor")
    assert [u.username for u in users.list()] == ["alice"]
