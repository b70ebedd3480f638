"""Text normalisation shared by the NLU pipeline, the search and the replies.

Investors type on phones in simplified or traditional Chinese, with full-width letters,
emoji, pasted HTML and runs of punctuation. The model is trained on clean simplified
text, so everything is folded to that before NLU; replies go back in the script the
investor used (OpenCC does the conversion both ways)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional

from kb.lexicon import fold

# Long pastes are cut before NLU: the intent is almost always in the opening sentences,
# and a 5,000-character message would otherwise cost seconds of featurisation.
MAX_NLU_CHARS = 300

SIMPLIFIED, TRADITIONAL = "simplified", "traditional"

_TAG = re.compile(r"<[^<>]{0,200}>")
_SPACES = re.compile(r"\s+")
_REPEATED_PUNCT = re.compile(r"([!?,.;:~。，、！？；：…·—\-_=*#])\1+")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_NOISE = {"So", "Sk"}  # emoji and pictographs carry no question content


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc  # imported lazily: no work at import time

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """Simplified to traditional with Taiwan standard characters (the zone is a
    provincially approved Taiwan-investor zone)."""
    return _converter("s2tw").convert(text) if text else text


def detect_script(text: Optional[str]) -> str:
    """TRADITIONAL when more characters change under t2s than under s2t."""
    if not text:
        return SIMPLIFIED
    simplified = to_simplified(text)
    traditional = _converter("s2t").convert(text)
    traditional_marks = sum(a != b for a, b in zip(text, simplified))
    simplified_marks = sum(a != b for a, b in zip(text, traditional))
    return TRADITIONAL if traditional_marks > simplified_marks else SIMPLIFIED


def in_script(text: str, script: str) -> str:
    return to_traditional(text) if script == TRADITIONAL else text


@dataclass(frozen=True)
class Normalised:
    text: str
    original: str
    script: str
    truncated: bool

    @property
    def empty(self) -> bool:
        return not self.text


def _drop_noise(text: str) -> str:
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in _INVISIBLE:
            kept.append(" " if char in "\t\n\r" else "")
        elif category in _NOISE:
            kept.append(" ")
        else:
            kept.append(char)
    return "".join(kept)


def normalise(text: Optional[str], max_chars: int = MAX_NLU_CHARS, names: tuple = ()) -> Normalised:
    """Clean simplified text for NLU and search, plus what the reply needs to know.
    `names` (the zone dictionary) are also corrected when typed with a same-sound typo."""
    original = text or ""
    cleaned = unicodedata.normalize("NFKC", original)
    cleaned = _TAG.sub(" ", cleaned)
    cleaned = _drop_noise(cleaned)
    cleaned = _REPEATED_PUNCT.sub(r"\1", cleaned)
    cleaned = _SPACES.sub(" ", cleaned).strip().lower()
    cleaned = fold(to_simplified(cleaned), names)
    truncated = len(cleaned) > max_chars
    if truncated:
        cleaned = cleaned[:max_chars].rstrip()
    if not re.search(r"\w", cleaned):  # only punctuation left: nothing was asked
        cleaned = ""
    return Normalised(cleaned, original, detect_script(original), truncated)


# --- tokenisation for search ---------------------------------------------------------

STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 有 在 和 与 及 或 就 都 也 还 又 这 那 这个 那个 这里 那里
    我 你 您 他 她 它 我们 你们 您们 他们 咱们 请问 请 问 一下 一些 想 想要 要 能 能否 可以 可不可以
    怎么 怎么样 怎样 如何 什么 哪些 哪个 哪里 多少 几 吗? 不 没 没有 有没有 是不是 知道 了解 介绍 告诉
    下 个 些 给 让 把 被 对 从 到 为 于 以 之 其 该 等 中 上 里 方面 情况 问题 一 看看 说说 谈谈 具体 说 讲""".split()
)


@lru_cache(maxsize=4)
def _tokenizer(terms: tuple):
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term in terms:
        tokenizer.add_word(term, freq=100000)
    return tokenizer


def tokenize(text: str, terms: Iterable[str] = (), synonyms: Optional[Dict[str, str]] = None) -> List[str]:
    """Content words of normalised text: jieba with the zone dictionary, synonyms folded
    to their canonical word, stopwords and punctuation dropped."""
    synonyms = synonyms or {}
    words = []
    for word in _tokenizer(tuple(sorted(terms))).lcut(text):
        word = synonyms.get(word.strip(), word.strip())
        if word and word not in STOPWORDS and re.search(r"\w", word):
            words.append(word)
    return words
