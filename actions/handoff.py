""" "转人工" / "找招商人员": record the request with the conversation so far, tell staff,
and tell the investor what happens next: within office hours that the team will get in
touch, outside them that they can leave their project and contact for the next working
day (the investment-intention form)."""

from __future__ import annotations

import hashlib
import logging
from typing import Dict, List

from rasa_sdk import Tracker

from actions.base import ZoneAction
from actions.turn import Turn
from kb import answers
from kb.answers import Reply
from kb.model import KnowledgeBase
from leads.office_hours import OfficeHours
from leads.runtime import lead_store, notify_soon

logger = logging.getLogger(__name__)

FORM_BUTTON = ("留下项目和联系方式", "/leave_intention")
TRANSCRIPT_TURNS = 40


def transcript(tracker: Tracker) -> List[Dict[str, object]]:
    """The conversation as staff will read it: who said what, when (last 40 turns)."""
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("user", "bot") and event.get("text"):
            lines.append(
                {"who": "investor" if kind == "user" else "bot", "text": event["text"], "at": event.get("timestamp")}
            )
    return lines[-TRANSCRIPT_TURNS:]


def handoff_key(tracker: Tracker) -> str:
    """One request per investor message, however often it is delivered."""
    last_user = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    raw = f"{tracker.sender_id}|{last_user.get('timestamp')}|{last_user.get('text')}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ActionOfferStaff(ZoneAction):
    action_name = "action_offer_staff"

    def respond(self, knowledge: KnowledgeBase, turn: Turn, tracker: Tracker) -> Reply:
        hours = OfficeHours.from_env()
        is_open = hours.is_open()
        try:
            handoff_id, created = lead_store().add_handoff(
                tracker.get_latest_input_channel() or "unknown",
                tracker.sender_id,
                transcript(tracker),
                is_open,
                handoff_key(tracker),
            )
            if created:
                logger.info("handoff.recorded id=%s open=%s", handoff_id, is_open)
                notify_soon()
        except Exception:  # the investor is still told how to reach a person
            logger.exception("handoff.store_failed")
        key = "handoff_open" if is_open else "handoff_closed"
        texts = [knowledge.message(key, hours=hours.describe())]
        if any(knowledge.contact.values()):  # published contact details, when staff add them
            texts += answers.staff_contact(knowledge).texts
        return Reply(texts, [FORM_BUTTON])
