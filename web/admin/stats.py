"""Figures for the staff dashboard, computed on demand from what is already stored:
Rasa's SQL tracker store (conversations and messages), the inbox (what went
unanswered) and the feedback store (👍/👎).

Computed per request rather than kept in counters, so there is nothing to keep in sync;
at the zone's volume (hundreds of messages a day) a 14-day scan is milliseconds. Charts
are SVG drawn here, so the admin pages need no JavaScript and no chart library."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from inbox.feedback import FeedbackStore
from inbox.store import UNKNOWN_CHANNEL, InboxStore, day_bounds, zone_date

FAQ_INTENT = "faq"  # the ResponseSelector's retrieval intent (config.yml)
TOP_LIMIT = 10

# Channel names as Rasa records them (each connector's name()), as staff know them.
CHANNEL_LABELS = {
    "socketio": "网页咨询窗口",
    "rest": "REST 接口",
    "wechat": "微信公众号",
    UNKNOWN_CHANNEL: "未知渠道",
}

# Colour-blind-safe (Okabe–Ito), in a fixed order so a channel keeps its colour.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def labelled(series: Dict[str, List[int]]) -> Dict[str, List[int]]:
    """The same series keyed by the channel names staff know, for a chart legend."""
    return {channel_label(channel): values for channel, values in series.items()}


@dataclass
class Stats:
    """The dashboard's figures for the last `len(days)` days (zone time)."""

    days: List[dt.date]
    channels: List[str]
    # channel -> one number per day, in the order of `days` (ready for bar_chart_svg)
    conversations: Dict[str, List[int]] = field(default_factory=dict)
    messages: Dict[str, List[int]] = field(default_factory=dict)
    # Distinct investors in the period: one who came back on three days counts once
    # here but appears on each of those days above.
    total_conversations: int = 0
    total_messages: int = 0
    unanswered: int = 0
    answer_rate: Optional[float] = None  # None when there were no messages
    top_questions: List[Tuple[str, int]] = field(default_factory=list)  # FAQ id, times asked
    top_unanswered: List[Tuple[str, int]] = field(default_factory=list)  # normalised question, times
    feedback_up: int = 0
    feedback_down: int = 0
    feedback_up_ratio: Optional[float] = None  # None when nobody rated
    leads: Optional[int] = None  # filled in by the leads feature


@dataclass
class _UserEvents:
    senders: Dict[Tuple[dt.date, str], Set[str]] = field(default_factory=dict)
    messages: Counter = field(default_factory=Counter)
    all_senders: Set[str] = field(default_factory=set)
    faqs: Counter = field(default_factory=Counter)


def compute_stats(
    tracker_db_url: str,
    inbox: InboxStore,
    feedback: FeedbackStore,
    days: int = 14,
    today: Optional[dt.date] = None,
) -> Stats:
    """Everything the dashboard shows; a tracker store that does not exist yet (no
    conversation so far) gives zeros rather than an error page."""
    dates, start, end = day_bounds(days, today)
    events = _read_user_events(tracker_db_url, start, end)
    channels = sorted({channel for _, channel in events.messages})
    conversations = {channel: [len(events.senders.get((day, channel), ())) for day in dates] for channel in channels}
    messages = {channel: [events.messages[(day, channel)] for day in dates] for channel in channels}
    total_messages = sum(events.messages.values())
    unanswered = sum(inbox.unanswered_by_day(days, dates[-1]).values())
    answer_rate = None
    if total_messages:
        answer_rate = min(1.0, max(0.0, 1 - unanswered / total_messages))
    up, down = _feedback_counts(feedback, start, end)
    return Stats(
        days=dates,
        channels=channels,
        conversations=conversations,
        messages=messages,
        total_conversations=len(events.all_senders),
        total_messages=total_messages,
        unanswered=unanswered,
        answer_rate=answer_rate,
        top_questions=sorted(events.faqs.items(), key=lambda item: (-item[1], item[0]))[:TOP_LIMIT],
        top_unanswered=inbox.top_questions(days, dates[-1], TOP_LIMIT),
        feedback_up=up,
        feedback_down=down,
        feedback_up_ratio=up / (up + down) if up + down else None,
    )


def _sqlite_file_missing(url: Any) -> bool:
    database = url.database
    return (
        url.get_backend_name() == "sqlite" and bool(database) and database != ":memory:" and not Path(database).exists()
    )


def _read_user_events(tracker_db_url: str, start: float, end: float) -> _UserEvents:
    """User messages of the period, from the `events` table Rasa's SQLTrackerStore writes."""
    import sqlalchemy as sa  # imported here: the web app starts without it until needed

    found = _UserEvents()
    url = sa.engine.make_url(tracker_db_url)
    if _sqlite_file_missing(url):  # connecting would create an empty file
        return found
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return found
        events = sa.table(
            "events", sa.column("sender_id"), sa.column("type_name"), sa.column("timestamp"), sa.column("data")
        )
        query = sa.select(events.c.sender_id, events.c.timestamp, events.c.data).where(
            events.c.type_name == "user", events.c.timestamp >= start, events.c.timestamp < end
        )
        with engine.connect() as connection:
            for sender_id, timestamp, data in connection.execute(query):
                _count(found, sender_id, zone_date(timestamp), _load(data))
    finally:
        engine.dispose()
    return found


def _load(data: Optional[str]) -> Dict[str, Any]:
    try:
        loaded = json.loads(data or "{}")
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _count(found: _UserEvents, sender_id: str, day: dt.date, data: Dict[str, Any]) -> None:
    channel = data.get("input_channel") or UNKNOWN_CHANNEL
    found.messages[(day, channel)] += 1
    found.senders.setdefault((day, channel), set()).add(sender_id)
    found.all_senders.add(sender_id)
    parse_data = data.get("parse_data") or {}
    if ((parse_data.get("intent") or {}).get("name")) != FAQ_INTENT:
        return  # the selector guesses an FAQ for every message; only faq turns count
    selected = ((parse_data.get("response_selector") or {}).get(FAQ_INTENT) or {}).get("response") or {}
    key = selected.get("intent_response_key") or ""
    if key.startswith(FAQ_INTENT + "/"):
        found.faqs[key[len(FAQ_INTENT) + 1 :]] += 1


def _feedback_counts(feedback: FeedbackStore, start: float, end: float) -> Tuple[int, int]:
    """👍 and 👎 given in the period; (0, 0) before anyone has rated."""
    rows = feedback.created_and_ratings()
    counts: Counter = Counter()
    for created_at, rating in rows:
        try:
            moment = dt.datetime.fromisoformat(created_at)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        if start <= moment.timestamp() < end:
            counts[rating] += 1
    return counts["up"], counts["down"]


# --- charts -------------------------------------------------------------------------

_TITLE_Y, _LEGEND_Y = 18, 36
_PLOT_TOP, _PLOT_BOTTOM_GAP, _PLOT_LEFT, _PLOT_RIGHT_GAP = 52, 28, 40, 10
_EMPTY_TEXT = "暂无数据"


def _nice_ceiling(value: int) -> int:
    """1, 2, 4, 6, 8, 10, 20, 40 ...: an axis top people read at a glance, whose half
    (the middle grid line) is a whole number too."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 4, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _text_width(text: str, size: int = 12) -> float:
    """Rough width for layout: CJK characters are square, Latin ones about half."""
    return sum(size if ord(char) > 0x2E7F else size * 0.6 for char in text)


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def bar_chart_svg(
    title: str, labels: List[str], series: Dict[str, List[int]], width: int = 640, height: int = 240
) -> str:
    """A stacked bar chart as an SVG string: one bar per label, one colour per series,
    with a legend, a y axis and a tooltip on each segment."""
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
    esc = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}" font-size="12">',
        f"<title>{esc(title)}</title>",
        f'<text x="{_PLOT_LEFT}" y="{_TITLE_Y}" font-size="14" font-weight="bold">{esc(title)}</text>',
    ]
    x = float(_PLOT_LEFT)
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{_fmt(x)}" y="{_LEGEND_Y - 10}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{_fmt(x + 14)}" y="{_LEGEND_Y}">{esc(name)}</text>')
        x += 14 + _text_width(str(name)) + 16

    plot_bottom = height - _PLOT_BOTTOM_GAP
    plot_height = plot_bottom - _PLOT_TOP
    plot_width = width - _PLOT_LEFT - _PLOT_RIGHT_GAP
    totals = [sum(max(0, values[i]) for values in series.values()) for i in range(len(labels))]
    top = _nice_ceiling(max(totals, default=0))
    ticks = [0, top // 2, top] if top >= 2 else [0, top]
    for tick in ticks:
        y = plot_bottom - plot_height * tick / top
        parts.append(
            f'<line x1="{_PLOT_LEFT}" y1="{_fmt(y)}" x2="{width - _PLOT_RIGHT_GAP}" y2="{_fmt(y)}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{_PLOT_LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{tick}</text>')
    parts.append(f'<line x1="{_PLOT_LEFT}" y1="{_PLOT_TOP}" x2="{_PLOT_LEFT}" y2="{plot_bottom}" stroke="#888"/>')

    if not labels or not any(totals):
        parts.append(
            f'<text x="{_fmt(_PLOT_LEFT + plot_width / 2)}" y="{_fmt(_PLOT_TOP + plot_height / 2)}" '
            f'text-anchor="middle" fill="#888">{_EMPTY_TEXT}</text>'
        )
    slot = plot_width / max(len(labels), 1)
    bar_width = max(1.0, slot * 0.7)
    # Label every bar when they fit, else every second/third... so they never overlap.
    widest = max((_text_width(str(label)) for label in labels), default=0) + 6
    label_step = max(1, math.ceil(widest / slot)) if labels else 1
    for i, label in enumerate(labels):
        bar_x = _PLOT_LEFT + slot * i + (slot - bar_width) / 2
        y = float(plot_bottom)
        for index, (name, values) in enumerate(series.items()):
            value = max(0, values[i])
            if not value:
                continue
            bar_height = plot_height * value / top
            y -= bar_height
            parts.append(
                f'<rect x="{_fmt(bar_x)}" y="{_fmt(y)}" width="{_fmt(bar_width)}" height="{_fmt(bar_height)}" '
                f'fill="{PALETTE[index % len(PALETTE)]}"><title>{esc(label)} · {esc(name)}：{value}</title></rect>'
            )
        if i % label_step == 0:
            parts.append(
                f'<text x="{_fmt(bar_x + bar_width / 2)}" y="{plot_bottom + 16}" text-anchor="middle">{esc(label)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)
