"""Resident memory of a server and its child processes, read from /proc (Linux), so
nginx's workers and PostgreSQL's backends count towards their server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional


def _children() -> Dict[int, List[int]]:
    tree: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: Optional[int]) -> float:
    """RSS of `pid` and all its descendants in MB; 0 when it is not running."""
    if not pid:
        return 0.0
    tree, total, stack = _children(), 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss_kb(current)
        stack.extend(tree.get(current, []))
    return total / 1024
