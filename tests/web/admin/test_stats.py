"""Dashboard figures on a known dataset written by Rasa's own SQL tracker store, and
the server-drawn SVG chart."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from inbox.feedback import FeedbackStore, parse_feedback
from inbox.store import ZONE_TZ, InboxStore
from web.admin.stats import bar_chart_svg, channel_label, compute_stats, labelled

TODAY = dt.date(2024, 5, 10)
SVG = "{http://www.w3.org/2000/svg}"


def at(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2024, 5, day, hour, minute, tzinfo=ZONE_TZ).timestamp()


def user(text, when, channel, intent="faq", faq=None):
    parse_data = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    # The ResponseSelector predicts for every message, also non-faq ones.
    parse_data["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{faq or 'airport'}", "confidence": 0.8}}
    }
    return UserUttered(text, parse_data["intent"], [], parse_data, timestamp=when, input_channel=channel)


CONVERSATIONS = {
    # sender: events (user ones count; bot and action events must not)
    "web-a": [
        user("离机场远吗", at(9, 10), "socketio", faq="airport"),
        BotUttered("很近", timestamp=at(9, 10, 1)),
        user("电价多少", at(9, 10, 5), "socketio", intent="nlu_fallback"),
        user("机场远吗", at(10, 9), "socketio", faq="airport"),
    ],
    "web-b": [user("有海外仓吗", at(10, 11), "socketio", faq="overseas_warehouse")],
    "wx-c": [
        ActionExecuted("action_listen", timestamp=at(10, 12)),
        user("离机场远吗", at(10, 12, 1), "wechat", faq="airport"),
        user("你好", at(10, 12, 2), "wechat", intent="greet"),
    ],
    # Before the 3-day period: ignored.
    "web-old": [user("离机场远吗", at(1, 10), "socketio", faq="airport")],
}


@pytest.fixture
def tracker_url(tmp_path):
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    for sender, events in CONVERSATIONS.items():
        tracker = DialogueStateTracker.from_events(sender, events)
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture
def inbox(tmp_path):
    inbox = InboxStore(tmp_path / "inbox.db")
    inbox.record("电价多少", "fallback", "socketio", "web-a", created_at=at(9, 10, 5))
    inbox.record("电价多少？", "low_confidence", "wechat", "wx-c", created_at=at(10, 12))
    inbox.record("税收优惠", "thumbs_down", "socketio", "web-b", created_at=at(10, 12))
    return inbox


@pytest.fixture
def feedback_db(tmp_path):
    path = tmp_path / "feedback.db"
    store = FeedbackStore(path)
    for session, rating in (("a", "up"), ("b", "up"), ("c", "up"), ("d", "down")):
        store.add(parse_feedback({"session_id": session, "rating": rating, "question": "问", "answer": "答"}))
    with closing(sqlite3.connect(path)) as connection, connection:  # pin the dates to the dataset
        connection.execute("UPDATE feedback SET created_at = '2024-05-10T02:00:00+00:00'")
        connection.execute("UPDATE feedback SET created_at = '2024-04-01T02:00:00+00:00' WHERE session_id = 'c'")
    return path


def test_events_are_written_the_way_stats_reads_them(tracker_url):
    with closing(sqlite3.connect(tracker_url[len("sqlite:///") :])) as connection:
        type_name, data = connection.execute("SELECT type_name, data FROM events WHERE sender_id = 'web-b'").fetchone()
    data = json.loads(data)
    assert type_name == "user" and data["input_channel"] == "socketio"
    assert data["parse_data"]["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/overseas_warehouse"


def test_stats_on_a_known_dataset(tracker_url, inbox, feedback_db):
    stats = compute_stats(tracker_url, inbox, FeedbackStore(feedback_db), days=3, today=TODAY)
    assert stats.days == [dt.date(2024, 5, 8), dt.date(2024, 5, 9), dt.date(2024, 5, 10)]
    assert stats.channels == ["socketio", "wechat"]
    assert stats.conversations == {"socketio": [0, 1, 2], "wechat": [0, 0, 1]}
    assert stats.messages == {"socketio": [0, 2, 2], "wechat": [0, 0, 2]}
    assert (stats.total_conversations, stats.total_messages) == (3, 6)
    assert stats.unanswered == 2 and stats.answer_rate == pytest.approx(1 - 2 / 6)
    assert stats.top_questions == [("airport", 3), ("overseas_warehouse", 1)]
    assert stats.top_unanswered == [("电价多少", 2), ("税收优惠", 1)]
    assert (stats.feedback_up, stats.feedback_down) == (2, 1)
    assert stats.feedback_up_ratio == pytest.approx(2 / 3)
    assert stats.leads is None


def test_missing_tracker_db_gives_zeros_and_creates_nothing(tmp_path):
    stats = compute_stats(
        f"sqlite:///{tmp_path / 'no' / 'tracker.db'}",
        InboxStore(tmp_path / "inbox.db"),
        FeedbackStore(tmp_path / "no-feedback.db"),
        days=14,
        today=TODAY,
    )
    assert len(stats.days) == 14 and stats.channels == [] and stats.messages == {}
    assert (stats.total_conversations, stats.total_messages, stats.unanswered) == (0, 0, 0)
    assert stats.answer_rate is None and stats.feedback_up_ratio is None and stats.top_questions == []
    assert not (tmp_path / "no").exists() and not (tmp_path / "no-feedback.db").exists()


def test_tracker_db_without_events_table_gives_zeros(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    stats = compute_stats(
        f"sqlite:///{path}", InboxStore(tmp_path / "inbox.db"), FeedbackStore(tmp_path / "f.db"), today=TODAY
    )
    assert stats.total_messages == 0 and stats.answer_rate is None


def test_channel_labels_are_in_chinese():
    assert channel_label("wechat") == "微信公众号" and channel_label("telegram") == "telegram"
    assert labelled({"socketio": [1]}) == {"网页咨询窗口": [1]}


def test_chart_is_well_formed_accessible_svg():
    svg = bar_chart_svg("每日消息数", ["05-08", "05-09", "05-10"], {"网页": [0, 2, 2], "微信": [0, 0, 2]})
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label") == "每日消息数"
    assert root.find(f"{SVG}title").text == "每日消息数"
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["05-09 · 网页：2", "05-10 · 网页：2", "05-10 · 微信：2"]
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert {"网页", "微信", "05-08", "05-10", "0", "4"} <= set(texts)
    assert {"2", "4"} <= set(texts)  # axis: 0, 2, 4
    assert float(bars[1].get("height")) == float(bars[2].get("height"))  # equal values, equal segments


def test_chart_escapes_labels_and_is_deterministic():
    args = ("<script>alert(1)</script>", ['<script>"x"</script>'], {"a&b <i>": [3]})
    svg = bar_chart_svg(*args)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b &lt;i&gt;" in svg
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "<script>alert(1)</script>"
    assert svg == bar_chart_svg(*args)


def test_empty_chart_says_so():
    root = ET.fromstring(bar_chart_svg("每日会话数", [], {}))
    assert "暂无数据" in [text.text for text in root.iter(f"{SVG}text")]


def test_chart_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        bar_chart_svg("x", ["a", "b"], {"s": [1]})
