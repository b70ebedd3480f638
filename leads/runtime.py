"""The lead store and staff notifications as the action server uses them: one store per
process (per database URL, so tests can point LEADS_DB elsewhere), a notification sent
right after a new lead or handoff, and a retry loop for the ones the webhook refused.

A notification is queued in the outbox in the same transaction as the lead, so a
webhook that is down loses nothing; the outbox's claim keeps two action-server
processes from sending one notification twice."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Dict, Optional, Set

import aiohttp

from leads.notify import NotifySettings, deliver_due
from leads.store import LeadStore, leads_db_url

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30

_stores: Dict[str, LeadStore] = {}
_lock = threading.Lock()
_tasks: Set[asyncio.Task] = set()


def lead_store() -> LeadStore:
    url = leads_db_url()
    with _lock:
        if url not in _stores:
            _stores[url] = LeadStore(url)
        return _stores[url]


async def deliver_once(settings: Optional[NotifySettings] = None) -> None:
    settings = settings or NotifySettings.from_env()
    if not settings.webhook_url:
        return
    try:
        async with aiohttp.ClientSession() as session:
            delivered, failed = await deliver_due(lead_store(), settings.webhook_url, session)
        if delivered or failed:
            logger.info("lead.notify delivered=%s failed=%s", delivered, failed)
    except Exception:  # a broken webhook must never break a conversation
        logger.exception("lead.notify_failed")


def notify_soon() -> None:
    """Send queued notifications now, without making the investor wait for them."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not inside the server's loop (scripts, tests): the retry loop sends
        return
    task = loop.create_task(deliver_once())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def retry_forever(interval: float = RETRY_SECONDS) -> None:
    """Started with the action server: retries what the webhook refused, with backoff."""
    while True:
        await asyncio.sleep(interval)
        await deliver_once()
