"""Rasa's per-conversation ticket lock on Redis, in two round trips per message.

Why: Rasa's RedisLockStore keeps each conversation's lock as one JSON value and edits it
from Python. Taking and releasing the lock reads it four times, writes it twice and
deletes it once: seven synchronous Redis round trips per message, each blocking the
Rasa process's event loop. py-spy put them at 9.5 % of a Rasa process's time under
`make bench` (docs/performance.md). The read-then-write is also not atomic: two
instances taking a ticket for the same conversation at the same moment can both read
the old value and one ticket is lost.

What it does: the same ticket algorithm (first come, first served, each ticket expiring
after the lock lifetime), but each step is one Lua script that Redis runs atomically:
- take a ticket: drop expired tickets, number a new one, say who is first;
- check while waiting: drop expired tickets, say who is first;
- release: remove the ticket, and the keys once no ticket is left.
An uncontended message costs two round trips. The clock is the Redis server's, so
instances on machines whose clocks differ still agree on when a ticket expires.

Configured in deploy/endpoints.prod.yml as `type: serving.lock_store.AtomicRedisLockStore`
with Rasa's redis lock store keys (url, port, db, username, password, use_ssl,
key_prefix, socket_timeout).
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

# How often a message waiting behind another message of its conversation looks again.
# Rasa's own store waits a whole second; a check here is one cheap round trip.
POLL_SECONDS = 0.05
# Keys outlive the last ticket's lifetime by this much, so a crashed holder leaves nothing.
KEY_GRACE_SECONDS = 60

_PRELUDE = """
redis.replicate_commands()
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function number_of(item) return tonumber(string.match(item, '^(%d+):')) end
local function drop_expired(key, now)
  for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do
    if tonumber(string.match(item, ':(%d+)$')) < now then redis.call('LREM', key, 1, item) end
  end
end
local function first_number(key)
  local first = redis.call('LINDEX', key, 0)
  if not first then return -1 end
  return number_of(first)
end
"""

# KEYS: tickets list, counter. ARGV: lifetime in ms. Returns {ticket, first ticket}.
_TAKE = (
    _PRELUDE
    + """
local now = now_ms()
drop_expired(KEYS[1], now)
local ticket = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[1], ticket .. ':' .. (now + tonumber(ARGV[1])))
local ttl = math.ceil(tonumber(ARGV[1]) / 1000) + tonumber(ARGV[2])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {ticket, first_number(KEYS[1])}
"""
)

# KEYS: tickets list. ARGV: ticket. Returns the first ticket, or -2 when ours expired.
_CHECK = (
    _PRELUDE
    + """
drop_expired(KEYS[1], now_ms())
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if number_of(item) == tonumber(ARGV[1]) then return first_number(KEYS[1]) end
end
return -2
"""
)

# KEYS: tickets list, counter. ARGV: ticket.
_RELEASE = (
    _PRELUDE
    + """
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if number_of(item) == tonumber(ARGV[1]) then redis.call('LREM', KEYS[1], 1, item) end
end
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""
)


def key_prefix_from(value: Optional[str]) -> str:
    if value is None or value == "":
        return "lock:"
    if not isinstance(value, str) or not value.isalnum():
        raise ValueError(f"lock_store key_prefix must be letters and digits only, not {value!r}")
    return f"{value}:lock:"


def _setting(settings: dict, name: str, default: Any) -> Any:
    """An endpoints.yml value; an empty ${VARIABLE} means the default (0 is a value)."""
    value = settings.get(name)
    return default if value is None or value == "" else value


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.key_prefix = key_prefix_from(settings.get("key_prefix"))
        self.red = redis.StrictRedis(
            host=(endpoint_config.url if endpoint_config and endpoint_config.url else "localhost"),
            port=int(_setting(settings, "port", 6379)),
            db=int(_setting(settings, "db", 1)),
            username=settings.get("username") or None,
            password=settings.get("password") or None,
            ssl=bool(settings.get("use_ssl", False)),
            socket_timeout=float(_setting(settings, "socket_timeout", 10)),
        )
        self._take = self.red.register_script(_TAKE)
        self._check = self.red.register_script(_CHECK)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str):
        return [f"{self.key_prefix}{conversation_id}", f"{self.key_prefix}{conversation_id}:next"]

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncGenerator[int, None]:
        keys = self._keys(conversation_id)
        try:
            ticket, first = self._take(keys=keys, args=[int(lock_lifetime * 1000), KEY_GRACE_SECONDS])
        except redis.RedisError as error:
            raise LockError(f"Could not take a lock ticket for conversation '{conversation_id}': {error}") from error
        try:
            await self._wait_for_turn(conversation_id, keys, ticket, first, wait_time_in_seconds)
            yield ticket
        finally:
            try:
                self._release(keys=keys, args=[ticket])
            except redis.RedisError:
                pass  # the ticket expires by itself after lock_lifetime

    async def _wait_for_turn(self, conversation_id: str, keys, ticket: int, first: int, poll_seconds: float) -> None:
        while first != ticket:
            await asyncio.sleep(poll_seconds)
            try:
                first = self._check(keys=keys[:1], args=[ticket])
            except redis.RedisError as error:
                raise LockError(
                    f"Lost the lock store while waiting for conversation '{conversation_id}': {error}"
                ) from error
            if first == -2:
                raise LockError(f"The lock ticket for conversation '{conversation_id}' expired while waiting.")
