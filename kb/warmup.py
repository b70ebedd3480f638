"""Loads, in a background thread, what the first answer would otherwise wait for:
jieba's part-of-speech dictionary (kb/scope.py) and pypinyin (kb/lexicon.py)."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)


def _run() -> None:
    try:
        from kb import lexicon, scope

        scope.places("湘潭经开区到长沙多远")
        lexicon.fold_zone_name_typos("湘谭")
    except Exception:  # only a warm-up: the first real question loads them instead
        logger.exception("warmup.failed")


def start() -> threading.Thread:
    thread = threading.Thread(target=_run, name="warmup", daemon=True)
    thread.start()
    return thread
