"""Idempotent message handling: a message the widget resends after a dropped
connection (same message id) is answered from the first run, never processed twice."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Tuple

Result = Dict[str, Any]


class ReplyCache:
    """Results of recent messages by (session id, message id), in memory, bounded."""

    def __init__(self, max_entries: int = 10_000, ttl_seconds: float = 900) -> None:
        self._entries: "OrderedDict[Tuple[str, str], Tuple[float, asyncio.Future]]" = OrderedDict()
        self._max_entries = max_entries
        self._ttl = ttl_seconds

    def _evict(self, now: float) -> None:
        while self._entries:
            key, (created, future) = next(iter(self._entries.items()))
            if len(self._entries) <= self._max_entries and now - created < self._ttl:
                break
            if not future.done() and len(self._entries) <= self._max_entries * 2:
                break  # never drop a message still being processed unless flooded
            self._entries.popitem(last=False)

    def known(self, key: Tuple[str, str]) -> bool:
        """Was this message seen recently (a resend, answered from the first run)?"""
        return key in self._entries

    async def run_once(self, key: Tuple[str, str], process: Callable[[], Awaitable[Result]]) -> Result:
        """Process the message the first time; every repeat waits for and gets that result."""
        now = time.monotonic()
        self._evict(now)
        entry = self._entries.get(key)
        if entry is not None:
            return await asyncio.shield(entry[1])
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._entries[key] = (now, future)
        try:
            result = await process()
        except Exception:
            self._entries.pop(key, None)  # let a retry try again
            future.set_result({"error": "server_error"})
            raise
        future.set_result(result)
        return result
