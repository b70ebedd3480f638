"""The NLG endpoint that gives utter_faq/<id> its words from knowledge/."""

from __future__ import annotations

import pytest

from actions import nlg
from tests.actions.helpers import make_tracker, tracker_state


def generate(typed, faq, confidence=0.95, response=None):
    tracker = make_tracker(typed, "faq", faq=faq, faq_confidence=confidence)
    return nlg.generate(
        {"response": response or f"utter_faq/{faq}", "tracker": tracker_state(tracker), "channel": {"name": "rest"}}
    )


def test_faq_answer_with_source():
    message = generate("离机场多远", "airport")
    assert "45分钟" in message["text"] and "来源：" in message["text"]
    assert "buttons" not in message


def test_no_published_figure_has_staff_button():
    message = generate("电价多少", "electricity_price")
    assert "没有公开的电价数据" in message["text"]
    assert message["buttons"] == [{"title": "联系招商人员", "payload": "我想联系招商人员"}]


def test_traditional_question_answered_in_traditional():
    message = generate("離機場多遠？", "airport")
    assert "黃花國際機場" in message["text"]


def test_low_confidence_uses_search():
    message = generate("海外仓", "schools", confidence=0.1)
    assert "海外仓" in message["text"]


def test_unknown_response_name_is_honest():
    message = generate("随便", "airport", response="utter_default")
    assert "没有找到" in message["text"]


@pytest.mark.parametrize(
    "payload",
    [None, [], {"response": 3}, {"response": "utter_faq/airport"}, {"response": "utter_faq/airport", "tracker": {}}],
)
def test_malformed_requests_are_refused(payload):
    with pytest.raises(nlg.BadNlgRequest):
        nlg.generate(payload)


def test_question_without_chinese_is_not_answered_with_a_guess():
    message = generate("'; DROP TABLE events; --", "industry_overview")
    assert "请用中文" in message["text"] and "汽车" not in message["text"]
