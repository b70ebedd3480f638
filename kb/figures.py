"""Finding which figure an investor means."""
from __future__ import annotations

from typing import Iterable, Optional

from kb.model import Figure, KnowledgeBase


def find_figure_in_text(knowledge: KnowledgeBase, text: str, kinds: Iterable[str] = ("indicator", "fact")) -> Optional[Figure]:
    """The figure whose name or alias is the longest match in the text.

    Longest wins so that 规模工业总产值 is not read as 工业总产值."""
    best: Optional[Figure] = None
    best_length = 0
    for figure in knowledge.figures.values():
        if figure.kind not in kinds:
            continue
        for name in figure.names:
            if len(name) > best_length and name in text:
                best, best_length = figure, len(name)
    return best


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
