"""Questions the assistant could not answer well go to the staff inbox (inbox/store.py).

Recording is best effort: an investor's answer must never fail or wait on the inbox, so
nothing here raises."""

from __future__ import annotations

import logging
import threading
from typing import Dict, Optional

from rasa_sdk import Tracker

from actions.turn import Turn
from core import settings
from inbox.store import REASON_FALLBACK, REASON_LOW_CONFIDENCE, InboxStore
from kb import answers
from kb.answers import Reply
from kb.model import KnowledgeBase

logger = logging.getLogger(__name__)


_stores: Dict[str, InboxStore] = {}
_stores_lock = threading.Lock()


def _store() -> InboxStore:
    """One store per process, where INBOX_DB(_URL) said when it was first asked."""
    path = settings.database_once("INBOX")
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = InboxStore(path)
        return store


def record_unanswered(question: str, reason: str, channel: Optional[str], sender_id: str) -> None:
    """Put the question in the staff inbox; logs and carries on if that fails."""
    try:
        _store().record(question, reason, channel, sender_id)
    except Exception:  # the inbox being down must not cost the investor an answer
        logger.exception("inbox.record_failed", extra={"reason": reason})


def search_outcome(knowledge: KnowledgeBase, reply: Reply) -> Optional[str]:
    """Why a keyword-search reply belongs in the inbox, or None when it does not.

    search_answer() says "I don't know" with exactly the dont_know() texts, and
    redirects questions about other zones with the "other_zone" message (a deliberate
    answer, not a gap); anything else was answered by search, which may be wrong."""
    if reply.texts == answers.dont_know(knowledge).texts:
        return REASON_FALLBACK
    if reply.texts == [knowledge.message("other_zone")]:
        return None
    return REASON_LOW_CONFIDENCE


def note_search_reply(knowledge: KnowledgeBase, turn: Turn, tracker: Tracker, reply: Reply) -> None:
    """Record the turn when search did not know, or answered unsure; never raises."""
    try:
        reason = search_outcome(knowledge, reply)
        if reason is None:
            return
        question = turn.original or turn.text  # staff see what the investor typed
        record_unanswered(question, reason, tracker.get_latest_input_channel(), tracker.sender_id)
    except Exception:
        logger.exception("inbox.record_failed")
