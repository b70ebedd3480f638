"""Checks run before staff save or publish: phrasings the model cannot tell apart,
answers too long for one WeChat message, dictionary words jieba would split. The real
knowledge passes them; a copy broken in each way is reported with the entry named."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List

import jieba
import yaml

from kb.checks import (
    MAX_WECHAT_BYTES,
    answers_too_long,
    conflicting_phrasings,
    extra_problems,
    phrasings_in_training_data,
    read_training_examples,
    split_dictionary_terms,
)
from kb.loader import load_knowledge
from kb.model import KnowledgeBase

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = PROJECT_ROOT / "data" / "nlu"


def _edit_faq(root: Path, faq_id: str, change: Callable[[Dict], None]) -> None:
    """Change one FAQ entry in the scratch copy through YAML, wherever it lives."""
    for path in sorted((root / "faq").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            if entry["id"] == faq_id:
                change(entry)
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return
    raise AssertionError(f"no FAQ entry {faq_id}")


def _add_phrasing(root: Path, faq_id: str, text: str) -> None:
    _edit_faq(root, faq_id, lambda entry: entry["phrasings"].append(text))


def _load(root: Path) -> KnowledgeBase:
    result = load_knowledge(root)
    assert result.ok, "\n".join(map(str, result.problems))
    return result.knowledge


def _messages(problems) -> List[str]:
    return [problem.message for problem in problems]


# --- the real knowledge -------------------------------------------------------------------


def test_real_knowledge_has_no_conflicts_or_long_answers(live_knowledge):
    assert conflicting_phrasings(live_knowledge) == []
    assert phrasings_in_training_data(live_knowledge, NLU_DIR) == []
    assert answers_too_long(live_knowledge) == []


def test_real_knowledge_has_no_extra_problems(live_knowledge):
    assert extra_problems(live_knowledge, NLU_DIR) == []


# --- phrasings the model cannot tell apart ------------------------------------------------


def test_phrasings_equal_after_punctuation_and_width_are_reported(knowledge_copy):
    _add_phrasing(knowledge_copy, "zone_overview", "园区有多大？")
    _add_phrasing(knowledge_copy, "founding_and_status", "园区 有多大")
    knowledge = _load(knowledge_copy)  # the loader only catches identical text
    problems = conflicting_phrasings(knowledge)
    assert _messages(problems) == [
        "问法“园区有多大？”（zone_overview）和“园区 有多大”（founding_and_status）实际上是同一句话，"
        "机器人无法区分，请删掉其中一个"
    ]
    assert problems[0].path == "knowledge/faq/profile.yml"


def test_traditional_and_simplified_forms_are_one_phrasing(knowledge_copy):
    _add_phrasing(knowledge_copy, "zone_overview", "台商投资区有什么政策")
    _add_phrasing(knowledge_copy, "founding_and_status", "臺商投资区有什么政策")
    messages = _messages(conflicting_phrasings(_load(knowledge_copy)))
    assert len(messages) == 1
    assert "“台商投资区有什么政策”（zone_overview）和“臺商投资区有什么政策”（founding_and_status）" in messages[0]


def test_disabled_entries_and_one_entrys_own_variants_are_not_conflicts(knowledge_copy):
    _add_phrasing(knowledge_copy, "zone_overview", "园区有多大？")
    _add_phrasing(knowledge_copy, "zone_overview", "园区有多大")
    _add_phrasing(knowledge_copy, "founding_and_status", "园区有多大!")
    _edit_faq(knowledge_copy, "founding_and_status", lambda entry: entry.update(disabled=True))
    assert conflicting_phrasings(_load(knowledge_copy)) == []


def test_phrasing_equal_to_a_greet_example(knowledge_copy):
    _add_phrasing(knowledge_copy, "zone_overview", "您好！请问有人在吗？")
    problems = phrasings_in_training_data(_load(knowledge_copy), NLU_DIR)
    assert _messages(problems) == [
        "问法“您好！请问有人在吗？”（zone_overview）和训练数据 conversation.yml 里意图 greet "
        "的例句“您好，请问有人在吗”实际上是同一句话，机器人无法区分，请删掉或改写这个问法"
    ]
    assert problems[0].path == "knowledge/faq/profile.yml"


def test_training_files_entity_markup_and_generated_files(tmp_path, knowledge_copy):
    (tmp_path / "figures.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: lookup_figure\n  examples: |\n'
        "    - 今年[工业总产值](indicator)是多少\n"
        '    - [园区面积]{"entity": "indicator"}有多少\n'
        "- lookup: indicator\n  examples: |\n    - 园区简介\n",
        encoding="utf-8",
    )
    # Generated from knowledge/: FAQ phrasings in it are the FAQ's own, never a conflict.
    (tmp_path / "faq.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: faq/x\n  examples: |\n    - 园区简介\n', encoding="utf-8"
    )
    examples, problems = read_training_examples(tmp_path)
    assert problems == []
    assert [e.text for e in examples] == ["今年工业总产值是多少", "园区面积有多少"]
    _add_phrasing(knowledge_copy, "zone_overview", "今年工业总产值是多少？")
    messages = _messages(phrasings_in_training_data(_load(knowledge_copy), tmp_path))
    assert len(messages) == 1 and "意图 lookup_figure 的例句“今年工业总产值是多少”" in messages[0]


def test_unreadable_training_file_is_reported(tmp_path, knowledge):
    (tmp_path / "broken.yml").write_text("nlu: [\n", encoding="utf-8")
    assert _messages(phrasings_in_training_data(knowledge, tmp_path)) == [
        "训练数据文件 broken.yml 无法读取，请联系技术人员"
    ]


# --- answers too long for WeChat ----------------------------------------------------------


def test_too_long_answer(knowledge_copy):
    _edit_faq(knowledge_copy, "zone_overview", lambda entry: entry.update(answer="园区" * 400))
    problems = answers_too_long(_load(knowledge_copy))
    assert len(problems) == 1 and problems[0].path == "knowledge/faq/profile.yml"
    message = problems[0].message
    assert message.startswith("问答 zone_overview 的答案有 ")
    assert message.endswith(f"字节，超过微信单条消息上限 {MAX_WECHAT_BYTES} 字节，请精简到约 680 个汉字以内")
    assert MAX_WECHAT_BYTES == 2048


def test_answer_length_counts_figures_as_filled_in(knowledge_copy):
    # 150 placeholders are 1,650 bytes as written but over 2,048 once "138平方公里" is in.
    _edit_faq(knowledge_copy, "zone_overview", lambda entry: entry.update(answer="{zone_area}" * 150))
    assert [p.message.split(" 的")[0] for p in answers_too_long(_load(knowledge_copy))] == ["问答 zone_overview"]


# --- dictionary terms jieba would split ---------------------------------------------------


def test_terms_with_spaces_or_symbols_are_reported(knowledge_copy, knowledge):
    real = set(map(str, split_dictionary_terms(knowledge)))
    added = ["九华 园区", "九华·智造", "长株潭/湘江", "湘潭（九华）"]
    _edit_faq(knowledge_copy, "zone_overview", lambda entry: entry["terms"].extend(added + ["九华智造谷"]))
    problems = [p for p in split_dictionary_terms(_load(knowledge_copy)) if str(p) not in real]
    assert sorted(_messages(problems)) == sorted(
        f"词典词“{term}”（问答 zone_overview）会被分词器切开（含空格、标点或特殊符号），请去掉空格和标点"
        for term in added
    )
    assert {p.path for p in problems} == {"knowledge/faq/profile.yml"}
    assert "九华智造谷" not in jieba.dt.FREQ  # a private tokenizer: the global one is untouched
