"""Tests written to kill mutants of cptui/export.py that survived every other test.

Each test is named for what a calendar or spreadsheet user relies on; the mutants
left as equivalent are listed in docs/mutants.md. Weekdays were read off a calendar.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cptui.export import SEQUENCE_FILE, SequenceHistory, to_csv, to_ics
from cptui.rules import Deadline

NOW = datetime(2026, 11, 23, 14, 5, 9, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)


def dl(**kw) -> Deadline:  # type: ignore[no-untyped-def]
    base = dict(case="CP-1", child="c1", rule="visit", due=date(2026, 12, 1), done=None, status="upcoming",
                basis=date(2026, 11, 3), source="v1", cite="Darlington 4.2")
    return Deadline(**{**base, **kw})


DONE = dict(child=None, rule="icpc", due=date(2026, 11, 20), done=date(2026, 11, 18), status="met",
            basis=date(2026, 10, 28), source="e1", cite="WT 2023")


def test_ics_file_is_exactly_what_calendars_expect(tmp_path: Path) -> None:
    """The whole file, written out by hand: every property name, value and line ending."""
    got = to_ics([dl(), dl(**DONE)], TODAY, NOW, SequenceHistory(tmp_path / "seq.json"))
    assert got == "\r\n".join([
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cptui//deadlines//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Child protection deadlines",
        "BEGIN:VEVENT",
        "UID:CP-1.visit.c1.v1@cptui",
        "DTSTAMP:20261123T140509Z",
        "SEQUENCE:0",
        # An all-day event on Tue 1 Dec ends (exclusive) on Wed 2 Dec.
        "DTSTART;VALUE=DATE:20261201",
        "DTEND;VALUE=DATE:20261202",
        "SUMMARY:CP-1: Statutory visit (c1)",
        "STATUS:CONFIRMED",
        # 66 octets before the citation, so the line folds 9 octets into it.
        "DESCRIPTION:Due Tue 1 Dec 2026. Counted from Tue 3 Nov 2026 (v1). Darlingto\r\n n 4.2",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "BEGIN:VEVENT",
        # A deadline for the whole case says "case" where a child's id would go.
        "UID:CP-1.icpc.case.e1@cptui",
        "DTSTAMP:20261123T140509Z",
        "SEQUENCE:0",
        "DTSTART;VALUE=DATE:20261120",
        "DTEND;VALUE=DATE:20261121",
        "SUMMARY:Done: CP-1: Initial child protection conference",
        "STATUS:CANCELLED",
        # Folded after 75 octets (the tick is 3 of them), continued after one space.
        "DESCRIPTION:✓ met on Wed 18 Nov 2026. Counted from Wed 28 Oct 2026 (e1). \r\n WT 2023",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]) + "\r\n"


def test_done_deadlines_stay_in_the_calendar_for_90_days(tmp_path: Path) -> None:
    # Mon 23 Nov - 90 days = Tue 25 Aug (kept, as cancelled); Mon 24 Aug is 91 days ago (left out).
    rows = [dl(source="a", done=date(2026, 8, 25), status="met"), dl(source="b", done=date(2026, 8, 24), status="met")]
    got = to_ics(rows, TODAY, NOW, SequenceHistory(tmp_path / "seq.json"))
    assert "UID:CP-1.visit.c1.a@cptui" in got and "UID:CP-1.visit.c1.b@cptui" not in got


def test_a_75_octet_line_is_not_folded(tmp_path: Path) -> None:
    # "DESCRIPTION:Due Tue 1 Dec 2026. Counted from Tue 3 Nov 2026 (v1). " is 66 octets: 9 more make 75.
    got = to_ics([dl(cite="X" * 9)], TODAY, NOW, SequenceHistory(tmp_path / "seq.json"))
    assert "\r\nDESCRIPTION:Due Tue 1 Dec 2026. Counted from Tue 3 Nov 2026 (v1). XXXXXXXXX\r\n" in got
    got = to_ics([dl(cite="X" * 10)], TODAY, NOW, SequenceHistory(tmp_path / "seq2.json"))
    assert "\r\nDESCRIPTION:Due Tue 1 Dec 2026. Counted from Tue 3 Nov 2026 (v1). XXXXXXXXX\r\n X\r\n" in got


def test_ics_control_characters_become_spaces_but_tabs_stay(tmp_path: Path) -> None:
    got = to_ics([dl(cite="a\tb\x01c\x7fd e\rf")], TODAY, NOW, SequenceHistory(tmp_path / "seq.json"))
    # A lone CR is a line break (escaped \n); other control characters and DEL are not allowed in
    # TEXT and become spaces; a tab is allowed and kept.
    assert "(v1). a\tb c d e\\nf\r\n" in got.replace("\r\n ", "")  # unfolded


def test_dtstamp_is_utc_whatever_the_machines_time_zone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        # 15:05:09 at UTC+1 on Wed 1 Jul 2026 (British Summer Time) is 14:05:09 UTC.
        now = datetime(2026, 7, 1, 15, 5, 9, tzinfo=timezone(timedelta(hours=1)))
        got = to_ics([dl()], TODAY, now, SequenceHistory(tmp_path / "seq.json"))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "\r\nDTSTAMP:20260701T140509Z\r\n" in got


def sequences(ics: str) -> list[int]:
    return [int(line.split(":")[1]) for line in ics.split("\r\n") if line.startswith("SEQUENCE:")]


def test_sequence_numbers_survive_a_restart(tmp_path: Path) -> None:
    """Calendars ignore an update whose SEQUENCE is not higher: the count must outlive cptui."""
    path = tmp_path / "seq.json"
    moved = dl(due=date(2026, 12, 2))
    assert sequences(to_ics([dl()], TODAY, NOW, SequenceHistory(path))) == [0]
    assert sequences(to_ics([moved], TODAY, NOW, SequenceHistory(path))) == [1]
    # A new process reading the same history: unchanged stays 1, changed again goes to 2.
    assert sequences(to_ics([moved], TODAY, NOW, SequenceHistory(path))) == [1]
    assert sequences(to_ics([dl()], TODAY, NOW, SequenceHistory(path))) == [2]


def test_without_a_history_file_export_still_works(tmp_path: Path) -> None:
    history = SequenceHistory(None)  # e.g. the cache folder is not safe to use
    assert sequences(to_ics([dl()], TODAY, NOW, history)) == [0]
    assert sequences(to_ics([dl(due=date(2026, 12, 2))], TODAY, NOW, history)) == [1]


def test_a_damaged_history_file_starts_those_events_again(tmp_path: Path) -> None:
    path = tmp_path / "seq.json"
    uids = [f"CP-1.visit.c1.{s}@cptui" for s in ("a", "b", "c", "d")]
    path.write_text(json.dumps({uids[0]: 5, uids[1]: ["x"], uids[2]: ["x", "y"], uids[3]: "zz"}))
    os.chmod(path, 0o600)
    got = to_ics([dl(source=s) for s in "abcd"], TODAY, NOW, SequenceHistory(path))
    assert sequences(got) == [0, 0, 0, 0]


def test_export_without_a_history_uses_the_private_cache_folder(tmp_path: Path, monkeypatch) -> None:
    safe = tmp_path / "cache"
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(safe))
    assert sequences(to_ics([dl()], TODAY, NOW)) == [0]
    assert sequences(to_ics([dl(due=date(2026, 12, 2))], TODAY, NOW)) == [1]
    assert (safe / SEQUENCE_FILE).is_file()
    # A cache folder others may write to is not used: nothing is written there.
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(shared))
    assert sequences(to_ics([dl()], TODAY, NOW)) == [0]
    assert not (shared / SEQUENCE_FILE).exists()


def test_csv_cell_with_a_windows_line_break_keeps_one_line_break() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv([dl(cite="line one\r\nline two")]))))
    assert rows[0]["cite"] == "line one\nline two"


def test_a_history_file_cut_short_does_not_stop_the_export(tmp_path: Path) -> None:
    path = tmp_path / "seq.json"
    path.write_text('{"CP-1.visit.c1.v1@cptui": ["ab')  # e.g. the disk filled up mid-write
    os.chmod(path, 0o600)
    assert sequences(to_ics([dl()], TODAY, NOW, SequenceHistory(path))) == [0]
