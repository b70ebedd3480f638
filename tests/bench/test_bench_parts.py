"""The bench's pieces: conversations from the held-out split, the load generator's
statistics against a small real HTTP server, the memory reading and the report."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import conversations, report
from bench.__main__ import OURS, STOCK, checks_for
from bench.load import LoadResult, run_load
from bench.memory import tree_rss_mb
from publishing.nlu_score import read_examples

HELDOUT = Path(__file__).resolve().parents[1] / "nlu" / "heldout.yml"


def test_conversations_use_only_held_out_wording_and_are_multi_turn():
    held_out = {text for text, _ in read_examples(HELDOUT)}
    built = conversations.build(HELDOUT, count=200)
    assert len(built) == 200
    assert all(turn in held_out for conv in built for turn in conv)
    assert min(len(c) for c in built) >= 2 and max(len(c) for c in built) >= 5
    assert built == conversations.build(HELDOUT, count=200)  # the same load every run


def test_a_file_without_questions_is_refused(tmp_path):
    path = tmp_path / "only_greetings.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no questions"):
        conversations.build(path, count=3)


def test_percentiles_are_nearest_rank():
    result = LoadResult(concurrency=1, seconds=10, latencies=[i / 100 for i in range(1, 101)])
    assert result.percentile(0.50) == pytest.approx(0.50)
    assert result.percentile(0.95) == pytest.approx(0.95)
    assert result.percentile(0.99) == pytest.approx(0.99)
    assert result.throughput == pytest.approx(10.0)
    assert LoadResult(concurrency=1, seconds=1).percentile(0.95) == 0.0


class FakeRest(BaseHTTPRequestHandler):
    """Answers like Rasa's REST channel; `silent` senders get [] and `broken` ones 500."""

    seen = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRest.seen.append((body["sender"], body["message"]))
        if body["message"] == "silent":
            payload, status = [], 200
        elif body["message"] == "broken":
            payload, status = {"error": "x"}, 500
        else:
            payload, status = [{"recipient_id": body["sender"], "text": "答复"}], 200
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_rest():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeRest.seen = []
    yield f"http://127.0.0.1:{server.server_port}/webhooks/rest/webhook"
    server.shutdown()


def test_load_counts_answers_and_treats_silence_and_http_errors_as_errors(fake_rest):
    convs = [["你好", "离机场多远"], ["silent", "broken", "谢谢"]]
    result = asyncio.run(run_load(fake_rest, convs, concurrency=2, seconds=1.0, sender_prefix="t"))
    assert result.messages > 0 and result.errors > 0
    assert any("silence" in e for e in result.error_samples)
    assert any("HTTP 500" in e for e in result.error_samples)
    # turns of one conversation go in order under one sender id
    by_sender = {}
    for sender, text in FakeRest.seen:
        by_sender.setdefault(sender, []).append(text)
    for sender, texts in by_sender.items():
        expected = convs[int(sender.rsplit("-", 1)[1]) % 2]
        assert texts == expected[: len(texts)]


def test_an_unreachable_server_is_all_errors():
    result = asyncio.run(run_load("http://127.0.0.1:9/webhooks/rest/webhook", [["你好"]], 1, 0.5, "t"))
    assert result.messages == 0 and result.errors >= 1


def test_memory_of_this_process_tree_is_read_from_proc():
    assert tree_rss_mb(os.getpid()) > 10
    assert tree_rss_mb(None) == 0.0
    assert tree_rss_mb(2**22 + 12345) == 0.0  # no such process


def row(target, level, mps, p95, errors=0):
    return {
        "target": target,
        "concurrency": level,
        "messages_per_s": mps,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "errors": errors,
        "messages": int(mps * 40),
        "error_samples": [],
    }


def test_checks_pass_and_fail_on_the_targets():
    accuracy = {OURS: {"intent_accuracy": 0.97}, STOCK: {"intent_accuracy": 0.90}}
    passing, ratio = checks_for([row(OURS, 50, 60, 900), row(STOCK, 50, 20, 3000)], accuracy, 50)
    assert ratio == pytest.approx(3.0) and all(c.startswith("PASS") for c in passing)
    failing, ratio = checks_for(
        [row(OURS, 50, 30, 1500, errors=2), row(STOCK, 50, 20, 3000)],
        {OURS: {"intent_accuracy": 0.8}, STOCK: {"intent_accuracy": 0.9}},
        50,
    )
    assert ratio == pytest.approx(1.5)
    assert [c.split()[0] for c in failing] == ["FAIL"] * 4


def test_report_writes_table_json_and_png(tmp_path):
    rows = [row(OURS, level, 10 * level, 100 * level) for level in (1, 10)] + [row(STOCK, 1, 5, 80)]
    report.write(
        tmp_path,
        rows,
        {OURS: {"Rasa #1": 1500.0}},
        {OURS: {"intent_accuracy": 0.97, "faq_selection_accuracy": 0.95}},
        ["PASS x"],
        {"cpus": 2},
    )
    assert "| this assistant | 10 | 100.0 |" in (tmp_path / "bench.md").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))["results"][0]["target"] == OURS
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
