"""The channel's store in Redis, shared by several Rasa instances (REDIS_URL).

Every decision that must happen once is a single atomic Redis command: SET NX for the
nonce, for who processes a message and for who delivers its answer. Waiting for an
answer polls its key (a retry is rare; polling keeps this free of pub/sub state)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import List, Optional

from connectors.wechat.render import Rendered
from connectors.wechat.store import ANSWER_TTL_SECONDS, NONCE_TTL_SECONDS, USER_STATE_TTL_SECONDS

POLL_SECONDS = 0.05
PREFIX = "zone:wechat:"


class RedisStore:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis_asyncio

        self.redis = redis_asyncio.from_url(url, decode_responses=True)

    async def accept_nonce(self, nonce: str, timestamp: str, message_key: str) -> bool:
        key = f"{PREFIX}nonce:{nonce}:{timestamp}"
        if await self.redis.set(key, message_key, nx=True, ex=NONCE_TTL_SECONDS):
            return True
        return await self.redis.get(key) == message_key

    async def begin(self, key: str) -> bool:
        return bool(await self.redis.set(f"{PREFIX}owner:{key}", "1", nx=True, ex=ANSWER_TTL_SECONDS))

    async def wait_answer(self, key: str, timeout: float) -> Optional[Rendered]:
        deadline = time.monotonic() + timeout
        while True:
            raw = await self.redis.get(f"{PREFIX}answer:{key}")
            if raw is not None:
                data = json.loads(raw)
                return Rendered(data["parts"], data["options"])
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    async def set_answer(self, key: str, rendered: Rendered) -> None:
        value = json.dumps({"parts": rendered.parts, "options": rendered.options}, ensure_ascii=False)
        await self.redis.set(f"{PREFIX}answer:{key}", value, ex=ANSWER_TTL_SECONDS)

    async def mark_gave_up(self, key: str) -> None:
        await self.redis.set(f"{PREFIX}gaveup:{key}", "1", ex=ANSWER_TTL_SECONDS)

    async def gave_up(self, key: str) -> bool:
        return bool(await self.redis.exists(f"{PREFIX}gaveup:{key}"))

    async def claim_delivery(self, key: str) -> bool:
        return bool(await self.redis.set(f"{PREFIX}delivered:{key}", "1", nx=True, ex=ANSWER_TTL_SECONDS))

    async def set_options(self, open_id: str, payloads: List[str]) -> None:
        await self.redis.set(
            f"{PREFIX}options:{open_id}", json.dumps(payloads, ensure_ascii=False), ex=USER_STATE_TTL_SECONDS
        )

    async def option(self, open_id: str, number: int) -> Optional[str]:
        raw = await self.redis.get(f"{PREFIX}options:{open_id}")
        payloads = json.loads(raw) if raw else []
        return payloads[number - 1] if 1 <= number <= len(payloads) else None

    async def set_overflow(self, open_id: str, parts: List[str]) -> None:
        key = f"{PREFIX}overflow:{open_id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if parts:
                pipe.rpush(key, *parts)
                pipe.expire(key, USER_STATE_TTL_SECONDS)
            await pipe.execute()

    async def next_overflow(self, open_id: str) -> Optional[str]:
        return await self.redis.lpop(f"{PREFIX}overflow:{open_id}")
