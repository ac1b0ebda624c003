"""LineTable: the virtual table (Line API) that formats only the rows on screen.

Driven through Pilot like the screens are; each test asserts what a user would see
or what a screen relies on when it swaps DataTable for LineTable.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.widgets import Static

from cptui.tui.widgets.line_table import LineTable

NAMES = ["Ava Example", "Ben Sample", "Cleo Test", "Dev Placeholder", "Eve Fictional"]


def screen_text(app: App) -> str:
    """Everything on screen as plain text (what the user sees, colours aside)."""
    return "\n".join(
        "".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()
    )


def screen_lines(app: App) -> list[str]:
    return screen_text(app).split("\n")


class TableApp(App):
    """A table filling the screen, recording every message it posts."""

    def __init__(self, n: int = 100, zebra: bool = True) -> None:
        super().__init__()
        self.n = n
        self.zebra = zebra
        self.selected: list[tuple[str | None, int]] = []
        self.highlighted: list[tuple[str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield LineTable(id="t", zebra_stripes=self.zebra)

    def on_mount(self) -> None:
        t = self.query_one(LineTable)
        t.add_column("Case", key="case", priority=10)
        t.add_column("Status", priority=5)
        t.add_column("Child")
        t.add_column("Notes", priority=1)
        for i in range(self.n):
            status = Text("✗ overdue", style="bold red") if i % 3 == 0 else Text("· upcoming")
            t.add_row(f"CP-{i:05d}", status, NAMES[i % 5], f"note {i}", key=f"CP-{i:05d}")
        t.focus()

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        self.selected.append((event.row_key.value, event.cursor_row))

    def on_line_table_row_highlighted(self, event: LineTable.RowHighlighted) -> None:
        self.highlighted.append((event.row_key.value, event.cursor_row))


async def test_rows_render_header_first_and_only_visible_rows_are_formatted() -> None:
    app = TableApp(n=1000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        lines = screen_lines(app)
        assert lines[0].split() == ["Case", "Status", "Child", "Notes"]
        assert lines[1].split()[:4] == ["CP-00000", "✗", "overdue", "Ava"]
        assert "CP-00022" in lines[23] and "CP-00023" not in screen_text(app)
        # The cost claim: only the rows on screen were formatted, not all 1,000.
        assert t.rows_formatted <= 2 * 24
        assert t.row_count == 1000


async def test_get_row_at_returns_cells_as_given_and_row_count() -> None:
    app = TableApp(n=5)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        row = t.get_row_at(3)
        assert row[0] == "CP-00003" and isinstance(row[1], Text) and row[1].plain == "✗ overdue"
        assert [str(c) for c in t.get_row_at(4)] == ["CP-00004", "· upcoming", "Eve Fictional", "note 4"]
        assert t.row_count == 5 and len(t.columns) == 4


async def test_cursor_keys_move_and_post_highlighted_then_enter_selects() -> None:
    app = TableApp(n=100)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        await pilot.press("down", "down")
        await pilot.pause()
        assert t.cursor_row == 2
        assert app.highlighted[-1] == ("CP-00002", 2)
        await pilot.press("up")
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [("CP-00001", 1)]
        key = t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value
        assert key == "CP-00001"
        await pilot.press("up", "up", "up")  # clamped at the top
        assert t.cursor_row == 0
        await pilot.press("end")
        await pilot.pause()
        assert t.cursor_row == 99
        assert "CP-00099" in screen_text(app)  # the cursor row was scrolled into view
        await pilot.press("down")
        assert t.cursor_row == 99  # clamped at the bottom
        await pilot.press("home")
        await pilot.pause()
        assert t.cursor_row == 0 and t.scroll_y == 0


async def test_page_down_moves_by_a_page_and_keeps_header_and_cursor_visible() -> None:
    app = TableApp(n=1000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        page = 24 - 1  # lines on screen less the header
        await pilot.press("pagedown")
        await pilot.pause()
        assert t.cursor_row == page
        assert t.scroll_y == page
        lines = screen_lines(app)
        assert lines[0].split()[0] == "Case"  # header stays put
        assert lines[1].split()[0] == f"CP-{page:05d}"
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert t.cursor_row == page
        await pilot.press("pageup")
        await pilot.pause()
        assert t.cursor_row == 0 and t.scroll_y == 0


async def test_move_cursor_clamps_and_scrolls_into_view() -> None:
    app = TableApp(n=300)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        t.move_cursor(row=250)
        await pilot.pause()
        assert t.cursor_row == 250
        assert "CP-00250" in screen_text(app)
        t.move_cursor(row=5000)
        assert t.cursor_row == 299
        t.cursor_row = -4
        assert t.cursor_row == 0


async def test_clear_resets_rows_cursor_and_scroll_but_keeps_columns() -> None:
    app = TableApp(n=200)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        t.clear()
        await pilot.pause()
        assert t.row_count == 0 and t.cursor_row == 0 and t.scroll_y == 0
        assert len(t.columns) == 4
        assert "CP-" not in screen_text(app)
        t.add_row("CP-NEW", "x", "Ava Example", "fresh", key="CP-NEW")
        await pilot.pause()
        assert screen_lines(app)[1].split()[0] == "CP-NEW"
        t.clear(columns=True)
        assert t.row_count == 0 and not t.columns


async def test_narrow_table_drops_low_priority_columns_not_the_key_column() -> None:
    class Wide(App):
        def compose(self) -> ComposeResult:
            yield LineTable()

        def on_mount(self) -> None:
            t = self.query_one(LineTable)
            t.add_column("Case", priority=10)
            t.add_column("Long description of the thing", priority=1)
            t.add_column("Worker", priority=5)
            t.add_row("CP-2026-0001", "x" * 40, "Ava Example")

    app = Wide()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        header = screen_lines(app)[0]
        assert "Case" in header and "Worker" in header
        assert "Long description" not in header
        assert "CP-2026-0001" in screen_text(app)
        assert max(len(line.rstrip()) for line in screen_lines(app)) <= 40  # nothing sideways
        await pilot.resize_terminal(120, 10)
        await pilot.pause()
        assert "Long description of the thing" in screen_lines(app)[0]


async def test_text_cell_styles_survive_rendering() -> None:
    app = TableApp(n=10, zebra=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        strip = app.query_one(LineTable).render_line(4)  # row 3: overdue, not the cursor
        seg = next(s for s in strip if "overdue" in s.text)
        assert seg.style.bold and seg.style.color is not None and seg.style.color.name == "red"
        plain_seg = next(s for s in strip if "CP-00003" in s.text)
        assert not plain_seg.style.bold


async def test_cursor_row_looks_different_when_focused_and_when_not() -> None:
    class Two(App):
        def compose(self) -> ComposeResult:
            yield LineTable(id="a")
            yield LineTable(id="b")

        def on_mount(self) -> None:
            for t in self.query(LineTable):
                t.add_columns("Case", "Child")
                t.add_row("CP-1", "Ava Example")
                t.add_row("CP-2", "Ben Sample")
                t.styles.height = 5
            self.query_one("#a").focus()

    app = Two()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        a, b = app.query_one("#a", LineTable), app.query_one("#b", LineTable)

        def bg(t: LineTable, y: int):
            return next(s for s in t.render_line(y) if "CP" in s.text).style.bgcolor

        assert bg(a, 1) != bg(a, 2)  # the cursor row stands out
        assert bg(b, 1) != bg(b, 2)  # ... when unfocused too
        focused, blurred = bg(a, 1), bg(b, 1)
        assert focused != blurred  # ... but differently
        b.focus()
        await pilot.pause()
        assert bg(b, 1) == focused and bg(a, 1) == blurred  # cached lines follow focus


async def test_mouse_click_moves_cursor_and_selects_that_row() -> None:
    app = TableApp(n=50)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click(LineTable, offset=(3, 6))  # line 6 = row 5 under the header
        await pilot.pause()
        t = app.query_one(LineTable)
        assert t.cursor_row == 5
        assert app.selected == [("CP-00005", 5)]
        await pilot.click(LineTable, offset=(3, 0))  # the header selects nothing
        await pilot.pause()
        assert app.selected == [("CP-00005", 5)]


async def test_data_change_invalidates_cached_lines() -> None:
    app = TableApp(n=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        assert "CP-00000" in screen_text(app)
        t.clear()
        t.add_row("CP-99999", "·", "Ava Example", "replaced", key="CP-99999")
        await pilot.pause()
        text = screen_text(app)
        assert "CP-99999" in text and "CP-00000" not in text


async def test_rows_added_before_mount_and_keyless_rows() -> None:
    class Early(App):
        def compose(self) -> ComposeResult:
            t = LineTable()
            t.add_columns("A", "B")
            t.add_rows([("one", "1"), ("two", "2")])
            yield Static("above")
            yield t

    app = Early()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        assert t.row_count == 2
        assert t.coordinate_to_cell_key(Coordinate(1, 0)).row_key.value is None
        assert "two" in screen_text(app)
        # height: auto, like DataTable: header + two rows.
        assert t.size.height == 3


def test_snapshot_small_table(snap_compare) -> None:
    async def go(pilot) -> None:
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(TableApp(n=40), terminal_size=(80, 24), run_before=go)


async def test_lines_formatted_between_changes_are_not_reused_after_the_next_change() -> None:
    app = TableApp(n=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        for word in ("first", "second", "third"):  # no idle between: only the flags protect us
            t.clear()
            t.add_row("CP-1", "·", "Ava Example", word, key="CP-1")
            assert word in "".join(s.text for s in t.render_line(1))


async def test_fixed_width_column_truncates_with_an_ellipsis() -> None:
    class Fixed(App):
        def compose(self) -> ComposeResult:
            yield LineTable()

        def on_mount(self) -> None:
            t = self.query_one(LineTable)
            t.add_column("Case", width=6)
            t.add_column("What")
            t.add_row("CP-2026-0001", Text("Review conference", style="bold"))

    app = Fixed()
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        line = screen_lines(app)[1]
        assert line.startswith(" CP-20…  Review conference")


async def test_long_columns_share_the_shrinking_and_short_ids_never_shrink() -> None:
    class Tight(App):
        def compose(self) -> ComposeResult:
            yield LineTable()

        def on_mount(self) -> None:
            t = self.query_one(LineTable)
            t.add_columns("Case", "Next deadline", "Children")
            t.add_row("CP-2026-0001", "Tue 10 Nov 2026 Statutory visit — Leo Ex",
                      "Ava Example, Leo Example, Mia Sample")

    app = Tight()
    async with app.run_test(size=(60, 4)) as pilot:
        await pilot.pause()
        cells = [c for c in screen_lines(app)[1].split("  ") if c.strip()]
        assert cells[0].strip() == "CP-2026-0001"
        assert len(cells) == 3 and all(c.strip().endswith("…") for c in cells[1:])
        assert min(len(c.strip()) for c in cells[1:]) >= 15  # neither long column is starved


async def test_zebra_stripes_alternate_row_backgrounds_only_when_asked() -> None:
    for zebra in (True, False):
        app = TableApp(n=10, zebra=zebra)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            t = app.query_one(LineTable)
            # rows 1, 2, 3 (lines 2-4): the cursor is on row 0
            bgs = [next(s for s in t.render_line(y) if "CP" in s.text).style.bgcolor for y in (2, 3, 4)]
            assert (bgs[0] != bgs[1] and bgs[0] == bgs[2]) if zebra else len(set(bgs)) == 1


async def test_fit_table_measures_each_column_by_its_widest_cell_on_screen() -> None:
    """Columns are sized to their widest cell in terminal cells, not characters: a
    child's name in CJK takes two cells a character, and an ASCII-only column is
    measured by length. A column sized short would cut a name; too wide, drop one."""
    from cptui.tui.widgets.fit_table import Col, FitTable

    class FitApp(App):
        def compose(self) -> ComposeResult:
            yield FitTable(id="f")

    app = FitApp()
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(FitTable)
        table.set_columns([Col("Case"), Col("Child"), Col("Count"), Col("Status")])
        table.set_rows([
            (["CP-1", "Ava Example", 3, Text("✗ OVERDUE")], "a"),
            (["CP-22", "漢字漢字", 12345, Text("! due soon")], "b"),  # 8 cells, 4 characters
            (["CP-333", "Bo", 7, Text("· upcoming")], "c"),
        ])
        await pilot.pause()
        assert [c.natural for c in table.columns] == [6, 11, 5, 10]
        table.set_rows([(["CP-1", "漢字漢字漢字漢字", 1, Text("ok")], "a")])  # 16 cells
        await pilot.pause()
        assert [c.natural for c in table.columns] == [4, 16, 5, 6]
        assert "漢字漢字漢字漢字" in screen_text(app)
