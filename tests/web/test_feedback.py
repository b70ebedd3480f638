"""Feedback parsing and storage."""

from __future__ import annotations

import pytest

from inbox.feedback import FeedbackStore, InvalidFeedback, parse_feedback

GOOD = {
    "session_id": "s1",
    "rating": "down",
    "question": "电价多少",
    "answer": "知识库中没有公开的电价数据",
    "message_id": "m1",
}


def test_store_keeps_question_answer_and_rating(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "feedback.db")
    assert store.add(parse_feedback(GOOD)) is True
    [row] = store.all()
    assert (row.rating, row.question, row.channel) == ("down", "电价多少", "widget") and row.created_at


def test_same_answer_rated_twice_is_kept_once(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.db")
    assert store.add(parse_feedback(GOOD)) and not store.add(parse_feedback({**GOOD, "rating": "up"}))
    assert len(store.all()) == 1


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {**GOOD, "rating": "meh"},
        {**GOOD, "question": ""},
        {**GOOD, "answer": 3},
        {**GOOD, "message_id": "x" * 500},
    ],
)
def test_invalid_feedback_is_refused(bad):
    with pytest.raises(InvalidFeedback):
        parse_feedback(bad)


def test_very_long_text_is_cut(tmp_path):
    item = parse_feedback({**GOOD, "answer": "长" * 9000})
    assert len(item.answer) == 5000
