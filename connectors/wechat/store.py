"""What the channel remembers between requests: seen nonces (replay), messages in
flight or answered (WeChat's retries), numbered options and "继续" overflow per follower.

In memory here, for one instance; several instances need a shared store (Redis), which
keeps this interface."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

ANSWER_TTL_SECONDS = 600
NONCE_TTL_SECONDS = 600  # longer than the timestamp window, so a replay is always caught


@dataclass
class Exchange:
    """One follower message: its answer (when ready) and who delivered it."""

    answer: "asyncio.Future[Dict[str, Any]]"
    created: float = field(default_factory=time.monotonic)
    delivered: bool = False
    passive_gave_up: bool = False  # a request already answered "success" for it

    def claim_delivery(self) -> bool:
        """True exactly once: for the passive reply or the customer-service API."""
        if self.delivered:
            return False
        self.delivered = True
        return True


class _Expiring(OrderedDict):
    def __init__(self, ttl: float, max_entries: int = 100_000) -> None:
        super().__init__()
        self.ttl, self.max_entries = ttl, max_entries

    def put(self, key: Any, value: Any) -> None:
        self[key] = (time.monotonic(), value)
        self.move_to_end(key)
        self.prune()

    def value(self, key: Any) -> Any:
        item = self.get(key)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]

    def prune(self) -> None:
        now = time.monotonic()
        while self and (len(self) > self.max_entries or now - next(iter(self.values()))[0] > self.ttl):
            self.popitem(last=False)


class LocalStore:
    def __init__(self) -> None:
        self._nonces = _Expiring(NONCE_TTL_SECONDS)
        self._exchanges = _Expiring(ANSWER_TTL_SECONDS)
        self._options = _Expiring(24 * 3600)
        self._overflow = _Expiring(24 * 3600)

    def accept_nonce(self, nonce: str, timestamp: str, message_key: str) -> bool:
        """False for a nonce already used by a different message (a replay); the same
        message coming again is WeChat retrying and is handled by de-duplication."""
        key = (nonce, timestamp)
        seen = self._nonces.value(key)
        if seen is not None:
            return seen == message_key
        self._nonces.put(key, message_key)
        return True

    def exchange(self, key: str) -> Optional[Exchange]:
        return self._exchanges.value(key)

    def start_exchange(self, key: str) -> Exchange:
        exchange = Exchange(asyncio.get_running_loop().create_future())
        self._exchanges.put(key, exchange)
        return exchange

    def set_options(self, open_id: str, payloads: List[str]) -> None:
        self._options.put(open_id, payloads)

    def option(self, open_id: str, number: int) -> Optional[str]:
        payloads = self._options.value(open_id) or []
        return payloads[number - 1] if 1 <= number <= len(payloads) else None

    def set_overflow(self, open_id: str, parts: List[str]) -> None:
        self._overflow.put(open_id, parts)

    def next_overflow(self, open_id: str) -> Optional[str]:
        parts = self._overflow.value(open_id)
        if not parts:
            return None
        first, rest = parts[0], parts[1:]
        if rest:
            self._overflow.put(open_id, rest)
        else:
            self._overflow.pop(open_id, None)
        return first
