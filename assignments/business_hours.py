"""The business calendar: which minutes count towards an SLA.

Pure functions over aware datetimes. The calendar comes from settings
(BUSINESS_DAYS, BUSINESS_HOURS, TIME_ZONE) unless one is passed in. All
arithmetic is done in UTC: adding a timedelta to a zone-aware datetime in
Python is wall-clock arithmetic, which is wrong across a DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class BusinessCalendar:
    days: frozenset[int]  # Monday = 0
    opens: time
    closes_minutes: int  # minutes after local midnight; 1440 allows "24:00"
    zone: ZoneInfo

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening and closing instants (UTC) of a local date, or None when closed."""
        if day.weekday() not in self.days:
            return None
        local_open = datetime.combine(day, self.opens, tzinfo=self.zone)
        close_day = day + timedelta(days=self.closes_minutes // 1440)
        close_time = time(*divmod(self.closes_minutes % 1440, 60))
        local_close = datetime.combine(close_day, close_time, tzinfo=self.zone)
        return local_open.astimezone(_UTC), local_close.astimezone(_UTC)


def calendar_from_settings() -> BusinessCalendar:
    """The configured calendar; a bad value names its setting."""
    return parse_calendar(days=settings.BUSINESS_DAYS, hours=settings.BUSINESS_HOURS, zone=settings.TIME_ZONE)


def parse_calendar(*, days: list[int] | tuple[int, ...], hours: str, zone: str) -> BusinessCalendar:
    day_set = frozenset(int(d) for d in days)
    if not day_set or not day_set <= set(range(7)):
        raise ImproperlyConfigured(f"BUSINESS_DAYS must list weekdays 0 (Monday) to 6, got {days!r}.")
    match = _HOURS.match(hours or "")
    if not match:
        raise ImproperlyConfigured(f'BUSINESS_HOURS must look like "09:00-18:00", got {hours!r}.')
    oh, om, ch, cm = (int(g) for g in match.groups())
    opens_minutes, closes_minutes = oh * 60 + om, ch * 60 + cm
    if oh > 23 or om > 59 or cm > 59 or closes_minutes > 1440 or closes_minutes <= opens_minutes:
        raise ImproperlyConfigured(f"BUSINESS_HOURS must open before it closes, within one day, got {hours!r}.")
    return BusinessCalendar(days=day_set, opens=time(oh, om), closes_minutes=closes_minutes, zone=ZoneInfo(zone))


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("business-hours arithmetic needs an aware datetime")


def business_start(at: datetime, *, calendar: BusinessCalendar | None = None) -> datetime:
    """`at` itself during business hours, else the next opening (a lead at night waits for the morning)."""
    return sla_deadline(at, 0, calendar=calendar)


def sla_deadline(start: datetime, minutes: int, *, calendar: BusinessCalendar | None = None) -> datetime:
    """The instant `minutes` business minutes after `start`, in the business time zone.

    Only minutes inside the calendar's opening hours count; a start outside
    them counts from the next opening.
    """
    _require_aware(start)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    cal = calendar or calendar_from_settings()
    cursor = start.astimezone(_UTC)
    remaining = timedelta(minutes=minutes)
    # Begin the day before: a window that closes after midnight may still be open.
    day = cursor.astimezone(cal.zone).date() - timedelta(days=1)
    for _ in range(3700):  # ten years of days: a bound, never reached with a sane calendar
        window = cal.window(day)
        day += timedelta(days=1)
        if window is None:
            continue
        opens, closes = window
        if cursor >= closes:
            continue
        cursor = max(cursor, opens)
        if cursor + remaining <= closes:
            return (cursor + remaining).astimezone(cal.zone)
        remaining -= closes - cursor
        cursor = closes
    raise ImproperlyConfigured("The business calendar has no opening hours.")


def day_close(at: datetime, *, calendar: BusinessCalendar | None = None) -> datetime:
    """The closing time of the business day on which the clock started at `at` runs."""
    cal = calendar or calendar_from_settings()
    start = business_start(at, calendar=cal)
    day = start.astimezone(cal.zone).date()
    for offset in (0, -1):  # a window that closes after midnight began the day before
        window = cal.window(day + timedelta(days=offset))
        if window and window[0] <= start.astimezone(_UTC) <= window[1]:
            return window[1].astimezone(cal.zone)
    raise AssertionError("business_start() returned a time outside every window")


def business_days_after(at: datetime, days: int, *, calendar: BusinessCalendar | None = None) -> datetime:
    """The same local time `days` business days after the clock starts at `at`.

    A time that falls outside that day's hours (a DST gap, an evening start)
    moves to the next business moment.
    """
    cal = calendar or calendar_from_settings()
    start = business_start(at, calendar=cal).astimezone(cal.zone)
    day, counted = start.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() in cal.days:
            counted += 1
    target = datetime.combine(day, start.time(), tzinfo=cal.zone)
    return business_start(target, calendar=cal)
