"""The production profile for real (`make live`, part of `make test`): PostgreSQL and
Redis on loopback, two Rasa instances behind nginx, the action server and web app
separate, started by serving/stack.py exactly as `make run-prod` starts them.

Shows that a conversation whose turns alternate between instances keeps its context,
that stopping an instance under load loses no conversation, and that the assistant
survives its faults: action server down, PostgreSQL restarted, a model pull failing.
The tests share one stack and run in file order (the last one stops an instance)."""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest

from connectors.never_silent import try_again_text
from scripts.live_servers import MODEL, TOKEN, free_port, harness_env, http
from serving.local_services import LocalPostgres, LocalRedis
from serving.nginx import nginx_binary
from tests.live_content import AIRPORT, INVESTMENT_GROWTH, OUTPUT, OUTPUT_GROWTH

pytestmark = pytest.mark.live


def text_of(messages: List[Dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    try:
        nginx_binary()
    except FileNotFoundError as missing:
        pytest.fail(f"{missing}; .ci/run installs it")
    pg_folder = Path(tempfile.mkdtemp(prefix="prod-pg-"))  # reachable by the postgres user
    postgres = LocalPostgres(pg_folder, free_port())
    redis = LocalRedis(tmp_path_factory.mktemp("redis"), free_port())
    postgres.start()
    redis.start()
    yield postgres, redis
    redis.stop()
    postgres.stop()
    shutil.rmtree(pg_folder, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(services, tmp_path_factory):
    from serving.stack import ProductionStack

    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first")
    postgres, redis = services
    workdir = tmp_path_factory.mktemp("prod")
    live_model = workdir / "live-model.tar.gz"  # the web app serves this copy; a test corrupts it
    shutil.copy(MODEL, live_model)
    running = ProductionStack(
        workdir,
        postgres.url,
        redis.url,
        instances=2,
        base_env=harness_env(workdir),
        rasa_token=TOKEN,
        extra_env={"LIVE_MODEL": str(live_model), "REST_CHANNEL_TOKEN": REST_TOKEN},
    )
    running.live_model = live_model
    running.start_all()
    yield running
    running.stop_all()


REST_TOKEN = "prod-test-rest-channel-token-0123456789"
REST_HEADERS = {"Authorization": f"Bearer {REST_TOKEN}"}


def say_to(url: str, sender: str, text: str) -> List[Dict]:
    status, body = http(
        "POST", url + "/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout=60, headers=REST_HEADERS
    )
    assert status == 200, body
    return json.loads(body)


def user_texts(stack, sender: str) -> List[str]:
    status, body = http("GET", f"{stack.instance_url(0)}/conversations/rest:{sender}/tracker?token={TOKEN}")
    assert status == 200, body
    return [e["text"] for e in json.loads(body)["events"] if e["event"] == "user"]


def test_rest_is_served_only_with_the_token(stack):
    body = {"sender": "no-token", "message": "机场远吗"}
    assert http("POST", stack.instance_url(0) + "/webhooks/rest/webhook", body)[0] == 401
    wrong = {"Authorization": "Bearer " + "x" * len(REST_TOKEN)}
    assert http("POST", stack.rasa_url + "/webhooks/rest/webhook", body, headers=wrong)[0] == 401
    assert AIRPORT in text_of(say_to(stack.rasa_url, "with-token", "机场远吗"))


def test_turns_alternating_between_instances_keep_their_context(stack):
    first, second = stack.instance_url(0), stack.instance_url(1)
    assert OUTPUT in text_of(say_to(first, "alternating", "工业总产值多少"))
    assert OUTPUT_GROWTH in text_of(say_to(second, "alternating", "增长了多少"))  # which figure: from instance 1's turn
    text = text_of(say_to(first, "alternating", "那固定资产投资呢"))
    assert "固定资产投资" in text and INVESTMENT_GROWTH in text
    assert user_texts(stack, "alternating") == ["工业总产值多少", "增长了多少", "那固定资产投资呢"]


def test_conversations_through_nginx_keep_context_whichever_instance_answers(stack):
    for index in range(6):
        assert OUTPUT in text_of(stack.say(f"spread-{index}", "工业总产值多少"))
    for index in range(6):
        # whichever instance nginx picks, it finds the conversation in PostgreSQL
        assert OUTPUT_GROWTH in text_of(stack.say(f"spread-{index}", "增长了多少"))


def test_action_server_down_gives_try_again_not_silence_and_service_recovers(stack):
    assert OUTPUT in text_of(stack.say("action-fault", "工业总产值多少"))
    stack.stop(stack.action)
    try:
        for question in ("离机场多远", "請問離機場多遠"):
            messages = stack.say("action-fault", question)
            assert [m.get("text") for m in messages] == [try_again_text(question)]
    finally:
        stack.start_action_server()
    # Back: answered normally, and the conversation still knows the figure asked about.
    assert AIRPORT in text_of(stack.say("action-fault", "离机场多远"))
    assert OUTPUT_GROWTH in text_of(stack.say("action-fault", "工业总产值增长了多少"))
    assert "离机场多远" in user_texts(stack, "action-fault")


def test_database_restart_loses_no_stored_conversation(stack, services):
    postgres, _ = services
    assert OUTPUT in text_of(stack.say("db-restart", "工业总产值多少"))
    postgres.stop()
    try:
        # While PostgreSQL is down an investor still gets an answer, never silence.
        assert text_of(stack.say("db-down", "离机场多远")).strip()
    finally:
        postgres.start()
    # The first turn after the restart is answered from the stored conversation (the
    # pooled connections died with the server; pool_pre_ping replaces them).
    for instance in (0, 1):
        assert OUTPUT_GROWTH in text_of(say_to(stack.instance_url(instance), "db-restart", "增长了多少"))
    assert user_texts(stack, "db-restart")[:2] == ["工业总产值多少", "增长了多少"]


class DroppingModelServer:
    """Stands on the model server's port while it is down and drops every connection,
    counting them: each one is a pull that failed, so the test waits for pulls, not time."""

    def __init__(self, port: int) -> None:
        self.pulls = threading.Semaphore(0)
        self._socket = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._socket.settimeout(0.5)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except socket.timeout:
                continue
            connection.close()  # the puller sees a dropped connection, like a crashed server
            self.pulls.release()

    def wait_for_pulls(self, count: int, seconds: float) -> None:
        for seen in range(count):
            assert self.pulls.acquire(timeout=seconds), f"only {seen} model pulls within {seconds} s"

    def close(self) -> None:
        self._stopped.set()
        self._thread.join()
        self._socket.close()


def wait_for_log(path: Path, text: str, start: int, seconds: float) -> None:
    """Waits until `text` appears in the log after byte `start` (an event the server writes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path, "rb") as log:
            log.seek(start)
            if text.encode() in log.read():
                return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not in {path.name} within {seconds} s")


def test_failed_model_pulls_keep_the_current_model_serving(stack):
    def fingerprints() -> List[str]:
        return [
            json.loads(http("GET", f"{stack.instance_url(i)}/status?token={TOKEN}")[1])["model_id"] for i in range(2)
        ]

    before = fingerprints()
    good = stack.live_model.read_bytes()
    # 1. The model server is down and its port drops connections: pulls fail. Two
    #    failed pulls per instance (MODEL_PULL_SECONDS is 2 here) before we ask.
    stack.stop(stack.web)
    dropping = DroppingModelServer(stack.web_port)
    try:
        dropping.wait_for_pulls(2 * len(stack.instances), seconds=120)
        assert AIRPORT in text_of(stack.say("pull-fault", "离机场多远"))
    finally:
        dropping.close()
    stack.start_web()
    # 2. The model server serves a broken file with a new ETag: the download works,
    #    loading it fails (Rasa logs it), and each instance keeps the model it had.
    logs = [stack.logs / f"rasa-{i}.log" for i in range(len(stack.instances))]
    sizes = [log.stat().st_size for log in logs]
    stack.live_model.write_bytes(b"not a model" * 1000)
    try:
        for log, size in zip(logs, sizes):
            wait_for_log(log, "Failed to update model", size, seconds=120)
        assert OUTPUT in text_of(stack.say("pull-fault", "工业总产值多少"))
        assert fingerprints() == before
    finally:
        stack.live_model.write_bytes(good)
    assert OUTPUT_GROWTH in text_of(stack.say("pull-fault", "增长了多少"))


def test_stopping_an_instance_under_load_loses_no_conversation(stack):
    """Twelve conversations talk through nginx while instance 2 is stopped: every turn is
    answered, and every conversation's stored history has every turn, in order."""
    turns = ["你好", "工业总产值多少", "增长了多少", "离机场多远", "那固定资产投资呢", "税收有什么优惠", "谢谢"]
    answered: Dict[str, List[str]] = {}
    problems: List[str] = []
    halfway = threading.Event()

    def conversation(index: int) -> None:
        sender = f"under-load-{index}"
        answered[sender] = []
        for number, text in enumerate(turns * 2):
            if index == 0 and number == 4:
                halfway.set()
            status, body = http(
                "POST",
                stack.rasa_url + "/webhooks/rest/webhook",
                {"sender": sender, "message": text},
                timeout=60,
                headers=REST_HEADERS,
            )
            if status != 200 or not text_of(json.loads(body)).strip():
                problems.append(f"{sender} {text}: {status} {body[:200]}")
            answered[sender].append(text)

    with ThreadPoolExecutor(12) as pool:
        running = [pool.submit(conversation, index) for index in range(12)]
        assert halfway.wait(120)
        stack.stop_instance(1)  # SIGTERM: it finishes what it has, nginx sends the rest to instance 1
        for future in running:
            future.result()
    assert stack.instances[1].poll() is not None
    assert problems == []
    for sender, texts in answered.items():
        assert user_texts(stack, sender) == texts, sender
