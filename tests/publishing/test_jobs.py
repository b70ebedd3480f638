"""Publish jobs: one at a time, progress recorded, interrupted jobs never left running."""

from __future__ import annotations

from pathlib import Path

import pytest

from publishing.jobs import FAILED, INTERRUPTED, REFUSED, RUNNING, JobBusy, JobStore


def test_only_one_publish_runs_at_a_time(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "admin.db")
    first = jobs.start("alice")
    with pytest.raises(JobBusy) as busy:
        jobs.start("bob")
    assert busy.value.job.id == first.id
    jobs.update(first.id, status=REFUSED, failures=[{"text": "园区多大", "expected": "faq/zone_area"}])
    second = jobs.start("bob")
    assert second.status == RUNNING


def test_progress_and_outcome_are_kept(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "admin.db")
    job = jobs.start("alice")
    jobs.update(job.id, stage="训练模型", progress=40, message="训练模型：意图识别 60%")
    jobs.update(job.id, status=FAILED, message="训练失败", scores={"phrasing_accuracy": 0.5})
    stored = JobStore(tmp_path / "admin.db").get(job.id)  # as another process sees it
    assert (stored.stage, stored.progress, stored.status) == ("训练模型", 40, FAILED)
    assert stored.finished and stored.finished_at is not None
    assert stored.to_json()["scores"] == {"phrasing_accuracy": 0.5}


def test_a_job_left_running_by_a_dead_process_is_marked_interrupted(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "admin.db")
    job = jobs.start("alice")
    assert jobs.mark_interrupted() == 1
    assert jobs.get(job.id).status == INTERRUPTED
    assert jobs.running() is None
