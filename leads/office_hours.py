"""The investment-promotion team's office hours, in Beijing time, from the environment:
OFFICE_HOURS="mon-fri 08:30-12:00,14:00-17:30" (the default: a Chinese government
office's working day with its lunch break). Public holidays are not known here; set
OFFICE_CLOSED_DATES="2026-10-01,2026-10-02" for days the office is shut."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import FrozenSet, Optional, Tuple

from core import settings

BEIJING = dt.timezone(dt.timedelta(hours=8))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT = settings.SETTINGS["OFFICE_HOURS"].default
_SPEC = re.compile(r"^\s*(\w{3})(?:-(\w{3}))?\s+([\d:,\- ]+)$")


class OfficeHoursError(ValueError):
    pass


@dataclass(frozen=True)
class OfficeHours:
    weekdays: FrozenSet[int]
    spans: Tuple[Tuple[dt.time, dt.time], ...]
    closed_dates: FrozenSet[dt.date] = frozenset()
    text: str = DEFAULT

    @classmethod
    def parse(cls, spec: str, closed: str = "") -> "OfficeHours":
        match = _SPEC.match(spec or "")
        if not match or match.group(1).lower() not in DAYS or (match.group(2) and match.group(2).lower() not in DAYS):
            raise OfficeHoursError(f"OFFICE_HOURS must look like {DEFAULT!r}, not {spec!r}")
        first = DAYS.index(match.group(1).lower())
        last = DAYS.index((match.group(2) or match.group(1)).lower())
        spans = []
        for part in match.group(3).split(","):
            try:
                start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
            except ValueError:
                raise OfficeHoursError(f"OFFICE_HOURS time span {part!r} must look like 08:30-17:30")
            if start >= end:
                raise OfficeHoursError(f"OFFICE_HOURS time span {part!r} ends before it starts")
            spans.append((start, end))
        try:
            dates = frozenset(dt.date.fromisoformat(d.strip()) for d in closed.split(",") if d.strip())
        except ValueError:
            raise OfficeHoursError(f"OFFICE_CLOSED_DATES must be dates like 2026-10-01, not {closed!r}")
        return cls(frozenset(range(first, last + 1)), tuple(spans), dates, spec.strip())

    @classmethod
    def from_env(cls) -> "OfficeHours":
        return cls.parse(settings.get("OFFICE_HOURS"), settings.get("OFFICE_CLOSED_DATES"))

    def is_open(self, when: Optional[dt.datetime] = None) -> bool:
        local = (when or dt.datetime.now(BEIJING)).astimezone(BEIJING)
        if local.weekday() not in self.weekdays or local.date() in self.closed_dates:
            return False
        return any(start <= local.time() < end for start, end in self.spans)

    def describe(self) -> str:
        """For investors: 周一至周五 08:30-12:00、14:00-17:30."""
        names = "一二三四五六日"
        days = sorted(self.weekdays)
        day_text = f"周{names[days[0]]}至周{names[days[-1]]}" if len(days) > 1 else f"周{names[days[0]]}"
        return day_text + " " + "、".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.spans)
