"""Knowledge is read by YAML 1.2 rules (kb/yaml_lines.py), as the editor writes it and
Rasa reads the training data: "yes"/"no" stay text, dates stay text, lines are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.loader import load_knowledge
from kb.training_data import faq_training_file
from kb.yaml_lines import YamlFileError, line_of, load_with_lines, safe_load


def test_yes_no_on_off_are_text_and_only_true_false_are_booleans():
    data = safe_load("p: [yes, no, on, off, Yes, NO, y, n]\nflag: true\nother: false\n")
    assert data["p"] == ["yes", "no", "on", "off", "Yes", "NO", "y", "n"]
    assert data["flag"] is True and data["other"] is False


def test_numbers_and_dates_by_yaml_1_2():
    data = safe_load("a: 010\nb: 0o17\nc: 1.5\nd: 2026-13-45\ne: 2026-11-24\nf: null\n")
    assert data == {"a": 10, "b": 15, "c": 1.5, "d": "2026-13-45", "e": "2026-11-24", "f": None}


def test_lines_are_remembered_and_errors_name_the_line(tmp_path):
    path = tmp_path / "faq.yml"
    path.write_text("entries:\n  - id: a\n    question: 问\n", encoding="utf-8")
    entry = load_with_lines(path)["entries"][0]
    assert line_of(entry) == 2 and line_of(entry, "question") == 3
    path.write_text("entries:\n  - id: a\n    question: [未闭合\n", encoding="utf-8")
    with pytest.raises(YamlFileError) as error:
        load_with_lines(path)
    assert error.value.line >= 3 and "YAML 格式错误" in error.value.message


def test_a_staff_phrasing_yes_is_trained_as_the_text_yes(knowledge_copy: Path):
    """Before: PyYAML (YAML 1.1) read `- yes` as True, which was trained as "True"."""
    path = knowledge_copy / "faq" / "location_transport.yml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    phrasings:\n") + len("    phrasings:\n")
    path.write_text(text[:first] + "      - yes\n      - no\n" + text[first:], encoding="utf-8")
    result = load_knowledge(knowledge_copy)
    assert result.problems == []
    phrasings = [p for entry in result.knowledge.active_faqs() for p in entry.phrasings]
    assert "yes" in phrasings and "no" in phrasings and True not in phrasings
    training = faq_training_file(result.knowledge)
    assert "- yes\n" in training and "- True\n" not in training
