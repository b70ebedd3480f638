"""Login throttling (web/admin/throttle.py) on a fake clock: it slows guessing, says
nothing about which names exist, and cannot keep a staff member out."""

from __future__ import annotations

from web.admin import throttle
from web.admin.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(limiter, client, name, times):
    return [limiter.failed(client, name) for _ in range(times)]


def test_a_client_is_slowed_after_the_free_failures_with_a_doubling_delay() -> None:
    clock = Clock()
    limiter = LoginThrottle(clock)
    fail(limiter, "1.2.3.4", "alice", throttle.FREE_FAILURES - 1)
    assert limiter.wait_seconds("1.2.3.4", "alice") == 0
    limiter.failed("1.2.3.4", "alice")
    assert limiter.wait_seconds("1.2.3.4", "anything-else") == throttle.BASE_DELAY_SECONDS  # any name
    assert limiter.wait_seconds("5.6.7.8", "bob") == 0  # another address is not slowed
    clock.now += 1
    assert limiter.wait_seconds("1.2.3.4", "alice") == throttle.BASE_DELAY_SECONDS - 1
    limiter.failed("1.2.3.4", "alice")
    assert limiter.wait_seconds("1.2.3.4", "alice") == 2 * throttle.BASE_DELAY_SECONDS
    clock.now += throttle.WINDOW_SECONDS
    assert limiter.wait_seconds("1.2.3.4", "alice") == 0  # failures older than the window are forgotten


def test_a_real_name_and_an_unknown_name_are_treated_alike() -> None:
    limiter = LoginThrottle(Clock())
    waits = {}
    for name in ("alice", "no-such-user"):
        waits[name] = []
        for attempt in range(throttle.ACCOUNT_FREE_FAILURES + 3):
            limiter.failed(f"10.0.0.{attempt}", name)  # a fresh address each time
            waits[name].append(limiter.wait_seconds("192.168.1.1", name))
    assert waits["alice"] == waits["no-such-user"] and waits["alice"][-1] > 0


def test_a_name_guessed_from_many_addresses_is_slowed_but_not_for_its_owners_browser() -> None:
    limiter = LoginThrottle(Clock())
    alerts = [limiter.failed(f"10.0.0.{n}", "alice") for n in range(throttle.ACCOUNT_FREE_FAILURES + 5)]
    assert limiter.wait_seconds("192.168.1.1", "alice") > 0
    assert limiter.wait_seconds("192.168.1.1", "alice", known_device=True) == 0
    raised = [alert for alert in alerts if alert]
    assert len(raised) == 1  # once per window
    assert raised[0].username == "alice" and raised[0].clients == throttle.ALERT_CLIENTS
    assert "addresses" in raised[0].describe()


def test_one_address_alone_raises_no_alert_and_a_success_clears_the_counts() -> None:
    limiter = LoginThrottle(Clock())
    assert not any(fail(limiter, "1.2.3.4", "Alice", 30))
    limiter.succeeded("1.2.3.4", "alice")  # names compare without case
    assert limiter.wait_seconds("1.2.3.4", "alice") == 0


def test_the_delay_is_capped_and_memory_is_bounded(monkeypatch) -> None:
    clock = Clock()
    limiter = LoginThrottle(clock)
    fail(limiter, "1.2.3.4", "alice", 60)
    assert limiter.wait_seconds("1.2.3.4", "alice") == throttle.MAX_DELAY_SECONDS
    monkeypatch.setattr(throttle, "MAX_TRACKED", 50)
    for n in range(200):
        limiter.failed(f"10.1.{n // 250}.{n % 250}", f"invented-{n}")
    assert len(limiter._clients) <= 50 and len(limiter._accounts) <= 50
