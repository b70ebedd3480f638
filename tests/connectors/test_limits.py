"""What every channel accepts (connectors/limits.py) and the REST channel's use of it."""
from __future__ import annotations

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
    request = SimpleNamespace(json={"sender": "a\nb", "message": "长" * 3000, "input_channel": "wechat",
                                    "metadata": {"blob": "x" * 1000}})
    assert channel._extract_message(request) == "长" * limits.MAX_MESSAGE_CHARS
    assert channel._extract_input_channel(request) == "rest" and channel.get_metadata(request) is None
