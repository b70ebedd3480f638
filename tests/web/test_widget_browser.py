"""The chat widget end to end in headless Chromium (Debian's package, driven by
Playwright) against the real action server, Rasa server and web app.

Run by `make browser` (part of `make test`). Screenshots: results/screenshots/."""

from __future__ import annotations

import asyncio
import functools
import http.server as http_server
import json
import socketserver
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from inbox.feedback import FeedbackStore
from scripts.live_servers import PROJECT_ROOT, TOKEN, free_port, http
from tests.live_content import AIRPORT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The demo pages send a strict Content-Security-Policy; the tests bypass it so that
# Playwright's own evaluation works and the escaping (not CSP) is what is tested.
CONTEXT = {"bypass_csp": True, "locale": "zh-CN"}
BOT = "[data-testid=chat-message-bot]"
USER = "[data-testid=chat-message-user]"
USER_TEXT = USER + " .xtz-bubble"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **CONTEXT)
    opened = context.new_page()
    yield opened
    context.close()


def open_widget(page, url):
    page.goto(url)
    page.get_by_test_id("chat-launcher").click()
    page.wait_for_selector(BOT, timeout=30000)  # the welcome


def ask(page, text, click_send=False):
    before = page.locator(BOT).count()
    page.get_by_test_id("chat-input").fill(text)
    if click_send:
        page.get_by_test_id("chat-send").click()
    else:
        page.get_by_test_id("chat-input").press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length > {before}", timeout=30000)
    return page.locator(BOT).last.inner_text()


def stored_session(page):
    return page.evaluate("""() => {
        const key = Object.keys(localStorage).find(k => k.startsWith('xtz-chat:'));
        return JSON.parse(localStorage.getItem(key)).session;
    }""")


def tracker_user_texts(servers, session_id):
    status, body = http("GET", f"{servers.rasa_url}/conversations/web:{session_id}/tracker?token={TOKEN}")
    assert status == 200, body
    return [e.get("text") for e in json.loads(body)["events"] if e["event"] == "user"]


def test_welcome_topic_button_question_and_history(page, servers):
    open_widget(page, servers.web_url + "/")
    welcome = page.locator(BOT).first.inner_text()
    assert "投资服务助手" in welcome
    page.get_by_test_id("chat-quick-reply").filter(has_text="区位交通").click()
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length > 1", timeout=30000)
    assert "四位一体" in page.locator(BOT).last.inner_text()
    assert page.locator(USER_TEXT).last.inner_text() == "区位交通"

    answer = ask(page, "离黄花机场远不远")
    assert AIRPORT in answer and "来源" in answer
    assert page.locator(f"{BOT} time").count() >= 3  # timestamps

    count = page.locator(BOT).count()
    page.reload()
    page.wait_for_selector(BOT)
    assert page.locator(BOT).count() == count  # history survives a reload
    page.goto(servers.web_url + "/about.html")
    page.wait_for_selector(BOT)
    assert page.locator(BOT).count() == count  # and navigation on the same site
    assert AIRPORT in ask(page, "机场")  # and the conversation carries on


def test_thumbs_down_is_stored_with_question_and_answer(page, servers):
    open_widget(page, servers.web_url + "/")
    answer = ask(page, "有没有海外仓", click_send=True)
    down = page.get_by_test_id("chat-feedback-down").last
    down.click()
    page.wait_for_function("document.querySelector('.xtz-thanks') !== null")
    session_id = stored_session(page)["session_id"]
    for _ in range(50):
        rows = [f for f in FeedbackStore(servers.feedback_db).all() if f.session_id == session_id]
        if rows:
            break
        page.wait_for_timeout(100)
    assert len(rows) == 1
    assert rows[0].rating == "down" and rows[0].question == "有没有海外仓"
    assert "海外仓" in rows[0].answer and rows[0].answer.split("\n")[0] in answer


def test_typed_html_is_shown_as_text_never_run(page, servers):
    open_widget(page, servers.web_url + "/")
    typed = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">机场'
    ask(page, typed)
    assert page.locator(USER_TEXT).last.inner_text() == typed
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".xtz-log script, .xtz-log img").count() == 0


def test_long_paste_is_capped_with_visible_counter(page, servers):
    open_widget(page, servers.web_url + "/")
    page.get_by_test_id("chat-input").fill("园" * 2500)
    assert len(page.get_by_test_id("chat-input").input_value()) == 2000
    assert "2000/2000" in page.get_by_test_id("chat-counter").inner_text()
    assert "上限" in page.get_by_test_id("chat-counter").inner_text()


def test_keyboard_only(page, servers):
    page.goto(servers.web_url + "/")
    launcher = page.get_by_test_id("chat-launcher")
    assert launcher.get_attribute("aria-label")
    launcher.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(BOT, timeout=30000)
    assert page.evaluate("document.activeElement.dataset.testid") == "chat-input"
    page.keyboard.type("九华精神是什么")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length > 1", timeout=30000)
    assert "马上就办" in page.locator(BOT).last.inner_text()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.testid") == "chat-launcher"
    assert launcher.get_attribute("aria-expanded") == "false"


def test_another_visitors_session_cannot_be_taken_over(browser, servers):
    victim = browser.new_context(**CONTEXT).new_page()
    open_widget(victim, servers.web_url + "/")
    ask(victim, "工业总产值多少")
    victim_session = stored_session(victim)

    # The attacker knows the victim's session id and plants it, with a forged token.
    attacker = browser.new_context(**CONTEXT).new_page()
    attacker.goto(servers.web_url + "/")
    key = attacker.evaluate("Object.keys(localStorage).find(k => k.startsWith('xtz-chat:')) || null")
    key = key or f"xtz-chat:{servers.web_url}"
    forged = {
        "session": {"session_id": victim_session["session_id"], "token": "1.forged"},
        "messages": [],
        "pending": [],
        "open": False,
    }
    attacker.evaluate("([k, v]) => localStorage.setItem(k, JSON.stringify(v))", [key, forged])
    attacker.reload()
    attacker.get_by_test_id("chat-launcher").click()
    attacker.wait_for_selector(BOT, timeout=30000)
    ask(attacker, "增长了多少")
    attacker_session = stored_session(attacker)
    assert attacker_session["session_id"] != victim_session["session_id"]

    # Nothing the attacker typed reached the victim's conversation, and the victim
    # saw nothing of the attacker's.
    assert "增长了多少" not in tracker_user_texts(servers, victim_session["session_id"])
    assert victim.locator(USER_TEXT).all_inner_texts() == ["工业总产值多少"]

    # A raw socket.io client naming the victim's session in its messages fares no better.
    # (own thread: Playwright's sync API already runs an event loop in this one)
    with ThreadPoolExecutor(1) as pool:
        texts = pool.submit(asyncio.run, _raw_socket_attempt(servers, victim_session["session_id"])).result()
    assert "劫持测试" not in texts
    assert "劫持测试" not in tracker_user_texts(servers, victim_session["session_id"])
    victim.context.close()
    attacker.context.close()


async def _raw_socket_attempt(servers, victim_session_id):
    import socketio

    client = socketio.AsyncClient()
    confirmed = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda data: confirmed.set_result(data))
    # long-polling: the websocket client of this python-socketio needs a newer aiohttp than Rasa pins
    await client.connect(servers.rasa_url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": victim_session_id, "token": "0.deadbeef"})
    grant = await asyncio.wait_for(confirmed, 10)
    assert grant["session_id"] != victim_session_id and grant["resumed"] is False
    result = await client.call(
        "user_uttered", {"message": "劫持测试", "session_id": victim_session_id, "message_id": "raw1"}, timeout=30
    )
    await client.disconnect()
    assert "messages" in result
    return tracker_user_texts(servers, victim_session_id)


def test_dropped_connection_mid_message_neither_loses_nor_duplicates(page, servers):
    open_widget(page, servers.web_url + "/")
    page.get_by_test_id("chat-input").fill("税收有什么优惠")
    # Send and cut the connection in the same tick: the message is either unsent or
    # its answer is lost; either way it must arrive exactly once after reconnecting.
    page.evaluate("""() => {
        document.querySelector('[data-testid=chat-input]').form.requestSubmit();
        window.XtzChat.socket().io.engine.close();
    }""")
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=chat-message-bot]')].some(m => m.innerText.includes('税收优惠'))",
        timeout=45000,
    )
    page.wait_for_timeout(1500)  # any duplicate would have arrived by now
    assert page.locator(USER_TEXT).all_inner_texts().count("税收有什么优惠") == 1
    assert sum("税收优惠" in t for t in page.locator(BOT).all_inner_texts()) == 1
    session_id = stored_session(page)["session_id"]
    assert tracker_user_texts(servers, session_id).count("税收有什么优惠") == 1


def test_server_down_shows_a_clear_notice(page, servers):
    dead = f"http://127.0.0.1:{free_port()}"
    page.route(
        "**/widget/config",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps({"socket_url": dead, "socket_path": "/socket.io"}),
        ),
    )
    page.goto(servers.web_url + "/")
    page.get_by_test_id("chat-launcher").click()
    page.wait_for_selector(".xtz-notice:not([hidden])")
    page.wait_for_function("document.querySelector('.xtz-notice').innerText.includes('无法连接')", timeout=15000)
    assert page.get_by_test_id("chat-input").is_disabled()


class _QuietHandler(http_server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_one_line_embed_on_a_plain_page_of_another_port(browser, servers, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>合作伙伴网站</title></head>"
        "<body><h1>另一个网站</h1>"
        f'<script src="{servers.web_url}/widget/widget.js" data-server="{servers.web_url}" defer></script>'
        "</body></html>",
        encoding="utf-8",
    )
    port = servers.partner_port  # an origin the servers list as allowed
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    with socketserver.TCPServer(("127.0.0.1", port), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        page = browser.new_context(**CONTEXT).new_page()
        open_widget(page, f"http://127.0.0.1:{port}/")
        assert "四位一体" in ask(page, "交通方便吗")
        page.get_by_test_id("chat-feedback-up").last.click()
        page.wait_for_function("document.querySelector('.xtz-thanks') !== null")
        page.wait_for_timeout(500)
        assert page.get_by_test_id("chat-feedback-up").last.get_attribute("aria-pressed") == "true"
        session_id = stored_session(page)["session_id"]
        assert any(f.session_id == session_id and f.rating == "up" for f in FeedbackStore(servers.feedback_db).all())
        page.context.close()
        server.shutdown()


@pytest.mark.parametrize("name, viewport", [("desktop", (1280, 800)), ("phone-360", (360, 740))])
def test_screenshots_desktop_and_phone(browser, servers, name, viewport):
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        device_scale_factor=2 if name.startswith("phone") else 1,
        **CONTEXT,
    )
    page = context.new_page()
    open_widget(page, servers.web_url + "/")
    ask(page, "工业总产值多少")
    panel = page.locator(".xtz-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= viewport[0]  # fits a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"widget-{name}.png"))
    context.close()
