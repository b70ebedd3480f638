"""Investment leads and handoff requests, kept under PIPL rules: full details only here
and in the admin area, each submission stored once however often it is retried, and the
staff notification queued in the same transaction (an outbox), so a lead is never
stored without its notification nor notified without being stored.

SQLAlchemy Core through core/database.py: SQLite by default, PostgreSQL when
LEADS_DB_URL says so (the action server and the web app may run as several processes
on several hosts)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core import settings
from core.database import Database, database_url
from leads.notify import NotifySettings, handoff_message, lead_message
from leads.parsing import Amount, mask_text, normalise_email, normalise_phone

logger = logging.getLogger(__name__)

STATUSES = ("new", "contacted", "closed")
STATUS_LABELS = {"new": "新线索", "contacted": "已联系", "closed": "已关闭"}
KINDS = ("lead", "handoff")
SPEAKERS = ("investor", "bot")
MAX_FIELD_CHARS = 200  # a form answer, not a paste
MAX_TRANSCRIPT_TURNS = 100
MAX_TURN_CHARS = 2000
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
BEIJING = dt.timezone(dt.timedelta(hours=8))

metadata = MetaData()

leads_table = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_key", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("channel", String(), nullable=False),
    Column("conversation_id", String(), nullable=False),
    Column("company", Text, nullable=False),
    Column("industry", Text, nullable=False),
    Column("amount_yuan", Float, nullable=False),
    Column("amount_currency", String(3), nullable=False),
    Column("amount_text", String(), nullable=False),
    Column("land_need", Text, nullable=False),
    Column("contact_name", Text, nullable=False),
    Column("phone", String(), nullable=True),
    Column("email", String(), nullable=True),
    Column("status", String(20), nullable=False, default="new", server_default="new"),
    Column("status_changed_by", String(), nullable=True),
    Column("status_changed_at", Float, nullable=True),
)

handoffs_table = Table(
    "handoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_key", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("channel", String(), nullable=False),
    Column("conversation_id", String(), nullable=False),
    Column("transcript", Text, nullable=False),
    Column("within_office_hours", Boolean, nullable=False),
    Column("status", String(20), nullable=False, default="new", server_default="new"),
)

outbox_table = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),
    Column("ref_id", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("next_attempt_at", Float, nullable=False),
    Column("claimed_until", Float, nullable=True),
    Column("delivered_at", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("kind", "ref_id", name="uq_outbox_kind_ref"),
    Index("ix_outbox_due", "delivered_at", "next_attempt_at"),
)


class InvalidLead(ValueError):
    """A lead that cannot be stored; the message (Chinese) can be shown to the investor."""


@dataclass
class LeadInput:
    channel: str
    conversation_id: str
    company: str
    industry: str
    amount: Amount
    land_need: Optional[str]
    contact_name: str
    phone: Optional[str] = None
    email: Optional[str] = None


@dataclass
class Lead:
    id: int
    lead_key: str
    created_at: float
    channel: str
    conversation_id: str
    company: str
    industry: str
    amount_yuan: float
    amount_currency: str
    amount_text: str
    land_need: str
    contact_name: str
    phone: Optional[str]
    email: Optional[str]
    status: str
    status_changed_by: Optional[str]
    status_changed_at: Optional[float]

    @property
    def amount(self) -> Amount:
        return Amount(self.amount_yuan, self.amount_currency, self.amount_text)


@dataclass
class Handoff:
    id: int
    handoff_key: str
    created_at: float
    channel: str
    conversation_id: str
    transcript: List[Dict[str, Any]]
    within_office_hours: bool
    status: str


@dataclass
class OutboxItem:
    id: int
    kind: str
    ref_id: int
    payload: Dict[str, Any]
    created_at: float
    attempts: int
    next_attempt_at: float
    claimed_until: Optional[float] = None
    delivered_at: Optional[float] = None
    last_error: Optional[str] = field(default=None)


def leads_db_url() -> str:
    """LEADS_DB_URL (e.g. PostgreSQL) when set, else the SQLite file LEADS_DB (read once)."""
    return database_url(settings.database_once("LEADS"))


def _tidy(text: Optional[str], limit: int = MAX_FIELD_CHARS) -> str:
    return re.sub(r"\s+", " ", text or "").strip()[:limit]


def clean_lead(lead: LeadInput) -> LeadInput:
    """Trimmed fields and normalised contact details, so a retry with stray spaces or a
    "+86" is recognised as the same lead. Refuses a lead nobody could call back."""
    phone = normalise_phone(lead.phone) if lead.phone and lead.phone.strip() else None
    email = normalise_email(lead.email) if lead.email and lead.email.strip() else None
    if lead.phone and lead.phone.strip() and phone is None:
        raise InvalidLead("手机号码格式不正确，请填写11位手机号码。")
    if lead.email and lead.email.strip() and email is None:
        raise InvalidLead("电子邮箱格式不正确，请重新填写。")
    if phone is None and email is None:
        raise InvalidLead("请至少留下手机号码或电子邮箱，方便我们与您联系。")
    return replace(
        lead,
        channel=_tidy(lead.channel, 40),
        conversation_id=_tidy(lead.conversation_id, 200),
        company=_tidy(lead.company),
        industry=_tidy(lead.industry),
        land_need=_tidy(lead.land_need),
        contact_name=_tidy(lead.contact_name, 60),
        phone=phone,
        email=email,
    )


def lead_key(conversation_id: str, lead: LeadInput) -> str:
    """Same conversation and same details give the same key (a WeChat retry, a double
    click); any corrected detail gives a new one."""
    clean = clean_lead(lead)
    content = [
        conversation_id,
        clean.channel,
        clean.company,
        clean.industry,
        f"{clean.amount.yuan:.2f}",
        clean.amount.currency,
        clean.land_need,
        clean.contact_name,
        clean.phone or "",
        clean.email or "",
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"状态只能是：{'、'.join(STATUS_LABELS[s] for s in STATUSES)}（{', '.join(STATUSES)}）")


def _clean_transcript(transcript: Iterable[dict]) -> List[Dict[str, Any]]:
    turns = []
    for turn in list(transcript or [])[-MAX_TRANSCRIPT_TURNS:]:
        if not isinstance(turn, dict) or turn.get("who") not in SPEAKERS:
            continue
        turns.append({"who": turn["who"], "text": str(turn.get("text") or "")[:MAX_TURN_CHARS], "at": turn.get("at")})
    return turns


def retry_delay(attempts: int) -> float:
    """30 s after the first failure, doubling, at most an hour: a webhook that is down for
    a while is not hammered, and staff still hear about a lead within the hour."""
    return min(FIRST_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 20), MAX_RETRY_SECONDS)


def _beijing(timestamp: Optional[float]) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any) -> str:
    """Investor-typed text must not run as a formula when staff open the file in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADERS = (
    "编号",
    "提交时间（北京时间）",
    "渠道",
    "企业名称",
    "行业",
    "投资金额",
    "用地需求",
    "联系人",
    "手机号码",
    "电子邮箱",
    "状态",
    "状态修改人",
    "状态修改时间",
    "会话编号",
)


def leads_csv(leads: Iterable[Lead]) -> bytes:
    """Full details for staff, UTF-8 with BOM so Excel on Windows shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for lead in leads:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    lead.id,
                    _beijing(lead.created_at),
                    lead.channel,
                    lead.company,
                    lead.industry,
                    lead.amount_text,
                    lead.land_need,
                    lead.contact_name,
                    lead.phone,
                    lead.email,
                    STATUS_LABELS.get(lead.status, lead.status),
                    lead.status_changed_by,
                    _beijing(lead.status_changed_at),
                    lead.conversation_id,
                )
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _lead(row: Any) -> Lead:
    return Lead(**dict(row._mapping))


def _handoff(row: Any) -> Handoff:
    values = dict(row._mapping)
    values["transcript"] = json.loads(values["transcript"] or "[]")
    values["within_office_hours"] = bool(values["within_office_hours"])
    return Handoff(**values)


def _outbox_item(row: Any) -> OutboxItem:
    values = dict(row._mapping)
    values["payload"] = json.loads(values["payload"])
    return OutboxItem(**values)


class LeadStore:
    """Engine and tables are made on first use, never at import or construction, so
    importing the actions or the web app touches no database."""

    def __init__(self, url: str, admin_url: Optional[str] = None) -> None:
        self.admin_url = (admin_url or NotifySettings.from_env().admin_url).rstrip("/")
        self.db = Database(url, metadata)

    @property
    def url(self) -> str:
        return self.db.url

    def close(self) -> None:
        """Close pooled connections (the engine is shared by every store on this URL and
        opens new ones when next used)."""
        self.db.engine.dispose()

    # Leads

    def add_lead(self, lead: LeadInput, key: str) -> Tuple[Lead, bool]:
        """The stored lead and True, or the lead already stored under `key` and False."""
        clean = clean_lead(lead)
        now = time.time()
        row = dict(
            lead_key=key,
            created_at=now,
            channel=clean.channel,
            conversation_id=clean.conversation_id,
            company=clean.company,
            industry=clean.industry,
            amount_yuan=clean.amount.yuan,
            amount_currency=clean.amount.currency,
            amount_text=clean.amount.text,
            land_need=clean.land_need,
            contact_name=clean.contact_name,
            phone=clean.phone,
            email=clean.email,
            status="new",
        )
        try:
            with self.db.write() as connection:
                lead_id = connection.execute(insert(leads_table).values(**row)).inserted_primary_key[0]
                created = _lead(connection.execute(select(leads_table).where(leads_table.c.id == lead_id)).one())
                self._enqueue(connection, "lead", created.id, lead_message(created, self.admin_url), now)
        except IntegrityError:
            existing = self._lead_by_key(key)
            if existing is None:
                raise
            logger.info("leads.lead.duplicate id=%s", existing.id)
            return existing, False
        logger.info("leads.lead.created id=%s channel=%s", created.id, created.channel)
        return created, True

    def _lead_by_key(self, key: str) -> Optional[Lead]:
        with self.db.read() as connection:
            row = connection.execute(select(leads_table).where(leads_table.c.lead_key == key)).first()
        return _lead(row) if row else None

    def get_lead(self, lead_id: int) -> Optional[Lead]:
        with self.db.read() as connection:
            row = connection.execute(select(leads_table).where(leads_table.c.id == lead_id)).first()
        return _lead(row) if row else None

    def list_leads(self, status: Optional[str] = None, limit: int = 500) -> List[Lead]:
        """Newest first."""
        query = select(leads_table).order_by(leads_table.c.created_at.desc(), leads_table.c.id.desc()).limit(limit)
        if status is not None:
            _check_status(status)
            query = query.where(leads_table.c.status == status)
        with self.db.read() as connection:
            return [_lead(row) for row in connection.execute(query)]

    def count_leads(self, since: Optional[float] = None) -> int:
        query = select(func.count()).select_from(leads_table)
        if since is not None:
            query = query.where(leads_table.c.created_at >= since)
        with self.db.read() as connection:
            return int(connection.execute(query).scalar_one())

    def set_status(self, lead_id: int, status: str, user: str) -> bool:
        """False when there is no such lead. Who changed it and when are kept for the audit."""
        _check_status(status)
        with self.db.write() as connection:
            result = connection.execute(
                update(leads_table)
                .where(leads_table.c.id == lead_id)
                .values(status=status, status_changed_by=user, status_changed_at=time.time())
            )
        if result.rowcount == 1:
            logger.info("leads.lead.status id=%s status=%s", lead_id, status)
        return result.rowcount == 1

    leads_csv = staticmethod(leads_csv)

    # Handoffs

    def add_handoff(
        self, channel: str, conversation_id: str, transcript: List[dict], within_office_hours: bool, key: str
    ) -> Tuple[int, bool]:
        """The handoff's id and True, or the id already stored under `key` and False."""
        now = time.time()
        row = dict(
            handoff_key=key,
            created_at=now,
            channel=_tidy(channel, 40),
            conversation_id=_tidy(conversation_id, 200),
            transcript=json.dumps(_clean_transcript(transcript), ensure_ascii=False),
            within_office_hours=bool(within_office_hours),
            status="new",
        )
        try:
            with self.db.write() as connection:
                handoff_id = connection.execute(insert(handoffs_table).values(**row)).inserted_primary_key[0]
                message = handoff_message(
                    handoff_id, row["channel"], row["within_office_hours"], self.admin_url, created_at=now
                )
                self._enqueue(connection, "handoff", handoff_id, message, now)
        except IntegrityError:
            with self.db.read() as connection:
                existing = connection.execute(
                    select(handoffs_table.c.id).where(handoffs_table.c.handoff_key == key)
                ).scalar()
            if existing is None:
                raise
            logger.info("leads.handoff.duplicate id=%s", existing)
            return int(existing), False
        logger.info(
            "leads.handoff.created id=%s channel=%s office_hours=%s",
            handoff_id,
            row["channel"],
            row["within_office_hours"],
        )
        return int(handoff_id), True

    def get_handoff(self, handoff_id: int) -> Optional[Handoff]:
        with self.db.read() as connection:
            row = connection.execute(select(handoffs_table).where(handoffs_table.c.id == handoff_id)).first()
        return _handoff(row) if row else None

    def list_handoffs(self, limit: int = 200) -> List[Handoff]:
        """Newest first."""
        query = (
            select(handoffs_table).order_by(handoffs_table.c.created_at.desc(), handoffs_table.c.id.desc()).limit(limit)
        )
        with self.db.read() as connection:
            return [_handoff(row) for row in connection.execute(query)]

    # Outbox

    @staticmethod
    def _enqueue(connection: Connection, kind: str, ref_id: int, payload: dict, now: float) -> None:
        connection.execute(
            insert(outbox_table).values(
                kind=kind,
                ref_id=ref_id,
                payload=json.dumps(payload, ensure_ascii=False),
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        )

    def claim_due(self, now: float, lease_seconds: float = 60, limit: int = 20) -> List[OutboxItem]:
        """Due, undelivered items, each claimed for `lease_seconds` by a conditional UPDATE
        that only one process can win; a sender that dies leaves its claim to expire."""
        o = outbox_table.c
        claimable = (
            o.delivered_at.is_(None),
            o.next_attempt_at <= now,
            or_(o.claimed_until.is_(None), o.claimed_until < now),
        )
        with self.db.read() as connection:
            candidates = (
                connection.execute(select(o.id).where(*claimable).order_by(o.next_attempt_at, o.id).limit(limit))
                .scalars()
                .all()
            )
        claimed = []
        for item_id in candidates:
            with self.db.write() as connection:
                result = connection.execute(
                    update(outbox_table).where(o.id == item_id, *claimable).values(claimed_until=now + lease_seconds)
                )
                if result.rowcount == 1:
                    row = connection.execute(select(outbox_table).where(o.id == item_id)).one()
                    claimed.append(_outbox_item(row))
        return claimed

    def mark_delivered(self, item_id: int, now: Optional[float] = None) -> None:
        with self.db.write() as connection:
            connection.execute(
                update(outbox_table)
                .where(outbox_table.c.id == item_id)
                .values(delivered_at=time.time() if now is None else now, claimed_until=None, last_error=None)
            )

    def mark_failed(self, item_id: int, error: str, now: float) -> Optional[float]:
        """Count the attempt, release the claim and schedule the retry; returns its time."""
        o = outbox_table.c
        with self.db.write() as connection:
            attempts = connection.execute(select(o.attempts).where(o.id == item_id)).scalar()
            if attempts is None:
                return None
            attempts += 1
            next_attempt = now + retry_delay(attempts)
            connection.execute(
                update(outbox_table)
                .where(o.id == item_id)
                .values(
                    attempts=attempts,
                    next_attempt_at=next_attempt,
                    claimed_until=None,
                    last_error=mask_text(error)[:500],
                )
            )
        return next_attempt

    def list_outbox(self, limit: int = 200) -> List[OutboxItem]:
        """Newest first: for the admin area to show notifications that are still failing."""
        query = select(outbox_table).order_by(outbox_table.c.id.desc()).limit(limit)
        with self.db.read() as connection:
            return [_outbox_item(row) for row in connection.execute(query)]
