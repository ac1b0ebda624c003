"""Calendar arithmetic, worked by hand from SPEC section 3 (working shown)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from cptui.dates import (
    HOLIDAY_SPAN,
    Timescale,
    WorkCalendar,
    add_months,
    distance,
    fmt_date,
    parse_user_date,
)

D = date
CAL = WorkCalendar()
LOCAL = WorkCalendar([D(2026, 12, 24)])

ADD_CASES = [
    # SPEC worked example: 15-18 Dec (4), 21-24 Dec (8), 25 Dec and the
    # substitute Mon 28 Dec are bank holidays, 29 Dec (9), 30 Dec (10).
    (CAL, D(2026, 12, 14), "10 working days", D(2026, 12, 30)),
    # Christmas 2027: 25/26 Dec fall at the weekend, substitutes Mon 27 and
    # Tue 28 Dec; from Fri 24 Dec the next working day is Wed 29 Dec.
    (CAL, D(2027, 12, 24), "1 working day", D(2027, 12, 29)),
    (CAL, D(2027, 12, 23), "3 working days", D(2027, 12, 30)),
    # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr. Thu 2 Apr + 1 = Tue 7 Apr.
    (CAL, D(2026, 4, 2), "1 working day", D(2026, 4, 7)),
    # Local closure on 24 Dec 2026: Wed 23 Dec + 1 skips 24, 25, 26, 27, 28 -> Tue 29 Dec.
    (LOCAL, D(2026, 12, 23), "1 working day", D(2026, 12, 29)),
    (CAL, D(2026, 12, 23), "1 working day", D(2026, 12, 24)),
    # Month-end clamping.
    (CAL, D(2026, 3, 31), "3 months", D(2026, 6, 30)),
    (CAL, D(2026, 1, 31), "1 month", D(2026, 2, 28)),
    (CAL, D(2028, 1, 31), "1 month", D(2028, 2, 29)),
    # Calendar units are never moved off weekends: 14 Dec + 3 months = Sun 14 Mar 2027.
    (CAL, D(2026, 12, 14), "3 months", D(2027, 3, 14)),
    (CAL, D(2026, 12, 29), "6 weeks", D(2027, 2, 9)),
    (CAL, D(2026, 12, 29), "7 days", D(2027, 1, 5)),
    (CAL, D(2026, 9, 14), "91 days", D(2026, 12, 14)),
    # Counting from a Saturday: Mon 16 Nov is the first working day after.
    (CAL, D(2026, 11, 14), "1 working day", D(2026, 11, 16)),
]


@pytest.mark.parametrize("cal,start,ts,expected", ADD_CASES)
def test_add(cal: WorkCalendar, start: date, ts: str, expected: date) -> None:
    assert cal.add(start, Timescale.parse(ts)) == expected


SUB_CASES = [
    # SPEC: 4 Jan 2027 - 3 working days: 31 Dec (1), 30 Dec (2), 29 Dec (3).
    (D(2027, 1, 4), "3 working days", D(2026, 12, 29)),
    # Expected 20 Feb 2027 - 3 months = 20 Nov 2026.
    (D(2027, 2, 20), "3 months", D(2026, 11, 20)),
    # 31 May - 3 months clamps to 28 Feb.
    (D(2027, 5, 31), "3 months", D(2027, 2, 28)),
    # Tue 7 Apr 2026 - 1 working day skips Easter Monday and Good Friday -> Thu 2 Apr.
    (D(2026, 4, 7), "1 working day", D(2026, 4, 2)),
]


@pytest.mark.parametrize("start,ts,expected", SUB_CASES)
def test_subtract(start: date, ts: str, expected: date) -> None:
    assert CAL.subtract(start, Timescale.parse(ts)) == expected


@pytest.mark.parametrize("text,n,unit", [
    ("10 working days", 10, "working_days"), ("1 working day", 1, "working_days"),
    ("91 days", 91, "days"), ("6 weeks", 6, "weeks"), ("1 month", 1, "months"),
    ("  3 Months ", 3, "months"),
])
def test_timescale_parse(text: str, n: int, unit: str) -> None:
    assert Timescale.parse(text) == Timescale(n, unit)


@pytest.mark.parametrize("bad", ["ten days", "10", "10 fortnights", "-3 days", "1.5 weeks", ""])
def test_timescale_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        Timescale.parse(bad)


def test_bank_holidays_include_substitutes_and_one_offs() -> None:
    for d in (D(2026, 12, 28), D(2027, 12, 27), D(2027, 12, 28), D(2026, 5, 25)):
        assert CAL.is_bank_holiday(d) and not CAL.is_working_day(d)
    # One-off: the State Funeral of Queen Elizabeth II, Mon 19 Sep 2022.
    assert CAL.is_bank_holiday(D(2022, 9, 19))
    assert CAL.is_working_day(D(2026, 12, 24)) and not LOCAL.is_working_day(D(2026, 12, 24))


def test_holiday_table_is_fixed_span() -> None:
    before = len(CAL.bank)
    CAL.is_working_day(D(2099, 12, 25))  # must not silently grow the table
    assert len(CAL.bank) == before
    assert CAL.outside(D(2099, 1, 1)) and CAL.outside(D(HOLIDAY_SPAN[0] - 1, 12, 31))
    assert not CAL.outside(D(2026, 11, 23))


def test_fmt_date_uk_style() -> None:
    assert fmt_date(D(2026, 9, 1)) == "Tue 1 Sep 2026"
    assert fmt_date(None) == "—"


@pytest.mark.parametrize("due,today,done,text", [
    # Due Thu 19 Nov, today Mon 23 Nov: Fri 20, Mon 23 -> 2 working days overdue.
    (D(2026, 11, 19), D(2026, 11, 23), None, "2 working days overdue"),
    (D(2026, 11, 23), D(2026, 11, 23), None, "due today"),
    (D(2026, 11, 24), D(2026, 11, 23), None, "in 1 working day"),
    # Due Sun 22 Nov, today Mon 23: one working day (Mon) after.
    (D(2026, 11, 22), D(2026, 11, 23), None, "1 working day overdue"),
    # Due Sat, today Sun: no working day between, so calendar days.
    (D(2026, 11, 21), D(2026, 11, 22), None, "1 day overdue"),
    (D(2026, 11, 19), D(2026, 11, 23), D(2026, 11, 19), "met"),
    (D(2026, 11, 13), D(2026, 11, 23), D(2026, 11, 20), "met 5 working days late"),
])
def test_distance_wording(due: date, today: date, done: date | None, text: str) -> None:
    assert distance(CAL, due, today, done) == text


def test_parse_user_date() -> None:
    today = D(2026, 11, 23)
    assert parse_user_date("today", today) == today
    assert parse_user_date("23/11/2026", today) == today
    assert parse_user_date("2026-11-23", today) == today
    with pytest.raises(ValueError):
        parse_user_date("31/02/2026", today)


dates = st.dates(min_value=D(2001, 1, 1), max_value=D(2044, 12, 31))


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=1, max_value=60))
def test_working_days_properties(d: date, n: int) -> None:
    fwd = CAL.add_working_days(d, n)
    assert CAL.is_working_day(fwd) and fwd > d
    assert CAL.working_days_between(d, fwd) == n
    back = CAL.add_working_days(fwd, -n)
    # Going back n lands on d when d is a working day, else on the working day before it.
    assert back <= d and CAL.is_working_day(back)
    assert CAL.working_days_between(back, d) == 0 or back == d


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=1, max_value=24))
def test_months_clamp_properties(d: date, n: int) -> None:
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).day == 1)


@settings(max_examples=400, deadline=None)
@given(a=st.dates(date(2018, 1, 1), date(2036, 12, 31)), span=st.integers(-20, 900),
       local=st.lists(st.dates(date(2018, 1, 1), date(2036, 12, 31)), max_size=6))
def test_working_days_between_counts_each_day_it_spans(a: date, span: int, local: list) -> None:
    """The counted form (weeks by arithmetic, closures by bisection) agrees with walking
    the days one by one, local closures on weekends and weekdays included."""
    from datetime import timedelta

    cal = WorkCalendar(local)
    b = a + timedelta(days=span)
    walked = sum(1 for i in range(1, (b - a).days + 1) if cal.is_working_day(a + timedelta(days=i)))
    assert cal.working_days_between(a, b) == walked


def test_dates_are_uk_style_with_english_names() -> None:
    """``Tue 1 Sep 2026``, from cptui's own name tables (strftime would follow the locale)."""
    assert fmt_date(date(2026, 9, 1)) == "Tue 1 Sep 2026"
    assert fmt_date(None) == "—"
    assert [fmt_date(date(2026, m, 1)).split()[2] for m in range(1, 13)] == [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert [fmt_date(date(2026, 11, d)).split()[0] for d in range(23, 30)] == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
