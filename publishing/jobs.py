"""Publish jobs: their stage, progress and outcome, kept in SQLite so the admin page and
the API can follow a job, and a restart of the web app does not lose its history."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from kb.sqlite_files import SqliteFile

RUNNING, SUCCEEDED, REFUSED, FAILED, INTERRUPTED = "running", "succeeded", "refused", "failed", "interrupted"
FINISHED = (SUCCEEDED, REFUSED, FAILED, INTERRUPTED)
STATUS_LABELS = {
    RUNNING: "进行中",
    SUCCEEDED: "已上线",
    REFUSED: "未通过回归测试，未上线",
    FAILED: "失败，未上线",
    INTERRUPTED: "中断（服务重启），未上线",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS publish_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user TEXT NOT NULL,
    created_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    progress INTEGER NOT NULL,
    message TEXT NOT NULL,
    failures TEXT NOT NULL,
    scores TEXT NOT NULL,
    fingerprint TEXT
);
"""


class JobBusy(RuntimeError):
    def __init__(self, job: "Job") -> None:
        super().__init__(f"publish job {job.id} is still running")
        self.job = job


@dataclass
class Job:
    id: str
    kind: str  # publish | rollback
    user: str
    created_at: float
    status: str
    stage: str
    progress: int
    message: str
    failures: List[Dict[str, Any]] = field(default_factory=list)
    scores: Dict[str, Any] = field(default_factory=dict)
    finished_at: Optional[float] = None
    fingerprint: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def to_json(self) -> Dict[str, Any]:
        return {
            "job_id": self.id,
            "kind": self.kind,
            "user": self.user,
            "status": self.status,
            "status_label": self.status_label,
            "stage": self.stage,
            "progress": self.progress,
            "message": self.message,
            "failures": self.failures,
            "scores": self.scores,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "model_fingerprint": self.fingerprint,
        }


class JobStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = SqliteFile(self.path, SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = self._db.connect()
        connection.isolation_level = None
        return connection

    def start(self, user: str, kind: str = "publish") -> Job:
        """A new running job, unless one is running already (one publish at a time)."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT id FROM publish_jobs WHERE status = ? LIMIT 1", (RUNNING,)).fetchone()
            if row:
                connection.execute("ROLLBACK")
                raise JobBusy(self.get(row[0]))
            job = Job(secrets.token_hex(6), kind, user, time.time(), RUNNING, "排队", 0, "已开始")
            connection.execute(
                "INSERT INTO publish_jobs (id, kind, user, created_at, status, stage, progress, message, failures, scores)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', '{}')",
                (job.id, kind, user, job.created_at, job.status, job.stage, job.progress, job.message),
            )
            connection.execute("COMMIT")
            return job
        finally:
            connection.close()

    def update(self, job_id: str, **values: Any) -> None:
        for key in ("failures", "scores"):
            if key in values:
                values[key] = json.dumps(values[key], ensure_ascii=False)
        if values.get("status") in FINISHED:
            values["finished_at"] = time.time()
        assignments = ", ".join(f"{key} = ?" for key in values)
        connection = self._connect()
        try:
            connection.execute(f"UPDATE publish_jobs SET {assignments} WHERE id = ?", (*values.values(), job_id))
        finally:
            connection.close()

    def get(self, job_id: str) -> Optional[Job]:
        jobs = self._select("WHERE id = ?", (job_id,), 1)
        return jobs[0] if jobs else None

    def recent(self, limit: int = 20) -> List[Job]:
        return self._select("", (), limit)

    def running(self) -> Optional[Job]:
        jobs = self._select("WHERE status = ?", (RUNNING,), 1)
        return jobs[0] if jobs else None

    def last_success(self) -> Optional[Job]:
        jobs = self._select("WHERE status = ? AND kind = 'publish'", (SUCCEEDED,), 1)
        return jobs[0] if jobs else None

    def mark_interrupted(self) -> int:
        """At start-up: a job still 'running' died with the previous process."""
        connection = self._connect()
        try:
            cursor = connection.execute(
                "UPDATE publish_jobs SET status = ?, message = ?, finished_at = ? WHERE status = ?",
                (INTERRUPTED, "网站服务重启，发布被中断，线上模型没有改变；请重新发布", time.time(), RUNNING),
            )
            return cursor.rowcount
        finally:
            connection.close()

    def _select(self, where: str, params: tuple, limit: int) -> List[Job]:
        connection = self._connect()
        try:
            rows = connection.execute(
                "SELECT id, kind, user, created_at, status, stage, progress, message, failures, scores,"
                f" finished_at, fingerprint FROM publish_jobs {where} ORDER BY created_at DESC LIMIT ?",
                params + (limit,),
            ).fetchall()
        finally:
            connection.close()
        return [
            Job(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), json.loads(r[9]), r[10], r[11])
            for r in rows
        ]
