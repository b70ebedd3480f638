"""What the channel remembers between requests: seen nonces (replay), messages in
flight or answered (WeChat's retries), numbered options and "继续" overflow per follower.

Two implementations of one async interface: LocalStore (memory, one instance, the
default) and RedisStore (redis_store.py, when REDIS_URL is set) so that several Rasa
instances share retries: a retry that lands on another instance waits for the first
instance's answer instead of running the actions again."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, List, Optional

from connectors.wechat.render import Rendered

ANSWER_TTL_SECONDS = 600
NONCE_TTL_SECONDS = 600  # longer than the timestamp window, so a replay is always caught
USER_STATE_TTL_SECONDS = 24 * 3600


@dataclass
class _Exchange:
    answer: "asyncio.Future[Rendered]"
    delivered: bool = False
    gave_up: bool = False


class _Expiring(OrderedDict):
    def __init__(self, ttl: float, max_entries: int = 100_000) -> None:
        super().__init__()
        self.ttl, self.max_entries = ttl, max_entries

    def put(self, key: Any, value: Any) -> None:
        self[key] = (time.monotonic(), value)
        self.move_to_end(key)
        now = time.monotonic()
        while self and (len(self) > self.max_entries or now - next(iter(self.values()))[0] > self.ttl):
            self.popitem(last=False)

    def value(self, key: Any) -> Any:
        item = self.get(key)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]


class LocalStore:
    def __init__(self) -> None:
        self._nonces = _Expiring(NONCE_TTL_SECONDS)
        self._exchanges = _Expiring(ANSWER_TTL_SECONDS)
        self._options = _Expiring(USER_STATE_TTL_SECONDS)
        self._overflow = _Expiring(USER_STATE_TTL_SECONDS)

    async def accept_nonce(self, nonce: str, timestamp: str, message_key: str) -> bool:
        """False for a nonce already used by a different message (a replay); the same
        message coming again is WeChat retrying and is handled by de-duplication."""
        key = (nonce, timestamp)
        seen = self._nonces.value(key)
        if seen is not None:
            return seen == message_key
        self._nonces.put(key, message_key)
        return True

    async def begin(self, key: str) -> bool:
        """True for the first request of a message: that one processes it."""
        if self._exchanges.value(key) is not None:
            return False
        self._exchanges.put(key, _Exchange(asyncio.get_running_loop().create_future()))
        return True

    async def wait_answer(self, key: str, timeout: float) -> Optional[Rendered]:
        exchange = self._exchanges.value(key)
        try:
            return await asyncio.wait_for(asyncio.shield(exchange.answer), timeout)
        except asyncio.TimeoutError:
            return None

    async def set_answer(self, key: str, rendered: Rendered) -> None:
        self._exchanges.value(key).answer.set_result(rendered)

    async def mark_gave_up(self, key: str) -> None:
        self._exchanges.value(key).gave_up = True

    async def gave_up(self, key: str) -> bool:
        return self._exchanges.value(key).gave_up

    async def claim_delivery(self, key: str) -> bool:
        """True exactly once per message: for the passive reply or the API."""
        exchange = self._exchanges.value(key)
        if exchange.delivered:
            return False
        exchange.delivered = True
        return True

    async def set_options(self, open_id: str, payloads: List[str]) -> None:
        self._options.put(open_id, payloads)

    async def option(self, open_id: str, number: int) -> Optional[str]:
        payloads = self._options.value(open_id) or []
        return payloads[number - 1] if 1 <= number <= len(payloads) else None

    async def set_overflow(self, open_id: str, parts: List[str]) -> None:
        self._overflow.put(open_id, parts)

    async def next_overflow(self, open_id: str) -> Optional[str]:
        parts = self._overflow.value(open_id)
        if not parts:
            return None
        if len(parts) > 1:
            self._overflow.put(open_id, parts[1:])
        else:
            self._overflow.pop(open_id, None)
        return parts[0]
