"""What every channel accepts (connectors/limits.py) and the REST channel's use of it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from connectors import limits
from connectors.rest import NeverSilentRestInput


def test_message_text_is_capped_and_never_raises():
    assert limits.message_text("园" * 5000) == "园" * limits.MAX_MESSAGE_CHARS
    assert limits.message_text(12345) == limits.message_text(None) == limits.message_text(["a"]) == ""
    assert limits.message_text("\ud800机场") == "\ufffd机场"
    assert limits.message_text("\ud800机场").encode("utf-8")  # storable


def test_sender_ids_cannot_forge_log_lines():
    assert limits.sender_id("abc\nINFO forged line") == "abcINFO forged line"
    assert limits.sender_id("x" * 1000) == "x" * limits.MAX_SENDER_CHARS
    assert limits.sender_id(42) == "42" and limits.sender_id(None) == limits.sender_id(True) == ""


def test_the_rest_channel_takes_only_sender_and_text_from_the_caller():
    channel = NeverSilentRestInput()
    request = SimpleNamespace(
        json={"sender": "a\nb", "message": "长" * 3000, "input_channel": "wechat", "metadata": {"blob": "x" * 1000}}
    )
    assert channel._extract_message(request) == "长" * limits.MAX_MESSAGE_CHARS
    assert channel._extract_input_channel(request) == "rest" and channel.get_metadata(request) is None


def test_a_rest_caller_cannot_reach_another_channels_conversation():
    channel = NeverSilentRestInput()

    def sender(value):
        return asyncio.run(channel._extract_sender(SimpleNamespace(json={"sender": value, "message": "hi"})))

    # A follower's OpenID, bare or with the WeChat prefix, stays in the REST namespace.
    assert sender("oFollower123") == "rest:oFollower123"
    assert sender("wechat:oFollower123") == "rest:wechat:oFollower123"
    assert sender("web:9f1c0a") == "rest:web:9f1c0a"
    assert sender("") is None and sender(None) is None


def test_conversation_ids_map_back_to_the_channels_own_ids():
    conversation = limits.conversation_id("wechat", "oFollower")
    assert conversation == "wechat:oFollower" and limits.is_namespaced(conversation)
    assert not limits.is_namespaced("oFollower")


def _refusal(channel, authorization=None):
    headers = {"authorization": authorization} if authorization else {}
    refused = channel.refusal(SimpleNamespace(headers=headers))
    return refused.status if refused else None


def test_the_rest_channel_token():
    assert _refusal(NeverSilentRestInput()) is None  # local development: open
    off = NeverSilentRestInput.from_credentials({"token": "", "require_token": "true"})
    assert _refusal(off) == 403 and _refusal(off, "Bearer anything") == 403  # production, no token: off
    guarded = NeverSilentRestInput.from_credentials({"token": "s3cret-token", "require_token": "true"})
    assert _refusal(guarded) == 401 and _refusal(guarded, "Bearer wrong") == 401
    assert _refusal(guarded, "Bearer s3cret-token\u00e9") == 401  # non-ASCII never raises
    assert _refusal(guarded, "Bearer s3cret-token") is None
