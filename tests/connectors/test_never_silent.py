"""connectors/never_silent.py: a turn that produced no reply gets "try again shortly"."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors.never_silent import DEFAULT_TEXT, never_silent, try_again_text
from kb.text import to_traditional


def run(handler, text: str = "离机场多远") -> list:
    collector = CollectingOutputChannel()
    asyncio.run(never_silent(handler)(UserMessage(text, collector, "investor-1")))
    return collector.messages


async def answers(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "四十分钟车程")


async def stays_silent(message: UserMessage) -> None:
    return None  # what Rasa does when the action server is down: logs, no reply


async def raises(message: UserMessage) -> None:
    raise ConnectionError("action server unreachable")


def test_an_answered_turn_is_left_alone():
    assert [m["text"] for m in run(answers)] == ["四十分钟车程"]


@pytest.mark.parametrize("handler", [stays_silent, raises])
def test_a_silent_or_failed_turn_gets_the_try_again_message(handler):
    messages = run(handler)
    assert len(messages) == 1
    assert messages[0]["recipient_id"] == "investor-1"
    assert messages[0]["text"] == try_again_text("离机场多远")
    assert "稍后" in messages[0]["text"]


def test_the_apology_follows_the_investors_script():
    text = run(stays_silent, "請問離機場多遠")[0]["text"]
    assert text == to_traditional(try_again_text("离机场多远"))
    assert text != try_again_text("离机场多远")


def test_rasa_commands_that_are_silent_by_design_stay_silent():
    assert run(stays_silent, "/restart") == []


def test_the_message_comes_from_messages_yml_and_follows_staff_edits(tmp_path, setting):
    setting("KNOWLEDGE_DIR", str(tmp_path))
    path = tmp_path / "messages.yml"
    path.write_text("messages:\n  try_again_shortly: 系统维护中，请稍后再试。\n", encoding="utf-8")
    assert try_again_text() == "系统维护中，请稍后再试。"
    path.write_text("messages:\n  try_again_shortly: 请一分钟后再问一次。\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))  # a different mtime even on coarse clocks
    assert try_again_text() == "请一分钟后再问一次。"


@pytest.mark.parametrize("content", [None, "messages: [not, a, mapping", "messages:\n  other: x\n"])
def test_an_unreadable_or_incomplete_file_still_gives_an_apology(tmp_path, setting, content):
    setting("KNOWLEDGE_DIR", str(tmp_path))
    if content is not None:
        (tmp_path / "messages.yml").write_text(content, encoding="utf-8")
    assert try_again_text() == DEFAULT_TEXT
