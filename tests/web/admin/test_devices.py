"""The "known device" cookie (web/admin/devices.py)."""

from web.admin import devices

KEY = devices.device_key("a-web-app-secret-of-at-least-32-characters")


def test_a_cookie_proves_one_name_until_it_expires() -> None:
    cookie = devices.issue(KEY, "alice", now=1000)
    assert devices.known(KEY, cookie, "alice", now=1000 + 86400)
    assert not devices.known(KEY, cookie, "bob", now=1000)
    assert not devices.known(KEY, cookie, "alice", now=1000 + devices.LIFETIME_SECONDS + 1)


def test_forged_tampered_or_garbage_cookies_prove_nothing() -> None:
    cookie = devices.issue(KEY, "alice", now=1000)
    name, expires, mac = cookie.split(".")
    assert not devices.known(KEY, f"{name}.{int(expires) + 999999}.{mac}", "alice", now=1000)
    assert not devices.known(devices.device_key("another-secret-of-at-least-32-chars!!"), cookie, "alice", now=1000)
    for garbage in (None, "", "a.b", "a.b.c.d", "!!!.1.x", "YWxpY2U.notanumber.x"):
        assert not devices.known(KEY, garbage, "alice", now=1000)
