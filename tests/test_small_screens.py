"""At 80x24 every screen keeps what it exists to show (issue 16).

Each test looks at what is actually on screen: a widget's region, the
columns a table shows, the footer keys that fit in the width.
"""

from __future__ import annotations

from datetime import date

from textual.widgets import Static
from textual.widgets._footer import FooterKey


from cptui.caseload import load_caseload
from cptui.dates import distance
from cptui.tui.app import make_app
from cptui.tui.widgets.deadline_panel import DeadlinePanel
from cptui.tui.widgets.fit_table import FitTable
from tui_helpers import TODAY, plain, ready

SMALL = (80, 24)


def labels(table: FitTable) -> list[str]:
    return [str(c.label) for c in table.columns]


def fits_width(table: FitTable) -> bool:
    """No sideways scrolling: the columns fit the table and no scrollbar steals a row."""
    return (not table.show_horizontal_scrollbar
            and table.virtual_size.width <= table.scrollable_content_region.width)


def footer_keys(app) -> list[str]:
    """Keys of the footer that are fully on screen."""
    width = app.size.width
    return [k.key_display or k.key for k in app.screen.query(FooterKey)
            if k.region.width and k.region.right <= width]


async def test_case_overview_keeps_urgent_deadlines_readable(today: date, demo: Path) -> None:
    load = load_caseload(demo, today)
    cv = load.get("CP-2026-0005")  # several practice flags, four urgent deadlines
    n_flags = sum(1 for p in cv.problems if p.severity == "warning")
    assert n_flags >= 4
    urgent = [d for d in cv.open_deadlines if d.status in ("overdue", "due_soon")]
    app = make_app(demo, today=today, case_id="CP-2026-0005")
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        panel = app.screen.query_one("#deadlines", DeadlinePanel)
        assert labels(panel)[:4] == ["Status", "Due", "What", "When"]
        assert panel.region.height >= len(urgent) + 3  # header + borders
        assert not panel.region.intersection(app.screen.query_one("#body").region)
        whens = [str(panel.get_row_at(i)[3]) for i in range(len(urgent))]
        assert sorted(whens) == sorted(distance(load.calendar, d.due, today) for d in urgent)
        assert fits_width(panel)
        flags = app.screen.query_one("#flags", Static)
        assert flags.region.height == 1 and f"Practice flags ({n_flags})" in plain(flags)
        await pilot.press("f")
        await pilot.pause()
        assert flags.region.height > 1 or "Practice flags" in str(flags.border_title)


async def test_case_header_one_line_per_child_or_collapsed(today: date, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0006")  # three children
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        header = app.screen.query_one("#case-header", Static)
        assert header.region.height <= 2
        assert "3 children" in plain(header)


async def test_caseload_columns_fit_without_sideways_scrolling(demo: Path) -> None:
    today = date(2026, 11, 24)  # nine overdue across the demo: more than half the panel's share
    app = make_app(demo, today=today)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        cases = app.screen.query_one("#cases", FitTable)
        assert labels(cases)[:4] == ["Case", "Overdue", "Due soon", "Next deadline"]
        assert fits_width(cases) and fits_width(app.screen.query_one("#deadlines", FitTable))
        overdue = sum(d.status == "overdue" for d in load_caseload(demo, today).deadlines())
        assert app.screen.query_one("#deadlines").region.height >= overdue + 3  # every overdue row
        assert cases.region.height >= 6
        clock = plain(app.screen.query_one("#clock", Static))
        assert "due soon" in clock and len(clock) <= 80


async def test_plan_and_core_group_tables_at_80x24(today: date, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0006")
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        actions = app.screen.query_one("#actions", FitTable)
        assert {"Status", "Action", "Owner", "Due"} <= set(labels(actions)) and fits_width(actions)
        assert actions.region.height >= 4
        await pilot.press("g")
        await pilot.pause()
        meetings = app.screen.query_one("#meetings", FitTable)
        assert meetings.region.height >= 3 + 4 and fits_width(meetings)  # all four meetings
        assert fits_width(app.screen.query_one("#members", FitTable))
        assert {"Date", "Status"} <= set(labels(meetings))


async def test_footer_shows_help_and_quit_everywhere(today: date, demo: Path) -> None:
    app = make_app(demo, today=today)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        assert {"?", "q"} <= set(footer_keys(app)), footer_keys(app)
        await pilot.press("enter")
        await pilot.pause()
        for key in ("c", "t", "p", "g"):
            await pilot.press(key)
            await pilot.pause()
            assert {"?", "q"} <= set(footer_keys(app)), (key, footer_keys(app))


async def test_every_overdue_and_due_soon_deadline_is_on_screen_at_80x24(demo: Path) -> None:
    """At 80x24 the panel kept only its overdue rows in view: the five due-soon ones
    (a statutory visit due today among them) sat below the fold; the cases give way."""
    today = date(2026, 11, 23)
    load = load_caseload(demo, today)
    urgent = [d for d in load.deadlines() if d.status in ("overdue", "due_soon")]
    assert {d.status for d in urgent} == {"overdue", "due_soon"}
    app = make_app(demo, today=today)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        panel = app.screen.query_one("#deadlines", FitTable)
        assert panel.row_count == len(urgent)
        assert panel.region.height >= len(urgent) + 3  # borders and the header
        assert panel.scroll_offset.y == 0 and panel.max_scroll_y == 0  # nothing to scroll to
        assert app.screen.query_one("#cases", FitTable).region.height >= 6


async def test_a_form_opens_at_its_top_with_title_and_first_label_in_view(demo: Path) -> None:
    """At 80x24 forms opened scrolled past their title (which says what is being recorded,
    e.g. that a booked meeting becomes the held one), the save hint and the first label."""
    from cptui.tui.screens.record_form import RecordForm

    app = make_app(demo, today=TODAY, case_id="CP-2026-0005")
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        for keys in (("v",), ("g", "n")):
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            form = app.screen
            assert isinstance(form, RecordForm), keys
            await pilot.pause()
            assert form.query_one("#form").scroll_y == 0, keys
            title = form.query_one("#form-title", Static)
            assert title.region.y >= 0 and title.region.height >= 1 and "ctrl+s save" in plain(title)
            assert app.focused is not None and app.focused.id.startswith("f-")  # typing goes in
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, RecordForm)


async def test_counts_of_one_read_as_one(tmp_path: Path, demo: Path) -> None:
    """ "1 BROKEN FILES", "Timeline — 1 records": a count of one is singular."""
    import shutil

    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    (folder / "CP-2026-0002.toml").write_text("schema = 1\nid = [\n", encoding="utf-8")
    app = make_app(folder, today=TODAY, case_id="CP-2026-0003")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("t", "k")  # its events: there is one
        await pilot.pause()
        table = app.screen.query_one("#timeline", FitTable)
        assert table.row_count == 1 and "— 1 record (" in str(table.border_title)
        await pilot.press("escape")
        await pilot.pause()
        clock = plain(app.screen.query_one("#clock", Static))
        assert "⚠ 1 BROKEN FILE ·" in clock or clock.startswith("⚠ 1 BROKEN FILE "), clock


async def test_a_booking_whose_day_has_passed_is_named_in_the_core_group_header(
        demo: Path) -> None:
    """The header said "Booked: none" above a table listing a booking from two days ago."""
    app = make_app(demo, today=TODAY, case_id="CP-2026-0005")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        head = plain(app.screen.query_one("#next", Static))
        assert "Booked: none · Sat 21 Nov 2026 passed, not recorded" in head, head


async def test_the_timeliness_view_shows_its_share_column_at_80x24(demo: Path) -> None:
    """The share met on time, the view's point, sat off to the right (sideways scrolling)."""
    app = make_app(demo, today=TODAY)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one("#stats", FitTable)
        assert labels(table)[0] == "Procedure step" and "Share on time" in labels(table)
        assert fits_width(table)
        await pilot.press("b")
        await pilot.pause()
        table = app.screen.query_one("#stats", FitTable)
        assert labels(table)[0] == "Lead social worker" and "Share on time" in labels(table)
        assert fits_width(table)


def test_a_folded_column_widens_the_column_it_folds_into() -> None:
    """The case id folded into "What" without "What" growing, so at 80 columns the
    deadline's own name was cut to "Statuto…"; then the due date gives way."""
    from cptui.tui.widgets.deadline_panel import COLUMNS as BASE, WITH_CASE
    from cptui.tui.widgets.fit_table import plan_columns

    COLUMNS = [WITH_CASE.get(c.label, c) for c in BASE]  # the caseload's panel

    widths = [10, 12, 15, 35, 23]  # Status, Case, Due, What, When as the demo measures them
    shown, fixed = plan_columns(COLUMNS, widths, 77)
    assert [COLUMNS[i].label for i in shown] == ["Status", "What", "When"]
    assert fixed[3] == 77 - (10 + 2) - (23 + 2) - 2  # What: all the room left
    assert fixed[3] >= 12 + 1 + len("Statutory visit — Finn")
    shown, fixed = plan_columns(COLUMNS, widths, 160)  # wide: nothing folds or gives way
    assert len(shown) == 5 and fixed == {}
    shown, fixed = plan_columns(COLUMNS, [10, 12, 15, 20, 23], 80)  # folded, and it all fits
    assert [COLUMNS[i].label for i in shown] == ["Status", "What", "When"]
    assert fixed == {3: 20 + 1 + 12}


async def test_the_core_group_screen_keeps_its_tables_whole_at_80x24(demo: Path) -> None:
    """The meetings box lost its bottom border under the deadline panel, and the members
    list showed one row: at 80x24 the panel keeps its urgent rows and no more here."""
    app = make_app(demo, today=TODAY, case_id="CP-2026-0001")
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await pilot.pause()
        meetings = app.screen.query_one("#meetings", FitTable)
        panel = app.screen.query_one("#deadlines", DeadlinePanel)
        body = app.screen.query_one("#body")
        assert meetings.region.bottom <= body.region.bottom <= panel.region.y
        assert meetings.region.height >= meetings.row_count + 3  # borders and the header
        assert app.screen.query_one("#members", FitTable).region.height >= 5  # two rows
        assert panel.region.height >= panel.urgent + 3
