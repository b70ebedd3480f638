"""Signed widget session tokens."""

from __future__ import annotations

import pytest

from connectors.socketio_secure import tokens

SECRET = "s" * 40


def test_new_sessions_are_unique_and_verify():
    first, second = tokens.new_session(SECRET), tokens.new_session(SECRET)
    assert first.session_id != second.session_id and len(first.session_id) >= 22
    assert tokens.verify(SECRET, first.session_id, first.token)


def test_token_is_bound_to_its_session():
    first, second = tokens.new_session(SECRET), tokens.new_session(SECRET)
    assert not tokens.verify(SECRET, second.session_id, first.token)


def test_token_from_another_secret_fails():
    grant = tokens.new_session("t" * 40)
    assert not tokens.verify(SECRET, grant.session_id, grant.token)


def test_tampered_or_malformed_tokens_fail():
    grant = tokens.new_session(SECRET)
    issued, signature = grant.token.split(".")
    assert not tokens.verify(SECRET, grant.session_id, f"{int(issued) + 1}.{signature}")
    for bad in ["", "abc", "1.", ".sig", None, 42, "1.forged"]:
        assert not tokens.verify(SECRET, grant.session_id, bad)
    for bad_id in ["", "short", "../../etc", None, "x" * 200]:
        assert not tokens.verify(SECRET, bad_id, grant.token)


def test_expired_and_future_tokens_fail():
    grant = tokens.new_session(SECRET, now=1_000_000)
    assert tokens.verify(SECRET, grant.session_id, grant.token, now=1_000_000 + 3600)
    assert not tokens.verify(SECRET, grant.session_id, grant.token, now=1_000_000 + tokens.DEFAULT_MAX_AGE_SECONDS + 1)
    assert not tokens.verify(SECRET, grant.session_id, grant.token, now=1_000_000 - 3600)


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_weak_secret_is_refused(secret):
    with pytest.raises(tokens.WeakSecret):
        tokens.check_secret(secret)
