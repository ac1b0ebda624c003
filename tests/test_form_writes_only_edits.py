"""A form writes only what the user changed, never a suggestion they did not see change.

Found by editing a booked review conference under a procedure with a quoracy rule
(Darlington): changing only its date wrote `quorate = false`, because the form
applied its quoracy suggestion (nobody attended a meeting not yet held) as it
opened; the timeline then called the booking "NOT QUORATE". The suggestion now
follows the attendees as the user ticks them, and only then.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from textual.widgets import Checkbox, Input

from cptui.tui.app import make_app
from cptui.tui.screens.record_form import RecordForm
from tui_helpers import ready

CASE = "CP-2026-0001"  # Darlington: a conference needs social care and two other agencies


def conference(path: Path, rid: str) -> dict:
    return next(k for k in tomllib.loads(path.read_text())["conferences"] if k["id"] == rid)


async def edit_conference(demo_copy: Path, today: date, rid: str, key: str, value: str) -> Path:
    path = demo_copy / f"{CASE}.toml"
    app = make_app(demo_copy, today=today, case_id=CASE)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        table = app.screen.query_one("#conferences")
        table.focus()
        table.move_cursor(row=table.get_row_index(rid))
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        before = form.query_one("#f-quorate", Checkbox).value
        assert before is conference(path, rid).get("quorate", True)  # as the file says
        form.query_one(f"#f-{key}", Input).value = value
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
    return path


async def test_rebooking_a_conference_writes_only_its_date(demo_copy: Path, today: date) -> None:
    before = (demo_copy / f"{CASE}.toml").read_text()
    path = await edit_conference(demo_copy, today, "k2", "date", "2026-12-15")
    after = path.read_text()
    assert "quorate" not in conference(path, "k2")
    assert [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b] == [
        ("date = 2026-12-14", "date = 2026-12-15")]


async def test_editing_a_held_conference_keeps_its_quoracy(demo_copy: Path, today: date) -> None:
    path = demo_copy / f"{CASE}.toml"
    # true by default; and with these two the rule would suggest "not quorate"
    path.write_text(path.read_text().replace("quorate = true\n", "", 1).replace(
        'attendees = ["m1", "m2", "m3", "m4", "m5"]', 'attendees = ["m1", "m3"]', 1))
    await edit_conference(demo_copy, today, "k1", "record_circulated", "2026-09-30")
    k1 = conference(path, "k1")
    assert "quorate" not in k1 and k1["record_circulated"] == date(2026, 9, 30)


TEAM = 'title = "Example Town"\nextends = "working-together-2023"\n'


async def test_case_details_keep_a_teams_own_procedure(demo_copy: Path, today: date) -> None:
    """The procedure list held only shipped profiles: a case on the team's own profile
    showed a blank procedure, and saving any detail removed it from the file."""
    (demo_copy / "profiles").mkdir()
    (demo_copy / "profiles" / "example-town.toml").write_text(TEAM, encoding="utf-8")
    path = demo_copy / f"{CASE}.toml"
    path.write_text(path.read_text().replace('procedure = "darlington"', 'procedure = "example-town"'))
    before = path.read_text()
    app = make_app(demo_copy, today=today, case_id=CASE)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.caseload.get(CASE).profile.name == "example-town"
        await pilot.press("i")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#f-procedure").value == "example-town"
        await pilot.press("escape")  # nothing changed: closes without asking
        await pilot.pause()
        assert not isinstance(app.screen, RecordForm)
        await pilot.press("i")
        await pilot.pause()
        box = app.screen.query_one("#f-interpreter", Input)
        box.focus()
        await pilot.press(*"Polish")
        await pilot.press("ctrl+s")
        await pilot.pause()
    after = path.read_text()
    assert 'procedure = "example-town"' in after
    assert [b for b in after.splitlines() if b not in before.splitlines()] == [
        'interpreter = "Polish"']


def test_fields_the_user_did_not_touch_are_not_rewritten() -> None:
    """A form shows a stored value its own way (text trimmed, times as HH:MM); saving a
    change to another field wrote the shown form back: a hand-written note lost its
    final newline and its tab, a meeting time its seconds."""
    from datetime import datetime

    from cptui.forms import FORMS, changes, show, validate

    old = {"id": "e1", "date": date(2026, 10, 1), "kind": "incident",
           "summary": "Line one\n\tindented line two\n"}
    raw = {f.key: show(f, old.get(f.key)) for f in FORMS["event"]}
    raw["date"] = "2026-10-02"  # the one change the user made
    values, errors = validate("event", raw, date(2026, 11, 23))
    assert not errors and changes("event", old, values) == {"date": date(2026, 10, 2)}

    old = {"id": "g1", "date": datetime(2026, 10, 22, 14, 0, 45), "status": "held",
           "location": "Family centre"}
    raw = {f.key: show(f, old.get(f.key)) for f in FORMS["core_group"]}
    raw["location"] = "School"
    values, errors = validate("core_group", raw, date(2026, 11, 23))
    assert not errors and changes("core_group", old, values) == {"location": "School"}
