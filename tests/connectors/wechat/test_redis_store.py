"""Two channel instances sharing a real Redis server (started on loopback by the test):
retries, replays, options and the access_token are shared, each message processed and
delivered once."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time

import pytest

from connectors.wechat.channel import WeChatInput
from connectors.wechat.customer_service import CustomerServiceClient
from connectors.wechat.redis_store import RedisStore
from scripts.live_servers import free_port
from tests.connectors.wechat.simulator import (
    SAMPLE_AES_KEY,
    SAMPLE_APP_ID,
    SAMPLE_TOKEN,
    FakeCustomerServiceApi,
    SimulatedWeChat,
)
from tests.connectors.wechat.test_channel import FakeAssistant, post


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for these tests: apt-get install -y redis-server (.ci/run does)")
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def two_instances(redis_url, api_url, reply_window=0.3, aes_key=""):
    return [
        WeChatInput(
            SAMPLE_TOKEN,
            SAMPLE_APP_ID,
            "secret",
            aes_key,
            api_url,
            reply_window=reply_window,
            store=RedisStore(redis_url),
            redis_url=redis_url,
        )
        for _ in range(2)
    ]


def test_retry_on_another_instance_waits_for_the_first_answer(redis_url):
    simulator, assistant = SimulatedWeChat("safe"), FakeAssistant(delay=0.8)

    async def scenario():
        api = await FakeCustomerServiceApi().start()
        first, second = two_instances(redis_url, api.url, aes_key=SAMPLE_AES_KEY)
        xml = simulator.text("openid-multi", "土地资源充足吗", msg_id=880001)
        attempt_a = await post(first, simulator, xml, assistant)  # times out: "success"
        attempt_b = await post(second, simulator, xml, assistant)  # WeChat's retry, other instance
        attempt_c = await post(second, simulator, xml, assistant)
        await first.drain()
        await second.drain()
        await api.stop()
        return [attempt_a, attempt_b, attempt_c], api.sent

    attempts, sent = asyncio.run(scenario())
    passive = [text for _, text in attempts if text]
    assert len(assistant.seen) == 1
    assert len(passive) + len(sent) == 1
    assert (passive or [sent[0][1]])[0] == "答：土地资源充足吗"


def test_replayed_nonce_is_refused_by_the_other_instance(redis_url):
    simulator, assistant = SimulatedWeChat(), FakeAssistant()

    async def scenario():
        first, second = two_instances(redis_url, "http://127.0.0.1:9", reply_window=2)
        sent_at = int(time.time())  # a replay repeats the original's timestamp and nonce
        one = await post(first, simulator, simulator.text("o-r", "第一条"), assistant, nonce="31337", timestamp=sent_at)
        two = await post(
            second, simulator, simulator.text("o-r", "换了内容"), assistant, nonce="31337", timestamp=sent_at
        )
        return one[0], two[0]

    assert asyncio.run(scenario()) == (200, 403)


def test_options_and_continue_are_shared(redis_url):
    simulator = SimulatedWeChat()

    async def scenario():
        first, second = two_instances(redis_url, "http://127.0.0.1:9", reply_window=2)
        greeting = await post(first, simulator, simulator.event("o-opt", "subscribe"), FakeAssistant())
        choice = await post(second, simulator, simulator.text("o-opt", "1"), FakeAssistant())
        long_first = await post(first, simulator, simulator.text("o-opt", "介绍"), FakeAssistant(long_answer=True))
        more = await post(second, simulator, simulator.text("o-opt", "继续"), FakeAssistant())
        return greeting[1], choice[1], long_first[1], more[1]

    greeting, choice, long_first, more = asyncio.run(scenario())
    assert "回复 1" in greeting and choice == "答：交通方便吗"
    assert "继续" in long_first and more and more != long_first


def test_access_token_is_shared_between_instances(redis_url):
    async def scenario():
        api = await FakeCustomerServiceApi().start()
        clients = [CustomerServiceClient(api.url, SAMPLE_APP_ID, "secret", redis_url=redis_url) for _ in range(3)]
        await clients[0]._redis.delete(clients[0]._token_key)
        await asyncio.gather(*(client.send_text(f"u{i}", "hi") for i, client in enumerate(clients * 3)))
        for client in clients:
            await client.close()
        await api.stop()
        return api.token_requests, len(api.sent)

    assert asyncio.run(scenario()) == (1, 9)
