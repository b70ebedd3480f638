"""Every store behaves the same on SQLite and PostgreSQL (the `database` fixture runs
each test on both): staff accounts, sessions, the audit log, publish jobs, feedback and
the inbox. The leads store has its own PostgreSQL test (tests/leads/test_store.py).
Races are run with real threads on one store each, as separate processes would."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Callable, List

import pytest
from argon2 import PasswordHasher

from inbox.feedback import FeedbackStore, parse_feedback
from inbox.store import ZONE_TZ, InboxStore
from kb.audit import AuditLog
from leads.store import LeadStore
from publishing.jobs import FAILED, RUNNING, SUCCEEDED, JobBusy, JobStore
from web.admin.sessions import SessionStore
from web.admin.users import UserError, UserStore

PASSWORD = "correct-horse-1"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def at_once(count: int, work: Callable[[], object]) -> List[object]:
    """Run `work` in `count` threads released together; their results or exceptions."""
    start, results = threading.Barrier(count), []

    def run() -> None:
        start.wait()
        try:
            results.append(work())
        except Exception as error:  # noqa: BLE001 - the caller inspects what each got
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_staff_accounts(database):
    users = UserStore(database, hasher=CHEAP)
    users.add("alice", PASSWORD, "editor")
    users.add("bob", PASSWORD + "x", "publisher")
    with pytest.raises(UserError, match="已存在"):
        users.add("alice", "another-password-1", "editor")
    assert [(u.username, u.role) for u in users.list()] == [("alice", "editor"), ("bob", "publisher")]
    assert users.authenticate("alice", PASSWORD).ok and users.get("alice").last_login is not None
    assert not users.authenticate("alice", "wrong-password-1").ok and not users.authenticate("nobody", PASSWORD).ok
    users.set_password("alice", "a-new-password-1")
    assert not users.authenticate("alice", PASSWORD).ok and users.authenticate("alice", "a-new-password-1").ok
    users.set_role("alice", "publisher")
    users.remove("bob")
    assert [(u.username, u.role) for u in users.list()] == [("alice", "publisher")]
    with pytest.raises(UserError, match="不存在"):
        users.remove("bob")


def test_one_account_name_is_taken_once_when_added_at_the_same_moment(database):
    UserStore(database, hasher=CHEAP).list()  # the table exists before the race
    results = at_once(6, lambda: UserStore(database, hasher=CHEAP).add("carol", PASSWORD, "editor"))
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, UserError) for r in results if isinstance(r, Exception))


def test_sessions(database):
    sessions = SessionStore(database, idle_seconds=60, max_age_seconds=100)
    first = sessions.create("alice", "editor", now=1000)
    second = sessions.create("alice", "editor", now=1000)
    assert sessions.get(first.session_id, now=1030).csrf_token == first.csrf_token
    assert sessions.get(first.session_id, now=1085) is not None  # idle timer restarted at 1030
    assert sessions.get(first.session_id, now=1101) is None  # past its absolute age
    assert sessions.get("not-a-session", now=1000) is None
    assert sessions.delete_user("alice") == 1 and sessions.get(second.session_id, now=1001) is None


def test_audit_log(database):
    audit = AuditLog(database)
    first = audit.record("alice", "update", "faq", "airport", "faq/a.yml", ["答案"], "old", "new")
    second = audit.record("bob", "create", "figure", "gdp", "figures/b.yml", [], None, "x")
    assert second > first
    record = audit.get(first)
    assert (record.user, record.changes, record.before, record.after) == ("alice", ["答案"], "old", "new")
    assert [r.id for r in audit.recent(10)] == [second, first]
    assert audit.last_change("figure", "gdp").id == second and audit.last_change("faq", "none") is None


def test_publish_jobs(database):
    jobs = JobStore(database)
    job = jobs.start("alice")
    with pytest.raises(JobBusy) as busy:
        jobs.start("bob")
    assert busy.value.job.id == job.id
    jobs.update(job.id, progress=50, stage="训练", scores={"intent": 0.97}, failures=[{"q": "电价"}])
    seen = JobStore(database).get(job.id)  # as another process sees it
    assert (seen.progress, seen.stage, seen.scores, seen.failures) == (50, "训练", {"intent": 0.97}, [{"q": "电价"}])
    jobs.update(job.id, status=SUCCEEDED)
    assert jobs.get(job.id).finished_at is not None and jobs.get(job.id).status == SUCCEEDED
    following = jobs.start("bob")  # the first one finished
    assert jobs.running().id == following.id and jobs.mark_interrupted() == 1 and jobs.running() is None
    assert [j.id for j in jobs.recent()] == [following.id, job.id]


def test_only_one_publish_starts_when_many_ask_at_once(database):
    JobStore(database).recent()  # the table exists before the race
    results = at_once(8, lambda: JobStore(database).start("staff"))
    started = [r for r in results if not isinstance(r, Exception)]
    assert len(started) == 1 and all(isinstance(r, JobBusy) for r in results if r not in started)
    assert JobStore(database).running().id == started[0].id
    JobStore(database).update(started[0].id, status=FAILED)
    assert JobStore(database).start("staff").status == RUNNING


def _rate(store: FeedbackStore, session: str, rating: str, question: str, message: str = "m1") -> bool:
    return store.add(
        parse_feedback(
            {"session_id": session, "rating": rating, "question": question, "answer": "答", "message_id": message}
        )
    )


def test_feedback(database):
    feedback = FeedbackStore(database)
    assert feedback.after(0) == [] and feedback.created_and_ratings() == []
    assert _rate(feedback, "s1", "down", "电价多少") and not _rate(feedback, "s1", "up", "电价多少")  # once per answer
    assert _rate(feedback, "s2", "up", "机场远吗")
    stored = feedback.after(0)
    assert [(f.session_id, f.rating) for f in stored] == [("s1", "down"), ("s2", "up")]
    assert [f.session_id for f in feedback.after(stored[0].id)] == ["s2"]
    assert sorted(rating for _, rating in feedback.created_and_ratings()) == ["down", "up"]


def test_inbox(database):
    inbox = InboxStore(database)
    day = lambda d, h: dt.datetime(2024, 5, d, h, tzinfo=ZONE_TZ).timestamp()  # noqa: E731
    for sender in ("a", "b"):
        inbox.record("电价多少？", "fallback", "socketio", sender, created_at=day(10, 9))
    inbox.record("機場遠嗎", "low_confidence", "wechat", "c", created_at=day(9, 9))
    assert inbox.record("？？", "fallback", "socketio", "d") is None  # nothing was asked
    assert inbox.open_count() == 3
    assert [(q.normalised, q.count) for q in inbox.questions()] == [("电价多少", 2), ("机场远吗", 1)]
    assert inbox.top_questions(3, dt.date(2024, 5, 10)) == [("电价多少", 2), ("机场远吗", 1)]
    assert inbox.unanswered_by_day(2, dt.date(2024, 5, 10)) == {dt.date(2024, 5, 9): 1, dt.date(2024, 5, 10): 2}
    assert inbox.resolve("电价多少", "staff", "new_faq:power_price") == 2 and inbox.open_count() == 1
    assert [q.count for q in inbox.questions("resolved")] == [2]


def test_thumbs_down_is_imported_once_even_by_importers_running_at_once(database, tmp_path):
    feedback = FeedbackStore(tmp_path / "feedback.db")
    for n in range(5):
        _rate(feedback, f"s{n}", "down", f"问题{n}")
    _rate(feedback, "s9", "up", "好的回答")
    InboxStore(database).open_count()  # the tables exist before the race
    results = at_once(4, lambda: InboxStore(database).import_feedback(feedback))
    assert sorted(results) == [0, 0, 0, 5]
    _rate(feedback, "s5", "down", "新问题")
    assert InboxStore(database).import_feedback(feedback) == 1 and InboxStore(database).open_count() == 6


def test_all_admin_stores_share_one_database(database):
    users, sessions, audit, jobs = (
        UserStore(database, hasher=CHEAP),
        SessionStore(database),
        AuditLog(database),
        JobStore(database),
    )
    users.add("alice", PASSWORD, "editor")
    session = sessions.create("alice", "editor")
    audit.record("alice", "create", "faq", "x", "faq/x.yml", [], None, "x")
    job = jobs.start("alice")
    assert sessions.get(session.session_id).username == "alice" and len(audit.recent()) == 1
    assert jobs.get(job.id).user == "alice" and users.get("alice").role == "editor"


def test_leads_store_uses_the_same_helper(database):
    store = LeadStore(database, admin_url="https://admin.example")
    handoff_id, created = store.add_handoff("socketio", "web:1", [{"event": "user", "text": "找人工"}], True, "k1")
    assert created and store.add_handoff("socketio", "web:1", [], True, "k1") == (handoff_id, False)
    assert [h.id for h in store.list_handoffs()] == [handoff_id]
