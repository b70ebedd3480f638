"""Checks beyond the loader's schema check, run before staff save or publish.

The loader makes sure each file is well formed. These look at the knowledge as a whole
and at how the assistant will use it: two questions the model cannot tell apart, an
answer WeChat would cut in two, a dictionary word jieba would split anyway. Each
problem names the file and entry and says in plain Chinese what to change."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

from core.limits import WECHAT_MAX_REPLY_BYTES
from kb import yaml_lines
from kb.loader import Problem
from kb.model import FaqEntry, KnowledgeBase
from kb.render import render_answer
from kb.text import normalise

# Written into data/nlu/ from knowledge/ by `make data`; FAQ phrasings are compared
# among themselves directly, so only hand-written training files are read.
GENERATED_NLU_FILES = frozenset({"faq.yml", "figure_names.yml"})
# The most UTF-8 bytes one WeChat text reply holds (connectors/wechat/render.py splits
# longer replies into parts the investor has to ask for with "继续").
MAX_WECHAT_BYTES = WECHAT_MAX_REPLY_BYTES
# jieba.Tokenizer.add_word frequency used for the generated userdict (kb/training_data.py).
DICTIONARY_FREQUENCY = 100000
# Long enough that normalise never truncates a phrasing, so two long phrasings that
# differ only near the end are not taken for the same sentence.
_NO_TRUNCATION = 100000
_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_EXAMPLE_LINE = re.compile(r"^\s*-\s+(.*\S)\s*$")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class TrainingExample:
    """One hand-written NLU example, with where it came from for the message."""

    file_name: str
    intent: str
    text: str


def _faq_path(entry: FaqEntry) -> str:
    return f"knowledge/faq/{entry.category}.yml"


@lru_cache(maxsize=8192)
def comparable(text: str) -> str:
    """What the model effectively sees: normalised (full-width, traditional, case) and
    without punctuation or spaces, so "园区有多大？" and "园区有多大" read the same."""
    return _NOT_WORD.sub("", normalise(text, max_chars=_NO_TRUNCATION).text)


def conflicting_phrasings(knowledge: KnowledgeBase) -> List[Problem]:
    """Two active entries with phrasings that are one sentence to the model: the
    ResponseSelector would be trained to give both answers to the same input."""
    problems = []
    owners: Dict[str, Tuple[str, FaqEntry]] = {}
    for entry in knowledge.active_faqs():
        for text in dict.fromkeys((entry.question,) + entry.phrasings):
            key = comparable(text)
            if not key:
                continue
            first_text, first_entry = owners.setdefault(key, (text, entry))
            # The same text written twice is already reported by the loader.
            if first_entry.id == entry.id or first_text == text:
                continue
            problems.append(
                Problem(
                    _faq_path(entry),
                    0,
                    f"问法“{first_text}”（{first_entry.id}）和“{text}”（{entry.id}）实际上是同一句话，"
                    "机器人无法区分，请删掉其中一个",
                )
            )
    return problems


def read_training_examples(nlu_dir: Path) -> Tuple[List[TrainingExample], List[Problem]]:
    """Intent examples from the hand-written Rasa NLU files, entity markup removed
    ("[工业总产值](indicator)多少" -> "工业总产值多少")."""
    examples: List[TrainingExample] = []
    problems: List[Problem] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        if path.name in GENERATED_NLU_FILES:
            continue
        try:
            data = yaml_lines.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml_lines.YAMLError):
            problems.append(Problem(str(path), 0, f"训练数据文件 {path.name} 无法读取，请联系技术人员"))
            continue
        items = data.get("nlu") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not item.get("intent") or not isinstance(item.get("examples"), str):
                continue
            for line in item["examples"].splitlines():
                match = _EXAMPLE_LINE.match(line)
                if match:
                    text = _ENTITY_MARKUP.sub(r"\1", match.group(1))
                    examples.append(TrainingExample(path.name, str(item["intent"]), text))
    return examples, problems


def phrasings_in_training_data(knowledge: KnowledgeBase, nlu_dir: Path) -> List[Problem]:
    """An FAQ phrasing that is also an example of another intent (greet, lookup_figure,
    ...): the model is taught two different answers for one sentence."""
    examples, problems = read_training_examples(nlu_dir)
    by_key: Dict[str, TrainingExample] = {}
    for example in examples:
        key = comparable(example.text)
        if key:
            by_key.setdefault(key, example)
    for entry in knowledge.active_faqs():
        for text in dict.fromkeys((entry.question,) + entry.phrasings):
            example = by_key.get(comparable(text))
            if example is not None:
                problems.append(
                    Problem(
                        _faq_path(entry),
                        0,
                        f"问法“{text}”（{entry.id}）和训练数据 {example.file_name} 里意图 {example.intent} "
                        f"的例句“{example.text}”实际上是同一句话，机器人无法区分，请删掉或改写这个问法",
                    )
                )
    return problems


def answers_too_long(knowledge: KnowledgeBase) -> List[Problem]:
    """Answers WeChat would deliver in pieces: measured as sent, with figures filled in
    and the source line added, in UTF-8 bytes (a Chinese character is 3 bytes)."""
    problems = []
    about_chars = MAX_WECHAT_BYTES // 3 // 10 * 10
    for entry in knowledge.active_faqs():
        size = len(render_answer(knowledge, entry).encode("utf-8"))
        if size > MAX_WECHAT_BYTES:
            problems.append(
                Problem(
                    _faq_path(entry),
                    0,
                    f"问答 {entry.id} 的答案有 {size} 字节，超过微信单条消息上限 {MAX_WECHAT_BYTES} 字节，"
                    f"请精简到约 {about_chars} 个汉字以内",
                )
            )
    return problems


def _term_owner(knowledge: KnowledgeBase, term: str) -> Tuple[str, str]:
    """(file, who) for a dictionary term, so staff know where to edit it."""
    for figure in knowledge.figures.values():
        if term in figure.names:
            return "knowledge/figures.yml", f"数据 {figure.id}"
    for entry in knowledge.faqs.values():
        if term in entry.terms:
            return _faq_path(entry), f"问答 {entry.id}"
    return "knowledge/synonyms.yml", "同义词"


def split_dictionary_terms(knowledge: KnowledgeBase) -> List[Problem]:
    """Dictionary words jieba cuts anyway: its regex splits at spaces, punctuation and
    symbols before the dictionary is consulted, so such a word is never one token and
    the model cannot learn it as a name."""
    problems = []
    for term in _split_terms(tuple(knowledge.dictionary_terms)):
        path, owner = _term_owner(knowledge, term)
        problems.append(
            Problem(
                path,
                0,
                f"词典词“{term}”（{owner}）会被分词器切开（含空格、标点或特殊符号），请去掉空格和标点",
            )
        )
    return problems


@lru_cache(maxsize=8)
def _split_terms(terms: Tuple[str, ...]) -> Tuple[str, ...]:
    """The terms jieba splits. Cached: building a tokenizer takes about a second, and a
    staff edit checks the same dictionary before and after the change."""
    import jieba  # imported lazily: no work at import time

    jieba.setLogLevel(logging.WARNING)
    # A private tokenizer with the terms added the way data/jieba/userdict.txt adds them
    # (kb/training_data.py jieba_dictionary, which leaves out terms with spaces), so the
    # check neither depends on nor changes the global jieba state. One tokenizer serves
    # every term: each would get the same dictionary.
    tokenizer = jieba.Tokenizer()
    for term in terms:
        if " " not in term:
            tokenizer.add_word(term, freq=DICTIONARY_FREQUENCY)
    return tuple(term for term in terms if list(tokenizer.cut(term, HMM=False)) != [term])


def extra_problems(knowledge: KnowledgeBase, nlu_dir: Path) -> List[Problem]:
    """Everything above, for knowledge the loader has already accepted."""
    return (
        conflicting_phrasings(knowledge)
        + phrasings_in_training_data(knowledge, nlu_dir)
        + answers_too_long(knowledge)
        + split_dictionary_terms(knowledge)
    )
