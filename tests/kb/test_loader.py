"""Validation: the real knowledge base is clean, and each kind of mistake staff could
make is reported with the file, the line and a plain message."""

from __future__ import annotations

import re
from pathlib import Path

from kb.loader import load_knowledge

SOURCE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "knowledge" / "sources" / "profile_2021.txt"


def test_the_fixture_knowledge_loads_with_an_entry_in_every_category(knowledge):
    assert len({entry.category for entry in knowledge.active_faqs()}) == 11
    assert {"industrial_output", "fixed_asset_investment", "domestic_capital_in_place"} <= set(knowledge.figures)


def test_the_faqs_have_enough_phrasings_to_train_on(knowledge):
    """A content floor for the whole knowledge base, not per entry: an FAQ staff add
    through the admin with a handful of phrasings must not break `make test`."""
    counts = [len(set((e.question,) + e.phrasings)) for e in knowledge.active_faqs()]
    assert sum(counts) / len(counts) >= 15


def test_every_figure_value_appears_in_the_source_document(knowledge):
    """No invented figure: each value (and growth) is written in the zone's profile."""
    source = SOURCE.read_text(encoding="utf-8")
    for figure in knowledge.figures.values():
        value = f"{figure.value:.10g}"
        assert value in source, f"{figure.id}: {value} not in source"
        if figure.growth_pct is not None:
            assert f"{figure.growth_pct:.10g}%" in source, figure.id


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def _only_problem(root: Path):
    result = load_knowledge(root)
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    return result.problems[0]


def test_missing_source_names_file_and_line(knowledge_copy):
    path = knowledge_copy / "faq" / "location_transport.yml"
    _edit(path, "    source: {document: profile_2021, section: location}\n", "")
    problem = _only_problem(knowledge_copy)
    assert problem.path.endswith("faq/location_transport.yml")
    assert problem.line == _line_of(path, "- id: location")
    assert "资料来源" in problem.message


def test_unknown_section(knowledge_copy):
    path = knowledge_copy / "figures.yml"
    _edit(path, "section: overview}", "section: nowhere}")
    problem = _only_problem(knowledge_copy)
    assert "nowhere" in problem.message and problem.line == _line_of(path, "section: nowhere")


def test_value_must_be_a_number(knowledge_copy):
    path = knowledge_copy / "figures.yml"
    _edit(path, "value: 640.5", "value: 八百二十一")
    problem = _only_problem(knowledge_copy)
    assert "数字" in problem.message and problem.line == _line_of(path, "value: 八百二十一")


def test_bad_and_future_review_dates(knowledge_copy):
    path = knowledge_copy / "figures.yml"
    _edit(path, "reviewed_at: 2026-11-24", "reviewed_at: 2026-13-45")
    assert "不是一个真实的日期" in _only_problem(knowledge_copy).message
    _edit(path, "reviewed_at: 2026-13-45", "reviewed_at: 2999-01-01")
    assert "未来" in _only_problem(knowledge_copy).message


def test_missing_period(knowledge_copy):
    _edit(knowledge_copy / "figures.yml", "    period: 2021年1-8月\n", "")
    assert "数据口径" in _only_problem(knowledge_copy).message


def test_answer_referring_to_unknown_figure(knowledge_copy):
    _edit(knowledge_copy / "faq" / "location_transport.yml", "{airport_drive_time}", "{airport_time}")
    problem = _only_problem(knowledge_copy)
    assert "airport_time" in problem.message


def test_growth_placeholder_needs_a_growth_figure(knowledge_copy):
    _edit(
        knowledge_copy / "faq" / "economy.yml",
        "直接到位外资{foreign_capital_in_place}",
        "直接到位外资{foreign_capital_in_place.growth}",
    )
    assert "增长率" in _only_problem(knowledge_copy).message


def test_same_phrasing_under_two_entries(knowledge_copy):
    _edit(knowledge_copy / "faq" / "living.yml", "      - 公园\n", "      - 机场\n")
    problem = _only_problem(knowledge_copy)
    assert "机场" in problem.message and "airport" in problem.message and "parks_leisure" in problem.message


def test_traditional_phrasing_is_refused(knowledge_copy):
    _edit(knowledge_copy / "faq" / "living.yml", "      - 公园\n", "      - 這裡的公園多嗎\n")
    assert "繁体" in _only_problem(knowledge_copy).message


def test_misspelt_field_is_reported(knowledge_copy):
    path = knowledge_copy / "faq" / "living.yml"
    _edit(path, "    answer: |", "    answr: |")
    messages = [p.message for p in load_knowledge(knowledge_copy).problems]
    assert any("answr" in m for m in messages) and any("答案" in m for m in messages)


def test_yaml_syntax_error_names_the_line(knowledge_copy):
    path = knowledge_copy / "figures.yml"
    _edit(path, "    unit: 亿元\n", "    unit: [亿元\n")
    problem = _only_problem(knowledge_copy)
    assert problem.path.endswith("figures.yml") and "YAML" in problem.message
    assert abs(problem.line - _line_of(path, "unit: [亿元")) <= 2


def test_duplicate_ids(knowledge_copy):
    _edit(knowledge_copy / "faq" / "living.yml", "- id: schools", "- id: hospitals")
    assert "hospitals" in _only_problem(knowledge_copy).message


def test_missing_folder(tmp_path):
    result = load_knowledge(tmp_path / "nope")
    assert not result.ok and "找不到" in result.problems[0].message


def test_cli_validate_exit_codes(knowledge_copy, setting, capsys):
    from kb.__main__ import main

    setting("KNOWLEDGE_DIR", str(knowledge_copy))
    assert main(["validate"]) == 0
    _edit(knowledge_copy / "figures.yml", "value: 640.5", "value: abc")
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"figures\.yml:\d+: .*数字", err)
