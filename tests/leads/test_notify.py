"""Staff notification against a fake WeCom group robot on a local port: the payload
shape, masking, retries with backoff and exactly-once delivery."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import List, Optional

import aiohttp
import pytest
from aiohttp import web

from leads.notify import NotifySettings, deliver_due, handoff_message, lead_message
from leads.parsing import parse_amount
from leads.store import LeadInput, LeadStore, lead_key

ADMIN = "https://zs.example.cn"


class FakeWeCom:
    """Records what it receives; the first `fail_first` calls fail the way WeCom can."""

    def __init__(self, fail_first: int = 0, failure: str = "http") -> None:
        self.fail_first = fail_first
        self.failure = failure
        self.received: List[dict] = []
        self.accepted: List[dict] = []
        self.url = ""
        self._runner: Optional[web.AppRunner] = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if len(self.received) <= self.fail_first:
            if self.failure == "http":
                return web.Response(status=500, text="internal error")
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"})
        self.accepted.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def __aenter__(self) -> "FakeWeCom":
        app = web.Application()
        app.router.add_post("/cgi-bin/webhook/send", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=test-key"
        return self

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()


@pytest.fixture
def store(tmp_path: Path) -> LeadStore:
    opened = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", admin_url=ADMIN)
    yield opened
    opened.close()


def add_lead(store: LeadStore):
    lead = LeadInput(
        channel="wechat",
        conversation_id="conv-1",
        company="湘潭恒通精密机械有限公司",
        industry="汽车零部件",
        amount=parse_amount("五千万"),
        land_need="50亩，电话13812345678",
        contact_name="王小明",
        phone="13812345678",
        email="wang@example.com",
    )
    return store.add_lead(lead, lead_key("conv-1", lead))[0]


def test_lead_message_is_wecom_markdown_without_personal_data(store):
    lead = add_lead(store)
    message = lead_message(lead, ADMIN)
    assert message["msgtype"] == "markdown" and set(message) == {"msgtype", "markdown"}
    content = message["markdown"]["content"]
    assert "5000万元" in content and "湘潭恒通精密机械有限公司" in content and "汽车零部件" in content
    assert "138****5678" in content and "w***@example.com" in content and "王**" in content
    assert f"{ADMIN}/admin/leads/{lead.id}" in content
    flat = json.dumps(message, ensure_ascii=False)
    for secret in ("13812345678", "wang@example.com", "王小明"):
        assert secret not in flat
    assert len(content.encode("utf-8")) < 4096  # WeCom's markdown limit


def test_handoff_message_links_to_the_transcript():
    content = handoff_message(7, "socketio", False, ADMIN + "/", created_at=0)["markdown"]["content"]
    assert f"{ADMIN}/admin/handoffs/7" in content and "非工作时间" in content and "1970-01-01 08:00" in content


def test_settings_from_environment(monkeypatch):
    monkeypatch.delenv("LEAD_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("ADMIN_PUBLIC_URL", raising=False)
    assert NotifySettings.from_env() == NotifySettings("", "http://127.0.0.1:8080")
    monkeypatch.setenv("LEAD_WEBHOOK_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    monkeypatch.setenv("ADMIN_PUBLIC_URL", "https://zs.example.cn/")
    settings = NotifySettings.from_env()
    assert settings.configured and settings.admin_url == "https://zs.example.cn"


def test_delivery_posts_the_queued_payload(store):
    lead = add_lead(store)

    async def scenario():
        async with FakeWeCom() as wecom, aiohttp.ClientSession() as session:
            result = await deliver_due(store, wecom.url, session)
            again = await deliver_due(store, wecom.url, session, now=time.time() + 10_000)
            return wecom, result, again

    wecom, result, again = asyncio.run(scenario())
    assert result == (1, 0) and again == (0, 0)
    assert wecom.accepted == [lead_message(lead, ADMIN)]
    assert "13812345678" not in json.dumps(wecom.received, ensure_ascii=False)


@pytest.mark.parametrize("failure", ["http", "errcode"])
def test_a_failed_delivery_is_retried_after_backoff_exactly_once(store, failure):
    add_lead(store)
    start = time.time() + 1

    async def scenario():
        async with FakeWeCom(fail_first=1, failure=failure) as wecom, aiohttp.ClientSession() as session:
            first = await deliver_due(store, wecom.url, session, now=start)
            [queued] = store.list_outbox()
            too_early = await deliver_due(store, wecom.url, session, now=start + 29)
            later = await deliver_due(store, wecom.url, session, now=start + 30)
            afterwards = await deliver_due(store, wecom.url, session, now=start + 10_000)
            return wecom, queued, [first, too_early, later, afterwards]

    wecom, queued, results = asyncio.run(scenario())
    assert results == [(0, 1), (0, 0), (1, 0), (0, 0)]
    assert queued.attempts == 1 and queued.delivered_at is None and queued.claimed_until is None
    assert queued.last_error == ("http 500" if failure == "http" else "errcode 93000 invalid webhook url")
    assert len(wecom.received) == 2 and len(wecom.accepted) == 1
    assert store.list_outbox()[0].delivered_at == start + 30


def test_receiver_down_is_a_failure_not_an_exception(store):
    add_lead(store)
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario():
        async with aiohttp.ClientSession() as session:
            return await deliver_due(store, f"http://127.0.0.1:{port}/cgi-bin/webhook/send", session)

    assert asyncio.run(scenario()) == (0, 1)
    [item] = store.list_outbox()
    assert item.attempts == 1 and item.last_error.startswith("connection") and item.delivered_at is None


def test_without_a_webhook_everything_stays_queued(store):
    add_lead(store)
    store.add_handoff("wechat", "conv-2", [], True, key="conv-2:1")

    async def scenario():
        async with aiohttp.ClientSession() as session:
            return await deliver_due(store, "", session)

    assert asyncio.run(scenario()) == (0, 0)
    assert [(item.attempts, item.delivered_at, item.claimed_until) for item in store.list_outbox()] == [
        (0, None, None),
        (0, None, None),
    ]
