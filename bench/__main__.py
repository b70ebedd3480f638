"""`make bench` (python -m bench): measured load on this machine.

1. Starts this assistant's production profile (serving/stack.py: PostgreSQL, Redis,
   N Rasa instances behind nginx, the action server) and drives the REST channel
   through nginx at 1, 10 and 50 concurrent conversations (bench/load.py).
2. Does the same for a stock-configuration Rasa: `rasa init`'s config.yml
   (bench/stock_config.yml: the default pipeline and policies) trained on the same
   domain and data, one `rasa run`, the same action server.
3. Held-out accuracy of both models (scripts/evaluate_nlu.py).
4. Prints and writes the table, memory and checks (results/bench/bench.md, .json, .png);
   the last line is the throughput ratio at 50 conversations.
Exit status 1 when a target of docs/performance.md is missed."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench import conversations as conversation_set
from bench import report
from bench.load import LoadResult, run_load
from bench.memory import tree_rss_mb
from core import settings
from scripts.live_servers import BIN, PROJECT_ROOT, TOKEN, Servers, free_port, harness_env
from serving.local_services import LocalPostgres, LocalRedis
from serving.stack import ProductionStack

OURS, STOCK, SINGLE = "this assistant", "stock Rasa", "this assistant, 1 instance"
STOCK_ENDPOINTS = str(PROJECT_ROOT / "bench" / "stock_endpoints.yml")
STOCK_CREDENTIALS = str(PROJECT_ROOT / "bench" / "stock_credentials.yml")


class MemorySampler:
    """Peak resident memory of each named server, sampled every second in a thread."""

    def __init__(self, pids: Callable[[], Dict[str, Optional[int]]]) -> None:
        self.pids, self.peak = pids, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids().items():
                self.peak[name] = max(self.peak.get(name, 0.0), tree_rss_mb(pid))
            self._stop.wait(1)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def log(text: str) -> None:
    print(text, flush=True)


def warm_up(url: str, conversations: List[List[str]], seconds: float, headers: Optional[Dict[str, str]] = None) -> None:
    """A fresh Rasa traces TensorFlow functions for each new input shape during its first
    few hundred messages; measuring then would charge start-up cost to every level. The
    same warm-up is given to every target and not counted."""
    log(f"  warming up for {seconds:.0f} s (not counted) ...")
    asyncio.run(
        run_load(
            url + "/webhooks/rest/webhook", conversations[::-1], 10, seconds, sender_prefix="warm-up", headers=headers
        )
    )


def drive(
    target: str,
    url: str,
    conversations: List[List[str]],
    levels: List[int],
    seconds: float,
    sampler_pids: Callable[[], Dict[str, Optional[int]]],
    headers: Optional[Dict[str, str]] = None,
) -> tuple:
    rows = []
    with MemorySampler(sampler_pids) as sampler:
        for level in levels:
            log(f"  {target}: {level} concurrent conversations for {seconds:.0f} s ...")

            def progress(partial: LoadResult) -> None:
                log(f"    ... {partial.messages} answered, {partial.errors} errors")

            result = asyncio.run(
                run_load(
                    url + "/webhooks/rest/webhook",
                    conversations,
                    level,
                    seconds,
                    sender_prefix=f"bench-{int(time.time())}",
                    on_progress=progress,
                    headers=headers,
                )
            )
            row = {"target": target, **result.summary()}
            log(
                f"    {row['messages_per_s']:.1f} messages/s, p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms,"
                f" p99 {row['p99_ms']:.0f} ms, {row['errors']} errors"
            )
            for sample in row["error_samples"]:
                log(f"    error: {sample}")
            rows.append(row)
    return rows, {name: round(mb) for name, mb in sampler.peak.items()}


def bench_production(args, workdir: Path, conversations, instances: int, target: str) -> tuple:
    pg_folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    postgres = LocalPostgres(pg_folder, free_port())
    redis = LocalRedis(workdir / "redis", free_port())
    postgres.start()
    redis.start()
    # The production profile serves REST only with a token; the bench is its caller.
    stack = ProductionStack(
        workdir / "stack",
        postgres.url,
        redis.url,
        instances=instances,
        base_env=harness_env(workdir / "stack"),
        rasa_token=TOKEN,
        extra_env={"REST_CHANNEL_TOKEN": secrets.token_urlsafe(32)},
    )
    (workdir / "stack").mkdir(exist_ok=True)
    try:
        started = time.perf_counter()
        stack.start_all()
        log(f"  started {instances} Rasa instance(s) behind nginx in {time.perf_counter() - started:.0f} s")
        warm_up(stack.rasa_url, conversations, args.warm_up, stack.rest_headers)

        def pids() -> Dict[str, Optional[int]]:
            named = {name: (p.pid if p and p.poll() is None else None) for name, p in stack.processes().items()}
            return {**named, "PostgreSQL": postgres.pid(), "Redis": redis.pid()}

        return drive(target, stack.rasa_url, conversations, args.levels, args.seconds, pids, stack.rest_headers)
    finally:
        stack.stop_all()
        redis.stop()
        postgres.stop()
        shutil.rmtree(pg_folder, ignore_errors=True)


def bench_stock(args, workdir: Path, conversations) -> tuple:
    servers = Servers(workdir)
    servers.model = Path(args.stock_model)
    try:
        started = time.perf_counter()
        servers.start_action_server()
        servers.rasa = servers._start(
            "rasa", servers.rasa_command(servers.rasa_port, STOCK_ENDPOINTS, STOCK_CREDENTIALS)
        )
        servers._wait(servers.rasa, servers.rasa_url + "/", "rasa")
        log(f"  started the stock Rasa in {time.perf_counter() - started:.0f} s")
        warm_up(servers.rasa_url, conversations, args.warm_up)

        def pids() -> Dict[str, Optional[int]]:
            return {"Rasa": servers.rasa.pid, "action server": servers.action.pid}

        return drive(STOCK, servers.rasa_url, conversations, args.levels, args.seconds, pids)
    finally:
        servers.stop_all()


def heldout(model: str, out: Path) -> dict:
    done = subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "scripts.evaluate_nlu",
            "--model",
            model,
            "--data",
            args_data(),
            "--min-accuracy",
            "0",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"held-out evaluation of {model} failed:\n{done.stderr[-3000:]}")
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def args_data() -> str:
    return str(PROJECT_ROOT / "tests" / "nlu" / "heldout.yml")


def checks_for(rows: List[dict], accuracy: Dict[str, dict], top: int) -> tuple:
    def at(target: str) -> Optional[dict]:
        return next((r for r in rows if r["target"] == target and r["concurrency"] == top), None)

    ours, stock = at(OURS), at(STOCK)
    ratio = ours["messages_per_s"] / stock["messages_per_s"] if ours and stock and stock["messages_per_s"] else 0.0
    results = []

    def check(ok: bool, text: str) -> None:
        results.append(f"{'PASS' if ok else 'FAIL'} {text}")

    if ours and stock:
        check(ratio >= 2.0, f"throughput at {top} conversations {ratio:.2f}x the stock configuration (target >= 2x)")
    if ours:
        check(ours["p95_ms"] <= 1000, f"p95 at {top} conversations {ours['p95_ms']:.0f} ms (target <= 1000 ms)")
        check(ours["errors"] == 0, f"{ours['errors']} errors at {top} conversations (target 0)")
    if OURS in accuracy and STOCK in accuracy:
        mine, theirs = accuracy[OURS]["intent_accuracy"], accuracy[STOCK]["intent_accuracy"]
        check(mine >= theirs, f"held-out intent accuracy {mine:.3f} vs stock {theirs:.3f} (target: not lower)")
    return results, ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(PROJECT_ROOT / "models" / "assistant.tar.gz"))
    parser.add_argument("--stock-model", default=str(PROJECT_ROOT / "models" / "stock" / "stock.tar.gz"))
    parser.add_argument("--levels", default="1,10,50", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--seconds", type=float, default=settings.get("BENCH_SECONDS"))
    parser.add_argument("--warm-up", type=float, default=20, help="seconds of unmeasured load first")
    parser.add_argument("--instances", type=int, default=settings.get("RASA_INSTANCES"))
    parser.add_argument("--single", action="store_true", help="also measure one instance of this assistant")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "results" / "bench"))
    args = parser.parse_args()

    for model in [args.model] + ([] if args.skip_stock else [args.stock_model]):
        if not Path(model).exists():
            print(f"error: {model} is missing; `make bench` trains it first", file=sys.stderr)
            return 2
    conversations = conversation_set.build(Path(args_data()), count=500)
    out = Path(args.out)
    rows: List[dict] = []
    memory: Dict[str, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        log(f"[1] {OURS}: production profile, {args.instances} Rasa instances behind nginx")
        (workdir / "ours").mkdir()
        found, memory[OURS] = bench_production(args, workdir / "ours", conversations, args.instances, OURS)
        rows += found
        if args.single:
            log(f"[1b] {SINGLE}: production profile with one Rasa instance")
            (workdir / "single").mkdir()
            found, memory[SINGLE] = bench_production(args, workdir / "single", conversations, 1, SINGLE)
            rows += found
        if not args.skip_stock:
            log(f"[2] {STOCK}: rasa init's config.yml trained on the same data, one instance")
            (workdir / "stock").mkdir()
            found, memory[STOCK] = bench_stock(args, workdir / "stock", conversations)
            rows += found
    log("[3] held-out accuracy of both models")
    accuracy = {OURS: heldout(args.model, out / "heldout-ours")}
    if not args.skip_stock:
        accuracy[STOCK] = heldout(args.stock_model, out / "heldout-stock")
    top = max(args.levels)
    checks, ratio = checks_for(rows, accuracy, top)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "seconds per level": args.seconds,
        "Rasa instances": args.instances,
        "conversations": "held-out wording, closed loop, no think time",
    }
    report.write(out, rows, memory, accuracy, checks, meta)
    print()
    print(report.table(rows))
    print()
    print(report.memory_table(memory))
    print()
    for target, result in accuracy.items():
        print(f"held-out {target}: intent {result['intent_accuracy']:.3f}, FAQ {result['faq_selection_accuracy']:.3f}")
    for line in checks:
        print(line)
    print(f"written: {out / 'bench.md'}, {out / 'bench.json'}, {out / 'bench.png'}")
    print(f"throughput ratio vs stock at {top} conversations: {ratio:.2f}")
    return 0 if all(c.startswith("PASS") for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
