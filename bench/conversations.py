"""Multi-turn investor conversations made of the held-out test split's wording.

The held-out split (tests/nlu/heldout.yml) was written without seeing the training
data, so the load is what real investors' wording would cost, not the training
phrasings the model has memorised. A conversation is: sometimes a greeting, two to five
questions, sometimes a follow-up ("增长多少") that needs the previous turn's figure,
sometimes thanks or goodbye, like a visitor's session on the widget or WeChat."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from publishing.nlu_score import read_examples

OPENERS = ("greet",)
CLOSERS = ("thank", "goodbye")


def by_intent(examples: Sequence[Tuple[str, str]]) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = {}
    for text, label in examples:
        grouped.setdefault(label.split("/", 1)[0], []).append(text)
    return grouped


def build(path: Path, count: int, seed: int = 7) -> List[List[str]]:
    grouped = by_intent(read_examples(path))
    questions = [t for intent, texts in grouped.items() if intent not in OPENERS + CLOSERS for t in texts]
    if not questions:
        raise ValueError(f"{path} has no questions to build conversations from")
    follow_ups = grouped.get("ask_growth", [])
    openers = [t for intent in OPENERS for t in grouped.get(intent, [])]
    closers = [t for intent in CLOSERS for t in grouped.get(intent, [])]
    rng = random.Random(seed)
    conversations = []
    for _ in range(count):
        turns: List[str] = []
        if openers and rng.random() < 0.5:
            turns.append(rng.choice(openers))
        turns.extend(rng.sample(questions, rng.randint(2, 5)))
        if follow_ups and rng.random() < 0.3:
            turns.append(rng.choice(follow_ups))
        if closers and rng.random() < 0.5:
            turns.append(rng.choice(closers))
        conversations.append(turns)
    return conversations
