"""Rate limits (connectors/rate_limit.py), client addresses and log ids (connectors/limits.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors import limits, rate_limit
from connectors.never_silent import never_silent
from connectors.rate_limit import ChatLimits, RateLimiter
from connectors.rest import NeverSilentRestInput


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_a_key_gets_its_limit_per_window_and_refusals_do_not_count():
    clock = Clock()
    limiter = RateLimiter(3, 60, clock)
    assert [limiter.allow("a") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow("b")
    clock.now = 59.9
    assert not limiter.allow("a")
    clock.now = 60.0  # the first three have left the window; the refusals never counted
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    with pytest.raises(ValueError):
        RateLimiter(0, 60)


def test_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(rate_limit, "MAX_KEYS", 100)
    limiter = RateLimiter(1, 60, Clock())
    for n in range(1000):
        limiter.allow(f"invented-{n}")
    assert len(limiter._seen) == 100


def test_chat_limits_hold_per_conversation_and_per_address():
    limits_ = ChatLimits(per_conversation=2, per_address=3, clock=Clock())
    assert [limits_.allow("c1", "1.1.1.1") for _ in range(3)] == [True, True, False]
    assert limits_.allow("c2", "1.1.1.1") is False  # the address has used its 3
    assert limits_.allow("c3", "2.2.2.2") is True


def test_the_client_address_behind_trusted_proxies():
    assert limits.client_address("10.0.0.1", "6.6.6.6", hops=0) == "10.0.0.1"
    # nginx appends the address it saw; what the client wrote itself comes before it
    assert limits.client_address("127.0.0.1", "6.6.6.6, 203.0.113.5", hops=1) == "203.0.113.5"
    assert limits.client_address("127.0.0.1", "", hops=1) == "127.0.0.1"


def test_the_rest_channel_limits_anonymous_callers_but_not_token_holders():
    def request(sender):
        return SimpleNamespace(json={"sender": sender, "message": "你好"}, ip="198.51.100.1", headers={})

    anonymous = NeverSilentRestInput()
    replies = [
        asyncio.run(anonymous.too_fast(request("flood")))
        for _ in range(anonymous.chat_limits.by_conversation.limit + 1)
    ]
    assert replies[:-1] == [None] * anonymous.chat_limits.by_conversation.limit
    assert replies[-1].status == 200 and "稍等" in json.loads(replies[-1].body)[0]["text"]
    trusted = NeverSilentRestInput(token="integration-token")
    assert all(asyncio.run(trusted.too_fast(request("eval"))) is None for _ in range(100))


def test_logs_never_carry_the_conversation_id(caplog):
    async def failing(message):
        raise RuntimeError("boom")

    message = UserMessage("你好", CollectingOutputChannel(), "wechat:oSecretOpenId123", input_channel="wechat")
    with caplog.at_level(logging.INFO):
        asyncio.run(never_silent(failing)(message))
    assert "oSecretOpenId123" not in caplog.text
    assert limits.log_id("wechat:oSecretOpenId123") in caplog.text
