"""Sliding-window rate limits for what anyone on the internet can send: chat messages
(every channel) and feedback (the web app).

One investor typing fast sends a message every few seconds; a script sends hundreds.
Each key (a session, a client address, an OpenID) may make `limit` requests per
`window` seconds; past that a channel answers politely (the `too_fast` message) without
running the turn, so the flood costs no model or action-server time. Counts are kept
in memory in each process: with several Rasa instances behind nginx each instance
counts its own share, which is still a limit per instance. At most MAX_KEYS keys are
kept (least recently used dropped), so invented keys cannot grow memory without bound."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import Callable, Deque

MAX_KEYS = 20_000


class RateLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one request for `key`; False when it is over the limit (not counted)."""
        now = self.clock()
        times = self._seen.pop(key, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        self._seen[key] = times
        while len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


class ChatLimits:
    """A message is allowed when its conversation and its client address are both under
    their limits. Defaults: 20 messages a minute per conversation (a fast typist sends
    a few), 60 a minute per address (an office behind one address)."""

    def __init__(
        self,
        per_conversation: int = 20,
        per_address: int = 60,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.by_conversation = RateLimiter(per_conversation, window, clock)
        self.by_address = RateLimiter(per_address, window, clock)

    def allow(self, conversation: str, address: str = "") -> bool:
        # Both are counted on every message, so a flood of conversations from one address
        # is held by the address limit and one conversation from many by its own.
        conversation_ok = self.by_conversation.allow(conversation)
        address_ok = self.by_address.allow(address) if address else True
        return conversation_ok and address_ok
