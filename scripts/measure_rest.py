"""Serial REST latency and resident memory of both servers (`make measure`).

Starts the servers on the trained model, sends every held-out utterance one after
another over the REST channel (a new conversation every five messages, like short
investor sessions), and prints p50/p95 latency and each server's resident memory.
Load at many concurrent conversations: `make bench` (bench/)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.memory import tree_rss_mb
from publishing.nlu_score import read_examples
from scripts.live_servers import PROJECT_ROOT, Servers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"))
    args = parser.parse_args()
    texts = [text for text, _ in read_examples(Path(args.data))]
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(Path(workdir))
        started = time.perf_counter()
        servers.start_action_server()
        servers.start_rasa()
        print(f"servers ready in {time.perf_counter() - started:.1f} s")
        try:
            servers.say("warm-up", "你好")
            latencies = []
            for index, text in enumerate(texts):
                begin = time.perf_counter()
                servers.say(f"measure-{index // 5}", text)
                latencies.append(time.perf_counter() - begin)
            latencies.sort()
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            print(
                f"serial REST latency over {len(latencies)} messages: "
                f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {latencies[-1] * 1000:.0f} ms"
            )
            print(
                f"resident memory: Rasa server {tree_rss_mb(servers.rasa.pid):.0f} MB, "
                f"action server {tree_rss_mb(servers.action.pid):.0f} MB"
            )
        finally:
            servers.stop(servers.rasa)
            servers.stop(servers.action)
    return 0


if __name__ == "__main__":
    sys.exit(main())
