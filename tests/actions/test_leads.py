"""The investment-intention form's actions: validation, submit (idempotent), cancel, correct."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.leads import ActionCancelLead, ActionCorrectLead, ActionSubmitLead, ValidateLeadForm
from leads.runtime import lead_store
from tests.actions.helpers import make_tracker

FILLED = {
    "lead_consent": "yes",
    "lead_company": "湘潭恒通精密机械有限公司",
    "lead_industry": "汽车零部件",
    "lead_amount": "5000万元",
    "lead_land": "50亩",
    "lead_name": "王先生",
    "lead_contact": "13812345678",
}


def validate(slot: str, typed: str, intent: str = "chitchat", **tracker_args):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(typed, intent, **tracker_args)
    method = getattr(ValidateLeadForm(), f"validate_{slot}")
    result = asyncio.run(method(typed, dispatcher, tracker, {}))
    return result, "\n".join(m.get("text") or "" for m in dispatcher.messages)


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


def test_amounts_in_any_form_are_stored_as_one_amount():
    for typed in ("五千万", "5000万", "5000 万元", "0.5亿"):
        result, _ = validate("lead_amount", typed)
        assert (result["lead_amount"], result["lead_amount_yuan"]) == ("5000万元", 50_000_000)


def test_an_amount_it_cannot_read_is_asked_again_with_an_example():
    result, said = validate("lead_amount", "很多钱")
    assert result == {"lead_amount": None} and "5000万" in said


def test_phone_and_email_are_checked():
    assert validate("lead_contact", "+86 138-1234-5678")[0] == {"lead_contact": "13812345678"}
    assert validate("lead_contact", "Wang@Example.com")[0]["lead_contact"].endswith("@example.com")
    result, said = validate("lead_contact", "0731-1234567")
    assert result == {"lead_contact": None} and "11位手机号" in said


def test_a_question_mid_form_is_answered_and_the_form_goes_on():
    result, said = validate("lead_company", "园区离机场多远？", intent="faq", faq="airport")
    assert result == {"lead_company": None}
    assert "黄花" in said and "继续登记" in said


def test_consent_refused_asks_nothing_more():
    result, _ = validate("lead_consent", "不同意")
    assert result == {"lead_consent": "no"}
    tracker = make_tracker("不同意", "deny", slots={"lead_consent": "no"})
    required = asyncio.run(ValidateLeadForm().required_slots(list(FILLED), CollectingDispatcher(), tracker, {}))
    assert required == ["lead_consent"]
    assert validate("lead_consent", "让我想想")[0] == {"lead_consent": None}


def test_land_need_may_be_left_open():
    assert validate("lead_land", "不确定")[0] == {"lead_land": "暂不确定"}


def test_submit_stores_one_lead_however_often_it_is_sent():
    tracker = make_tracker("13812345678", "chitchat", slots=dict(FILLED))
    said, events = run(ActionSubmitLead(), tracker)
    assert "已登记" in said and "5000万元" in said
    assert ("lead_contact", None) in [(e["name"], e["value"]) for e in events]  # form reset
    said_again, _ = run(ActionSubmitLead(), tracker)  # a WeChat retry, a double click
    assert "已经登记过" in said_again
    [lead] = lead_store().list_leads()
    assert (lead.company, lead.phone, lead.amount_yuan, lead.channel) == (
        "湘潭恒通精密机械有限公司",
        "13812345678",
        50_000_000,
        "unknown",
    )


def test_without_consent_nothing_is_stored():
    said, _ = run(ActionSubmitLead(), make_tracker("不同意", "deny", slots={"lead_consent": "no"}))
    assert "没有保存任何信息" in said and lead_store().list_leads() == []


def test_a_store_failure_keeps_the_answers_and_says_so(setting, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    setting("LEADS_DB", str(blocker / "leads.db"))
    said, events = run(ActionSubmitLead(), make_tracker("13812345678", "chitchat", slots=dict(FILLED)))
    assert "没有丢失" in said and events == []


def test_correction_empties_the_named_answer():
    said, events = run(ActionCorrectLead(), make_tracker("电话写错了", "correct_lead", slots=dict(FILLED)))
    assert [(e["name"], e["value"]) for e in events] == [("lead_contact", None)] and "重新填写" in said
    said, events = run(ActionCorrectLead(), make_tracker("刚才填错了", "correct_lead", slots=dict(FILLED)))
    assert "哪一项" in said and events == []


def test_cancel_says_nothing_was_stored_and_resets():
    said, events = run(ActionCancelLead(), make_tracker("算了", "cancel_form", slots=dict(FILLED)))
    assert "已取消" in said and all(e["value"] is None for e in events)


def test_industry_is_stored_under_the_zones_name():
    assert validate("lead_industry", "汽车零部件")[0] == {"lead_industry": "汽车及零部件"}
