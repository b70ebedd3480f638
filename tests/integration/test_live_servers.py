"""The real thing: the action server and the Rasa server started as `make run` starts
them, on a trained model, talked to over the REST channel.

Run by `make live` (part of `make test`); needs models/assistant.tar.gz."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Dict, List

import pytest

from scripts.live_servers import TOKEN, http
from tests.live_content import (
    AIRPORT,
    AREA,
    FDI,
    INVESTMENT_GROWTH,
    INVESTMENT_PERIOD,
    OUTPUT,
    OUTPUT_GROWTH,
    TAX_GROWTH,
)

pytestmark = pytest.mark.live


def text_of(messages: List[Dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_greeting_offers_topic_buttons(servers):
    messages = servers.say("greeter", "你好")
    assert "投资服务助手" in text_of(messages)
    assert any(b["title"] == "区位交通" for b in messages[-1]["buttons"])


def test_topic_button_payload_is_answered(servers):
    assert "四位一体" in text_of(servers.say("button", "湘潭经开区交通方便吗？"))


def test_faq_answer_comes_from_knowledge_with_source(servers):
    text = text_of(servers.say("faq", "离黄花机场远不远"))
    assert AIRPORT in text and "来源：" in text


def test_follow_up_chain_keeps_context(servers):
    assert OUTPUT in text_of(servers.say("chain", "工业总产值多少"))
    assert OUTPUT_GROWTH in text_of(servers.say("chain", "增长了多少"))
    text = text_of(servers.say("chain", "那固定资产投资呢"))
    assert "固定资产投资" in text and INVESTMENT_GROWTH in text and f"数据口径：{INVESTMENT_PERIOD}" in text


def test_follow_ups_of_a_list_answer_through_the_real_server(servers):
    """Conversation state for every topic: items, another part of the answer, its period."""
    assert "马上就办" in text_of(servers.say("spirit", "九华精神是啥"))
    assert "敢闯敢试" in text_of(servers.say("spirit", "第三条呢"))
    assert "闻商则喜" in text_of(servers.say("spirit", "最后一个"))
    assert "第47位" in text_of(servers.say("ranking", "湘潭经开区全国排第几"))
    assert "省内排名第二" in text_of(servers.say("ranking", "那省内呢"))


def test_typos_english_and_scope_through_the_real_server(servers):
    assert AREA in text_of(servers.say("typo", "湘谭经开去面积多大"))
    assert FDI in text_of(servers.say("fdi", "FDI多少"))
    refusal = text_of(servers.say("metro", "长沙地铁有几条线"))
    assert "超出了我的服务范围" in refusal and "亿元" not in refusal
    form = text_of(servers.say("invest-question", "吉利是在这投资的吗"))
    assert "隐私说明" not in form and "吉利" in form  # answered, not the investment form


def test_traditional_question_gets_traditional_answer(servers):
    text = text_of(servers.say("taiwan", "請問湘潭經開區離機場多遠？"))
    assert "黃花國際機場" in text and "分鐘" in text


def test_no_published_figure_is_honest(servers):
    messages = servers.say("price", "工业用电电价多少钱一度")
    assert "没有公开的电价数据" in text_of(messages) and "增量配电" in text_of(messages)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "😀😀😀",
        "园区" * 2500,
        "<script>alert('x')</script>",
        "'; DROP TABLE events; --",
        "Hello，园区有没有tax incentive？",
        "<img src=x onerror=alert(1)>机场",
    ],
)
def test_bad_input_gets_a_polite_reply_and_the_conversation_continues(servers, bad):
    sender = f"bad-{abs(hash(bad))}"
    messages = servers.say(sender, bad)
    text = text_of(messages)
    assert messages and text.strip()
    assert "Traceback" not in text and "<script>" not in text and "onerror" not in text
    assert AIRPORT in text_of(servers.say(sender, "机场远吗"))


def test_http_api_needs_the_token(servers):
    assert http("GET", servers.rasa_url + "/status")[0] == 401
    assert http("GET", servers.rasa_url + f"/status?token={TOKEN}")[0] == 200


def test_faq_selection_runs_only_for_faq_questions(servers):
    """components/faq_selector.py: the selection is there for an FAQ question and left out
    (nothing selected) for other intents, which never read it."""

    def parse(text):
        status, body = http("POST", servers.rasa_url + f"/model/parse?token={TOKEN}", {"text": text})
        assert status == 200, body
        return json.loads(body)

    faq, greeting = parse("离黄花机场远不远"), parse("你好")
    assert faq["intent"]["name"] == "faq"
    assert faq["response_selector"]["faq"]["response"]["intent_response_key"].startswith("faq/")
    assert greeting["intent"]["name"] != "faq"
    assert "faq" not in greeting["response_selector"]
    assert greeting["response_selector"]["all_retrieval_intents"] == faq["response_selector"]["all_retrieval_intents"]


def test_conversation_survives_a_restart(servers):
    servers.say("restart", "财税收入多少")
    servers.stop(servers.rasa)
    servers.start_rasa()
    status, body = http("GET", servers.rasa_url + f"/conversations/rest:restart/tracker?token={TOKEN}")
    assert status == 200
    tracker = json.loads(body)
    assert "财税收入多少" in [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert tracker["slots"]["indicator"] == "fiscal_tax_revenue"
    text = text_of(servers.say("restart", "增长了多少"))
    assert "财税收入" in text and TAX_GROWTH in text


# --- web app (demo site, widget assets, feedback API) -----------------------------


def test_web_app_serves_pages_and_self_hosted_widget(servers):
    status, page = http("GET", servers.web_url + "/")
    assert status == 200 and 'src="/widget/widget.js"' in page
    assert http("GET", servers.web_url + "/about.html")[0] == 200
    status, vendor = http("GET", servers.web_url + "/widget/vendor/socket.io-4.8.1.min.js")
    assert status == 200 and "Socket.IO v4.8.1" in vendor
    status, config = http("GET", servers.web_url + "/widget/config")
    assert status == 200 and json.loads(config)["socket_url"] == servers.rasa_url


def test_feedback_api_refuses_bad_input(servers):
    url = servers.web_url + "/api/feedback"
    good = {"rating": "up", "question": "机场远吗", "answer": AIRPORT, "session_id": "a" * 32, "token": "1.x"}
    assert http("POST", url, {**good, "rating": "meh"})[0] == 400
    assert http("POST", url, good)[0] == 403  # forged token
    request = urllib.request.Request(
        url, data=b"{not json", method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 400
    big = {**good, "answer": "长" * 40000}
    assert http("POST", url, big)[0] == 413


def test_feedback_is_taken_only_on_answers_the_server_sent_to_that_session(servers):
    """Before: any visitor could post 👎 with an invented question and answer, and each
    became an inbox entry with a one-click "add as phrasing"."""
    import asyncio

    from scripts.widget_client import WidgetClient

    async def converse():
        async with WidgetClient(servers.rasa_url) as widget:
            return widget.session, await widget.say("机场远吗", "m-feedback")

    session, ack = asyncio.run(converse())
    answer = ack["messages"][0]
    assert AIRPORT in answer["text"] and answer["feedback_token"]
    real = {
        "rating": "down",
        "question": "机场远吗",
        "answer": answer["text"],
        "message_id": "m-feedback-0",
        "session_id": session["session_id"],
        "token": session["token"],
        "answer_token": answer["feedback_token"],
    }
    url = servers.web_url + "/api/feedback"
    forged = [
        {**real, "answer": "园区没有任何优惠政策"},
        {**real, "question": "编造的问题"},
        {**real, "message_id": "m-other-0"},
        {**real, "answer_token": "0" * 64},
        {key: value for key, value in real.items() if key != "answer_token"},
    ]
    other = tokens_for_another_session()
    forged.append({**real, **other})  # a real answer, rated from another session
    assert [http("POST", url, body)[0] for body in forged] == [403] * len(forged)
    assert http("POST", url, real)[0] == 201
    assert http("POST", url, real)[0] == 200  # a double click


def tokens_for_another_session() -> Dict[str, str]:
    from connectors.socketio_secure import tokens
    from scripts.live_servers import SESSION_SECRET

    grant = tokens.new_session(SESSION_SECRET)
    return {"session_id": grant.session_id, "token": grant.token}


def test_only_the_listed_sites_may_embed_the_widget(servers):
    """Before: origins defaulted to `*`, so any website could embed the chat and post feedback."""
    import asyncio

    from scripts.live_servers import PARTNER_ORIGIN
    from scripts.widget_client import WidgetClient

    def preflight(origin):
        request = urllib.request.Request(
            servers.web_url + "/api/feedback",
            method="OPTIONS",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")

    assert preflight(PARTNER_ORIGIN) == PARTNER_ORIGIN
    assert preflight("http://evil.example") is None

    async def connect(origin):
        try:
            async with WidgetClient(servers.rasa_url, headers={"Origin": origin}) as widget:
                return bool(widget.session.get("session_id"))
        except Exception:  # socketio.exceptions.ConnectionError: the server refused the origin
            return False

    assert asyncio.run(connect(PARTNER_ORIGIN)) is True
    assert asyncio.run(connect("http://evil.example")) is False


# --- WeChat Official Account channel on the real Rasa server ---------------------


def test_wechat_safe_mode_message_is_answered_by_the_assistant(servers):
    from tests.connectors.wechat.simulator import SimulatedWeChat

    simulator = SimulatedWeChat("safe")
    url = servers.rasa_url + "/webhooks/wechat/webhook"
    status, echo = http("GET", url + "?" + urllib.parse.urlencode(simulator.verification("hello-echo")))
    assert status == 200 and echo == "hello-echo"

    def say(xml):
        args, body = simulator.request(xml)
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode(args), data=body, method="POST", headers={"Content-Type": "text/xml"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return simulator.reply_text(args, response.read().decode())

    assert AIRPORT in say(simulator.text("openid-live", "离黄花机场多远"))
    assert OUTPUT in say(simulator.text("openid-live", "工业总产值多少"))
    assert OUTPUT_GROWTH in say(simulator.text("openid-live", "增长了多少"))  # context kept by OpenID
    greeting = say(simulator.event("openid-new", "subscribe"))
    assert "回复 1 区位交通" in greeting
    assert "四位一体" in say(simulator.text("openid-new", "1"))


def test_a_rest_caller_who_knows_an_openid_cannot_act_in_that_followers_conversation(servers):
    """Before: conversation ids were shared by all channels, so a REST caller who sent a
    follower's OpenID as `sender` wrote into that follower's conversation."""
    from tests.connectors.wechat.simulator import SimulatedWeChat

    simulator = SimulatedWeChat("safe")
    url = servers.rasa_url + "/webhooks/wechat/webhook"

    def follower_says(text):
        args, body = simulator.request(simulator.text("openid-victim", text))
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode(args), data=body, method="POST", headers={"Content-Type": "text/xml"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return simulator.reply_text(args, response.read().decode())

    assert OUTPUT in follower_says("工业总产值多少")
    for sender in ("openid-victim", "wechat:openid-victim"):
        servers.say(sender, "那固定资产投资呢")  # an attacker's turn, trying to move the context
    assert OUTPUT_GROWTH in follower_says("增长了多少")  # still about 工业总产值
    status, body = http("GET", servers.rasa_url + f"/conversations/wechat:openid-victim/tracker?token={TOKEN}")
    texts = [e.get("text") for e in json.loads(body)["events"] if e["event"] == "user"]
    assert status == 200 and texts == ["工业总产值多少", "增长了多少"]
    anonymous = http("POST", servers.rasa_url + "/webhooks/rest/webhook", {"sender": "x", "message": "你好"})
    assert anonymous[0] == 401  # with a channel token set, REST needs it


def test_a_huge_message_is_capped_and_the_conversation_goes_on(servers):
    """A 1.2 MB paste used to be stored whole, after which the action server refused the
    tracker and every later turn got "service busy"."""
    sender = "huge-paste"
    first = text_of(servers.say(sender, "园区" * 600_000))
    assert first.strip() and "繁忙" not in first
    assert AIRPORT in text_of(servers.say(sender, "机场远吗"))
    status, body = http("GET", servers.rasa_url + f"/conversations/rest:{sender}/tracker?token={TOKEN}")
    texts = [e.get("text") or "" for e in json.loads(body)["events"] if e["event"] == "user"]
    assert status == 200 and max(len(t) for t in texts) <= 2000


def test_the_caller_cannot_set_the_channel_or_metadata_and_odd_messages_get_a_reply(servers):
    sender = "rest-fields"
    status, body = http(
        "POST",
        servers.rasa_url + "/webhooks/rest/webhook",
        {"sender": sender, "message": "机场远吗", "input_channel": "wechat", "metadata": {"blob": "x" * 50_000}},
        headers=servers.rest_headers,
    )
    assert status == 200 and AIRPORT in text_of(json.loads(body))
    for odd in (12345, ["a"], None, "\ud800机场"):
        status, body = http(
            "POST",
            servers.rasa_url + "/webhooks/rest/webhook",
            {"sender": sender, "message": odd},
            headers=servers.rest_headers,
        )
        assert status == 200 and json.loads(body), odd  # a polite reply, never a silent []
    status, body = http("GET", servers.rasa_url + f"/conversations/rest:{sender}/tracker?token={TOKEN}")
    users = [e for e in json.loads(body)["events"] if e["event"] == "user"]
    # Rasa adds its own model_id and assistant_id; nothing of the caller's
    assert {e["input_channel"] for e in users} == {"rest"} and not any(
        "blob" in (e.get("metadata") or {}) for e in users
    )
