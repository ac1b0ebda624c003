"""All date arithmetic lives here: working days, calendar units, and wording.

Deadlines are only as right as this module, so it is small and exhaustively
tested. Bank holidays (England and Wales, with substitute and one-off days)
are a fixed table for a fixed span, shipped as ``bank_holidays.json`` and
generated from the ``holidays`` library (a test checks they still agree).
Importing ``holidays`` and building its table cost 100 ms or more on every
run, so the library is loaded only if the shipped table cannot be read. The
span stays fixed either way: ``holidays`` silently extends its range when asked
about other years, which would hide a date typo like 2206. Dates outside the
span are reported instead (see ``WorkCalendar.outside``).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

HOLIDAY_SPAN = (2000, 2045)  # inclusive years the bank-holiday table covers
BANK_HOLIDAY_FILE = Path(__file__).with_name("bank_holidays.json")

UNITS = {
    "working day": "working_days",
    "working days": "working_days",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
}
_TIMESCALE = re.compile(r"^\s*(\d+)\s+([a-z ]+?)\s*$")


@dataclass(frozen=True)
class Timescale:
    """A whole number and a unit, as written in profiles: "10 working days"."""

    n: int
    unit: str  # working_days | days | weeks | months

    @classmethod
    def parse(cls, text: str) -> "Timescale":
        m = _TIMESCALE.match(text.lower()) if isinstance(text, str) else None
        if not m or m.group(2) not in UNITS:
            raise ValueError(
                f"timescale {text!r} is not a whole number and a unit "
                "(working days, days, weeks or months)"
            )
        return cls(int(m.group(1)), UNITS[m.group(2)])

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        return f"{self.n} {word[:-1] if self.n == 1 else word}"


def library_bank_holidays(span: tuple[int, int] = HOLIDAY_SPAN) -> dict[date, str]:
    """England's bank holidays from the ``holidays`` library (slow: imports it)."""
    import holidays

    table = holidays.country_holidays("GB", subdiv="ENG", years=range(span[0], span[1] + 1))
    return dict(sorted(table.items()))


def write_bank_holiday_table(path: Path = BANK_HOLIDAY_FILE) -> None:
    """Regenerate the shipped table (after raising HOLIDAY_SPAN or a new one-off day)."""
    days = {d.isoformat(): name for d, name in library_bank_holidays().items()}
    doc = {"about": "England and Wales bank holidays, generated from the `holidays` library "
                    "by cptui.dates.write_bank_holiday_table()",
           "span": list(HOLIDAY_SPAN), "days": days}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def shipped_bank_holidays() -> frozenset[date] | None:
    """The table shipped in the package; None if it is missing, unreadable or for another span."""
    try:
        doc = json.loads(BANK_HOLIDAY_FILE.read_text(encoding="utf-8"))
        if tuple(doc["span"]) != HOLIDAY_SPAN:
            return None
        return frozenset(date.fromisoformat(d) for d in doc["days"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


_BANK_HOLIDAYS: frozenset[date] | None = None


def bank_holidays() -> frozenset[date]:
    global _BANK_HOLIDAYS
    if _BANK_HOLIDAYS is None:
        _BANK_HOLIDAYS = shipped_bank_holidays() or frozenset(library_bank_holidays())
    return _BANK_HOLIDAYS


# _PART_WEEK[w][r]: weekdays among the r days after a day of weekday w (Monday 0).
_PART_WEEK = [[sum(1 for i in range(1, r + 1) if (w + i) % 7 < 5) for r in range(7)]
              for w in range(7)]


class WorkCalendar:
    """Working days for one team: weekends, bank holidays, local closures."""

    def __init__(self, non_working_days: Iterable[date] = ()) -> None:
        self.local = frozenset(non_working_days)
        self.bank = bank_holidays()
        self._memo: dict[tuple[date, int], date] = {}  # the same dates recur across cases
        self._closures: list[date] | None = None  # bank and local closures on weekdays, sorted

    def outside(self, d: date) -> bool:
        """True when ``d`` is beyond the years the holiday table knows."""
        return not HOLIDAY_SPAN[0] <= d.year <= HOLIDAY_SPAN[1]

    def is_bank_holiday(self, d: date) -> bool:
        return d in self.bank

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.bank and d not in self.local

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (n < 0: before); d itself never counts."""
        key = (d, n)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._add_working_days(d, n)
        return hit

    def _add_working_days(self, d: date, n: int) -> date:
        step = timedelta(days=1 if n >= 0 else -1)
        left = abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: how many working days b is after a.

        Counted, not walked (the caseload asks this for thousands of deadlines):
        weekdays by whole weeks plus the few days left, less the closures that
        fall on a weekday in the range, found by bisection.
        """
        if b <= a:
            return 0
        weeks, rest = divmod((b - a).days, 7)
        weekdays = weeks * 5 + _PART_WEEK[a.weekday()][rest]
        closed = self._weekday_closures()
        return weekdays - (bisect_right(closed, b) - bisect_right(closed, a))

    def _weekday_closures(self) -> list[date]:
        if self._closures is None:
            self._closures = sorted(d for d in self.bank | self.local if d.weekday() < 5)
        return self._closures

    def add(self, d: date, ts: Timescale, sign: int = 1) -> date:
        """d plus (or, with sign=-1, minus) a timescale: docs/format.md#dates-and-working-days."""
        n = ts.n * sign
        if ts.unit == "working_days":
            return self.add_working_days(d, n)
        if ts.unit == "days":
            return d + timedelta(days=n)
        if ts.unit == "weeks":
            return d + timedelta(weeks=n)
        return add_months(d, n)

    def subtract(self, d: date, ts: Timescale) -> date:
        return self.add(d, ts, sign=-1)


def add_months(d: date, n: int) -> date:
    """Same day of month, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    import pendulum  # here, not at the top: `cptui --version` need not load it

    p = pendulum.date(d.year, d.month, d.day).add(months=n)
    return date(p.year, p.month, p.day)


# --- wording ---------------------------------------------------------------


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(d: date | None) -> str:
    """UK style used everywhere in the UI: ``Tue 1 Sep 2026``.

    English names from our own table, never strftime's: those follow the
    process locale, and the format must not change with the machine.
    """
    if d is None:
        return "—"
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def distance(cal: WorkCalendar, due: date, today: date, done: date | None = None) -> str:
    """How late or how soon, in working days where that makes sense.

    Falls back to calendar days when a deadline falls on a weekend and no
    working day separates it from today, so the text is never "0 days".
    """
    if done is not None:
        if done <= due:
            return "met"
        wd = cal.working_days_between(due, done)
        return f"met {_plural(wd, 'working day') if wd else _plural((done - due).days, 'day')} late"
    if due == today:
        return "due today"
    if due < today:
        wd = cal.working_days_between(due, today)
        n = _plural(wd, "working day") if wd else _plural((today - due).days, "day")
        return f"{n} overdue"
    wd = cal.working_days_between(today, due)
    return f"in {_plural(wd, 'working day') if wd else _plural((due - today).days, 'day')}"


def human_span(start: date, end: date) -> str:
    """A duration in words for ages and time on plan ("2 years 3 months")."""
    import pendulum

    iv = pendulum.interval(pendulum.date(start.year, start.month, start.day),
                           pendulum.date(end.year, end.month, end.day))
    if iv.years:
        return _plural(iv.years, "year") + (f" {_plural(iv.months, 'month')}" if iv.months else "")
    if iv.months:
        return _plural(iv.months, "month")
    return _plural(iv.in_weeks(), "week") if iv.in_days() >= 7 else _plural(iv.in_days(), "day")


def parse_user_date(text: str, today: date) -> date:
    """Dates as people type them: ``2026-11-23``, ``23/11/2026`` or ``today``."""
    t = text.strip().lower()
    if t == "today":
        return today
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return date.fromisoformat(t)
