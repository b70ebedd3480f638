"""Builds the Rasa files that come from knowledge/: FAQ training examples and
responses, indicator lookup table and synonyms, and the jieba user dictionary.

They are generated, never edited by hand, so the knowledge files stay the one place
staff change. `make data` writes them; a test fails when they are out of date."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Dict, List

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from kb.model import KnowledgeBase

HEADER = "# generated from knowledge/ by `make data` - do not edit; edit knowledge/ instead\n"
RASA_FORMAT_VERSION = "3.1"


def _examples(texts: List[str]) -> LiteralScalarString:
    return LiteralScalarString("".join(f"- {text}\n" for text in texts))


def _dump(data: Dict) -> str:
    """YAML 1.2 written by ruamel, the library Rasa and kb/yaml_lines.py read it with, so
    what is written is what is read ("yes" stays a word)."""
    yaml = YAML()  # round-trip: keeps key order, writes LiteralScalarString as a | block
    yaml.width = 1000
    stream = io.StringIO()
    yaml.dump(data, stream)
    return HEADER + stream.getvalue()


def faq_training_file(knowledge: KnowledgeBase) -> str:
    nlu, responses = [], {}
    for entry in knowledge.active_faqs():
        texts = list(dict.fromkeys((entry.question,) + entry.phrasings))
        nlu.append({"intent": f"faq/{entry.id}", "examples": _examples(texts)})
        # The response holds the canonical question, not the answer: Rasa only needs a
        # stable label here, the answer is read live from knowledge/ by
        # action_answer_faq, and an edited answer must not force a retrain.
        responses[f"utter_faq/{entry.id}"] = [{"text": entry.question}]
    return _dump({"version": RASA_FORMAT_VERSION, "nlu": nlu, "responses": responses})


def figure_names_file(knowledge: KnowledgeBase) -> str:
    indicators = [f for f in knowledge.figures.values() if f.kind == "indicator"]
    names = sorted({name for figure in indicators for name in figure.names})
    nlu: List[Dict] = [{"lookup": "indicator", "examples": _examples(names)}]
    for figure in indicators:
        if figure.aliases:
            nlu.append({"synonym": figure.name, "examples": _examples(list(figure.aliases))})
    return _dump({"version": RASA_FORMAT_VERSION, "nlu": nlu})


def jieba_dictionary(knowledge: KnowledgeBase) -> str:
    # jieba reads every line as "word [freq] [tag]"; the header line becomes a harmless
    # word nobody types. A high frequency keeps each name whole.
    lines = [HEADER.strip().replace(" ", "_")]
    lines += [f"{term} 100000 nz" for term in knowledge.dictionary_terms if " " not in term]
    return "\n".join(lines) + "\n"


def tokenizer_synonyms(knowledge: KnowledgeBase) -> str:
    """Read by components.zone_tokenizer; saved inside each trained model."""
    return (
        json.dumps(
            {"_generated": HEADER.strip("# \n"), "synonyms": dict(sorted(knowledge.synonyms.items()))},
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )


def generated_files(knowledge: KnowledgeBase, project_root: Path) -> Dict[Path, str]:
    """Every generated file and its content."""
    return {
        project_root / "data" / "nlu" / "faq.yml": faq_training_file(knowledge),
        project_root / "data" / "nlu" / "figure_names.yml": figure_names_file(knowledge),
        project_root / "data" / "jieba" / "userdict.txt": jieba_dictionary(knowledge),
        project_root / "data" / "jieba" / "synonyms.json": tokenizer_synonyms(knowledge),
    }


def write_generated_files(knowledge: KnowledgeBase, project_root: Path) -> List[Path]:
    """Write the files that changed (atomically); returns their paths."""
    changed = []
    for path, content in generated_files(knowledge, project_root).items():
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(content, encoding="utf-8")
        temporary.replace(path)
        changed.append(path)
    return changed
