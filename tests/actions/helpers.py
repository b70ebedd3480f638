"""Fixture trackers shaped like the ones Rasa sends to the action server."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from kb.text import normalise


def make_tracker(
    typed: str,
    intent: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    faq: Optional[str] = None,
    faq_confidence: float = 0.95,
) -> Tracker:
    """A tracker whose latest user message is `typed`, parsed as Rasa would."""
    normalised = normalise(typed)
    latest: Dict[str, Any] = {
        "text": normalised.text,
        "text_truncated": normalised.truncated,
        "intent": {"name": intent, "confidence": 0.98},
        "entities": entities or [],
    }
    if faq:
        latest["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{faq}", "confidence": faq_confidence}}
        }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": typed, "parse_data": latest},
    ]
    return Tracker("investor-1", slots or {}, latest, events, False, None, {}, "action_listen")


def tracker_state(tracker: Tracker) -> Dict[str, Any]:
    """The JSON Rasa posts to the NLG endpoint."""
    return {
        "sender_id": tracker.sender_id,
        "slots": tracker.slots,
        "latest_message": tracker.latest_message,
        "events": tracker.events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
