"""The TUI driven by Pilot: navigation, and that screens show the engine's numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Static


from cptui.caseload import load_caseload
from cptui.dates import distance, fmt_date
from cptui.tui.app import make_app
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.screens.case_views import VIEWS
from cptui.tui.screens.caseload import CaseloadScreen
from cptui.tui.widgets.deadline_panel import DeadlinePanel
from cptui.tui.widgets.fit_table import FitTable
from tui_helpers import TODAY, plain, ready, rows

SIZE = (160, 48)


async def test_caseload_lists_every_case_and_panel_matches_engine(today, demo: Path) -> None:
    load = load_caseload(demo, today)
    app = make_app(demo, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        cases = rows(app.screen.query_one("#cases", FitTable))
        assert sorted(r[0] for r in cases) == sorted(cv.case.id for cv in load.cases)
        for r in cases:
            cv = load.get(r[0])
            assert r[1].endswith(str(cv.count("overdue"))) and r[2].endswith(str(cv.count("due_soon")))
        panel = rows(app.screen.query_one("#deadlines", DeadlinePanel))
        expected = sorted(
            (d.case, fmt_date(d.due), d.label(load.get(d.case).case),
             distance(load.calendar, d.due, today))
            for d in load.deadlines() if d.status in ("overdue", "due_soon"))
        assert sorted((r[1], r[2], r[3], r[4]) for r in panel) == expected
        assert panel[0][0] == "✗ OVERDUE"  # most urgent first, in words


async def test_open_case_navigate_views_and_back(today, demo: Path) -> None:
    app = make_app(demo, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        first = app.screen.row_ids[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == first
        for key, view in (("t", "timeline"), ("p", "plan"), ("g", "core_group"), ("c", "case")):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen) is VIEWS[view] and app.screen.case_id == first
            assert len(app.screen_stack) == 3  # default screen, caseload, one case view
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)


async def test_case_header_and_deadlines_match_files(today, demo: Path) -> None:
    load = load_caseload(demo, today)
    cv = load.get("CP-2026-0001")
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        header = plain(app.screen.query_one("#case-header", Static))
        assert "Ava Example · age 7 years 7 months · neglect · plan since Mon 14 Sep 2026 (10 weeks)" in header
        assert "Lead social worker: Sam Patel" in header and "Procedure: darlington" in header
        panel = app.screen.query_one("#deadlines", DeadlinePanel)
        assert [(r[1], r[2]) for r in rows(panel)] == [
            (fmt_date(d.due), d.label(cv.case)) for d in sorted(
                cv.open_deadlines, key=lambda d: (["overdue", "due_soon", "upcoming"].index(d.status), d.due))]
        await pilot.press("a")  # show met too
        await pilot.pause()
        assert panel.row_count == len(cv.deadlines)


async def test_why_this_date_explains_basis_and_citation(today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        text = plain(app.screen.query_one("#why-text", Static))
        # The first open deadline is Leo's visit, counted from visit v4 on 27 Oct.
        assert "Statutory visit — Leo" in text
        assert "Tue 27 Oct 2026 + 10 working days = Tue 10 Nov 2026" in text
        assert "Darlington, 'Seeing the Child'" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)


async def test_filter_sort_and_enter_from_deadline_panel(today, demo: Path) -> None:
    app = make_app(demo, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"mia")
        await pilot.pause()
        cases = app.screen.query_one("#cases", FitTable)
        assert [r[0] for r in rows(cases)] == ["CP-2026-0002"]
        await pilot.press("escape")
        await pilot.pause()
        assert cases.row_count == 10
        await pilot.press("o")  # next deadline order
        await pilot.pause()
        assert rows(cases)[0][0] == "CP-2026-0005"  # its visit was due 30 Oct
        await pilot.press("o")  # case id order
        await pilot.pause()
        ids = [r[0] for r in rows(cases)]
        assert ids == sorted(ids)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.case_id == "CP-2026-0005"


async def test_broken_file_is_a_visible_row(tmp_path: Path, today, demo: Path) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    (folder / "CP-2026-0099.toml").write_text('schema = 1\nid = "CP-2026-0099"\n<<<<<<< HEAD\n')
    app = make_app(folder, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        first = rows(app.screen.query_one("#cases", FitTable))[0]
        assert first[0] == "⚠ CP-2026-0099" and first[1] == "BROKEN"
        assert "line 3: unresolved git conflict" in first[3]
        await pilot.press("enter")  # cannot open; stays put and says why
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)


async def test_timeline_filters_and_marks(today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await pilot.pause()
        table = app.screen.query_one("#timeline", FitTable)
        all_rows = rows(table)
        assert len(all_rows) == 16
        dates = [r[0] for r in all_rows]
        assert dates[0] == "Tue 25 Aug 2026" and dates[-1] == "Mon 14 Dec 2026"
        burn = next(r for r in all_rows if "burn" in r[3])
        assert "CONFIDENTIAL" in burn[2]
        await pilot.press("k")  # events only
        await pilot.pause()
        assert {r[1] for r in rows(table)} == {"event"} and table.row_count == 3
        await pilot.press("k", "k", "k")  # visits
        await pilot.pause()
        assert {r[1] for r in rows(table)} == {"visit"}
        await pilot.press("i")  # significant only: a visit counts only when nobody was seen (none here)
        await pilot.pause()
        assert table.row_count == 0


async def test_plan_shows_actions_with_flags(today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0006")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        actions = rows(app.screen.query_one("#actions", FitTable))
        by_text = {r[1]: r for r in actions}
        assert by_text["Attend the Freedom Programme."][4] == "ASAP"
        assert "not SMART: due 'ASAP'" in by_text["Attend the Freedom Programme."][5]
        assert "no owner" in by_text["Safety planning sessions with Jacob."][5]
        assert by_text["Update the safety plan with Jess."][0] == "✗ OVERDUE"
        texts = plain(app.screen.query_one("#texts", Static))
        assert "legal planning meeting" in texts and "Jacob wants his dad to stay away" in texts


async def test_core_group_attendance_and_next_due(today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        nxt = plain(app.screen.query_one("#next", Static))
        assert "Thu 19 Nov 2026" in nxt and "2 working days overdue" in nxt and "Wed 25 Nov 2026" in nxt
        meetings = rows(app.screen.query_one("#meetings", FitTable))
        # columns: Date, Status, Chair, Sam, Priya, Chris, Kim, Notes, Plan sent (Darlington times the plan)
        second = meetings[1]
        assert second[1] == "✓ held" and second[5] == "AW"  # Chris: apologies + written report
        assert second[8].startswith("✗ late") and second[7] == "sent Fri 30 Oct 2026"
        assert meetings[0][8].startswith("✓ on time")
        members = rows(app.screen.query_one("#members", FitTable))
        assert ["Jo Okafor", "Team manager", "Children's Social Care", "professional", "no"] in members


async def test_help_lists_every_key_with_description(today, demo: Path) -> None:
    app = make_app(demo, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = plain(app.screen.query_one("#help-text", Static))
        for words in ("Open case", "Filter", "Sort", "Deadlines", "Quit", "Reload", "Command palette"):
            assert words in text


async def test_palette_offers_actions_and_jump_to_case(today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0003")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Timeline" in titles and "Plan" in titles and "Core group" in titles
        jump = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Jump to case CP-2026-0009"))
        jump.callback()
        await pilot.pause()
        assert app.screen.case_id == "CP-2026-0009"


def test_every_binding_has_a_description() -> None:
    from cptui.tui.app import CptuiApp
    from cptui.tui.screens.help import HelpScreen
    from cptui.tui.screens.why import WhyScreen

    for cls in [CptuiApp, CaseloadScreen, DeadlinePanel, HelpScreen, WhyScreen, *VIEWS.values()]:
        for b in cls.BINDINGS:
            assert b.description, (cls.__name__, b.key)


async def test_help_lists_each_key_once_and_leaves_textuals_own_to_one_line(
        today, demo: Path) -> None:
    """Help listed ctrl+p twice (once as "palette"), Textual's copy keys, ctrl+q beside q,
    tab as "Focus Next" and every cursor key of a table one by one, among the case's keys."""
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = app.screen.lines
        keys = [k for k, _ in lines]
        assert len(keys) == len(set(keys)), keys
        for gone in ("super+c", "ctrl+c", "ctrl+q", "shift+tab", "ctrl+end", "down"):
            assert gone not in keys, gone
        said = dict(lines)
        assert said["ctrl+p"].startswith("Command palette") and said["q"] == "Quit"
        for key in ("v", "e", "delete", "w", "t", "p", "g", "r"):  # the case's own keys stay
            assert key in said, key


async def test_palette_entries_name_their_key(today, demo: Path) -> None:
    """A palette entry with a tooltip showed only the tooltip, so the palette never taught
    the key (Textual's own commands said theirs)."""
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Timeline"].endswith("(key: t)"), commands["Timeline"]
        assert commands["Record visit"].endswith("(key: v)"), commands["Record visit"]
