"""Forms that take the first key, keep the user's data, and a core group in a few keys (issue 16)."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from cptui.tui.app import make_app
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.screens.record_form import RecordForm
from cptui.tui.widgets.fit_table import FitTable
from tui_helpers import TODAY, open_form, ready, rows

SIZE = (100, 30)


@pytest.fixture
def folder(demo_copy: Path) -> Path:
    return demo_copy


def load(folder: Path, case: str) -> dict:
    return tomllib.loads((folder / f"{case}.toml").read_text())


async def test_typing_straight_after_opening_a_form_loses_nothing(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("p", "n", *"Phone the GP")  # no pause between opening and typing
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.query_one("#f-action", Input).value == "Phone the GP"


async def test_escape_closes_an_open_dropdown_only(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0001", view="p", size=SIZE) as (app, pilot):
        await pilot.press("tab", "enter", "down")  # open the outcome list and move in it at once
        await pilot.pause()
        select = app.screen.query_one("#f-outcome", Select)
        assert select.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and not select.expanded


async def test_x_on_a_done_action_offers_reopen_and_keeps_the_date(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one("#actions", FitTable)
        assert [r[0] for r in rows(table)] == ["✓ done", "✗ OVERDUE", "✓ done late"]
        table.move_cursor(row=2)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "reopen" in app.screen.question.lower()
        await pilot.press("n")
        await pilot.pause()
        a3 = load(folder, "CP-2026-0001")["plan"]["actions"][2]
        assert a3["status"] == "done" and a3["done"] == date(2026, 10, 20)
        table.move_cursor(row=1)
        await pilot.press("x")
        await pilot.pause()
        assert "Tell the social worker each week" in app.screen.title_text  # names the action
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#outcomes").focus()
        await pilot.press("x")  # not on an action: say how to get to one
        await pilot.pause()
        assert any("tab to the Actions table" in n.message for n in app._notifications)


async def test_lists_saved_in_record_order_not_tick_order(folder: Path) -> None:
    async with open_form(folder, "CP-2026-0001", key="v", size=SIZE) as (app, pilot):
        sl = app.screen.query_one("#f-seen")
        sl.deselect_all()
        sl.select("c2")
        sl.select("c1")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert load(folder, "CP-2026-0001")["visits"][-1]["seen"] == ["c1", "c2"]


async def test_core_group_in_a_few_keys_turns_the_booked_meeting_into_the_held_one(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        # g: core group screen; n: record one; 3 3: Chris (third in the grid) sent apologies and a written report;
        # 4 4 4: Kim absent; ctrl+s saves. Six keys after g.
        await pilot.press("g", "n", "3", "3", "4", "4", "4", "ctrl+s")
        await pilot.pause()
        await pilot.pause()
    groups = load(folder, "CP-2026-0001")["core_groups"]
    assert [g["id"] for g in groups] == ["g1", "g2", "g3"]  # the booked one became the held one
    g3 = groups[2]
    assert g3["status"] == "held" and g3["date"] == datetime(2026, 11, 23, 10, 0)
    assert g3["chair"] == "m1"
    assert g3["attendees"] == ["m1", "m3"]  # m2 is not in the core group
    assert g3["apologies"] == ["m4"] and g3["written_reports"] == ["m4"]


async def test_new_case_leaves_out_the_team_default_procedure(folder: Path, today: date) -> None:
    app = make_app(folder, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("N")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#f-id")  # first field focused
        app.screen.query_one("#f-child_name", Input).value = "Sky Example"
        app.screen.query_one("#f-expected_date", Input).value = "2027-03-01"
        app.screen.query_one("#f-worker_name", Input).value = "Jules Example"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
    text = (folder / "CP-2026-0011.toml").read_text()
    assert "procedure" not in text


async def test_keys_per_task_stated_in_the_readme(folder: Path, today: date) -> None:
    """The counts in the README's "Keys per task" table, replayed (typed text not counted)."""
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        keys = ["p", "n", "tab", "down", "down", "enter", "tab", "down", "down", "enter", "tab", "ctrl+s"]
        assert len(keys) == 12  # add a plan action with outcome, owner and due date
        await pilot.press(*keys[:2], *"Phone the GP", *keys[2:11], *"04/12/2026", keys[11])
        await pilot.pause()
        a4 = load(folder, "CP-2026-0001")["plan"]["actions"][-1]
        assert a4 == {"id": "a4", "action": "Phone the GP", "outcome": "o1", "owner": "m1",
                      "due": date(2026, 12, 4), "status": "open"}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("N", "tab", "tab", *"Sky Example", "tab", *"01/03/2020",
                          "tab", "tab", "tab", "tab", *"Jules Example", "ctrl+s")  # 9 keys
        await pilot.pause()
        await pilot.pause()
    data = tomllib.loads((folder / "CP-2026-0011.toml").read_text())
    assert data["children"][0]["name"] == "Sky Example" and data["members"][0]["name"] == "Jules Example"


async def test_a_form_opens_clear_of_toasts(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.notify("Wrote out/agenda.html (print this)", timeout=12)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm) and not list(app._notifications)


async def test_no_key_lost_through_the_new_what_chooser(folder: Path, today: date) -> None:
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n", "e", *"23/11/2026")  # chooser, event form, date: all at once
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.query_one("#f-date", Input).value == "23/11/2026"
