"""Slows password guessing at /admin/login without telling anyone which names exist and
without letting anyone lock a staff member out.

The old rule (five wrong passwords lock the account for 15 minutes) did both wrong: a
real name got 429 and an unknown one 401, and five anonymous posts locked any staff
member out. Here:
- **per client address:** after FREE_FAILURES failures in the window, each further
  attempt from that address must wait a delay that doubles with every failure (5 s,
  10 s, 20 s … at most MAX_DELAY_SECONDS). It counts failures, whatever the name, so it
  says nothing about names.
- **per account name:** failures against one name are counted the same whether the name
  exists or not. Past ACCOUNT_FREE_FAILURES, attempts on that name wait a doubling delay
  too, except from a browser that has logged in as that name before (a signed
  "known device" cookie, web/admin/views.py): the attacker's many addresses slow down
  while the staff member's own browser logs in as usual. When failures against one name
  come from ALERT_CLIENTS or more addresses, an alert is raised once per window (the
  caller writes it to the audit log, shown on the dashboard).
- a success clears the failures of that address and that name.

Memory only, in the one web app process (workers=1): a restart forgets the counts,
which errs towards staff being able to log in. Attempts never stay longer than the
window, and at most MAX_TRACKED keys are kept (oldest dropped), so a flood of invented
names cannot grow it without bound."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Set

FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = 10
ALERT_CLIENTS = 3
BASE_DELAY_SECONDS = 5.0
WINDOW_SECONDS = 15 * 60
MAX_DELAY_SECONDS = 15 * 60
MAX_TRACKED = 10_000
MAX_NAME_CHARS = 64


@dataclass
class _Failures:
    times: List[float] = field(default_factory=list)
    clients: Set[str] = field(default_factory=set)
    alerted_at: float = float("-inf")

    def prune(self, now: float) -> None:
        self.times = [at for at in self.times if now - at < WINDOW_SECONDS]
        if not self.times:
            self.clients.clear()


@dataclass(frozen=True)
class Alert:
    username: str
    failures: int
    clients: int

    def describe(self) -> str:
        return (
            f"{self.failures} failed logins for this name from {self.clients} addresses "
            f"in {WINDOW_SECONDS // 60} minutes"
        )


def _delay(failures: int, free: int) -> float:
    """Seconds to wait after the latest failure: 0 within the free failures, then doubling."""
    if failures < free:
        return 0.0
    return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0 ** (failures - free))


def account_key(username: object) -> str:
    return str(username or "").strip().casefold()[:MAX_NAME_CHARS]


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._clients: "OrderedDict[str, _Failures]" = OrderedDict()
        self._accounts: "OrderedDict[str, _Failures]" = OrderedDict()

    def _get(self, table: "OrderedDict[str, _Failures]", key: str, now: float) -> _Failures:
        failures = table.pop(key, None) or _Failures()
        failures.prune(now)
        table[key] = failures  # most recently used last
        while len(table) > MAX_TRACKED:
            table.popitem(last=False)
        return failures

    def wait_seconds(self, client: str, username: object, known_device: bool = False) -> float:
        """How long this attempt must still wait (0: go ahead). The same for any name."""
        now = self.clock()
        by_client = self._get(self._clients, client, now)
        waits = [self._remaining(by_client, FREE_FAILURES, now)]
        if not known_device:
            waits.append(
                self._remaining(self._get(self._accounts, account_key(username), now), ACCOUNT_FREE_FAILURES, now)
            )
        return max(waits)

    @staticmethod
    def _remaining(failures: _Failures, free: int, now: float) -> float:
        if not failures.times:
            return 0.0
        return max(0.0, failures.times[-1] + _delay(len(failures.times), free) - now)

    def failed(self, client: str, username: object) -> Optional[Alert]:
        """Count a failed attempt; an Alert when one name is being guessed from many addresses."""
        now, name = self.clock(), account_key(username)
        self._get(self._clients, client, now).times.append(now)
        account = self._get(self._accounts, name, now)
        account.times.append(now)
        account.clients.add(client)
        if len(account.clients) >= ALERT_CLIENTS and now - account.alerted_at >= WINDOW_SECONDS:
            account.alerted_at = now
            return Alert(name, len(account.times), len(account.clients))
        return None

    def succeeded(self, client: str, username: object) -> None:
        self._clients.pop(client, None)
        self._accounts.pop(account_key(username), None)
