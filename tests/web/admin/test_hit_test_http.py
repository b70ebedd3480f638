"""The 命中测试 page on a real web app (no Rasa running: the page says so and still
shows the words' candidates), and the parse client against a fake Rasa HTTP API."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.loader import load_knowledge
from tests.web.admin.conftest import csrf_of
from web.admin.hit_test_pages import parse_with_rasa, read_turns


def test_the_page_answers_a_conversation_and_adds_a_phrasing(admin_server) -> None:
    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/hittest"
    csrf = csrf_of(session, url)
    reply = session.post(url, data={"csrf_token": csrf, "text": "黄花机场离园区多远\n那高铁呢"})
    assert reply.status_code == 200
    assert reply.text.count('data-testid="hit-turn"') == 2
    assert 'data-testid="hit-model-missing"' in reply.text  # no Rasa API in this test
    assert "airport" in reply.text  # the keyword search's candidate, with its score
    added = session.post(
        url + "/phrasing", data={"csrf_token": csrf, "faq_id": "airport", "text": "去黄花机场要开多久的车"}
    )
    assert added.status_code == 200 and "已把“去黄花机场要开多久的车”加为 airport 的问法" in added.text
    faqs = load_knowledge(admin_server.workspace / "knowledge").knowledge.faqs
    assert "去黄花机场要开多久的车" in faqs["airport"].phrasings


def test_bad_input_is_refused_with_a_message(admin_server) -> None:
    session = admin_server.login("editor1")
    url = admin_server.url + "/admin/hittest"
    csrf = csrf_of(session, url)
    for text, message in (("   ", "请输入"), ("\n".join(["问"] * 9), "最多测试 8 句"), ("长" * 201, "最多 200 字")):
        reply = session.post(url, data={"csrf_token": csrf, "text": text})
        assert reply.status_code == 422 and message in reply.text
    unknown = session.post(url + "/phrasing", data={"csrf_token": csrf, "faq_id": "no_such", "text": "随便"})
    assert "未能添加" in unknown.text


def test_read_turns_keeps_the_lines_in_order():
    assert read_turns(" 园区在哪 \n\n那机场呢\n") == ["园区在哪", "那机场呢"]
    with pytest.raises(ValueError):
        read_turns("")


class FakeRasa(BaseHTTPRequestHandler):
    status = 200
    seen: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.seen.append((self.path, body["text"]))
        self.send_response(FakeRasa.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"text": body["text"], "intent": {"name": "faq", "confidence": 0.9}}).encode())

    def log_message(self, *args) -> None:
        pass


def test_the_parse_client_asks_rasa_with_the_token_and_gives_up_cleanly():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        parses = asyncio.run(parse_with_rasa(url, "secret-token", ["园区在哪", "那机场呢"]))
        assert [p["text"] for p in parses] == ["园区在哪", "那机场呢"]
        assert FakeRasa.seen[0] == ("/model/parse?token=secret-token", "园区在哪")
        FakeRasa.status = 500
        assert asyncio.run(parse_with_rasa(url, "secret-token", ["园区在哪"])) == [None]
        assert asyncio.run(parse_with_rasa(url, None, ["园区在哪"])) == [None]  # API off: not asked
    finally:
        server.shutdown()
        server.server_close()
    assert asyncio.run(parse_with_rasa(url, "secret-token", ["园区在哪"])) == [None]  # server gone
