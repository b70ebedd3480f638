"""What the live assistant should say, read from knowledge/ (the content the model was
trained on and the servers answer from), so the end-to-end tests follow a staff edit of
a figure instead of breaking on it. Unit tests use the fixture knowledge base instead."""

from __future__ import annotations

from pathlib import Path

from kb.loader import load_knowledge
from kb.render import growth_text, number

LIVE = load_knowledge(Path(__file__).resolve().parents[1] / "knowledge").knowledge


def said(figure_id: str) -> str:
    """The value as every answer writes it ("821.7亿元"; without a prefix such as 仅)."""
    figure = LIVE.figures[figure_id]
    return f"{number(figure.value)}{figure.unit}"


OUTPUT, OUTPUT_GROWTH = said("industrial_output"), growth_text(LIVE.figures["industrial_output"])
INVESTMENT_GROWTH = growth_text(LIVE.figures["fixed_asset_investment"])
INVESTMENT_PERIOD = LIVE.figures["fixed_asset_investment"].period
AREA, FDI, AIRPORT = said("zone_area"), said("foreign_capital_in_place"), said("airport_drive_time")
TAX_GROWTH = growth_text(LIVE.figures["fiscal_tax_revenue"])
