"""The hit test's report (kb/hit_test.py) on the fixture knowledge base, with parses
shaped as Rasa's /model/parse returns them."""

from __future__ import annotations

import pytest

from kb.hit_test import report_conversation


def parse(text, intent, confidence=0.95, faq=(), entities=()):
    data = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": list(entities)}
    if faq:
        ranking = [{"intent_response_key": f"faq/{i}", "confidence": c} for i, c in faq]
        data["response_selector"] = {"faq": {"response": ranking[0], "ranking": ranking}}
    return data


@pytest.fixture(autouse=True)
def no_reranker(setting):
    setting("FAQ_RERANKER", "off")


def test_a_faq_turn_shows_the_choice_its_candidates_and_why(knowledge):
    [report] = report_conversation(
        knowledge, ["离机场多远"], [parse("离机场多远", "faq", faq=[("airport", 0.91), ("location", 0.05)])]
    )
    assert report.answered_faq == "airport" and report.intent_label == "问答"
    assert [c.id for c in report.faq_candidates] == ["airport", "location"]
    assert report.faq_candidates[0].score == pytest.approx(0.91)
    assert "问答模型选中" in report.why and "0.91" in report.why
    assert report.search_hits and report.search_hits[0].id == "airport"
    assert report.model_used and report.passages == []


def test_a_conversation_keeps_its_context_from_turn_to_turn(knowledge):
    texts = ["工业总产值是多少", "增长了多少"]
    reports = report_conversation(knowledge, texts, [parse(texts[0], "ask_figure"), parse(texts[1], "ask_growth")])
    assert "640.5亿元" in reports[0].reply[0] and "工业总产值" in reports[0].why
    assert "7.4%" in reports[1].reply[0]  # the growth of the figure the first turn was about


def test_without_the_model_the_words_decide_and_the_report_says_so(knowledge):
    [report] = report_conversation(knowledge, ["黄花机场离园区多远"], [None])
    assert not report.model_used and report.faq_candidates == []
    assert report.intent == "nlu_fallback" and report.reply


def test_small_talk_gets_its_own_reply_and_an_unknown_question_is_said_so(knowledge):
    hello, unknown = report_conversation(
        knowledge,
        ["你好", "量子纠缠是什么原理"],
        [parse("你好", "greet"), parse("量子纠缠是什么原理", "nlu_fallback", 0.3)],
    )
    assert hello.why.startswith("按意图") and hello.reply
    assert "待处理问题" in unknown.why
