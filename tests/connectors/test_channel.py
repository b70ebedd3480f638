"""The secure socket.io channel's session and message handling, with a fake server."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest

from connectors.limits import OriginsNotSet, parse_origins
from connectors.socketio_secure import tokens
from connectors.socketio_secure.channel import SecureSocketIOInput

SECRET = "k" * 40


class FakeSio:
    def __init__(self) -> None:
        self.sessions: Dict[str, Dict[str, Any]] = {}
        self.rooms: Dict[str, set] = {}
        self.emitted: List[tuple] = []
        self.addresses: Dict[str, str] = {}  # sid -> the client's address (default 127.0.0.1)

    def get_environ(self, sid):
        return {"REMOTE_ADDR": self.addresses.get(sid, "127.0.0.1")}

    async def get_session(self, sid):
        return self.sessions.setdefault(sid, {})

    async def save_session(self, sid, session):
        self.sessions[sid] = session

    async def enter_room(self, sid, room):
        self.rooms.setdefault(sid, set()).add(room)

    async def leave_room(self, sid, room):
        self.rooms.get(sid, set()).discard(room)

    async def emit(self, event, data, room=None):
        self.emitted.append((event, data, room))


def channel():
    return SecureSocketIOInput(session_secret=SECRET)


def confirm(sio, sid):
    return [data for event, data, room in sio.emitted if event == "session_confirm" and room == sid][-1]


def test_new_visitor_gets_a_fresh_signed_session():
    sio, ch = FakeSio(), channel()
    asyncio.run(ch._grant_session(sio, "sid1", {}))
    grant = confirm(sio, "sid1")
    assert grant["resumed"] is False and tokens.verify(SECRET, grant["session_id"], grant["token"])
    assert sio.rooms["sid1"] == {"web:" + grant["session_id"]}  # the room is the conversation


def test_returning_visitor_with_valid_token_resumes():
    sio, ch = FakeSio(), channel()
    old = tokens.new_session(SECRET)
    asyncio.run(ch._grant_session(sio, "sid2", {"session_id": old.session_id, "token": old.token}))
    grant = confirm(sio, "sid2")
    assert grant["resumed"] is True and grant["session_id"] == old.session_id


def test_asking_for_someone_elses_session_gives_a_fresh_one():
    sio, ch = FakeSio(), channel()
    victim = tokens.new_session(SECRET)
    for forged in (None, "", "1.abc", tokens.new_session(SECRET).token):
        asyncio.run(ch._grant_session(sio, "attacker", {"session_id": victim.session_id, "token": forged}))
        grant = confirm(sio, "attacker")
        assert grant["session_id"] != victim.session_id and grant["resumed"] is False
        assert not any(victim.session_id in room for room in sio.rooms["attacker"])


def run_message(ch, sio, sid, data, seen):
    async def on_new_message(message):
        seen.append((message.sender_id, message.text))
        await message.output_channel.send_text_message(message.sender_id, f"回复：{message.text}")

    return asyncio.run(ch._handle_message(sio, sid, data, on_new_message))


def test_messages_are_sent_as_the_socket_session_not_the_claimed_one():
    sio, ch, seen = FakeSio(), channel(), []
    asyncio.run(ch._grant_session(sio, "sid", {}))
    own = confirm(sio, "sid")["session_id"]
    result = run_message(
        ch, sio, "sid", {"message": "你好", "session_id": "victim-session-id-0000000", "message_id": "m1"}, seen
    )
    assert seen == [("web:" + own, "你好")]  # the widget's namespace, the socket's session
    assert result["messages"][0]["text"] == "回复：你好"


def test_message_before_session_is_refused():
    sio, seen = FakeSio(), []
    assert run_message(channel(), sio, "nobody", {"message": "hi"}, seen) == {"error": "no_session"}
    assert seen == []


def test_resent_message_is_processed_once():
    sio, ch, seen = FakeSio(), channel(), []
    asyncio.run(ch._grant_session(sio, "sid", {}))
    first = run_message(ch, sio, "sid", {"message": "机场", "message_id": "abc"}, seen)
    again = run_message(ch, sio, "sid", {"message": "机场", "message_id": "abc"}, seen)
    assert first == again and len(seen) == 1


def test_bad_payloads_and_long_messages():
    sio, ch, seen = FakeSio(), channel(), []
    asyncio.run(ch._grant_session(sio, "sid", {}))
    assert run_message(ch, sio, "sid", "not a dict", seen) == {"error": "bad_message"}
    assert run_message(ch, sio, "sid", {"message": 5}, seen) == {"error": "bad_message"}
    run_message(ch, sio, "sid", {"message": "长" * 5000, "message_id": "long", "metadata": "{bad json"}, seen)
    assert len(seen[-1][1]) == 2000


def test_only_the_page_is_kept_of_the_clients_metadata():
    sio, ch = FakeSio(), channel()
    asyncio.run(ch._grant_session(sio, "sid", {}))
    seen_metadata = []

    async def on_new_message(message):
        seen_metadata.append(message.metadata)

    blob = {"page": "/about.html", "blob": "x" * 100_000, "input_channel": "wechat"}
    asyncio.run(ch._handle_message(sio, "sid", {"message": "你好", "metadata": blob}, on_new_message))
    asyncio.run(ch._handle_message(sio, "sid", {"message": "你好", "metadata": {"page": "p" * 5000}}, on_new_message))
    asyncio.run(ch._handle_message(sio, "sid", {"message": "你好", "metadata": [1, 2]}, on_new_message))
    assert seen_metadata == [{"page": "/about.html"}, {"page": "p" * 200}, {}]


def test_allowed_origins():
    assert parse_origins("*") == "*"
    for unset in (None, "", "  "):  # before: empty meant every site
        with pytest.raises(OriginsNotSet, match="WIDGET_ALLOWED_ORIGINS"):
            parse_origins(unset)
    assert parse_origins("https://a.cn, https://b.cn") == ["https://a.cn", "https://b.cn"]


def test_answers_carry_a_signature_the_feedback_api_checks():
    sio, ch, seen = FakeSio(), channel(), []
    asyncio.run(ch._grant_session(sio, "sid", {}))
    session_id = confirm(sio, "sid")["session_id"]
    result = run_message(ch, sio, "sid", {"message": "机场远吗", "message_id": "m9"}, seen)
    answer = result["messages"][0]
    key = tokens.feedback_key(SECRET)
    assert tokens.answer_signed(key, session_id, "m9-0", "机场远吗", answer["text"], answer["feedback_token"])
    assert not tokens.answer_signed(key, session_id, "m9-0", "机场远吗", "编造的答案", answer["feedback_token"])
    assert not tokens.answer_signed(
        key, "another-session-id-000000", "m9-0", "机场远吗", answer["text"], answer["feedback_token"]
    )
    assert not tokens.answer_signed(key, session_id, "m9-0", "机场远吗", answer["text"], None)


def test_a_flooding_session_and_a_flooding_address_get_a_polite_reply_without_a_turn():
    sio, ch, seen = FakeSio(), channel(), []
    asyncio.run(ch._grant_session(sio, "sid", {}))
    limit = ch.chat_limits.by_conversation.limit
    replies = [
        run_message(ch, sio, "sid", {"message": f"问题{n}", "message_id": f"f{n}"}, seen) for n in range(limit + 3)
    ]
    assert len(seen) == limit and "稍等" in replies[-1]["messages"][0]["text"]
    # A resend of an answered message still gets its answer, not the refusal.
    assert run_message(ch, sio, "sid", {"message": "问题0", "message_id": "f0"}, seen) == replies[0]
    # Many fresh sessions from one address are held by the address limit.
    ch2, seen2 = channel(), []
    for n in range(ch2.chat_limits.by_address.limit + 2):
        sid = f"s{n}"
        asyncio.run(ch2._grant_session(sio, sid, {}))
        run_message(ch2, sio, sid, {"message": "你好", "message_id": "x"}, seen2)
    assert len(seen2) == ch2.chat_limits.by_address.limit
    sio.addresses["elsewhere"] = "203.0.113.9"
    asyncio.run(ch2._grant_session(sio, "elsewhere", {}))
    run_message(ch2, sio, "elsewhere", {"message": "你好", "message_id": "x"}, seen2)
    assert len(seen2) == ch2.chat_limits.by_address.limit + 1  # another address is served
