"""Finding which figure an investor means."""

from __future__ import annotations

import re
from typing import Iterable, List, Optional

from kb.model import Figure, KnowledgeBase


def find_figure_in_text(
    knowledge: KnowledgeBase, text: str, kinds: Iterable[str] = ("indicator", "fact")
) -> Optional[Figure]:
    """The figure whose name or alias is the longest match in the text.

    Longest wins so that 规模工业总产值 is not read as 工业总产值."""
    best: Optional[Figure] = None
    best_length = 0
    # "规模以上的产值" names 规模以上产值: 的 between the words does not change the figure.
    plain = text.replace("的", "")
    for figure in knowledge.figures.values():
        if figure.kind not in kinds:
            continue
        for name in figure.names:
            if len(name) > best_length and (_names(name, text) or _names(name, plain)):
                best, best_length = figure, len(name)
    return best


# "外资企业", "税收优惠": the word names a kind of company or policy there, not the figure.
_NOT_THE_FIGURE_AFTER = re.compile(r"(企业|汽配|零部件|厂|公司|工厂|项目|银行|政策|优惠|减免|补贴|奖励|机构)")


def _names(name: str, text: str) -> bool:
    start = text.find(name)
    while start >= 0:
        if not _NOT_THE_FIGURE_AFTER.match(text, start + len(name)):
            return True
        start = text.find(name, start + 1)
    return False


def find_figure_by_name(knowledge: KnowledgeBase, name: Optional[str]) -> Optional[Figure]:
    """Resolve an entity value or slot value (a name, alias or id) to a figure."""
    if not name:
        return None
    name = name.strip()
    if name in knowledge.figures:
        return knowledge.figures[name]
    canonical = knowledge.synonyms.get(name, name)
    for figure in knowledge.figures.values():
        if canonical in figure.names or name in figure.names:
            return figure
    return find_figure_in_text(knowledge, name)


def find_figures_in_text(
    knowledge: KnowledgeBase, text: str, kinds: Iterable[str] = ("indicator", "fact")
) -> List[Figure]:
    """Every figure named in the text, in the order named; a name inside a longer matched
    name (工业总产值 inside 规模工业总产值) does not count."""
    plain = text.replace("的", "")
    spans = []
    for figure in knowledge.figures.values():
        if figure.kind not in kinds:
            continue
        for name in figure.names:
            start = plain.find(name)
            while start >= 0:
                spans.append((start, start + len(name), figure))
                start = plain.find(name, start + 1)
    chosen: List[tuple] = []
    for start, end, figure in sorted(spans, key=lambda span: span[0] - span[1]):  # longest first
        if not any(start < e and s < end for s, e, _ in chosen):
            chosen.append((start, end, figure))
    result: List[Figure] = []
    for _, _, figure in sorted(chosen, key=lambda span: span[0]):
        if figure not in result:
            result.append(figure)
    return result
