"""The regression gate a new model must pass before it goes live.

Two checks, each above its threshold:
- every phrasing (and the standard question) of every active FAQ entry is answered with
  its own entry: staff added them, so the model must have learnt them;
- the held-out test split (tests/nlu/heldout.yml, wording the training data never saw)
  still reaches the accuracy the current model reaches. Held-out examples labelled with
  an FAQ entry that staff have since disabled or removed are skipped, not failed.

Run in its own process (`python -m publishing.gate ...`) so TensorFlow never loads into
the web app; prints one JSON object with the scores and every failing question."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from kb.loader import load_knowledge
from publishing.nlu_score import predict, predicted_label, read_examples


@dataclass
class Failure:
    text: str
    expected: str
    predicted: str
    check: str  # "phrasings" | "heldout"


@dataclass
class GateResult:
    phrasing_accuracy: float
    heldout_accuracy: float
    phrasing_total: int
    heldout_total: int
    heldout_skipped: int
    min_phrasing_accuracy: float
    min_heldout_accuracy: float
    failures: List[Failure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.phrasing_accuracy >= self.min_phrasing_accuracy and self.heldout_accuracy >= self.min_heldout_accuracy
        )

    def to_json(self) -> Dict:
        return dict(asdict(self), passed=self.passed)


def phrasing_examples(knowledge_dir: Path) -> List[Tuple[str, str]]:
    result = load_knowledge(knowledge_dir)
    return [
        (text, f"faq/{entry.id}")
        for entry in result.knowledge.active_faqs()
        for text in dict.fromkeys((entry.question,) + entry.phrasings)
    ]


def is_correct(label: str, parse: Dict) -> Tuple[bool, str]:
    intent, key = predicted_label(parse)
    if label.startswith("faq/"):
        return intent == "faq" and key == label, key or intent
    return intent == label.split("/", 1)[0], key or intent


def score(examples: Sequence[Tuple[str, str]], parses: Sequence[Dict], check: str) -> Tuple[float, List[Failure]]:
    failures = []
    for (text, label), parse in zip(examples, parses):
        ok, predicted = is_correct(label, parse)
        if not ok:
            failures.append(Failure(text, label, predicted, check))
    accuracy = 1 - len(failures) / len(examples) if examples else 1.0
    return accuracy, failures


def run_gate(model: Path, knowledge_dir: Path, heldout: Path, min_phrasing: float, min_heldout: float) -> GateResult:
    phrasings = phrasing_examples(knowledge_dir)
    active = {label for _, label in phrasings}
    all_heldout = read_examples(heldout) if heldout.exists() else []
    kept = [(t, l) for t, l in all_heldout if not l.startswith("faq/") or l in active]
    parses, _ = asyncio.run(predict(str(model), [t for t, _ in phrasings] + [t for t, _ in kept]))
    phrasing_accuracy, phrasing_failures = score(phrasings, parses[: len(phrasings)], "phrasings")
    heldout_accuracy, heldout_failures = score(kept, parses[len(phrasings) :], "heldout")
    return GateResult(
        round(phrasing_accuracy, 4),
        round(heldout_accuracy, 4),
        len(phrasings),
        len(kept),
        len(all_heldout) - len(kept),
        min_phrasing,
        min_heldout,
        phrasing_failures + heldout_failures,
    )


def main(argv: Sequence[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--knowledge", required=True, type=Path)
    parser.add_argument("--heldout", required=True, type=Path)
    parser.add_argument("--min-phrasing-accuracy", type=float, default=0.98)
    parser.add_argument("--min-heldout-accuracy", type=float, default=0.92)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    args = parser.parse_args(argv)
    result = run_gate(args.model, args.knowledge, args.heldout, args.min_phrasing_accuracy, args.min_heldout_accuracy)
    args.out.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"phrasings {result.phrasing_accuracy:.3f} (min {result.min_phrasing_accuracy}), "
        f"held-out {result.heldout_accuracy:.3f} (min {result.min_heldout_accuracy}): "
        f"{'passed' if result.passed else 'FAILED'}"
    )
    return 0 if result.passed else 3


if __name__ == "__main__":
    sys.exit(main())
