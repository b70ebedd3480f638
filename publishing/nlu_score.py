"""Scoring the trained NLU model on labelled examples, as the server parses them
(normalisation, fallback and all): the publish gate (publishing/gate.py) and
`make eval` (scripts/evaluate_nlu.py) use the same functions.

Strict labels: `faq/<id>` means intent `faq` and that FAQ selected; an nlu_fallback is
never right."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Dict, List, Tuple

from kb.yaml_lines import safe_load


def _quiet_rasa() -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa otherwise prints a debug line per parse


def read_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, label) pairs; entity brackets [x](indicator) are reduced to x."""
    data = safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for block in data.get("nlu", []):
        label = block.get("intent")
        if not label:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:].strip())
                examples.append((text, label))
    return examples


async def predict(model: str, texts: List[str]) -> Tuple[List[Dict], List[float]]:
    from rasa.core.agent import Agent

    _quiet_rasa()
    agent = Agent.load(model)
    results, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append(time.perf_counter() - started)
    return results, latencies


def predicted_label(parse: Dict) -> Tuple[str, str]:
    intent = (parse.get("intent") or {}).get("name") or ""
    key = ""
    if intent == "faq":
        # A ResponseSelector without `retrieval_intent` (the stock configuration) reports under "default".
        selectors = parse.get("response_selector") or {}
        selected = selectors.get("faq") or selectors.get("default") or {}
        key = (selected.get("response") or {}).get("intent_response_key") or ""
    return intent, key
