"""Held-out NLU evaluation: intent accuracy and FAQ selection accuracy.

Runs the trained model on tests/nlu/heldout.yml (written separately from the training
phrasings) exactly as the server would: normalisation, fallback and all. Strict scoring:
- intent accuracy: the predicted intent equals the label's intent (faq/<id> counts as
  `faq`); an nlu_fallback counts as wrong;
- FAQ selection accuracy: over faq/<id> examples, intent `faq` AND the right <id>.
Exits non-zero below --min-accuracy, listing every miss so it can be fixed."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

from publishing.nlu_score import predict, predicted_label, read_examples


def main() -> int:
    logging.disable(logging.WARNING)  # a command-line run prints only the scores
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--min-accuracy", type=float, default=0.92)
    parser.add_argument("--out", default="results/heldout")
    args = parser.parse_args()

    examples = read_examples(Path(args.data))
    if not examples:
        print(f"error: no examples in {args.data}", file=sys.stderr)
        return 2
    parses, latencies = asyncio.run(predict(args.model, [text for text, _ in examples]))

    intent_hits = faq_hits = faq_total = 0
    misses, per_label = [], defaultdict(Counter)
    for (text, label), parse in zip(examples, parses):
        gold_intent = label.split("/", 1)[0]
        intent, key = predicted_label(parse)
        intent_ok = intent == gold_intent
        intent_hits += intent_ok
        ok = intent_ok
        if gold_intent == "faq":
            faq_total += 1
            ok = intent_ok and key == label
            faq_hits += ok
        per_label[label]["total"] += 1
        per_label[label]["correct"] += ok
        if not ok:
            misses.append(
                {
                    "text": text,
                    "label": label,
                    "predicted": key or intent,
                    "confidence": round((parse.get("intent") or {}).get("confidence") or 0.0, 3),
                }
            )

    intent_accuracy = intent_hits / len(examples)
    faq_accuracy = faq_hits / faq_total if faq_total else 1.0
    report = {
        "examples": len(examples),
        "intent_accuracy": round(intent_accuracy, 4),
        "faq_examples": faq_total,
        "faq_selection_accuracy": round(faq_accuracy, 4),
        "parse_latency_ms_p50": round(statistics.median(latencies) * 1000, 1),
        "per_label": {k: dict(v) for k, v in sorted(per_label.items())},
        "misses": misses,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")

    for miss in misses:
        print(f"  miss: {miss['text']!r}  label={miss['label']}  predicted={miss['predicted']} ({miss['confidence']})")
    print(f"held-out examples: {len(examples)} ({faq_total} FAQ)")
    print(f"intent accuracy:        {intent_accuracy:.3f}")
    print(f"FAQ selection accuracy: {faq_accuracy:.3f}")
    print(f"report: {out / 'report.json'}")
    if intent_accuracy < args.min_accuracy or faq_accuracy < args.min_accuracy:
        print(f"FAILED: below the {args.min_accuracy:.2f} threshold", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
