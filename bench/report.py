"""The bench's table (Markdown), JSON and PNG chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

COLUMNS = ("target", "conversations", "messages/s", "p50 ms", "p95 ms", "p99 ms", "errors", "messages")


def table(rows: List[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(
                str(v)
                for v in (
                    row["target"],
                    row["concurrency"],
                    f"{row['messages_per_s']:.1f}",
                    f"{row['p50_ms']:.0f}",
                    f"{row['p95_ms']:.0f}",
                    f"{row['p99_ms']:.0f}",
                    row["errors"],
                    row["messages"],
                )
            )
            + " |"
        )
    return "\n".join(lines)


def memory_table(memory: Dict[str, Dict[str, float]]) -> str:
    lines = ["| target | server | peak resident memory MB |", "|---|---|---|"]
    for target, servers in memory.items():
        for server, mb in servers.items():
            lines.append(f"| {target} | {server} | {mb:.0f} |")
    return "\n".join(lines)


def chart(rows: List[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display
    import matplotlib.pyplot as plt

    targets = list(dict.fromkeys(r["target"] for r in rows))
    levels = sorted({r["concurrency"] for r in rows})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.8 / max(1, len(targets))
    for i, target in enumerate(targets):
        mine = {r["concurrency"]: r for r in rows if r["target"] == target}
        xs = [j + i * width for j in range(len(levels))]
        left.bar(xs, [mine.get(l, {}).get("messages_per_s", 0) for l in levels], width, label=target)
        right.plot(levels, [mine.get(l, {}).get("p95_ms", 0) for l in levels], marker="o", label=target)
    left.set_xticks([j + width * (len(targets) - 1) / 2 for j in range(len(levels))])
    left.set_xticklabels([str(l) for l in levels])
    left.set_xlabel("concurrent conversations")
    left.set_ylabel("messages / s")
    left.set_title("Throughput")
    right.axhline(1000, color="grey", linestyle="--", linewidth=1, label="p95 target 1 s")
    right.set_xlabel("concurrent conversations")
    right.set_ylabel("p95 latency (ms)")
    right.set_title("p95 latency")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(
    out: Path,
    rows: List[dict],
    memory: Dict[str, Dict[str, float]],
    accuracy: Dict[str, dict],
    checks: List[str],
    meta: dict,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(
        json.dumps(
            {"meta": meta, "results": rows, "memory_mb": memory, "heldout": accuracy, "checks": checks},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    accuracy_lines = [
        f"- {t}: intent {a.get('intent_accuracy', 0):.3f}, FAQ selection " f"{a.get('faq_selection_accuracy', 0):.3f}"
        for t, a in accuracy.items()
    ]
    text = "\n\n".join(
        [
            "# make bench",
            "\n".join(f"- {k}: {v}" for k, v in meta.items()),
            table(rows),
            memory_table(memory),
            "Held-out accuracy:\n" + "\n".join(accuracy_lines),
            "Targets:\n" + "\n".join(f"- {c}" for c in checks),
            "![chart](bench.png)",
        ]
    )
    (out / "bench.md").write_text(text + "\n", encoding="utf-8")
    chart(rows, out / "bench.png")
