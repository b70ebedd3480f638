"""Unanswered turns reach the staff inbox, and a broken inbox never costs an answer."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import unanswered
from actions.search import ActionSearchKnowledge
from inbox.store import InboxStore, hash_sender
from tests.actions.helpers import make_tracker


@pytest.fixture
def inbox(tmp_path, setting) -> InboxStore:
    path = tmp_path / "state" / "inbox.db"
    setting("INBOX_DB", str(path))
    return InboxStore(path)


def search(typed: str, channel: str = "socketio"):
    tracker = make_tracker(typed, "nlu_fallback")
    tracker.events[-1]["input_channel"] = channel
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSearchKnowledge().run(dispatcher, tracker, {}))
    return "\n".join(m["text"] for m in dispatcher.messages)


def open_questions(inbox: InboxStore):
    return {q.normalised: q for q in inbox.questions()}


def test_question_search_cannot_answer_is_recorded_as_fallback(inbox):
    assert "没有找到" in search("量子纠缠是什么原理？", channel="wechat")
    [question] = open_questions(inbox).values()
    assert question.normalised == "量子纠缠是什么原理" and question.reasons == {"fallback"}
    assert question.example_text == "量子纠缠是什么原理？"  # as typed


def test_question_answered_by_search_is_recorded_as_low_confidence(inbox):
    assert "海外仓" in search("海外仓")
    assert open_questions(inbox)["海外仓"].reasons == {"low_confidence"}


def test_other_zone_redirect_and_empty_input_are_not_recorded(inbox):
    search("株洲经开区的工业总产值是多少")
    search("😀😀😀")
    assert inbox.questions() == []


def test_traditional_question_is_kept_as_typed_and_grouped_simplified(inbox):
    search("量子糾纏是什麼原理")
    [question] = open_questions(inbox).values()
    assert question.example_text == "量子糾纏是什麼原理" and question.normalised == "量子纠缠是什么原理"


def test_channel_and_hashed_sender_are_stored(inbox):
    search("量子纠缠是什么原理", channel="wechat")
    with closing(sqlite3.connect(inbox.db.path)) as connection:
        [(channel, sender)] = connection.execute("SELECT channel, sender_hash FROM inbox").fetchall()
    assert channel == "wechat" and sender == hash_sender("investor-1")


def test_record_unanswered_never_raises_when_the_inbox_is_unwritable(tmp_path, setting, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    setting("INBOX_DB", str(blocker / "inbox.db"))
    with caplog.at_level(logging.ERROR, logger="actions.unanswered"):
        unanswered.record_unanswered("电价多少", "fallback", "socketio", "s1")
    assert "inbox.record_failed" in caplog.text


def test_investor_still_gets_the_answer_when_the_inbox_is_unwritable(tmp_path, setting, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    setting("INBOX_DB", str(blocker / "inbox.db"))
    with caplog.at_level(logging.ERROR):
        assert "没有找到" in search("量子纠缠是什么原理")
    assert "inbox.record_failed" in caplog.text and "reply.failed" not in caplog.text


def test_store_is_made_once_per_process(inbox):
    unanswered.record_unanswered("电价多少", "fallback", "socketio", "s1")
    first = unanswered._store()
    unanswered.record_unanswered("电价多少", "fallback", "socketio", "s2")
    assert unanswered._store() is first and inbox.open_count() == 2


def test_faq_picked_with_low_confidence_is_recorded_and_confident_one_is_not(inbox):
    from tests.actions.test_nlg import generate

    generate("离机场多远", "airport", confidence=0.95)
    assert inbox.questions() == []
    generate("海外仓", "schools", confidence=0.1)
    assert open_questions(inbox)["海外仓"].reasons == {"low_confidence"}
