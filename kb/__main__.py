"""Command line: `python -m kb validate` and `python -m kb build`."""

from __future__ import annotations

import argparse
import sys

from kb.loader import load_knowledge
from kb.store import PROJECT_ROOT, knowledge_dir
from kb.training_data import write_generated_files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb", description=__doc__)
    parser.add_argument(
        "command", choices=["validate", "build"], help="validate: check knowledge/; build: also regenerate data/ files"
    )
    args = parser.parse_args(argv)
    root = knowledge_dir()
    result = load_knowledge(root)
    if not result.ok:
        print(
            f"知识库有 {len(result.problems)} 处问题（knowledge has {len(result.problems)} problem(s)）：",
            file=sys.stderr,
        )
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    knowledge = result.knowledge
    print(
        f"knowledge OK: {len(knowledge.active_faqs())} FAQ entries, {len(knowledge.figures)} figures, "
        f"{len(knowledge.dictionary_terms)} dictionary terms"
    )
    if args.command == "build":
        changed = write_generated_files(knowledge, PROJECT_ROOT)
        for path in changed:
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
        if not changed:
            print("generated files already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
