"""Staff work end to end in headless Chromium against the real servers, on a scratch copy
of the project: log in, fix an answer and a figure (live within 10 s, no retraining), add
an FAQ, publish it (train, regression gate, model switch) and ask the assistant; then a
publish whose gate fails leaves the live model untouched; then one click rolls back.

Run by `make browser` (part of `make test`); a publish trains a model (~3-4 minutes)."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import pytest

from kb.loader import load_knowledge
from publishing.jobs import REFUSED, JobStore
from publishing.models import ModelRegistry
from publishing.pipeline import Publisher, PublishSettings
from scripts.live_servers import MODEL, PROJECT_ROOT, TOKEN, Servers, http
from tests.web.admin.conftest import make_workspace
from web.admin.users import UserStore

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
PASSWORD = "publisher-password-1"
NEW_QUESTION = "园区里有没有篮球场？"
NEW_PHRASINGS = [
    "园区有篮球场吗",
    "能打篮球吗",
    "有没有篮球馆",
    "篮球场在哪里",
    "园区篮球场",
    "附近有打篮球的地方吗",
    "下班能打篮球吗",
    "有室外篮球场吗",
    "员工打篮球去哪",
    "园区体育设施有篮球场吗",
    "篮球场",
    "打篮球",
]
NEW_ANSWER = "知识库中没有园区篮球场的具体信息，可以为您联系招商服务人员了解。"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first")
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
    root = tmp_path_factory.mktemp("publish")
    workspace = make_workspace(root / "project")
    shutil.copyfile(MODEL, workspace / "models" / "assistant.tar.gz")
    UserStore(root / "admin.db").add("publisher1", PASSWORD, "publisher")
    servers = Servers(root, workspace)
    servers.start_all()
    servers.initial_model_id = rasa_model_id(servers)
    yield servers, workspace, root
    servers.stop_all()


@pytest.fixture(scope="module")
def page(stack):
    from playwright.sync_api import sync_playwright

    servers = stack[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        opened = context.new_page()
        opened.goto(servers.web_url + "/admin/")
        opened.get_by_test_id("login-username").fill("publisher1")
        opened.get_by_test_id("login-password").fill(PASSWORD)
        opened.get_by_test_id("login-submit").click()
        opened.wait_for_selector("text=概览")
        yield opened
        browser.close()


def rasa_model_id(servers: Servers) -> str:
    status, body = http("GET", f"{servers.rasa_url}/status?token={TOKEN}")
    assert status == 200, body
    return json.loads(body)["model_id"]


def model_id_while_switching(servers: Servers) -> Optional[str]:
    """The running model's id, or None while Rasa is busy loading the pulled model (it
    loads it on its event loop, so /status may not answer for a while on a busy machine)."""
    try:
        return rasa_model_id(servers)
    except OSError:  # includes socket timeouts
        return None


def answer_text(servers: Servers, sender: str, question: str) -> str:
    return "\n".join(message.get("text", "") for message in servers.say(sender, question))


def wait_for_answer(servers: Servers, question: str, expected: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if expected in answer_text(servers, f"probe-{time.monotonic()}", question):
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"{expected!r} not in the answer to {question!r} after {seconds} s")


def test_an_edited_answer_is_live_within_ten_seconds(stack, page) -> None:
    servers = stack[0]
    assert "黄花" in answer_text(servers, "before-edit", "离黄花机场多远")
    page.goto(servers.web_url + "/admin/faq/airport")
    page.get_by_test_id("faq-answer").fill("从园区开车到长沙黄花国际机场只要{airport_drive_time}（已由工作人员更新）。")
    page.get_by_test_id("faq-save").click()
    page.wait_for_selector("[data-testid=flash]")
    assert "已保存" in page.get_by_test_id("flash").inner_text()
    wait_for_answer(servers, "离黄花机场多远", "已由工作人员更新", 10)


def test_an_edited_figure_is_live_within_ten_seconds(stack, page) -> None:
    servers = stack[0]
    page.goto(servers.web_url + "/admin/figures/industrial_output")
    page.get_by_test_id("figure-value").fill("888.8")
    page.get_by_test_id("figure-save").click()
    page.wait_for_selector("[data-testid=flash]")
    wait_for_answer(servers, "工业总产值是多少", "888.8", 10)


def test_add_an_faq_publish_and_the_assistant_answers_it(stack, page) -> None:
    servers, workspace, _ = stack
    live_before = ModelRegistry(
        workspace / "models" / "assistant.tar.gz", workspace / "models" / "history"
    ).fingerprint()
    page.goto(servers.web_url + "/admin/faq/new")
    page.get_by_test_id("faq-category").select_option("living")
    page.get_by_test_id("faq-question").fill(NEW_QUESTION)
    page.get_by_test_id("faq-phrasings").fill("\n".join(NEW_PHRASINGS))
    page.get_by_test_id("faq-answer").fill(NEW_ANSWER)
    page.get_by_test_id("faq-section").select_option("living")
    page.get_by_test_id("faq-period").fill("2021")
    page.get_by_test_id("faq-save").click()
    page.wait_for_selector("[data-testid=flash]")
    assert "发布" in page.get_by_test_id("flash").inner_text()  # tells staff a publish is needed

    # A conversation in progress while the model switches keeps its context.
    assert "888.8" in answer_text(servers, "mid-conversation", "工业总产值是多少")
    page.goto(servers.web_url + "/admin/publish")
    assert page.get_by_test_id("unpublished").is_visible()
    page.get_by_test_id("publish-start").click()
    page.wait_for_selector("[data-testid=job-progress]")
    seen_progress = set()
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        status = page.get_by_test_id("job-status").get_attribute("data-status")
        seen_progress.add(page.get_by_test_id("job-progress").get_attribute("value"))
        if status != "running":
            break
        time.sleep(2)
    assert status == "succeeded", page.get_by_test_id("job-message").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-publish-done.png"), full_page=True)
    assert len(seen_progress) >= 3  # progress moved while it trained
    registry = ModelRegistry(workspace / "models" / "assistant.tar.gz", workspace / "models" / "history")
    assert registry.fingerprint() != live_before
    assert rasa_model_id(servers) != servers.initial_model_id  # Rasa switched without a restart
    growth = load_knowledge(workspace / "knowledge").knowledge.figures["industrial_output"].growth_pct
    assert f"{growth:g}%" in answer_text(servers, "mid-conversation", "增长了多少")  # still about 工业总产值
    wait_for_answer(servers, "园区里能打篮球吗", "篮球场", 60)


def test_a_publish_that_fails_the_gate_leaves_the_live_model_untouched(stack) -> None:
    servers, workspace, root = stack
    registry = ModelRegistry(workspace / "models" / "assistant.tar.gz", workspace / "models" / "history")
    live_before = registry.fingerprint()
    jobs = JobStore(root / "admin.db")
    # The same knowledge, with a gate no model passes (every held-out question right).
    settings = PublishSettings(
        project_dir=workspace,
        knowledge_dir=workspace / "knowledge",
        work_dir=root / "publish",
        heldout=PROJECT_ROOT / "tests" / "nlu" / "heldout.yml",
        min_heldout_accuracy=1.0,
        switch_timeout=5,
    )
    job = jobs.start("gate-test")
    publisher = Publisher(settings, jobs, registry, lambda fingerprint: False)
    # Playwright's sync API owns this thread's event loop; the publish gets its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, publisher.run(job.id)).result()
    result = jobs.get(job.id)
    assert result.status == REFUSED, result.message
    assert result.failures and all({"text", "expected", "predicted"} <= set(f) for f in result.failures)
    assert "留出测试集" in result.message
    assert registry.fingerprint() == live_before
    assert NEW_ANSWER[:10] in answer_text(servers, "after-refused", "园区里能打篮球吗")


def test_one_click_rolls_back_to_the_previous_model(stack, page) -> None:
    servers, workspace, _ = stack
    page.goto(servers.web_url + "/admin/publish")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("model-rollback").click()
    page.wait_for_selector("[data-testid=flash]")
    assert "已回滚" in page.get_by_test_id("flash").inner_text()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # Rasa pulls the previous model and runs it again
        if model_id_while_switching(servers) == servers.initial_model_id:
            assert servers.say("after-rollback", "离黄花机场多远")  # and keeps answering
            return
        time.sleep(2)
    raise AssertionError("the previous model did not come back within 180 s")


def test_dashboard_screenshot(stack, page) -> None:
    servers = stack[0]
    page.goto(servers.web_url + "/admin/")
    assert page.get_by_test_id("stat-messages").inner_text() != "0"  # the tests above talked to it
    page.screenshot(path=str(SCREENSHOTS / "admin-dashboard.png"), full_page=True)
