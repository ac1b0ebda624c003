"""Every record form driven from the keyboard ends in the expected TOML."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, SelectionList, Static

from cptui.tui.app import make_app
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.screens.record_form import RecordForm
from cptui.tui.widgets.fit_table import FitTable
from tui_helpers import TODAY, open_form, plain, ready, rows

SIZE = (160, 48)


@pytest.fixture
def folder(demo_copy: Path) -> Path:
    return demo_copy


def record(folder: Path, case: str, array: str, rid: str) -> dict:
    data = tomllib.loads((folder / f"{case}.toml").read_text())
    node = data
    for part in array.split("."):
        node = node[part]
    return next(r for r in node if r["id"] == rid)


async def type_in(pilot, key: str, text: str) -> None:
    w = pilot.app.screen.query_one(f"#f-{key}", Input)
    w.focus()
    w.value = ""
    await pilot.press(*text)


async def toggle(pilot, key: str, *values: str) -> None:
    sl = pilot.app.screen.query_one(f"#f-{key}", SelectionList)
    sl.focus()
    for v in values:
        idx = next(i for i in range(sl.option_count) if sl.get_option_at_index(i).value == v)
        sl.highlighted = idx
        await pilot.press("space")


async def choose(pilot, key: str, value: str) -> None:
    sel = pilot.app.screen.query_one(f"#f-{key}", Select)
    sel.focus()
    await pilot.press("enter")
    await pilot.pause()
    options = [v for _, v in sel._options]  # noqa: SLF001 - order of the options shown
    target = options.index(value)
    current = options.index(sel.value) if sel.value in options else -1
    step = "down" if target > current else "up"
    for _ in range(abs(target - current)):
        await pilot.press(step)
    await pilot.press("enter")
    await pilot.pause()
    assert sel.value == value


async def test_record_visit_then_deadlines_recompute(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = [r[2] for r in rows(app.screen.query_one("#deadlines", FitTable))]
        assert "Statutory visit — Leo" in before
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await toggle(pilot, "seen_alone", "c1")
        await toggle(pilot, "bedroom_seen", "c1", "c2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        v = record(folder, "CP-2026-0001", "visits", "v7")
        assert v == {"id": "v7", "date": date(2026, 11, 23), "by": "m1", "seen": ["c1", "c2"],
                     "seen_alone": ["c1"], "bedroom_seen": ["c1", "c2"]}
        after = [r[2] for r in rows(app.screen.query_one("#deadlines", FitTable))]
        assert "Statutory visit — Leo" in after  # the next one, now due in 10 working days
        leo = next(r for r in rows(app.screen.query_one("#deadlines", FitTable)) if r[2] == "Statutory visit — Leo")
        assert leo[0] == "· upcoming" and leo[1] == "Mon 7 Dec 2026"


async def test_core_group_meeting_form_with_time_and_attendance(folder: Path, today: date) -> None:
    async with open_form(folder, "CP-2026-0003", view="g", table="#meetings", size=SIZE) as (app, pilot):
        assert "was booked for Tue 24 Nov 2026" in app.screen.title_text  # g1 becomes the held one
        await type_in(pilot, "date", "20/11/2026 13:30")
        await choose(pilot, "chair", "m1")
        app.screen.query_one("#f-attendees").focus()
        await pilot.press("3", "3")  # m4, third in the grid: apologies, then with a written report
        await type_in(pilot, "notes_circulated", "today")
        await pilot.press("ctrl+s")
        await pilot.pause()
        g = record(folder, "CP-2026-0003", "core_groups", "g1")
        assert g == {"id": "g1", "date": datetime(2026, 11, 20, 13, 30), "status": "held", "chair": "m1",
                     "attendees": ["m1", "m3"], "apologies": ["m4"], "written_reports": ["m4"],
                     "notes_circulated": today}
        # First core group was due Wed 18 Nov: now met late, and no longer overdue.
        panel = [r[2] for r in rows(app.screen.query_one("#deadlines", FitTable))]
        assert "First core group meeting" not in panel


async def test_date_validation_as_you_type_and_required(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0001", key="v", size=SIZE) as (app, pilot):
        await type_in(pilot, "date", "31/02/2026")
        await pilot.pause()
        assert "not a date" in plain(app.screen.query_one("#e-date", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)  # not saved
        await type_in(pilot, "date", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Date is required" in plain(app.screen.query_one("#e-date", Static))
        await type_in(pilot, "date", "2026-11-20")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert record(folder, "CP-2026-0001", "visits", "v7")["date"] == date(2026, 11, 20)


async def test_escape_with_unsaved_changes_asks(folder: Path) -> None:
    before = (folder / "CP-2026-0001.toml").read_bytes()
    async with open_form(folder, "CP-2026-0001", key="v", size=SIZE) as (app, pilot):
        await pilot.press("escape")  # untouched: closes at once
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("v")
        await pilot.pause()
        await toggle(pilot, "seen_alone", "c2")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
    assert (folder / "CP-2026-0001.toml").read_bytes() == before


async def test_conference_quoracy_suggested_and_override_kept(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0005", table="#conferences", size=SIZE) as (app, pilot):
        await choose(pilot, "kind", "review")
        await type_in(pilot, "date", "2026-11-23")
        quorate = app.screen.query_one("#f-quorate", Checkbox)
        await toggle(pilot, "attendees", "m1", "m3")  # social care and mother only
        await pilot.pause()
        assert quorate.value is False
        assert "NOT quorate" in plain(app.screen.query_one("#quoracy", Static))
        await toggle(pilot, "attendees", "m4", "m5")  # GP and police: two other agencies
        await pilot.pause()
        assert quorate.value is True
        quorate.focus()
        await pilot.press("space")  # the chair decides otherwise: kept
        await toggle(pilot, "attendees", "m3")
        await pilot.pause()
        assert quorate.value is False
        await pilot.press("ctrl+s")
        await pilot.pause()
        k = record(folder, "CP-2026-0005", "conferences", "k2")
        assert k["quorate"] is False and k["attendees"] == ["m1", "m4", "m5"] and k["kind"] == "review"


async def test_plan_action_new_then_mark_done(folder: Path, today: date) -> None:
    async with open_form(folder, "CP-2026-0001", view="p", table="#actions", size=SIZE) as (app, pilot):
        await type_in(pilot, "action", "Book a dentist appointment for Leo")
        await choose(pilot, "outcome", "o2")
        await choose(pilot, "owner", "m5")
        await type_in(pilot, "due", "04/12/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        a = record(folder, "CP-2026-0001", "plan.actions", "a4")
        assert a == {"id": "a4", "action": "Book a dentist appointment for Leo", "outcome": "o2",
                     "owner": "m5", "due": date(2026, 12, 4), "status": "open"}
        table = app.screen.query_one("#actions", FitTable)
        table.focus()
        table.move_cursor(row=3)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one("#f-done", Input).value == "2026-11-23"  # defaults to today
        await pilot.press("ctrl+s")
        await pilot.pause()
        a = record(folder, "CP-2026-0001", "plan.actions", "a4")
        assert a["status"] == "done" and a["done"] == today


async def test_event_from_timeline_chooser_and_delete(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0008")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("n", "e")  # new... event
        await pilot.pause()
        await type_in(pilot, "date", "2026-11-20")
        await choose(pilot, "kind", "incident")
        app.screen.query_one("#f-summary").focus()
        await pilot.press(*"Window broken during an argument")
        app.screen.query_one("#f-confidential", Checkbox).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await pilot.pause()
        e = record(folder, "CP-2026-0008", "events", "e3")
        assert e == {"id": "e3", "date": date(2026, 11, 20), "kind": "incident",
                     "summary": "Window broken during an argument", "confidential": True}
        table = app.screen.query_one("#timeline", FitTable)
        table.focus()
        idx = next(i for i, r in enumerate(rows(table)) if "Window broken" in r[3])
        table.move_cursor(row=idx)
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "Window broken" not in (folder / "CP-2026-0008.toml").read_text()


async def test_member_edit_changes_one_line(folder: Path, today: date) -> None:
    path = folder / "CP-2026-0002.toml"
    before = path.read_text().splitlines()
    app = make_app(folder, today=today, case_id="CP-2026-0002")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        table = app.screen.query_one("#members", FitTable)
        table.focus()
        table.move_cursor(row=3)
        await pilot.press("e")
        await pilot.pause()
        await type_in(pilot, "agency", "Placeholder Academy Trust")
        await pilot.press("ctrl+s")
        await pilot.pause()
    after = path.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and changed == [
        ('agency = "Placeholder Academy"', 'agency = "Placeholder Academy Trust"')]


async def test_child_outcome_and_plan_text(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0003", table="#children", size=SIZE) as (app, pilot):
        await type_in(pilot, "name", "Remi Placeholder")
        await type_in(pilot, "date_of_birth", "2021-03-04")
        await choose(pilot, "category", "physical")
        await type_in(pilot, "plan_start", "2026-11-04")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert record(folder, "CP-2026-0003", "children", "c2") == {
            "id": "c2", "name": "Remi Placeholder", "date_of_birth": date(2021, 3, 4),
            "category": "physical", "plan_start": date(2026, 11, 4)}
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#outcomes").focus()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#f-concern").focus()
        await pilot.press(*"Noah was bruised")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert record(folder, "CP-2026-0003", "plan.outcomes", "o1") == {"id": "o1", "concern": "Noah was bruised"}
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#f-child_views").focus()
        await pilot.press(*"Noah likes his new school")
        await pilot.press("ctrl+s")
        await pilot.pause()
    plan = tomllib.loads((folder / "CP-2026-0003.toml").read_text())["plan"]
    assert plan["child_views"] == "Noah likes his new school"
    assert plan["contingency"].startswith("If bruising")


async def test_new_case_from_caseload(folder: Path, today: date) -> None:
    app = make_app(folder, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("N")
        await pilot.pause()
        assert app.screen.query_one("#f-id", Input).value == "CP-2026-0011"
        await choose(pilot, "procedure", "hillingdon")
        await type_in(pilot, "child_name", "Sky Example")
        await type_in(pilot, "expected_date", "2027-03-01")
        await type_in(pilot, "worker_name", "Jules Example")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert getattr(app.screen, "case_id", None) == "CP-2026-0011"
    data = tomllib.loads((folder / "CP-2026-0011.toml").read_text())
    assert data["procedure"] == "hillingdon" and data["children"][0]["expected_date"] == date(2027, 3, 1)
    assert data["members"][0]["name"] == "Jules Example" and data["lead_social_worker"] == "m1"


async def test_schedule_the_series(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0002", view="g", key="S", size=SIZE) as (app, pilot):
        # Hillingdon, six-weekly from the meeting of Fri 20 Nov: 1 Jan is a bank
        # holiday so Thu 31 Dec; then Thu 11 Feb, Thu 25 Mar; review due Thu 1 Apr.
        got = [i.value for i in app.screen.query(Input)]
        assert got == ["2026-12-31", "2027-02-11", "2027-03-25", "2027-04-01"]
        inp = app.screen.query_one("#m1", Input)
        inp.focus()
        inp.value = ""
        await pilot.press(*"2027-02-13")  # a Saturday
        await pilot.pause()
        assert "not a working day" in plain(app.screen.query_one("#e-m1", Static))
        inp.value = ""
        await pilot.press(*"2027-02-12")
        await pilot.press("ctrl+s")
        await pilot.pause()
    data = tomllib.loads((folder / "CP-2026-0002.toml").read_text())
    booked = [(g["date"], g["status"]) for g in data["core_groups"] if g.get("status") == "scheduled"]
    assert booked == [(date(2026, 12, 31), "scheduled"), (date(2027, 2, 12), "scheduled"),
                      (date(2027, 3, 25), "scheduled")]
    review = [k for k in data["conferences"] if k.get("status") == "scheduled"]
    assert review == [{"id": "k3", "kind": "review", "date": date(2027, 4, 1), "status": "scheduled",
                       "children": ["c1"]}]


async def test_add_after_an_unrelated_change_on_disk_keeps_both(folder: Path, today: date) -> None:
    """A colleague's pulled change and our new visit: both are in the file, and we are told."""
    path = folder / "CP-2026-0001.toml"
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        path.write_text(path.read_text() + "\n# edited elsewhere\n")
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("changed on disk" in n.message and "added to the newer version" in n.message
                   for n in app._notifications)
    text = path.read_text()
    assert "# edited elsewhere\n" in text and 'id = "v7"' in text


async def test_edit_refused_when_that_record_changed_on_disk(folder: Path, today: date) -> None:
    path = folder / "CP-2026-0001.toml"
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        from cptui.changes import Change
        from cptui.storage import CaseFile
        from cptui.tui import editing

        cf = CaseFile(path)
        seen = cf.record("action", "a1")  # as the user saw it
        cf.update("action", "a1", {"owner": "m3"})  # a colleague's change lands on disk
        cf.save()
        before = path.read_bytes()
        editing.write(app.screen, app.caseload.get("CP-2026-0001"),
                      Change("update", "action", "a1", {"status": "open"}, seen), "Reopened: action")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # offers a reload
        assert any("changed on disk" in n.message for n in app._notifications)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert path.read_bytes() == before


async def test_case_details_close_the_case(folder: Path) -> None:
    path = folder / "CP-2026-0010.toml"
    before = path.read_text().splitlines()
    async with open_form(folder, "CP-2026-0010", key="i", size=SIZE) as (app, pilot):
        assert app.screen.query_one("#f-procedure", Select).value == "darlington"
        await type_in(pilot, "closed", "2026-11-23")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Closed today: the complaint response due Thu 26 Nov is no longer produced.
        assert "Complaint response" not in [r[2] for r in rows(app.screen.query_one("#deadlines", FitTable))]
    after = path.read_text().splitlines()
    assert [l for l in after if l not in before] == ["closed = 2026-11-23"]
