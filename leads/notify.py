"""Telling staff about a new lead or a handoff request through a WeCom (企业微信) group
robot webhook. The chat group sees masked contact details and a link to the admin area,
where logged-in staff see the rest (PIPL: the group is wider than the people who need
the phone number).

Messages leave through the store's outbox: `deliver_due` sends what is due, retries
with backoff and never raises, so a broken webhook costs a retry, never a lead."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

import aiohttp

from core import settings
from leads.parsing import mask_email, mask_name, mask_phone, mask_text

if TYPE_CHECKING:  # the store renders messages with this module: no import cycle at runtime
    from leads.store import Lead, LeadStore

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
MAX_SHOWN_CHARS = 60
BEIJING = dt.timezone(dt.timedelta(hours=8))
CHANNEL_LABELS = {"wechat": "微信公众号", "socketio": "网站在线咨询", "rest": "接口"}
_MARKUP = re.compile(r"[\[\]()<>*`#>_~|\\]|\s+")
_LINK = re.compile(r"(?:https?://|www\.)\S*", re.I)


@dataclass(frozen=True)
class NotifySettings:
    webhook_url: str  # empty: notifications stay queued until one is configured
    admin_url: str

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url)

    @classmethod
    def from_env(cls) -> "NotifySettings":
        return cls(
            webhook_url=settings.get("LEAD_WEBHOOK_URL"),
            admin_url=settings.get("ADMIN_PUBLIC_URL").rstrip("/"),
        )


def _shown(text: Optional[str]) -> str:
    """Investor-typed text made safe for the group: contacts masked, no markdown links or
    tags (a "company name" must not become a phishing link in staff chat), kept short."""
    plain = re.sub(r"\s+", " ", mask_text(_MARKUP.sub(" ", _LINK.sub("（链接已隐藏）", text or "")))).strip()
    return (plain[:MAX_SHOWN_CHARS] + "…") if len(plain) > MAX_SHOWN_CHARS else (plain or "未填写")


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def _channel(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, _shown(channel))


def _markdown(content: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def lead_message(lead: "Lead", admin_url: str) -> dict:
    """A new lead for the staff group, personal data masked, full details one click away."""
    lines = [
        f"## 新的投资意向（编号 {lead.id}）",
        f"> 企业：{_shown(lead.company)}",
        f"> 行业：{_shown(lead.industry)}",
        f'> 投资金额：<font color="warning">{lead.amount_text}</font>',
        f"> 用地需求：{_shown(lead.land_need)}",
        f"> 联系人：{mask_name(lead.contact_name) or '未填写'}",
        f"> 手机：{mask_phone(lead.phone) or '未填写'}",
        f"> 邮箱：{mask_email(lead.email) or '未填写'}",
        f"> 渠道：{_channel(lead.channel)}",
        f"> 时间：{_when(lead.created_at)}",
        "",
        f"完整联系方式请登录后台查看：[线索 {lead.id}]({admin_url.rstrip('/')}/admin/leads/{lead.id})",
    ]
    return _markdown("\n".join(lines))


def handoff_message(
    handoff_id: int, channel: str, within_office_hours: bool, admin_url: str, created_at: Optional[float] = None
) -> dict:
    """A visitor asking for a person; the transcript stays in the admin area."""
    urgency = (
        '<font color="warning">工作时间内，请尽快回复</font>'
        if within_office_hours
        else '<font color="comment">非工作时间提出，已告知访客在下一个工作日联系</font>'
    )
    lines = [
        f"## 访客请求人工服务（编号 {handoff_id}）",
        f"> 渠道：{_channel(channel)}",
        f"> 时间：{_when(time.time() if created_at is None else created_at)}",
        f"> {urgency}",
        "",
        f"对话记录请登录后台查看：[转人工 {handoff_id}]({admin_url.rstrip('/')}/admin/handoffs/{handoff_id})",
    ]
    return _markdown("\n".join(lines))


async def _send(session: aiohttp.ClientSession, webhook_url: str, payload: dict) -> Optional[str]:
    """None when WeCom accepted the message, else the reason (HTTP 200 alone is not enough:
    WeCom reports a bad key or a rate limit as 200 with a non-zero errcode)."""
    try:
        async with session.post(
            webhook_url, json=payload, timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        ) as response:
            if response.status != 200:
                return f"http {response.status}"
            body = await response.json(content_type=None)
    except asyncio.TimeoutError:
        return "timeout"
    except aiohttp.ClientError as error:
        return f"connection {type(error).__name__}"
    except ValueError:
        return "invalid json"
    except Exception as error:  # a delivery loop must outlive any single bad item
        return f"error {type(error).__name__}"
    if not isinstance(body, dict):
        return "invalid json"
    if body.get("errcode") != 0:
        return f"errcode {body.get('errcode')} {str(body.get('errmsg', ''))[:200]}".strip()
    return None


async def deliver_due(
    store: "LeadStore", webhook_url: str, session: aiohttp.ClientSession, now: Optional[float] = None
) -> Tuple[int, int]:
    """Send what is due; (delivered, failed). Never raises."""
    if not webhook_url:
        return 0, 0
    now = time.time() if now is None else now
    try:
        items = store.claim_due(now)
    except Exception as error:  # the database being down must not stop the caller's loop
        logger.warning("leads.notify.unavailable reason=%s", type(error).__name__)
        return 0, 0
    delivered = failed = 0
    for item in items:
        reason = await _send(session, webhook_url, item.payload)
        try:
            if reason is None:
                store.mark_delivered(item.id, now)
                delivered += 1
                logger.info("leads.notify.delivered id=%s kind=%s", item.id, item.kind)
            else:
                retry_at = store.mark_failed(item.id, reason, now)
                failed += 1
                logger.warning(
                    "leads.notify.failed id=%s kind=%s attempts=%s retry_in=%s reason=%s",
                    item.id,
                    item.kind,
                    item.attempts + 1,
                    None if retry_at is None else round(retry_at - now),
                    mask_text(reason),
                )
        except Exception as error:  # the claim expires and the item is retried
            logger.warning("leads.notify.unrecorded id=%s reason=%s", item.id, type(error).__name__)
    return delivered, failed
