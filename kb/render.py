"""Turning knowledge entries into the sentences the assistant sends.

Figures are written into answers from figures.yml at reply time, so correcting a value
in one place corrects every answer that quotes it."""

from __future__ import annotations

from typing import Optional

from kb.loader import answer_placeholders
from kb.model import FaqEntry, Figure, KnowledgeBase, Source


def number(value: float) -> str:
    """821.7 -> '821.7', 89.0 -> '89' (the way the source writes them)."""
    return f"{value:.10g}"


def figure_value(figure: Figure) -> str:
    """'821.7亿元', '仅40分钟', '第47位', '超过30万人'."""
    return f"{figure.prefix}{number(figure.value)}{figure.unit}"


def growth_text(figure: Figure) -> str:
    """'12.3%' or, for a fall, '-3.1%'; empty when the source gives none."""
    return "" if figure.growth_pct is None else f"{number(figure.growth_pct)}%"


def source_line(knowledge: KnowledgeBase, source: Source, period: str) -> str:
    if period.isdigit():  # an as-of year such as "2021"
        period = f"{period}年"
    return knowledge.message("source_line", document=source.document_title, section=source.section_label, period=period)


def render_answer(knowledge: KnowledgeBase, entry: FaqEntry) -> str:
    """The FAQ answer with its figures filled in and its source line appended."""
    values = {}
    for figure_id, attribute in answer_placeholders(entry.answer):
        figure = knowledge.figures[figure_id]
        key = f"{figure_id}.{attribute}" if attribute else figure_id
        values[key] = growth_text(figure) if attribute == "growth" else figure_value(figure)
    body = entry.answer
    for key, text in values.items():
        body = body.replace("{" + key + "}", text)
    return f"{body.strip()}\n{source_line(knowledge, entry.source, entry.period)}"


def render_figure(knowledge: KnowledgeBase, figure: Figure, growth_first: bool = False) -> str:
    """One figure with its growth (when the source gives one), period and source."""
    value = figure_value(figure)
    growth = growth_text(figure)
    period = figure.period
    if growth_first and growth:
        sentence = f"{period}，湘潭经开区{figure.name}同比增长{growth}，总量为{value}。"
    elif growth:
        sentence = f"{period}，湘潭经开区{figure.name}为{value}，同比增长{growth}。"
    elif figure.kind == "indicator":
        sentence = f"{period}，湘潭经开区{figure.name}为{value}（资料未给出同比增速）。"
    else:
        sentence = f"{figure.name}：{value}。"
    if figure.note:
        sentence += f"（{figure.note}）"
    return f"{sentence}\n{source_line(knowledge, figure.source, period)}"


def render_growth(knowledge: KnowledgeBase, figure: Figure) -> Optional[str]:
    """The growth answer, or None when the source gives no growth for this figure."""
    if figure.growth_pct is None:
        return None
    return render_figure(knowledge, figure, growth_first=True)
