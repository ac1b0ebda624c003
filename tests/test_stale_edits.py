"""An edit is made against the record the screen showed, never the one on disk now.

A colleague's change lands in the file (git pull, a shared folder) while a case is
open. Every edit the user then makes names a record as it was shown: if that record
changed on disk, or its id now belongs to another record, nothing is written and a
reload is offered; if only other parts of the file changed, the edit goes onto the
newer file. Found by driving the app against a file changed underneath it: delete,
mark done, reopen, edit and "same meeting" all read the record from disk at the
moment of saving, so the check compared the disk with itself and always passed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cptui.tui.app import make_app
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.screens.record_form import RecordForm
from tui_helpers import ready

SIZE = (160, 48)
CASE = "CP-2026-0001"

V5_NOTES = 'notes = "Leo at his grandmother\'s; not seen."'
V6 = ('[[visits]]\nid = "v6"\ndate = 2026-11-12\nby = "m4"\nstatutory = false\n'
      'seen = ["c2"]\nnotes = "Health visitor developmental check at clinic."\n')
V6_THEIRS = ('[[visits]]\nid = "v6"\ndate = 2026-11-23\nby = "m1"\nseen = ["c1", "c2"]\n'
             'notes = "A colleague\'s statutory visit today."\n')
A2_OPEN = 'due = 2026-11-20\nstatus = "open"\n'
A2_DONE = 'due = 2026-11-20\nstatus = "done"\ndone = 2026-11-19\n'


@pytest.fixture
def path(demo_copy: Path) -> Path:
    return demo_copy / f"{CASE}.toml"


def change_on_disk(path: Path, old: str, new: str) -> bytes:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path.read_bytes()


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001


SCREEN_KEY = {"timeline": "t", "actions": "p"}  # the case view each table is on


async def on_row(pilot, table_id: str, key: str) -> None:
    """Open the table's case view, and put the cursor on a record: by row key, or on
    the timeline by the entry shown."""
    await pilot.press(SCREEN_KEY[table_id])
    await pilot.pause()
    screen = pilot.app.screen
    table = screen.query_one(f"#{table_id}")
    table.focus()
    if table_id == "timeline":
        row = next(i for i, e in enumerate(screen.shown) if e.record == key)
    else:
        row = table.get_row_index(key)
    table.move_cursor(row=row)
    await pilot.pause()


async def refused(pilot, path: Path, before: bytes) -> None:
    """Nothing written, the user told, a reload offered (and taken)."""
    app = pilot.app
    assert path.read_bytes() == before
    assert any("changed on disk" in n and "Nothing was saved" in n for n in notes(app)), notes(app)
    assert isinstance(app.screen, ConfirmScreen) and "Reload" in app.screen.question
    await pilot.press("y")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert path.read_bytes() == before


async def test_deleting_a_record_a_colleague_changed_is_refused(path: Path, today: date) -> None:
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "timeline", "v5")
        before = change_on_disk(path, V5_NOTES, V5_NOTES[:-1] + ' Grandmother reports a bruise."')
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await refused(pilot, path, before)


async def test_deleting_by_an_id_that_now_names_another_record_is_refused(
        path: Path, today: date) -> None:
    """The id shown belonged to one visit; on disk it now names a colleague's new one."""
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "timeline", "v6")
        before = change_on_disk(path, V6, V6_THEIRS)
        await pilot.press("delete")
        await pilot.pause()
        assert "Thu 12 Nov 2026" in app.screen.question  # what the user was shown
        await pilot.press("y")
        await pilot.pause()
        await refused(pilot, path, before)


async def test_marking_done_an_action_a_colleague_marked_done_is_refused(
        path: Path, today: date) -> None:
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "actions", "a2")
        before = change_on_disk(path, A2_OPEN, A2_DONE)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await refused(pilot, path, before)
    assert "done = 2026-11-19" in path.read_text()


async def test_editing_opens_the_record_as_shown_and_refuses_if_it_changed(
        path: Path, today: date) -> None:
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "timeline", "v6")
        before = change_on_disk(path, V6, V6_THEIRS)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        box = form.query_one("#f-date")
        assert box.value == "2026-11-12"  # as shown, not the colleague's 23 Nov
        box.focus()
        box.value = ""
        await pilot.press(*"2026-11-13")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await refused(pilot, path, before)


async def test_same_meeting_refused_when_the_booking_moved_on_disk(path: Path,
                                                                   today: date) -> None:
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        before = change_on_disk(path, "date = 2026-11-25T10:00:00", "date = 2026-12-09T10:00:00")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and "Wed 25 Nov" in app.screen.title_text
        await pilot.press("ctrl+s")
        await pilot.pause()
        await refused(pilot, path, before)
    assert "date = 2026-12-09T10:00:00" in path.read_text()


async def test_deleting_a_record_nobody_else_touched_goes_onto_the_newer_file(
        path: Path, today: date) -> None:
    """The control: another part of the file changed, the record did not."""
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "timeline", "v6")
        change_on_disk(path, V5_NOTES, V5_NOTES[:-1] + ' Grandmother reports a bruise."')
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert any("added to the newer version" in n for n in notes(app)), notes(app)
    text = path.read_text()
    assert 'id = "v6"' not in text and "Grandmother reports a bruise." in text


async def test_opening_a_case_again_shows_the_file_as_it_is_now(path: Path, today: date) -> None:
    """A colleague's visit pulled in while the caseload was on top is there on reopening."""
    app = make_app(path.parent, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_case(CASE)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        change_on_disk(path, "[plan]\n", '[[visits]]\nid = "v7"\ndate = 2026-11-20\nby = "m1"\n'
                       'seen = ["c1", "c2"]\nnotes = "A colleague\'s visit."\n\n[plan]\n')
        app.open_case(CASE)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert "v7" in [e.record for e in app.screen.shown if e.kind == "visit"]


@pytest.mark.parametrize("keys", [("delete", "y"), ("e", "ctrl+s"), ("x", "ctrl+s")])
async def test_a_file_broken_on_disk_while_open_is_never_written_and_the_app_stays(
        path: Path, today: date, keys: tuple[str, ...]) -> None:
    """A pull with a conflict puts markers in the open case's file: each edit says
    "Not saved" (the app used to crash reading the record from the broken file)."""
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        if keys[0] == "x":
            await on_row(pilot, "actions", "a2")
        else:
            await on_row(pilot, "timeline", "v6")
        before = change_on_disk(path, "[plan]\n", "<<<<<<< ours\n=======\n>>>>>>> theirs\n[plan]\n")
        await pilot.press(keys[0])
        await pilot.pause()
        if keys[0] == "e":  # the form opens as shown: make a change to save
            app.screen.query_one("#f-date").value = "2026-11-13"
            await pilot.pause()
        await pilot.press(keys[1])
        await pilot.pause()
        assert any("Not saved" in n for n in notes(app)), notes(app)
        assert app.is_running and app.return_code is None
    assert path.read_bytes() == before


async def test_the_cursor_stays_on_the_record_it_was_on_when_rows_move(
        path: Path, today: date) -> None:
    """Moving a visit's date re-sorts the timeline: the cursor used to keep its row
    number and land on a neighbouring record, the one the next key would act on."""
    app = make_app(path.parent, today=today, case_id=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await on_row(pilot, "timeline", "v5")
        screen, table = app.screen, app.screen.query_one("#timeline")
        row_before = table.cursor_row
        await pilot.press("e")
        await pilot.pause()
        box = app.screen.query_one("#f-date")
        box.focus()
        box.value = "2026-10-02"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and any("Saved" in n for n in notes(app)), notes(app)
        assert screen.shown[table.cursor_row].record == "v5"
        assert table.cursor_row != row_before  # it moved with its row
