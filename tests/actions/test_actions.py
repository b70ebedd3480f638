"""Every action with fixture trackers: no Rasa server, no action server."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ActionBotChallenge,
    ActionChitchat,
    ActionGoodbye,
    ActionGreet,
    ActionOutOfScope,
    ActionShowMenu,
    ActionThank,
)
from actions.figures import ActionLookupFigure, ActionLookupGrowth
from actions.search import ActionSearchKnowledge
from kb import store
from tests.actions.helpers import make_tracker


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def texts(messages):
    return "\n".join(m["text"] for m in messages)


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_greet_sends_welcome_with_topic_buttons():
    messages, _ = run(ActionGreet(), make_tracker("你好", "greet"))
    assert "投资服务助手" in texts(messages)
    titles = [b["title"] for b in messages[-1]["buttons"]]
    assert "区位交通" in titles and "经济数据" in titles


def test_menu_lists_topics():
    messages, _ = run(ActionShowMenu(), make_tracker("你能做什么", "menu"))
    assert messages[-1]["buttons"]


@pytest.mark.parametrize(
    "action, typed, intent",
    [
        (ActionGoodbye(), "拜拜", "goodbye"),
        (ActionThank(), "谢谢", "thank"),
        (ActionBotChallenge(), "你是机器人吗", "bot_challenge"),
        (ActionChitchat(), "讲个笑话", "chitchat"),
        (ActionOutOfScope(), "帮我订机票", "out_of_scope"),
    ],
)
def test_fixed_replies_state_no_figures(knowledge, action, typed, intent):
    messages, events = run(action, make_tracker(typed, intent))
    text = texts(messages)
    # At most the conversation's context changes (a refusal, so "那X呢" is refused too).
    assert text and all(e["name"] == "answer_context" and e["value"]["kind"] == "refusal" for e in events)
    for figure in knowledge.figures.values():
        assert f"{figure.value:.10g}{figure.unit}" not in text


def test_figure_chain_keeps_context():
    messages, events = run(
        ActionLookupFigure(),
        make_tracker("工业总产值多少", "ask_figure", [{"entity": "indicator", "value": "工业总产值"}]),
    )
    assert "640.5亿元" in texts(messages) and "数据口径：2021年1-8月" in texts(messages)
    remembered = slots(events)
    assert remembered["indicator"] == "industrial_output" and remembered["figure_aspect"] == "value"
    assert (
        remembered["answer_context"]["kind"] == "figure" and remembered["answer_context"]["id"] == "industrial_output"
    )

    messages, events = run(ActionLookupGrowth(), make_tracker("增长了多少", "ask_growth", slots=remembered))
    assert "7.4%" in texts(messages) and "工业总产值" in texts(messages)
    remembered = slots(events)

    messages, events = run(
        ActionLookupFigure(),
        make_tracker("那固定资产投资呢", "ask_figure", [{"entity": "indicator", "value": "固定资产投资"}], remembered),
    )
    assert "固定资产投资" in texts(messages) and "176.4亿元" in texts(messages)
    assert slots(events)["indicator"] == "fixed_asset_investment"


def test_traditional_question_gets_traditional_answer():
    messages, _ = run(
        ActionLookupFigure(),
        make_tracker("湘潭經開區的工業總產值是多少？", "ask_figure", [{"entity": "indicator", "value": "工业总产值"}]),
    )
    assert "工業總產值" in texts(messages) and "640.5億元" in texts(messages)


def test_traditional_buttons_keep_simplified_payloads():
    messages, _ = run(ActionGreet(), make_tracker("您好，請問", "greet"))
    button = messages[-1]["buttons"][0]
    assert button["title"] == "區位交通" and button["payload"] == "湘潭经开区交通方便吗？"


@pytest.mark.parametrize("typed", ["", "😀😀😀", "？？？"])
def test_empty_message_gets_a_prompt(typed):
    messages, events = run(ActionSearchKnowledge(), make_tracker(typed, "nlu_fallback"))
    assert "没有输入文字" in texts(messages) and events == []


def test_long_message_is_answered_with_a_note():
    messages, _ = run(
        ActionSearchKnowledge(),
        make_tracker("离机场远吗？" + "我们公司是做汽车零部件的，规模不小。" * 300, "nlu_fallback"),
    )
    assert "比较长" in messages[0]["text"] and "黄花国际机场" in texts(messages)


@pytest.mark.parametrize("typed", ["<script>alert('x')</script>", "'; DROP TABLE events; --", "where is the zone"])
def test_input_without_chinese_is_asked_for_in_chinese(typed):
    messages, _ = run(ActionGoodbye(), make_tracker(typed, "faq"))
    assert "请用中文" in texts(messages) and "<script>" not in texts(messages)


def test_english_greeting_is_still_greeted():
    messages, _ = run(ActionGreet(), make_tracker("hi", "greet"))
    assert "投资服务助手" in texts(messages)


def test_mixed_english_and_chinese_is_answered():
    messages, _ = run(ActionSearchKnowledge(), make_tracker("有没有overseas海外仓", "nlu_fallback"))
    assert "海外仓" in texts(messages)


def test_html_with_a_question_is_answered_as_text():
    messages, _ = run(ActionSearchKnowledge(), make_tracker("<b>海外仓</b>", "nlu_fallback"))
    assert "海外仓" in texts(messages) and "<b>" not in texts(messages)


def test_search_answers_bare_keyword():
    messages, _ = run(ActionSearchKnowledge(), make_tracker("海外仓", "nlu_fallback"))
    assert "海外仓" in texts(messages)


def test_search_without_answer_offers_staff():
    messages, _ = run(ActionSearchKnowledge(), make_tracker("量子纠缠是什么原理", "nlu_fallback"))
    assert "没有找到" in texts(messages)
    assert messages[-1]["buttons"][0]["payload"] == "我想联系招商人员"


def test_asking_for_a_person_is_recorded_and_answered_by_office_hours(monkeypatch):
    from actions.handoff import ActionOfferStaff
    from leads.runtime import lead_store

    monkeypatch.setenv("OFFICE_HOURS", "mon-sun 00:00-23:59")
    messages, _ = run(ActionOfferStaff(), make_tracker("转人工", "request_human"))
    assert "已为您通知" in texts(messages) and messages[-1]["buttons"][0]["payload"] == "/leave_intention"
    monkeypatch.setenv("OFFICE_HOURS", "sun-sun 00:00-00:01")
    messages, _ = run(ActionOfferStaff(), make_tracker("找招商人员", "request_human"))
    assert "非工作时间" in texts(messages)
    handoffs = lead_store().list_handoffs()
    assert len(handoffs) == 2 and handoffs[0].transcript


def test_broken_knowledge_gives_error_reply_not_silence(monkeypatch, tmp_path):
    monkeypatch.setattr(store, "_default_store", store.KnowledgeStore(tmp_path / "missing"))
    messages, events = run(ActionLookupFigure(), make_tracker("工业总产值", "ask_figure"))
    assert "稍后再试" in texts(messages) and events == []


def test_edited_answer_is_live(live_store, knowledge_copy):
    path = knowledge_copy / "figures.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 176.4", "value: 200.5"), encoding="utf-8")
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    messages, _ = run(ActionLookupFigure(), make_tracker("固投多少", "ask_figure"))
    assert "200.5亿元" in texts(messages)
