"""Exports that leave the machine: calendars and spreadsheets must get data, never commands."""

from __future__ import annotations

import csv
import json
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest


from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.export import SequenceHistory, to_csv, to_ics
from cptui.rules import Deadline

NOW = datetime(2026, 11, 23, 14, 5, 9, tzinfo=timezone.utc)


def dl(**kw) -> Deadline:  # type: ignore[no-untyped-def]
    base = dict(case="CP-1", child="c1", rule="visit", due=date(2026, 12, 1), done=None, status="upcoming",
                basis=date(2026, 11, 3), source="v1", cite="Darlington 4.2")
    return Deadline(**{**base, **kw})


def unfold(ics: str) -> list[str]:
    """RFC 5545 content lines: every CRLF followed by a space joins the next line on."""
    assert "\n" not in ics.replace("\r\n", "")  # no bare line breaks at all
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def events(ics: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for line in unfold(ics):
        name, value = line.split(":", 1)
        if name == "BEGIN" and value == "VEVENT":
            out.append({})
        elif out and name != "END":
            out[-1][name.split(";")[0]] = value
    return out


@pytest.fixture
def history(tmp_path: Path) -> SequenceHistory:
    return SequenceHistory(tmp_path / "seq.json")


def test_ics_escapes_every_text_value_and_a_crafted_id_injects_nothing(history) -> None:
    evil = dl(case="CP-1\r\nSUMMARY:Pay now\r\nX", source="v1;x,y\\z\nATTACH:http://evil.example",
              cite="See \"Working Together\"; chapter 4, para 2\r\nDESCRIPTION:fake")
    ics = to_ics([evil], date(2026, 11, 23), NOW, history)
    lines = unfold(ics)
    names = [l.split(":", 1)[0].split(";")[0] for l in lines]
    assert names.count("SUMMARY") == 1 and names.count("DESCRIPTION") == 1 and "ATTACH" not in names
    (ev,) = events(ics)
    for key in ("UID", "SUMMARY", "DESCRIPTION"):
        raw = ev[key]
        assert not any(ord(c) < 32 for c in raw)
        # every ; , and backslash in the raw value is escaped
        assert all(raw[i - 1] == "\\" for i, c in enumerate(raw) if c in ";," and i)
    assert unescape(ev["UID"]).startswith("CP-1\nSUMMARY:Pay now\nX.visit.c1.v1;x,y\\z\nATTACH")
    assert "chapter 4, para 2\nDESCRIPTION:fake" in unescape(ev["DESCRIPTION"])


def test_ics_lines_fold_at_75_octets_without_splitting_characters(history) -> None:
    long = dl(cite="Étape " * 40 + "😀" * 30)
    ics = to_ics([long], date(2026, 11, 23), NOW, history)
    physical = ics.split("\r\n")[:-1]
    assert max(len(l.encode("utf-8")) for l in physical) <= 75
    assert any(len(l.encode("utf-8")) > 70 for l in physical)  # folding actually happened
    for l in physical:
        l.encode("utf-8").decode("utf-8")  # each physical line is whole characters
    (ev,) = events(ics)
    assert unescape(ev["DESCRIPTION"]).endswith("Étape " * 39 + "Étape " + "😀" * 30)


def test_ics_says_when_it_was_done_in_uk_dates(history) -> None:
    done = dl(done=date(2026, 11, 3), status="late")
    (ev,) = events(to_ics([done], date(2026, 11, 23), NOW, history))
    desc = unescape(ev["DESCRIPTION"])
    assert "met late on Tue 3 Nov 2026" in desc and "Mon 23 Nov 2026" not in desc
    assert "Counted from Tue 3 Nov 2026" in desc
    assert ev["STATUS"] == "CANCELLED"
    (ev,) = events(to_ics([dl()], date(2026, 11, 23), NOW, history))
    assert "Due Tue 1 Dec 2026" in unescape(ev["DESCRIPTION"])


def test_dtstamp_is_the_real_utc_time(history) -> None:
    (ev,) = events(to_ics([dl()], date(2026, 11, 23), NOW, history))
    assert ev["DTSTAMP"] == "20261123T140509Z"
    before = datetime.now(timezone.utc).replace(microsecond=0)
    (ev,) = events(to_ics([dl()], date(2026, 11, 23), history=history))
    stamp = datetime.strptime(ev["DTSTAMP"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert before <= stamp <= datetime.now(timezone.utc)


def test_sequence_rises_only_when_the_content_changes(history) -> None:
    today = date(2026, 11, 23)
    seq = lambda rows: {e["UID"]: int(e["SEQUENCE"]) for e in events(to_ics(rows, today, NOW, history))}  # noqa: E731
    a, b = dl(), dl(source="v2")
    first = seq([a, b])
    assert seq([a, b]) == first  # unchanged: same number, however often exported
    moved = dl(due=date(2026, 12, 2))
    second = seq([moved, b])
    ua, ub = sorted(first)
    assert second[ua] == first[ua] + 1 and second[ub] == first[ub]
    a3 = dl(due=date(2026, 12, 2), done=date(2026, 11, 20), status="met")
    third = seq([a3, b])
    assert third[ua] == second[ua] + 1
    # The history outlives this process: a fresh reader gives the changed event its number,
    # not 0 (which an empty history would give).
    again = SequenceHistory(history.path)
    assert third[ua] >= 2
    assert {e["UID"]: int(e["SEQUENCE"]) for e in events(to_ics([a3, b], today, NOW, again))}[ua] == third[ua]


def test_uids_are_stable_across_today(capsys, demo: Path) -> None:
    """A calendar re-import updates events; it never duplicates them (mutant: UID with today)."""
    def export(today: str) -> list[dict[str, str]]:
        assert main(["deadlines", "--cases", str(demo), "--today", today, "--format", "ics"]) == 0
        return events(capsys.readouterr().out)

    early, late = export("2026-11-02"), export("2026-11-23")
    by_uid = lambda evs: {e["UID"]: e for e in evs}  # noqa: E731
    common = by_uid(early).keys() & by_uid(late).keys()
    assert len(common) >= 5
    for uid in common:
        if by_uid(early)[uid]["STATUS"] == by_uid(late)[uid]["STATUS"] == "CONFIRMED":
            keep = lambda e: {k: v for k, v in e.items() if k != "DTSTAMP"}  # noqa: E731
            assert keep(by_uid(early)[uid]) == keep(by_uid(late)[uid])  # same content, same SEQUENCE


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_be_formulas(start: str) -> None:
    row = dl(case=f"{start}HYPERLINK(\"http://evil.example\",\"open\")", cite=f"{start}1+1", source=f"{start}cmd|' /C calc'!A0")
    text = to_csv([row])
    cells = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(cells) == 1  # no cell split the row
    for key in ("case", "cite", "source"):
        assert cells[0][key].startswith("'" + start.replace("\r", "\n")), (key, cells[0][key])
    assert cells[0]["rule"] == "visit" and cells[0]["due"] == "2026-12-01"  # ordinary cells untouched


def test_csv_row_breaks_inside_cells_are_quoted() -> None:
    text = to_csv([dl(cite="a\rb", source="x\r\ny")])
    assert "\r" not in text and len(list(csv.DictReader(io.StringIO(text, newline="")))) == 1


def test_csv_of_the_demo_is_unchanged_apart_from_neutralising(capsys, demo: Path) -> None:
    assert main(["deadlines", "--cases", str(demo), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    load = load_caseload(demo)
    assert [r["case"] for r in rows] == sorted(d.case for d in load.deadlines())
    assert not any(v[:1] in "=+-@\t\r" and v for r in rows for v in r.values() if v)


def test_the_sequence_history_given_is_the_one_kept(tmp_path: Path) -> None:
    """The CLI passes the history kept beside the cases; it must not be swapped for another."""
    path = tmp_path / "given" / "seq.json"
    path.parent.mkdir()
    to_ics([dl()], date(2026, 11, 23), NOW, SequenceHistory(path))
    assert path.is_file() and json.loads(path.read_text())
