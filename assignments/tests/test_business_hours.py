"""The business calendar: which minutes count towards an SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from assignments.business_hours import (
    business_days_after,
    business_start,
    calendar_from_settings,
    day_close,
    parse_calendar,
    sla_deadline,
)

KOLKATA = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
# Monday to Saturday, 09:00-18:00 in Kolkata: the shipped defaults.
SHOP = parse_calendar(days=[0, 1, 2, 3, 4, 5], hours="09:00-18:00", zone="Asia/Kolkata")


def local(*args: int, zone: ZoneInfo = KOLKATA) -> datetime:
    return datetime(*args, tzinfo=zone)


# 2026-03-02 is a Monday; 2026-03-07 a Saturday, 2026-03-08 a Sunday.
@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (local(2026, 3, 2, 10, 0), 30, local(2026, 3, 2, 10, 30)),
        (local(2026, 3, 2, 17, 45), 30, local(2026, 3, 3, 9, 15)),  # 15 today, 15 tomorrow
        (local(2026, 3, 2, 7, 0), 30, local(2026, 3, 2, 9, 30)),  # before opening
        (local(2026, 3, 2, 21, 0), 240, local(2026, 3, 3, 13, 0)),  # at night
        (local(2026, 3, 7, 17, 50), 30, local(2026, 3, 9, 9, 20)),  # Sunday is closed
        (local(2026, 3, 8, 12, 0), 60, local(2026, 3, 9, 10, 0)),  # a start on Sunday
        (local(2026, 3, 2, 10, 0), 1440, local(2026, 3, 4, 16, 0)),  # 24 business hours = 2 days 6 hours
        (local(2026, 3, 2, 18, 0), 0, local(2026, 3, 3, 9, 0)),  # closing time is not open
    ],
)
def test_it_counts_only_business_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    assert sla_deadline(start, minutes, calendar=SHOP) == expected


def test_it_accepts_any_offset_and_answers_in_the_business_zone() -> None:
    start_utc = local(2026, 3, 2, 10, 0).astimezone(ZoneInfo("UTC"))
    result = sla_deadline(start_utc, 30, calendar=SHOP)
    assert result == local(2026, 3, 2, 10, 30)
    assert result.tzinfo == KOLKATA


def test_it_keeps_business_minutes_exact_across_a_dst_change() -> None:
    # Europe/Berlin moves to summer time on Sunday 2026-03-29 at 02:00.
    everyday = parse_calendar(days=range(7), hours="09:00-18:00", zone="Europe/Berlin")
    result = sla_deadline(local(2026, 3, 28, 17, 30, zone=BERLIN), 60, calendar=everyday)
    assert result == local(2026, 3, 29, 9, 30, zone=BERLIN)
    assert result.utcoffset() == timedelta(hours=2)


def test_it_handles_opening_hours_that_end_at_midnight() -> None:
    late = parse_calendar(days=range(7), hours="20:00-24:00", zone="Asia/Kolkata")
    assert sla_deadline(local(2026, 3, 2, 23, 30), 60, calendar=late) == local(2026, 3, 3, 20, 30)
    assert day_close(local(2026, 3, 2, 21, 0), calendar=late) == local(2026, 3, 3, 0, 0)


def test_it_finds_the_start_and_close_of_the_business_day() -> None:
    assert business_start(local(2026, 3, 7, 19, 0), calendar=SHOP) == local(2026, 3, 9, 9, 0)
    assert business_start(local(2026, 3, 2, 11, 0), calendar=SHOP) == local(2026, 3, 2, 11, 0)
    assert day_close(local(2026, 3, 7, 19, 0), calendar=SHOP) == local(2026, 3, 9, 18, 0)


def test_it_counts_business_days_skipping_closed_days() -> None:
    assert business_days_after(local(2026, 3, 6, 11, 0), 1, calendar=SHOP) == local(2026, 3, 7, 11, 0)
    assert business_days_after(local(2026, 3, 7, 11, 0), 1, calendar=SHOP) == local(2026, 3, 9, 11, 0)
    assert business_days_after(local(2026, 3, 6, 11, 0), 3, calendar=SHOP) == local(2026, 3, 10, 11, 0)


def test_it_refuses_naive_times_and_negative_minutes() -> None:
    with pytest.raises(ValueError, match="aware"):
        sla_deadline(datetime(2026, 3, 2, 10, 0), 30, calendar=SHOP)
    with pytest.raises(ValueError, match="negative"):
        sla_deadline(local(2026, 3, 2, 10, 0), -1, calendar=SHOP)


@pytest.mark.parametrize(
    ("days", "hours", "names"),
    [
        ([], "09:00-18:00", "BUSINESS_DAYS"),
        ([0, 7], "09:00-18:00", "BUSINESS_DAYS"),
        ([0], "9-18", "BUSINESS_HOURS"),
        ([0], "18:00-09:00", "BUSINESS_HOURS"),
        ([0], "09:00-24:30", "BUSINESS_HOURS"),
        ([0], "09:75-18:00", "BUSINESS_HOURS"),
    ],
)
def test_it_names_the_setting_of_a_bad_calendar(days: list[int], hours: str, names: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=names):
        parse_calendar(days=days, hours=hours, zone="Asia/Kolkata")


def test_it_reads_the_calendar_from_settings(settings: object) -> None:
    settings.BUSINESS_DAYS = [6]
    settings.BUSINESS_HOURS = "10:00-12:00"
    settings.TIME_ZONE = "Europe/Berlin"
    calendar = calendar_from_settings()
    # 2026-03-01 is a Sunday: the only open day of this calendar.
    assert sla_deadline(local(2026, 3, 1, 11, 30, zone=BERLIN), 60, calendar=calendar) == local(
        2026, 3, 8, 10, 30, zone=BERLIN
    )
