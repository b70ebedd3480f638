"""A resent message is answered from its first run, never processed twice."""

from __future__ import annotations

import asyncio

import pytest

from connectors.socketio_secure.replies import ReplyCache


def test_concurrent_and_later_duplicates_are_processed_once():
    calls = []

    async def process():
        calls.append(1)
        await asyncio.sleep(0.05)
        return {"messages": [{"text": "答复"}]}

    async def scenario():
        cache = ReplyCache()
        results = await asyncio.gather(*(cache.run_once(("s", "m1"), process) for _ in range(5)))
        later = await cache.run_once(("s", "m1"), process)
        other = await cache.run_once(("s", "m2"), process)
        return results, later, other

    results, later, other = asyncio.run(scenario())
    assert len(calls) == 2  # m1 once, m2 once
    assert all(r == {"messages": [{"text": "答复"}]} for r in results + [later, other])


def test_failure_lets_a_retry_process_again():
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("action server down")
        return {"messages": []}

    async def scenario():
        cache = ReplyCache()
        with pytest.raises(RuntimeError):
            await cache.run_once(("s", "m"), flaky)
        return await cache.run_once(("s", "m"), flaky)

    assert asyncio.run(scenario()) == {"messages": []} and len(attempts) == 2


def test_old_entries_expire():
    async def scenario():
        cache = ReplyCache(ttl_seconds=0)
        calls = []

        async def process():
            calls.append(1)
            return {}

        await cache.run_once(("s", "m"), process)
        await cache.run_once(("s", "m"), process)
        return len(calls)

    assert asyncio.run(scenario()) == 2
