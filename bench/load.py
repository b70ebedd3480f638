"""The load generator: N concurrent conversations over the REST channel, each sending
its next turn as soon as the previous answer arrived (closed loop, no think time), so
the figures are the most the server can do, not the rate we chose to send at.

Why not locust: one asyncio client with aiohttp is enough to saturate a 2-core Rasa
server from the same machine while using little CPU itself, and the numbers it reports
(per-message latency of multi-turn conversations, silent replies as errors) are easier
to define exactly here than through locust's user classes and its web UI/CSV output."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    error_samples: List[str] = field(default_factory=list)
    conversations_finished: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile in seconds (0 when nothing was measured)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = max(1, int(round(share * len(ordered) + 0.5 - 1e-9)))
        return ordered[min(rank, len(ordered)) - 1]

    def summary(self) -> dict:
        return {
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2),
            "messages": self.messages,
            "messages_per_s": round(self.throughput, 2),
            "errors": self.errors,
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p95_ms": round(self.percentile(0.95) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "conversations": self.conversations_finished,
            "error_samples": self.error_samples[:5],
        }


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Optional[str]:
    """None when the turn got a non-empty answer, else what went wrong."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            if response.status != 200:
                return f"HTTP {response.status}"
            body = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
    if not isinstance(body, list) or not any(m.get("text") or m.get("buttons") for m in body):
        return "no answer (silence)"
    return None


async def run_load(
    url: str,
    conversations: Sequence[Sequence[str]],
    concurrency: int,
    seconds: float,
    sender_prefix: str,
    on_progress: Optional[Callable[[LoadResult], None]] = None,
    headers: Optional[Dict[str, str]] = None,
) -> LoadResult:
    """Runs for `seconds`; each of `concurrency` workers takes the next conversation from
    the list (cycling, with a fresh sender id each time) and plays it turn by turn."""
    result = LoadResult(concurrency=concurrency, seconds=seconds)
    numbering = itertools.count()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < deadline:
            number = next(numbering)
            turns = conversations[number % len(conversations)]
            sender = f"{sender_prefix}-{concurrency}-{number}"
            for text in turns:
                if time.perf_counter() >= deadline:
                    return
                begin = time.perf_counter()
                problem = await _send(session, url, sender, text)
                if problem is None:
                    result.latencies.append(time.perf_counter() - begin)
                else:
                    result.errors += 1
                    if len(result.error_samples) < 20:
                        result.error_samples.append(f"{sender} {text!r}: {problem}")
            result.conversations_finished += 1

    async def progress() -> None:
        while on_progress:
            await asyncio.sleep(5)
            on_progress(result)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector, headers=headers) as session:
        reporter = asyncio.ensure_future(progress())
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        reporter.cancel()
    # Workers finish the message in flight at the deadline; count the real duration.
    result.seconds = time.perf_counter() - started
    return result
