"""The WeChat channel against the simulated WeChat server and the fake customer-service
API: every rule of the connector, with a fake assistant in place of Rasa."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import List

import pytest

from connectors.wechat.channel import PLEASE_TYPE, REPLY_WINDOW_SECONDS, WeChatInput
from connectors.wechat.customer_service import CustomerServiceClient
from connectors.wechat.render import MAX_REPLY_BYTES, MORE_HINT
from tests.connectors.wechat.simulator import (
    SAMPLE_AES_KEY,
    SAMPLE_APP_ID,
    SAMPLE_TOKEN,
    FakeCustomerServiceApi,
    SimulatedWeChat,
)


class FakeAssistant:
    """Stands in for Rasa's on_new_message: records what it is asked, answers it."""

    def __init__(self, delay: float = 0.0, long_answer: bool = False, gate: "asyncio.Event | None" = None) -> None:
        self.seen: List[tuple] = []
        self.delay, self.long_answer, self.gate = delay, long_answer, gate

    async def __call__(self, message) -> None:
        self.seen.append((message.sender_id, message.text, message.metadata))
        if self.gate is not None:  # answers only when the test says so
            await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay() if callable(self.delay) else self.delay)
        if message.text == "/greet":
            await message.output_channel.send_text_with_buttons(
                message.sender_id,
                "您好！请选择话题：",
                [{"title": "区位交通", "payload": "交通方便吗"}, {"title": "经济数据", "payload": "经济怎么样"}],
            )
        elif self.long_answer:
            await message.output_channel.send_text_message(
                message.sender_id, "\n".join(f"第{i}条：湘潭经开区概况。" for i in range(300))
            )
        else:
            await message.output_channel.send_text_message(message.sender_id, f"答：{message.text}")


def make_channel(api_url: str = "http://127.0.0.1:9", reply_window: float = 4.5, aes_key: str = "") -> WeChatInput:
    """Without an AES key (the account in plain mode) unless `aes_key` is given: a
    channel with a key refuses plaintext messages."""
    return WeChatInput(SAMPLE_TOKEN, SAMPLE_APP_ID, "app-secret", aes_key, api_url, reply_window=reply_window)


async def post(channel, simulator, xml, assistant, **request):
    args, body = simulator.request(xml, **request)
    status, _, reply = await channel.handle_post(args, body, assistant)
    return status, (simulator.reply_text(args, reply) if status == 200 else reply)


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_message_answered_in_every_mode(mode):
    simulator, assistant = SimulatedWeChat(mode), FakeAssistant()
    channel = make_channel(aes_key="" if mode == "plain" else SAMPLE_AES_KEY)
    status, text = asyncio.run(post(channel, simulator, simulator.text("openid-a", "机场远吗"), assistant))
    assert status == 200 and text == "答：机场远吗"
    assert assistant.seen[0][0] == "wechat:openid-a"  # conversation keyed by OpenID, namespaced


def test_url_verification():
    channel, simulator = make_channel(), SimulatedWeChat()
    assert channel.handle_verification(simulator.verification("echo-123")) == (200, "text/plain", "echo-123")
    bad = {**simulator.verification("x"), "signature": "0" * 40}
    assert channel.handle_verification(bad)[0] == 403
    assert channel.handle_verification(simulator.verification("x", timestamp=int(time.time()) - 3600))[0] == 403
    assert WeChatInput("").handle_verification(simulator.verification("x"))[0] == 503


def test_bad_signature_stale_and_future_timestamps_are_refused():
    simulator, assistant = SimulatedWeChat("safe"), FakeAssistant()
    channel = make_channel(aes_key=SAMPLE_AES_KEY)

    async def scenario():
        args, body = simulator.request(simulator.text("o", "hi"))
        results = [
            (await channel.handle_post({**args, "signature": "f" * 40}, body, assistant))[0],
            (await channel.handle_post({**args, "msg_signature": "f" * 40}, body, assistant))[0],
        ]
        for timestamp in (int(time.time()) - 301, int(time.time()) + 400):
            args, body = simulator.request(simulator.text("o", "hi"), timestamp=timestamp)
            results.append((await channel.handle_post(args, body, assistant))[0])
        return results

    assert asyncio.run(scenario()) == [403, 403, 403, 403]
    assert assistant.seen == []


def test_replayed_nonce_with_another_message_is_refused():
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(), make_channel()

    async def scenario():
        sent_at = int(time.time())  # a replay repeats the original's timestamp and nonce
        first = await post(
            channel, simulator, simulator.text("o", "第一条"), assistant, nonce="424242", timestamp=sent_at
        )
        replay = await post(
            channel, simulator, simulator.text("o", "伪造的第二条"), assistant, nonce="424242", timestamp=sent_at
        )
        return first, replay

    first, replay = asyncio.run(scenario())
    assert first[0] == 200 and replay[0] == 403
    assert [text for _, text, _ in assistant.seen] == ["第一条"]


def test_entity_bomb_and_oversize_body_are_refused_unparsed():
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(), make_channel()
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>'

    async def scenario():
        args, body = simulator.request(bomb)
        statuses = [(await channel.handle_post(args, body, assistant))[0]]
        args, body = simulator.request(simulator.text("o", "长" * 30000))
        statuses.append((await channel.handle_post(args, body, assistant))[0])
        return statuses

    assert asyncio.run(scenario()) == [400, 413]
    assert assistant.seen == []


def test_three_retries_of_a_slow_message_process_once_and_deliver_once():
    simulator, assistant = SimulatedWeChat("safe"), FakeAssistant(delay=1.2)

    async def scenario():
        api = await FakeCustomerServiceApi().start()
        channel = make_channel(api.url, reply_window=0.4, aes_key=SAMPLE_AES_KEY)
        xml = simulator.text("openid-slow", "税收优惠", msg_id=777)
        # WeChat gives up on each attempt after its timeout and retries the same MsgId.
        attempts = [await post(channel, simulator, xml, assistant) for _ in range(4)]
        await channel.drain()  # the deferred answer has gone out (or was claimed)
        await api.stop()
        return attempts, api.sent

    attempts, sent = asyncio.run(scenario())
    passive = [text for status, text in attempts if text]
    assert len(assistant.seen) == 1  # processed once
    assert len(passive) + len(sent) == 1  # delivered once
    assert (passive or [sent[0][1]])[0] == "答：税收优惠"


def test_answer_later_than_the_reply_window_goes_through_the_customer_service_api():
    simulator = SimulatedWeChat()

    async def scenario():
        assistant = FakeAssistant(gate=asyncio.Event())  # no answer until the request has returned
        api = await FakeCustomerServiceApi().start()
        channel = make_channel(api.url, reply_window=0.2)
        status, text = await post(channel, simulator, simulator.text("openid-late", "地价多少"), assistant)
        assistant.gate.set()
        await channel.drain()
        await api.stop()
        return status, text, api.sent

    status, text, sent = asyncio.run(scenario())
    assert status == 200 and text is None  # "success": WeChat stops waiting, no retry storm
    assert sent == [("openid-late", "答：地价多少")]
    assert REPLY_WINDOW_SECONDS < 5  # the real window ends before WeChat's 5 s timeout


def test_numbered_options_map_back_to_their_payloads():
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(), make_channel()

    async def scenario():
        greeting = await post(channel, simulator, simulator.event("openid-n", "subscribe"), assistant)
        choice = await post(channel, simulator, simulator.text("openid-n", "2"), assistant)
        other_user = await post(channel, simulator, simulator.text("openid-other", "2"), assistant)
        return greeting, choice, other_user

    greeting, choice, other_user = asyncio.run(scenario())
    assert "回复 1 区位交通" in greeting[1] and "回复 2 经济数据" in greeting[1]
    assert choice[1] == "答：经济怎么样"
    assert other_user[1] == "答：2"  # options belong to the user who was shown them


def test_long_answer_is_split_at_2048_bytes_and_continued():
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(long_answer=True), make_channel()

    async def scenario():
        replies = [(await post(channel, simulator, simulator.text("openid-l", "介绍一下"), assistant))[1]]
        while replies[-1].endswith(MORE_HINT):
            replies.append((await post(channel, simulator, simulator.text("openid-l", "继续"), assistant))[1])
        return replies

    replies = asyncio.run(scenario())
    assert len(replies) > 1 and all(len(r.encode("utf-8")) <= MAX_REPLY_BYTES for r in replies)
    assert "第299条" in replies[-1] and len(assistant.seen) == 1


def test_events_and_message_types():
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(), make_channel()

    async def scenario():
        return [
            await post(channel, simulator, simulator.event("u1", "subscribe", "qrscene_expo2021"), assistant),
            await post(
                channel,
                simulator,
                simulator.event("u1", "CLICK", "TOPIC_ECONOMY", create_time=int(time.time()) + 1),
                assistant,
            ),
            await post(channel, simulator, simulator.event("u1", "SCAN", "roadshow"), assistant),
            await post(channel, simulator, simulator.voice("u1", "园区在哪里"), assistant),
            await post(channel, simulator, simulator.image("u1"), assistant),
            await post(
                channel, simulator, simulator.event("u1", "unsubscribe", create_time=int(time.time()) + 2), assistant
            ),
        ]

    results = asyncio.run(scenario())
    texts = [text for _, text, _ in assistant.seen]
    assert texts == ["/greet", "湘潭经开区的经济数据怎么样？", "/greet", "园区在哪里"]
    assert assistant.seen[0][2]["wechat"]["scene"] == "expo2021"
    assert assistant.seen[2][2]["wechat"]["scene"] == "roadshow"
    assert results[4][1] == PLEASE_TYPE
    assert results[5] == (200, None)  # unsubscribe: "success", nothing said


def test_fifty_users_at_once_each_answered_exactly_once():
    simulator = SimulatedWeChat("safe")
    rng = random.Random(7)
    assistant = FakeAssistant(delay=lambda: rng.uniform(0.0, 0.8))

    async def scenario():
        api = await FakeCustomerServiceApi().start()
        channel = make_channel(api.url, reply_window=0.4, aes_key=SAMPLE_AES_KEY)
        results = await asyncio.gather(
            *(post(channel, simulator, simulator.text(f"openid-{i}", f"问题{i}"), assistant) for i in range(50))
        )
        await channel.drain()
        await api.stop()
        return results, api.sent, api.token_requests

    results, sent, token_requests = asyncio.run(scenario())
    delivered = [f"答：问题{i}" for i, (_, text) in enumerate(results) if text] + [content for _, content in sent]
    assert sorted(delivered) == sorted(f"答：问题{i}" for i in range(50))
    assert len(assistant.seen) == 50
    assert token_requests <= 1  # one access_token for all deferred answers


def test_access_token_is_cached_and_refreshed_when_expired():
    async def scenario():
        api = await FakeCustomerServiceApi(expire_first_token=True).start()
        client = CustomerServiceClient(api.url, SAMPLE_APP_ID, "secret")
        await asyncio.gather(*(client.send_text(f"u{i}", "hi") for i in range(5)))
        await client.send_text("u9", "again")
        await client.close()
        await api.stop()
        return api.token_requests, len(api.sent)

    token_requests, sent = asyncio.run(scenario())
    assert token_requests == 2 and sent == 6  # first token rejected once, then reused


def test_logs_never_carry_the_message_text(caplog):
    simulator, assistant, channel = SimulatedWeChat(), FakeAssistant(), make_channel()
    with caplog.at_level(logging.INFO):
        asyncio.run(post(channel, simulator, simulator.text("openid-privacy", "我的手机号13800000000"), assistant))
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "wechat.message.received" in logged and "13800000000" not in logged and "openid-privacy" not in logged


def test_a_channel_with_an_aes_key_refuses_plaintext_messages():
    """Before: with an AES key configured, a plaintext message (no encrypt_type) was still
    accepted, so whoever knew the token could skip the encryption (a downgrade)."""
    assistant = FakeAssistant()
    keyed = make_channel(aes_key=SAMPLE_AES_KEY)
    plain = SimulatedWeChat("plain")
    status, _ = asyncio.run(post(keyed, plain, plain.text("openid-down", "机场远吗"), assistant))
    assert status == 403 and assistant.seen == []
    safe = SimulatedWeChat("safe")
    assert asyncio.run(post(keyed, safe, safe.text("openid-down", "机场远吗"), assistant))[0] == 200


@pytest.mark.parametrize("timestamp", ["²", "１２３", "١٢٣٤٥٦٧٨٩٠", "12.5", "-5", "9" * 40])
def test_signed_odd_timestamps_are_refused_not_a_server_error(timestamp):
    simulator = SimulatedWeChat("plain")
    args, body = simulator.request(simulator.text("openid-odd", "你好"), timestamp=timestamp)
    status, _, _ = asyncio.run(make_channel().handle_post(args, body, FakeAssistant()))
    assert status == 403


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o-x]]></FromUserName><CreateTime>1</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content><b>粗体</b><i>x</i></Content><MsgId>5</MsgId></xml>",
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><a>1</a><a>2</a></FromUserName><CreateTime>1</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content>hi</Content><MsgId>6</MsgId></xml>",
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o-x]]></FromUserName><CreateTime>soon</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType><Content>hi</Content><MsgId>7</MsgId></xml>",
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o-x]]></FromUserName><CreateTime>1</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><x>subscribe</x></Event></xml>",
    ],
)
def test_signed_xml_with_odd_fields_is_refused_not_a_server_error(xml):
    simulator = SimulatedWeChat("plain")
    args, body = simulator.request(xml)
    status, _, _ = asyncio.run(make_channel().handle_post(args, body, FakeAssistant()))
    assert status == 400


def test_a_follower_flooding_messages_gets_a_polite_reply_without_a_turn():
    simulator, assistant, channel = SimulatedWeChat("plain"), FakeAssistant(), make_channel()

    async def flood():
        return [
            await post(channel, simulator, simulator.text("openid-flood", f"问题{n}"), assistant) for n in range(25)
        ]

    replies = asyncio.run(flood())
    assert all(status == 200 for status, _ in replies)
    answered = [text for _, text in replies if text.startswith("答：")]
    assert len(answered) == channel.chat_limits.by_conversation.limit == len(assistant.seen)
    assert "稍等" in replies[-1][1]
    other = asyncio.run(post(channel, simulator, simulator.text("openid-calm", "机场远吗"), assistant))
    assert other[1] == "答：机场远吗"  # another follower is not affected


def test_a_long_message_is_capped_like_in_every_channel():
    simulator, assistant = SimulatedWeChat("plain"), FakeAssistant()
    asyncio.run(post(make_channel(), simulator, simulator.text("openid-long", "园" * 9000), assistant))
    assert len(assistant.seen[0][1]) == 2000
