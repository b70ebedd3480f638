"""Password checks run off the event loop (web/admin/hashing.py)."""

from __future__ import annotations

import asyncio
import threading

from web.admin import hashing, views


def test_a_slow_check_does_not_stop_the_event_loop():
    release = threading.Event()

    def slow_check() -> str:
        release.wait(30)  # stands in for argon2: blocks its thread, not the loop
        return "checked"

    async def scenario():
        check = asyncio.ensure_future(hashing.off_loop(slow_check))
        await asyncio.sleep(0)
        # the loop still runs other requests' work while the check is blocked
        other = await asyncio.wait_for(asyncio.sleep(0, result="health answered"), timeout=5)
        assert not check.done()
        release.set()
        return other, await check

    assert asyncio.run(scenario()) == ("health answered", "checked")


def test_the_login_view_checks_passwords_off_the_loop():
    assert views.off_loop is hashing.off_loop
    assert "off_loop(admin.users.authenticate" in __import__("inspect").getsource(views.login)
