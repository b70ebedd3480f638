"""The unanswered-questions inbox: what investors asked that the assistant could not
answer well, kept so staff can add a phrasing or a new FAQ.

A SQLite file or PostgreSQL (core/database.py): the action server writes a row per
unanswered turn while the web app reads and resolves, often in other processes, and
neither may block the other for long. Only a sha256 of the sender id is
kept: staff need to count people, not to identify them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text, func, insert, select, update

from core.database import Database, Location
from inbox.feedback import FeedbackStore
from kb.text import STOPWORDS, normalise

REASON_FALLBACK = "fallback"  # NLU fallback and the search found nothing
REASON_LOW_CONFIDENCE = "low_confidence"  # answered by keyword search, may be wrong
REASON_THUMBS_DOWN = "thumbs_down"  # the investor rated the answer 👎
REASONS = (REASON_FALLBACK, REASON_LOW_CONFIDENCE, REASON_THUMBS_DOWN)
# What the dashboard's answer rate counts as "not answered": a 👎 is an answer the
# investor did not like, and is counted from the feedback table instead.
UNANSWERED_REASONS = (REASON_FALLBACK, REASON_LOW_CONFIDENCE)

STATUS_OPEN, STATUS_RESOLVED = "open", "resolved"
STATUSES = (STATUS_OPEN, STATUS_RESOLVED)

# How a question was dealt with: added as a phrasing of an FAQ, answered by a new FAQ,
# or dismissed (spam, not about the zone).
RESOLUTION_PHRASING, RESOLUTION_NEW_FAQ, RESOLUTION_DISMISSED = "phrasing", "new_faq", "dismissed"
_RESOLUTION = re.compile(r"^(?:(?:phrasing|new_faq):[A-Za-z0-9_\-]{1,100}|dismissed)$")

MAX_QUESTION_CHARS = 500
OTHER_KEYWORD = "其他"
UNKNOWN_CHANNEL = "unknown"

# Day boundaries for the dashboard are those of the staff, in Hunan (China Standard
# Time, no daylight saving), not those of the server.
ZONE_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

# Nearly every question names the zone or is phrased as a question; these words would
# otherwise become the keyword and put every question in one group.
ZONE_STOPWORDS = frozenset(
    """湘潭 湘潭市 九华 经开区 经开 开发区 经济技术开发区 湘潭经开区 园区 工业园 工业园区 贵区 你们 我们 咱们
    请问 什么 怎么 怎么样 怎样 如何 多少 有没有 是否 是不是 哪些 哪个 哪里 那里 这里 可以 能否 能不能
    需要 现在 目前 一般 大概 知道 了解 咨询 一下 情况 问题 相关 具体 主要 还有 这边 那边 谢谢 你好""".split()
)

metadata = MetaData()
inbox_table = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("channel", Text, nullable=False),
    Column("sender_hash", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("normalised", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=STATUS_OPEN),
    Column("resolved_by", Text),
    Column("resolved_at", Float),
    Column("resolution", Text),
    Index("inbox_status_normalised", "status", "normalised"),
    Index("inbox_created_at", "created_at"),
)
meta_table = Table("inbox_meta", metadata, Column("key", Text, primary_key=True), Column("value", Text, nullable=False))
_FEEDBACK_CURSOR = "feedback_last_rowid"

_SPACE_NEXT_TO_NON_ASCII = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_SPACES = re.compile(r"\s+")


class InvalidResolution(ValueError):
    """A resolution that is not 'phrasing:<faq_id>', 'new_faq:<faq_id>' or 'dismissed'."""


@dataclass
class InboxQuestion:
    """One distinct question (after normalisation) and how often it was asked."""

    normalised: str
    example_text: str  # the latest wording an investor actually typed
    count: int
    reasons: Set[str]
    last_seen: float  # epoch seconds
    ids: List[int]


@dataclass
class InboxGroup:
    """Questions on one topic, so staff can answer them with one FAQ."""

    keyword: str
    count: int  # records, not distinct questions
    questions: List[InboxQuestion] = field(default_factory=list)


def hash_sender(sender_id: str) -> str:
    """Enough to count distinct investors, not to find one."""
    return hashlib.sha256(str(sender_id).encode("utf-8")).hexdigest()


def normalise_question(text: Optional[str]) -> str:
    """The de-duplication key: simplified, lower-case, no punctuation or emoji, and no
    spaces between Chinese words, so "电价多少？" and "电价 多少" are one question."""
    cleaned = normalise(text, max_chars=MAX_QUESTION_CHARS).text
    cleaned = "".join(" " if unicodedata.category(char)[0] in "PS" else char for char in cleaned)
    cleaned = _SPACE_NEXT_TO_NON_ASCII.sub("", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


@lru_cache(maxsize=1)
def _stopwords() -> FrozenSet[str]:
    return frozenset(STOPWORDS | ZONE_STOPWORDS)


@lru_cache(maxsize=1)
def _extractor():
    # Our own TF-IDF instance, so the stopwords do not leak into jieba's global one
    # (built on first use: loading the IDF table takes a moment).
    from jieba.analyse import TFIDF

    extractor = TFIDF()
    extractor.stop_words = set(extractor.stop_words) | set(_stopwords())
    return extractor


@lru_cache(maxsize=4096)
def topic_keyword(normalised: str) -> str:
    """The word a question is mostly about, for grouping; "其他" when there is none."""
    tags = _extractor().extract_tags(normalised, topK=1) if normalised else []
    return tags[0] if tags else OTHER_KEYWORD


def day_bounds(days: int, today: Optional[dt.date] = None) -> Tuple[List[dt.date], float, float]:
    """The last `days` days up to and including today (zone time), and their start and
    end as epoch seconds."""
    if days < 1:
        raise ValueError("days must be at least 1")
    today = today or dt.datetime.now(ZONE_TZ).date()
    first = today - dt.timedelta(days=days - 1)
    dates = [first + dt.timedelta(days=offset) for offset in range(days)]
    start = dt.datetime.combine(first, dt.time(), ZONE_TZ).timestamp()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), ZONE_TZ).timestamp()
    return dates, start, end


def zone_date(epoch: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch, ZONE_TZ).date()


def _feedback_epoch(created_at: str) -> float:
    """inbox/feedback.py stores ISO-8601 UTC text; fall back to now when unreadable."""
    try:
        moment = dt.datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return time.time()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


class InboxStore:
    """Unanswered questions, shared by the action server (writes) and web app (reads)."""

    def __init__(self, location: Location) -> None:
        """`location`: a SQLite file path or a database URL; nothing is made until first use."""
        self.db = Database(location, metadata)

    def record(
        self,
        question: str,
        reason: str,
        channel: Optional[str],
        sender_id: str,
        created_at: Optional[float] = None,
    ) -> Optional[int]:
        """Keep one unanswered question; None when nothing was asked."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason: {reason!r}")
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        normalised = normalise_question(question)
        if not normalised:
            return None
        row = dict(
            created_at=time.time() if created_at is None else created_at,
            channel=channel or UNKNOWN_CHANNEL,
            sender_hash=hash_sender(sender_id),
            question=question,
            normalised=normalised,
            reason=reason,
        )
        with self.db.write() as connection:
            return connection.execute(insert(inbox_table).values(**row)).inserted_primary_key[0]

    def import_feedback(self, feedback: FeedbackStore) -> int:
        """Copy new 👎 ratings from the feedback store in as "thumbs_down"; returns how many.

        The last feedback id seen is remembered, so each rating comes in once however
        often this runs. Two importers do not race: the cursor row is locked (SQLite's
        write lock, PostgreSQL's row lock) until the copy is committed."""
        cursor_row = meta_table.c.key == _FEEDBACK_CURSOR
        with self.db.write() as connection:
            connection.execute(self.db.insert_ignoring_duplicates(meta_table).values(key=_FEEDBACK_CURSOR, value="0"))
            last = int(connection.execute(select(meta_table.c.value).where(cursor_row).with_for_update()).scalar_one())
            imported, newest = 0, last
            for item in feedback.after(last):
                newest = max(newest, item.id)
                if item.rating != "down":
                    continue
                question = (item.question or "").strip()[:MAX_QUESTION_CHARS]
                normalised = normalise_question(question)
                if not normalised:
                    continue
                row = dict(
                    created_at=_feedback_epoch(item.created_at),
                    channel=item.channel or UNKNOWN_CHANNEL,
                    sender_hash=hash_sender(item.session_id),
                    question=question,
                    normalised=normalised,
                    reason=REASON_THUMBS_DOWN,
                )
                connection.execute(insert(inbox_table).values(**row))
                imported += 1
            connection.execute(update(meta_table).where(cursor_row).values(value=str(newest)))
        return imported

    def questions(self, status: str = STATUS_OPEN) -> List[InboxQuestion]:
        """Distinct questions with that status, most asked first."""
        if status not in STATUSES:
            raise ValueError(f"unknown status: {status!r}")
        table = inbox_table.c
        query = (
            select(table.id, table.created_at, table.question, table.normalised, table.reason)
            .where(table.status == status)
            .order_by(table.created_at, table.id)
        )
        with self.db.read() as connection:
            rows = [row._mapping for row in connection.execute(query)]
        by_text: Dict[str, InboxQuestion] = {}
        for row in rows:
            item = by_text.get(row["normalised"])
            if item is None:
                item = by_text[row["normalised"]] = InboxQuestion(row["normalised"], row["question"], 0, set(), 0.0, [])
            item.count += 1
            item.reasons.add(row["reason"])
            item.ids.append(row["id"])
            if row["created_at"] >= item.last_seen:
                item.last_seen, item.example_text = row["created_at"], row["question"]
        return sorted(by_text.values(), key=lambda q: (-q.count, -q.last_seen, q.normalised))

    def groups(self, status: str = STATUS_OPEN) -> List[InboxGroup]:
        """Distinct questions grouped by topic keyword, largest group first."""
        by_keyword: Dict[str, InboxGroup] = {}
        for question in self.questions(status):
            keyword = topic_keyword(question.normalised)
            group = by_keyword.setdefault(keyword, InboxGroup(keyword, 0))
            group.count += question.count
            group.questions.append(question)
        return sorted(by_keyword.values(), key=lambda g: (-g.count, g.keyword == OTHER_KEYWORD, g.keyword))

    def resolve(self, normalised: str, user: str, resolution: str) -> int:
        """Close every open record of this question; returns how many were closed."""
        if not _RESOLUTION.match(resolution or ""):
            raise InvalidResolution("resolution must be 'phrasing:<faq_id>', 'new_faq:<faq_id>' or 'dismissed'")
        these = (inbox_table.c.normalised == normalised) & (inbox_table.c.status == STATUS_OPEN)
        values = dict(status=STATUS_RESOLVED, resolved_by=user, resolved_at=time.time(), resolution=resolution)
        with self.db.write() as connection:
            return connection.execute(update(inbox_table).where(these).values(**values)).rowcount

    def open_count(self) -> int:
        """Open records (every time a question went unanswered, not distinct questions)."""
        query = select(func.count()).select_from(inbox_table).where(inbox_table.c.status == STATUS_OPEN)
        with self.db.read() as connection:
            return int(connection.execute(query).scalar_one())

    def unanswered_by_day(
        self, days: int, today: Optional[dt.date] = None, reasons: Sequence[str] = UNANSWERED_REASONS
    ) -> Dict[dt.date, int]:
        """Records per zone day (resolved or not: resolving does not change history)."""
        dates, start, end = day_bounds(days, today)
        counts: Dict[dt.date, int] = {day: 0 for day in dates}
        for created_at in self._created_between(start, end, reasons):
            day = zone_date(created_at)
            counts[day] = counts.get(day, 0) + 1
        return counts

    def top_questions(
        self, days: int, today: Optional[dt.date] = None, limit: int = 10, reasons: Sequence[str] = REASONS
    ) -> List[Tuple[str, int]]:
        """The most frequent normalised questions of the period, with their counts."""
        _, start, end = day_bounds(days, today)
        count = func.count().label("n")
        query = (
            select(inbox_table.c.normalised, count)
            .where(self._between(start, end, reasons))
            .group_by(inbox_table.c.normalised)
            .order_by(count.desc(), inbox_table.c.normalised)
            .limit(limit)
        )
        with self.db.read() as connection:
            return [(row.normalised, row.n) for row in connection.execute(query)]

    @staticmethod
    def _between(start: float, end: float, reasons: Iterable[str]):
        table = inbox_table.c
        return (table.created_at >= start) & (table.created_at < end) & table.reason.in_(list(reasons))

    def _created_between(self, start: float, end: float, reasons: Iterable[str]) -> List[float]:
        query = select(inbox_table.c.created_at).where(self._between(start, end, reasons))
        with self.db.read() as connection:
            return list(connection.execute(query).scalars())
