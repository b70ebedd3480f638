"""serving/lock_store.py against a real redis-server on loopback: two stores stand for two
Rasa instances sharing one Redis."""

from __future__ import annotations

import asyncio

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from scripts.live_servers import free_port
from serving.local_services import LocalRedis
from serving.lock_store import AtomicRedisLockStore, key_prefix_from


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    server = LocalRedis(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    yield server.port
    server.stop()


def store(port, **settings):
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=port, db=0, key_prefix="test", **settings))


def test_messages_of_one_conversation_go_one_at_a_time_in_arrival_order(redis_port):
    first, second = store(redis_port), store(redis_port)  # two instances
    order, inside = [], []

    async def message(lock_store, name, hold):
        async with lock_store.lock("conv-a"):
            inside.append(name)
            assert len(inside) == 1, f"{inside} held the lock together"
            order.append(name)
            await asyncio.sleep(hold)
            inside.remove(name)

    async def scenario():
        tasks = []
        for index, name in enumerate(["m1", "m2", "m3", "m4"]):
            tasks.append(asyncio.ensure_future(message([first, second][index % 2], name, 0.1)))
            # Yield once: the new task takes its ticket in its first step (a synchronous
            # Redis call), so arrival order is m1..m4 however slow the machine is.
            await asyncio.sleep(0)
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    assert order == ["m1", "m2", "m3", "m4"]


def test_other_conversations_do_not_wait(redis_port):
    lock_store = store(redis_port)
    entered = []

    async def scenario():
        async with lock_store.lock("conv-b"):
            async with lock_store.lock("conv-c"):  # would never enter if conv-b blocked it
                entered.append("conv-c")

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    assert entered == ["conv-c"]


def test_keys_are_removed_after_the_last_message(redis_port):
    lock_store = store(redis_port)

    async def scenario():
        async with lock_store.lock("conv-d"):
            assert redis.Redis(port=redis_port).exists("test:lock:conv-d") == 1

    asyncio.run(scenario())
    assert redis.Redis(port=redis_port).keys("test:lock:conv-d*") == []


def test_a_holder_that_never_releases_blocks_only_until_its_ticket_expires(redis_port):
    lock_store = store(redis_port)
    client = redis.Redis(port=redis_port)
    # A crashed instance's ticket: taken with a 0.3 s lifetime and never released.
    crashed = lock_store._take(keys=lock_store._keys("conv-e"), args=[300, 60])
    assert crashed[0] == crashed[1]

    async def scenario():
        async with lock_store.lock("conv-e", lock_lifetime=5):
            return client.lrange("test:lock:conv-e", 0, -1)

    tickets = asyncio.run(asyncio.wait_for(scenario(), timeout=5))
    assert [item.split(b":")[0] for item in tickets] == [b"2"]  # the expired ticket 1 is gone


def test_a_waiter_whose_own_ticket_expires_gets_a_lock_error(redis_port):
    lock_store = store(redis_port)

    async def scenario():
        async with lock_store.lock("conv-f", lock_lifetime=5):
            with pytest.raises(LockError, match="expired"):
                async with lock_store.lock("conv-f", lock_lifetime=0.2):
                    pass

    asyncio.run(asyncio.wait_for(scenario(), timeout=5))


def test_redis_down_is_a_lock_error_not_a_hang():
    lock_store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=free_port(), socket_timeout=1))

    async def scenario():
        async with lock_store.lock("conv-g"):
            pass

    with pytest.raises(LockError, match="conv-g"):
        asyncio.run(scenario())


def test_key_prefix_must_be_alphanumeric():
    assert key_prefix_from("xiangtan") == "xiangtan:lock:"
    assert key_prefix_from(None) == "lock:"
    with pytest.raises(ValueError, match="letters and digits"):
        key_prefix_from("bad prefix!")
