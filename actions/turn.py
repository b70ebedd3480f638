"""What an action needs to know about the current turn, read from the tracker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from kb.text import SIMPLIFIED, detect_script


@dataclass(frozen=True)
class Turn:
    text: str  # normalised simplified text the model saw
    original: str  # exactly what the investor typed
    script: str
    truncated: bool
    intent: Optional[str]
    entities: Dict[str, str]

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def has_chinese(self) -> bool:
        return bool(_CJK.search(self.text))


_CJK = re.compile(r"[\u3400-\u9fff]")


def _original_text(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return ""


def read_turn(tracker: Tracker) -> Turn:
    latest: Dict[str, Any] = tracker.latest_message or {}
    original = _original_text(tracker)
    entities = {}
    for entity in latest.get("entities") or []:
        entities.setdefault(entity.get("entity"), str(entity.get("value", "")))
    intent = (latest.get("intent") or {}).get("name")
    return Turn(
        text=latest.get("text") or "",
        original=original,
        script=detect_script(original) if original else SIMPLIFIED,
        truncated=bool(latest.get("text_truncated")),
        intent=intent,
        entities=entities,
    )
