"""The Rasa API token is checked in constant time before Rasa's own `==` (connectors/api_token.py)."""

import hmac
from types import SimpleNamespace

from connectors import api_token


def request(path, token=None):
    return SimpleNamespace(path=path, args={"token": token} if token is not None else {})


def test_the_token_comes_from_the_rasa_command_line():
    assert api_token.token_from_argv(["rasa", "run", "--enable-api", "--auth-token", "s3cret"]) == "s3cret"
    assert api_token.token_from_argv(["rasa", "run", "-t", "abc"]) == "abc"
    assert api_token.token_from_argv(["rasa", "run", "--auth-token=xyz"]) == "xyz"
    assert api_token.token_from_argv(["rasa", "run", "--auth-token"]) is None
    assert api_token.token_from_argv(["rasa", "run"]) is None


def test_a_wrong_token_is_refused_with_a_constant_time_comparison(monkeypatch):
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(api_token.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    refused = api_token.refusal(request("/conversations/x/tracker", "s3cres"), "s3cret")
    assert refused.status == 401 and compared == [(b"s3cres", b"s3cret")]
    assert api_token.refusal(request("/conversations/x/tracker", "s3cret"), "s3cret") is None
    assert api_token.refusal(request("/status", "s3cr\u00e9t"), "s3cret").status == 401  # non-ASCII: no error


def test_requests_without_a_token_and_channel_webhooks_are_left_to_rasa():
    assert api_token.refusal(request("/status"), "s3cret") is None
    assert api_token.refusal(request("/webhooks/wechat/webhook", "anything"), "s3cret") is None
    assert api_token.refusal(request("/status", "anything"), None) is None
