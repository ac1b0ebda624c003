"""Tests written to kill mutants of cptui/dates.py that survived every other test.

The texts checked here are the ones users read on every screen: "in 3 working
days", "2 working days overdue", "met 1 day late", a child's age "6 years 10 months",
a rule's "10 working days". Weekdays were read off a calendar: in November 2026 the
Mondays are 2, 9, 16, 23 and 30. The mutants left as equivalent are listed in
docs/mutants.md.
"""

from __future__ import annotations

from datetime import date

import pytest

from cptui.dates import Timescale, WorkCalendar, distance, fmt_date, human_span, parse_user_date

D = date
CAL = WorkCalendar()


@pytest.mark.parametrize("start,end,text", [
    # 10 Jan 2020 to 24 Nov 2026: 6 whole years (to 10 Jan 2026), then 10 months (to 10 Nov).
    (D(2020, 1, 10), D(2026, 11, 24), "6 years 10 months"),
    # Exactly one year: no "0 months" tail.
    (D(2025, 11, 24), D(2026, 11, 24), "1 year"),
    # 24 Oct 2025 to 24 Nov 2026: 1 year and 1 month, both singular.
    (D(2025, 10, 24), D(2026, 11, 24), "1 year 1 month"),
    # 24 Oct 2024 to 24 Dec 2026: 2 years 2 months.
    (D(2024, 10, 24), D(2026, 12, 24), "2 years 2 months"),
    # Under a year: months only.
    (D(2026, 8, 24), D(2026, 11, 24), "3 months"),
    (D(2026, 10, 24), D(2026, 11, 24), "1 month"),
    # Under a month: whole weeks from 7 days, counted down (13 days is 1 week).
    (D(2026, 11, 1), D(2026, 11, 30), "4 weeks"),
    (D(2026, 11, 10), D(2026, 11, 24), "2 weeks"),
    (D(2026, 11, 11), D(2026, 11, 24), "1 week"),
    (D(2026, 11, 17), D(2026, 11, 24), "1 week"),
    # Under a week: days.
    (D(2026, 11, 18), D(2026, 11, 24), "6 days"),
    (D(2026, 11, 23), D(2026, 11, 24), "1 day"),
    (D(2026, 11, 24), D(2026, 11, 24), "0 days"),
])
def test_age_and_time_on_plan_read_in_years_months_weeks_or_days(start: date, end: date, text: str) -> None:
    assert human_span(start, end) == text


@pytest.mark.parametrize("due,today,text", [
    # Due Mon 23 Nov, today Thu 26 Nov: Tue 24, Wed 25, Thu 26 -> 3 working days overdue.
    (D(2026, 11, 23), D(2026, 11, 26), "3 working days overdue"),
    # Due Fri 20 Nov, today Sun 22 Nov: no working day after Friday, so calendar days (2).
    (D(2026, 11, 20), D(2026, 11, 22), "2 days overdue"),
    # Due Thu 24 Dec 2026, today Mon 28 Dec: 25 Dec and the substitute Mon 28 Dec are bank
    # holidays, 26/27 the weekend -> no working day, 4 calendar days.
    (D(2026, 12, 24), D(2026, 12, 28), "4 days overdue"),
    # Today Mon 23 Nov, due Thu 26 Nov: Tue, Wed, Thu -> in 3 working days.
    (D(2026, 11, 26), D(2026, 11, 23), "in 3 working days"),
    # Today Fri 20 Nov, due Mon 23 Nov: only Monday counts.
    (D(2026, 11, 23), D(2026, 11, 20), "in 1 working day"),
    # Today Sat 21 Nov, due Sun 22 Nov: no working day between -> in 1 day.
    (D(2026, 11, 22), D(2026, 11, 21), "in 1 day"),
    # Today Fri 20 Nov, due Sun 22 Nov -> in 2 days.
    (D(2026, 11, 22), D(2026, 11, 20), "in 2 days"),
    (D(2026, 11, 24), D(2026, 11, 24), "due today"),
])
def test_how_soon_or_how_late_an_open_deadline_reads(due: date, today: date, text: str) -> None:
    assert distance(CAL, due, today) == text


@pytest.mark.parametrize("due,done,text", [
    # Done on the due day, or before it: met, whatever today is.
    (D(2026, 11, 20), D(2026, 11, 20), "met"),
    (D(2026, 11, 20), D(2026, 11, 16), "met"),
    # Due Fri 20 Nov, done Mon 23 Nov: 1 working day late.
    (D(2026, 11, 20), D(2026, 11, 23), "met 1 working day late"),
    # Due Fri 20 Nov, done Sat 21 / Sun 22: no working day late, so calendar days.
    (D(2026, 11, 20), D(2026, 11, 21), "met 1 day late"),
    (D(2026, 11, 20), D(2026, 11, 22), "met 2 days late"),
])
def test_a_done_deadline_reads_met_or_how_late(due: date, done: date, text: str) -> None:
    # today is long after both, and before both, to show it plays no part once done
    assert distance(CAL, due, D(2026, 12, 31), done) == text
    assert distance(CAL, due, D(2026, 11, 1), done) == text


def test_working_days_between_counts_the_end_day_not_the_start() -> None:
    # Fri 20 Nov to Mon 23 Nov: only Monday. Mon 23 to Tue 24: 1. Same day or backwards: 0.
    assert CAL.working_days_between(D(2026, 11, 20), D(2026, 11, 23)) == 1
    assert CAL.working_days_between(D(2026, 11, 23), D(2026, 11, 24)) == 1
    assert CAL.working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0
    assert CAL.working_days_between(D(2026, 11, 24), D(2026, 11, 23)) == 0


@pytest.mark.parametrize("text", ["1 working day", "10 working days", "1 day", "91 days",
                                  "1 week", "6 weeks", "1 month", "3 months"])
def test_a_timescale_reads_back_as_written(text: str) -> None:
    # Shown in the deadline detail ("within 10 working days"): singular for 1.
    assert str(Timescale.parse(text)) == text


def test_a_bad_timescale_says_what_was_written_and_what_is_allowed() -> None:
    with pytest.raises(ValueError) as err:
        Timescale.parse("ten days")
    assert str(err.value) == ("timescale 'ten days' is not a whole number and a unit "
                              "(working days, days, weeks or months)")
    with pytest.raises(ValueError):
        Timescale.parse(10)  # type: ignore[arg-type]  # a number in TOML, not a string


def test_the_holiday_table_covers_2000_to_2045_inclusive() -> None:
    assert not CAL.outside(D(2000, 1, 1)) and not CAL.outside(D(2045, 12, 31))
    assert CAL.outside(D(1999, 12, 31)) and CAL.outside(D(2046, 1, 1))


def test_saturday_and_sunday_are_not_working_days_friday_is() -> None:
    # Fri 20, Sat 21, Sun 22 Nov 2026.
    assert CAL.is_working_day(D(2026, 11, 20))
    assert not CAL.is_working_day(D(2026, 11, 21)) and not CAL.is_working_day(D(2026, 11, 22))


def test_working_days_forward_back_and_zero() -> None:
    # Fri 20 Nov + 1 = Mon 23; Mon 23 - 1 = Fri 20; + 0 is the day itself, even a Saturday.
    assert CAL.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
    assert CAL.add_working_days(D(2026, 11, 23), -1) == D(2026, 11, 20)
    assert CAL.add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 21)
    # Asked twice (memoised), the answer is the same; a different n is not confused with it.
    assert CAL.add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 24)
    assert CAL.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)


def test_calendar_units_forward_and_back() -> None:
    ts = Timescale.parse
    # Mon 23 Nov: +/- 2 weeks = Mon 7 Dec / Mon 9 Nov; +/- 3 days = Thu 26 / Fri 20;
    # +/- 1 month = 23 Dec / 23 Oct.
    assert CAL.add(D(2026, 11, 23), ts("2 weeks")) == D(2026, 12, 7)
    assert CAL.subtract(D(2026, 11, 23), ts("2 weeks")) == D(2026, 11, 9)
    assert CAL.add(D(2026, 11, 23), ts("3 days")) == D(2026, 11, 26)
    assert CAL.subtract(D(2026, 11, 23), ts("3 days")) == D(2026, 11, 20)
    assert CAL.add(D(2026, 11, 23), ts("1 month")) == D(2026, 12, 23)
    assert CAL.subtract(D(2026, 11, 23), ts("1 month")) == D(2026, 10, 23)


def test_dates_typed_by_people() -> None:
    today = D(2026, 11, 24)
    assert parse_user_date("  Today ", today) == today
    assert parse_user_date("TODAY", today) == today
    # Day first, as in England: 1/2/2027 is 1 February.
    assert parse_user_date("1/2/2027", today) == D(2027, 2, 1)
    assert parse_user_date(" 2026-11-24 ", today) == today
    assert fmt_date(D(2027, 2, 1)) == "Mon 1 Feb 2027"


def test_regenerating_the_holiday_table_gives_the_file_shipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # The maintainers' tool (run after raising HOLIDAY_SPAN) must write exactly the table
    # cptui reads: same span, same days, same layout, so a regeneration shows no noise.
    from cptui.dates import BANK_HOLIDAY_FILE, write_bank_holiday_table

    out = tmp_path / "bank_holidays.json"
    write_bank_holiday_table(out)
    assert out.read_bytes() == BANK_HOLIDAY_FILE.read_bytes()
