"""The unanswered-questions inbox: de-duplication, grouping, resolving, 👎 import."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest

from inbox.feedback import FeedbackStore, parse_feedback
from inbox.store import (
    OTHER_KEYWORD,
    ZONE_TZ,
    InboxStore,
    InvalidResolution,
    hash_sender,
    normalise_question,
)


@pytest.fixture
def inbox(tmp_path):
    return InboxStore(tmp_path / "state" / "inbox.db")


def test_nothing_is_created_until_used(tmp_path):
    InboxStore(tmp_path / "state" / "inbox.db")
    assert not (tmp_path / "state").exists()


def test_store_is_in_wal_mode(inbox):
    inbox.record("电价多少", "fallback", "socketio", "s1")
    with closing(sqlite3.connect(inbox.db.path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_question_in_other_wordings_is_one_question(inbox):
    for typed in ("电价多少？", "電價多少", "电价 多少!!", "  电价多少。 "):
        inbox.record(typed, "fallback", "socketio", "s1")
    [group] = inbox.groups()
    [question] = group.questions
    assert question.normalised == "电价多少" == normalise_question("电价多少")
    assert question.count == 4 and group.count == 4 and len(question.ids) == 4
    assert question.example_text == "电价多少。"  # the latest wording, trimmed


def test_questions_on_one_topic_are_grouped_by_keyword(inbox):
    inbox.record("湘潭经开区电价多少", "fallback", "socketio", "a")
    inbox.record("请问园区的电价是多少？", "low_confidence", "wechat", "b")
    inbox.record("电价有没有优惠", "thumbs_down", "socketio", "c")
    inbox.record("电价有没有优惠", "fallback", "socketio", "d")
    inbox.record("量子纠缠是什么原理", "fallback", "socketio", "e")
    groups = inbox.groups()
    assert [g.keyword for g in groups][0] == "电价"
    power = groups[0]
    assert power.count == 4 and len(power.questions) == 3
    assert power.questions[0].normalised == "电价有没有优惠"
    assert power.questions[0].reasons == {"thumbs_down", "fallback"}
    assert "湘潭" not in {g.keyword for g in groups} and "经开区" not in {g.keyword for g in groups}


def test_question_without_a_keyword_goes_to_other(inbox):
    inbox.record("请问怎么样", "fallback", "socketio", "s1")
    assert [g.keyword for g in inbox.groups()] == [OTHER_KEYWORD]


@pytest.mark.parametrize("typed", ["", "   ", "？？？", "😀"])
def test_empty_questions_are_ignored(inbox, typed):
    assert inbox.record(typed, "fallback", "socketio", "s1") is None
    assert inbox.open_count() == 0


def test_long_question_is_cut(inbox):
    inbox.record("电" * 2000, "fallback", "socketio", "s1")
    [group] = inbox.groups()
    assert len(group.questions[0].example_text) == 500


def test_unknown_reason_is_refused(inbox):
    with pytest.raises(ValueError):
        inbox.record("电价多少", "because", "socketio", "s1")


def test_sender_is_not_stored_in_clear(inbox):
    inbox.record("电价多少", "fallback", "socketio", "oWx-secret-openid")
    raw = b"".join(path.read_bytes() for path in inbox.db.path.parent.glob("inbox.db*"))
    assert b"oWx-secret-openid" not in raw
    with closing(sqlite3.connect(inbox.db.path)) as connection:
        [(stored,)] = connection.execute("SELECT sender_hash FROM inbox").fetchall()
    assert stored == hash_sender("oWx-secret-openid") and len(stored) == 64


def test_resolve_closes_every_open_record_of_the_question(inbox):
    for sender in ("a", "b", "c"):
        inbox.record("电价多少？", "fallback", "socketio", sender)
    inbox.record("机场远吗", "fallback", "socketio", "d")
    assert inbox.open_count() == 4
    assert inbox.resolve("电价多少", "staff1", "new_faq:power_price") == 3
    assert inbox.open_count() == 1
    assert inbox.resolve("电价多少", "staff1", "dismissed") == 0  # nothing left open
    [resolved] = inbox.groups("resolved")
    assert resolved.count == 3
    with closing(sqlite3.connect(inbox.db.path)) as connection:
        rows = connection.execute(
            "SELECT resolved_by, resolution, resolved_at FROM inbox WHERE status = 'resolved'"
        ).fetchall()
    assert {row[:2] for row in rows} == {("staff1", "new_faq:power_price")} and all(row[2] for row in rows)


@pytest.mark.parametrize("resolution", ["", "phrasing:", "answered", "new_faq:a b", "phrasing:<script>"])
def test_malformed_resolution_is_refused(inbox, resolution):
    inbox.record("电价多少", "fallback", "socketio", "s1")
    with pytest.raises(InvalidResolution):
        inbox.resolve("电价多少", "staff1", resolution)
    assert inbox.open_count() == 1


def _rate(store, session, rating, question):
    store.add(parse_feedback({"session_id": session, "rating": rating, "question": question, "answer": "答"}))


def test_thumbs_down_is_imported_once(inbox, tmp_path):
    feedback = FeedbackStore(tmp_path / "feedback.db")
    _rate(feedback, "s1", "down", "电价多少")
    _rate(feedback, "s2", "up", "机场远吗")
    _rate(feedback, "s3", "down", "税收优惠有哪些")
    assert inbox.import_feedback(feedback) == 2
    assert inbox.import_feedback(feedback) == 0
    _rate(feedback, "s4", "down", "电价多少？")
    assert inbox.import_feedback(feedback) == 1
    questions = {q.normalised: q for g in inbox.groups() for q in g.questions}
    assert set(questions) == {"电价多少", "税收优惠有哪些"}
    assert questions["电价多少"].count == 2 and questions["电价多少"].reasons == {"thumbs_down"}


def test_import_without_feedback_db_is_a_no_op(inbox, tmp_path):
    assert inbox.import_feedback(FeedbackStore(tmp_path / "missing.db")) == 0
    assert not (tmp_path / "missing.db").exists()


def test_store_is_shared_across_connections(tmp_path):
    writer, reader = InboxStore(tmp_path / "inbox.db"), InboxStore(tmp_path / "inbox.db")
    writer.record("电价多少", "fallback", "socketio", "s1")
    assert reader.open_count() == 1


def test_unanswered_by_day_counts_zone_days_and_reasons(inbox):
    today = dt.date(2024, 5, 10)
    at = lambda day, hour: dt.datetime(2024, 5, day, hour, tzinfo=ZONE_TZ).timestamp()  # noqa: E731
    inbox.record(
        "电价多少", "fallback", "socketio", "a", created_at=at(10, 0)
    )  # 00:00 Beijing = 16:00 UTC the day before
    inbox.record("机场远吗", "low_confidence", "socketio", "a", created_at=at(9, 23))
    inbox.record("税收", "thumbs_down", "socketio", "a", created_at=at(9, 12))  # not an unanswered reason
    inbox.record("老问题", "fallback", "socketio", "a", created_at=at(1, 12))  # before the period
    counts = inbox.unanswered_by_day(3, today)
    assert counts == {dt.date(2024, 5, 8): 0, dt.date(2024, 5, 9): 1, dt.date(2024, 5, 10): 1}
    assert inbox.top_questions(3, today) == [("机场远吗", 1), ("电价多少", 1), ("税收", 1)]
