"""Office hours decide what an investor asking for a person is told."""

from __future__ import annotations

import datetime as dt

import pytest

from leads.office_hours import BEIJING, OfficeHours, OfficeHoursError


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def test_default_hours_follow_the_working_day_with_lunch_break():
    hours = OfficeHours.parse("mon-fri 08:30-12:00,14:00-17:30")
    assert hours.is_open(at("2026-11-24 09:00"))  # a Tuesday morning
    assert not hours.is_open(at("2026-11-24 12:30"))  # lunch
    assert not hours.is_open(at("2026-11-24 17:30"))  # closing time
    assert not hours.is_open(at("2026-11-28 10:00"))  # Saturday
    assert hours.describe() == "周一至周五 08:30-12:00、14:00-17:30"


def test_times_in_other_zones_are_read_in_beijing_time():
    hours = OfficeHours.parse("mon-fri 08:30-17:30")
    utc = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Beijing
    assert hours.is_open(utc)


def test_closed_dates_are_closed():
    hours = OfficeHours.parse("mon-fri 08:30-17:30", "2026-11-24")
    assert not hours.is_open(at("2026-11-24 10:00"))


@pytest.mark.parametrize(
    "spec", ["", "weekdays 9-5", "mon-fri 17:30-08:30", "mon-xyz 08:00-09:00", "mon-fri 8:3o-9:00"]
)
def test_bad_settings_are_refused_with_a_clear_message(spec):
    with pytest.raises(OfficeHoursError) as error:
        OfficeHours.parse(spec)
    assert "OFFICE_HOURS" in str(error.value)
