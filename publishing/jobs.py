"""Publish jobs: their stage, progress and outcome, kept in the admin database (a SQLite
file or PostgreSQL, core/database.py) so the admin page and the API can follow a job,
and a restart of the web app does not lose its history. One job runs at a time: a
unique index over the running jobs makes that hold across processes on both databases."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.database import Database, Location

RUNNING, SUCCEEDED, REFUSED, FAILED, INTERRUPTED = "running", "succeeded", "refused", "failed", "interrupted"
FINISHED = (SUCCEEDED, REFUSED, FAILED, INTERRUPTED)
STATUS_LABELS = {
    RUNNING: "进行中",
    SUCCEEDED: "已上线",
    REFUSED: "未通过回归测试，未上线",
    FAILED: "失败，未上线",
    INTERRUPTED: "中断（服务重启），未上线",
}

metadata = MetaData()
jobs_table = Table(
    "publish_jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("status", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("failures", Text, nullable=False),
    Column("scores", Text, nullable=False),
    Column("fingerprint", Text),
)
_running = jobs_table.c.status == RUNNING
# At most one row may be running: a second start() fails on this index even when two
# processes check at the same moment.
Index("publish_jobs_one_running", jobs_table.c.status, unique=True, sqlite_where=_running, postgresql_where=_running)


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
    def __init__(self, location: Location) -> None:
        """`location`: a SQLite file path or a database URL."""
        self.db = Database(location, metadata)

    def start(self, user: str, kind: str = "publish") -> Job:
        """A new running job, unless one is running already (one publish at a time)."""
        for _attempt in range(3):
            job = Job(secrets.token_hex(6), kind, user, time.time(), RUNNING, "排队", 0, "已开始")
            try:
                with self.db.write() as connection:
                    connection.execute(insert(jobs_table).values(**self._row(job)))
                return job
            except IntegrityError:
                running = self.running()
                if running is not None:
                    raise JobBusy(running) from None
                # The running job finished between our insert and this look: try again.
        raise RuntimeError("could not start a publish job: the job table keeps refusing new jobs")

    @staticmethod
    def _row(job: Job) -> Dict[str, Any]:
        return dict(
            id=job.id,
            kind=job.kind,
            user=job.user,
            created_at=job.created_at,
            status=job.status,
            stage=job.stage,
            progress=job.progress,
            message=job.message,
            failures="[]",
            scores="{}",
        )

    def update(self, job_id: str, **values: Any) -> None:
        for key in ("failures", "scores"):
            if key in values:
                values[key] = json.dumps(values[key], ensure_ascii=False)
        if values.get("status") in FINISHED:
            values["finished_at"] = time.time()
        with self.db.write() as connection:
            connection.execute(update(jobs_table).where(jobs_table.c.id == job_id).values(**values))

    def get(self, job_id: str) -> Optional[Job]:
        jobs = self._select(jobs_table.c.id == job_id, 1)
        return jobs[0] if jobs else None

    def recent(self, limit: int = 20) -> List[Job]:
        return self._select(None, limit)

    def running(self) -> Optional[Job]:
        jobs = self._select(_running, 1)
        return jobs[0] if jobs else None

    def mark_interrupted(self) -> int:
        """At start-up: a job still 'running' died with the previous process."""
        message = "网站服务重启，发布被中断，线上模型没有改变；请重新发布"
        with self.db.write() as connection:
            result = connection.execute(
                update(jobs_table).where(_running).values(status=INTERRUPTED, message=message, finished_at=time.time())
            )
            return result.rowcount

    def _select(self, where, limit: int) -> List[Job]:
        query = select(jobs_table).order_by(jobs_table.c.created_at.desc()).limit(limit)
        if where is not None:
            query = query.where(where)
        with self.db.read() as connection:
            rows = connection.execute(query).all()
        return [
            Job(**{**row._mapping, "failures": json.loads(row.failures), "scores": json.loads(row.scores)})
            for row in rows
        ]
