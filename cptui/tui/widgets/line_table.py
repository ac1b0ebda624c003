"""LineTable: a virtual table on Textual's Line API that formats only the rows on screen.

Why: Textual's DataTable measures and styles every cell of every row up front, so a
caseload of 10,000 rows costs ~27x a bare app's first paint and ~50 ms a page-down.
Here ``add_row`` only stores the cells; ``render_line(y)`` formats the one row on line
``y`` into a Strip, cached per (row, width, cursor, focus, zebra) until the data changes.

It speaks the subset of DataTable the screens use (add_column(s), add_row(s), clear,
row_count, get_row_at, cursor_row, move_cursor, coordinate_to_cell_key, RowHighlighted /
RowSelected), so swapping one for the other is mechanical: handlers are named
``on_line_table_row_selected`` instead of ``on_data_table_row_selected``.

Differences on purpose: ``str`` cells are plain text, never markup (a child called
"[b]Ava" shows as typed); rows are one line high; when the table is narrower than its
columns it drops the lowest ``priority`` columns (rightmost first among equals) until the
rest fit at their minimum widths, then shrinks the long ones, never scrolling sideways.
The header is line 0 of the widget and never scrolls: the virtual height is rows + 1 and
``render_line`` maps screen line y >= 1 to row ``y - 1 + scroll_y``, so the scrollbar and the
scroll limits come out right with no second widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, NamedTuple, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

SAMPLE_ROWS = 200  # rows measured exactly with cell_len; later rows only by their longest cell
RIGID = 16  # measured columns this narrow are never shrunk (ids, dates, counts)
MIN_FLEX = 12  # wider ones may shrink to this (or their header) before columns are dropped
PAD = 1  # blank cells either side of every column, like DataTable's cell_padding


class RowKey(NamedTuple):
    """DataTable-like row key: ``.value`` is the key given to add_row (None if none)."""

    value: str | None


class ColumnKey(NamedTuple):
    value: str | None


class CellKey(NamedTuple):
    row_key: RowKey
    column_key: ColumnKey


@dataclass
class Column:
    """One column: ``width`` fixed if given, else measured from the header and rows."""

    label: str | Text
    key: str | None
    fixed: int | None
    priority: int
    measured: int = 0
    longest: int = 0  # longest cell by len(), measured with cell_len when it grows

    @property
    def natural(self) -> int:
        return self.fixed if self.fixed is not None else self.measured

    @property
    def minimum(self) -> int:
        """Short columns (ids, dates, counts) never shrink; long ones keep their header."""
        if self.fixed is not None or self.measured <= RIGID:
            return self.natural
        return max(MIN_FLEX, cell_len(_plain(self.label)))


def _plain(cell: object) -> str:
    """The text of a cell on one line: Text keeps its styles elsewhere; None shows blank."""
    if isinstance(cell, Text):
        return cell.plain
    return "" if cell is None else str(cell)


class LineTable(ScrollView, can_focus=True):
    """A row-cursor table that formats only what is visible (see module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-table--header",
        "line-table--cursor",
        "line-table--even-row",
        "line-table--odd-row",
    }

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        overflow-x: hidden;
        overflow-y: auto;
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .line-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=False)
    zebra_stripes: reactive[bool] = reactive(False)

    class RowHighlighted(Message):
        """The cursor moved onto a row (like DataTable.RowHighlighted)."""

        def __init__(self, line_table: LineTable, cursor_row: int, row_key: RowKey) -> None:
            super().__init__()
            self.line_table = self.data_table = line_table
            self.cursor_row = cursor_row
            self.row_key = row_key

        @property
        def control(self) -> LineTable:
            return self.line_table

    class RowSelected(RowHighlighted):
        """Enter or a click on a row (like DataTable.RowSelected)."""

    def __init__(self, *, cursor_type: str = "row", zebra_stripes: bool = False,
                 name: str | None = None, id: str | None = None, classes: str | None = None,
                 disabled: bool = False) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        if cursor_type not in ("row", "none"):
            raise ValueError(f"LineTable has a row cursor or none, not {cursor_type!r}")
        self.cursor_type = cursor_type
        self.columns: list[Column] = []
        self._rows: list[Sequence[object]] = []
        self._keys: list[str | None] = []
        self._index: dict[str, int] = {}
        self._measured_upto = 0  # rows [0, this) are in the column widths
        self._layouts: dict[int, list[tuple[int, int]]] = {}  # width -> [(column, width)]
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._base: Style | None = None
        self._size_stale = True
        self._clean = True  # False once a line or layout is cached from the current data
        self.rows_formatted = 0  # how many row Strips were built (tests check it stays small)
        self.set_reactive(LineTable.zebra_stripes, zebra_stripes)

    # ---- data -------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_coordinate(self) -> Coordinate:
        return Coordinate(self.cursor_row, 0)

    def add_column(self, label: str | Text, *, width: int | None = None, key: str | None = None,
                   priority: int = 0) -> ColumnKey:
        """Add a column; when space runs short the lowest ``priority`` goes first."""
        col = Column(label, key, width, priority)
        col.measured = cell_len(_plain(label))
        self.columns.append(col)
        self._measured_upto = 0  # remeasure: the new column has no width from rows yet
        self._data_changed()
        return ColumnKey(key)

    def add_columns(self, *labels: str | Text) -> list[ColumnKey]:
        return [self.add_column(label) for label in labels]

    def add_row(self, *cells: object, key: str | None = None, height: int = 1,
                label: object = None) -> RowKey:
        """Store the row; it is measured and formatted only when it is needed."""
        if height != 1:
            raise ValueError("LineTable rows are one line high")
        if key is not None:
            if key in self._index:
                raise ValueError(f"duplicate row key {key!r}")
            self._index[key] = len(self._rows)
        self._rows.append(cells)
        self._keys.append(key)
        if not (self._clean and self._size_stale):  # inlined check: this runs once per row
            self._data_changed()
        return RowKey(key)

    def add_rows(self, rows: Iterable[Iterable[object]]) -> list[RowKey]:
        return [self.add_row(*row) for row in rows]

    def clear(self, columns: bool = False) -> LineTable:
        """Remove every row (and the columns too if asked); cursor and scroll go home."""
        self._rows.clear()
        self._keys.clear()
        self._index.clear()
        if columns:
            self.columns.clear()
        for col in self.columns:
            col.measured, col.longest = cell_len(_plain(col.label)), 0
        self._measured_upto = 0
        self.cursor_row = 0
        self._data_changed()
        if self.is_mounted:
            self.scroll_to(y=0, animate=False, immediate=True)
        return self

    def get_row_at(self, row_index: int) -> list[object]:
        if not 0 <= row_index < len(self._rows):
            raise IndexError(f"no row {row_index}")
        return list(self._rows[row_index])

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def coordinate_to_cell_key(self, coordinate: Coordinate) -> CellKey:
        row, column = coordinate
        if not 0 <= row < len(self._rows):
            raise IndexError(f"no row {row}")
        col_key = self.columns[column].key if column < len(self.columns) else None
        return CellKey(RowKey(self._keys[row]), ColumnKey(col_key))

    def _data_changed(self) -> None:
        """Cheap on purpose (called per row): flags only; the work happens once, on idle."""
        if not self._clean:  # something was formatted (and maybe painted) since the last change
            self._clean = True
            self._lines.clear()
            self._layouts.clear()
            if self.is_mounted:
                self.refresh()
        if not self._size_stale:
            self._size_stale = True
            if self.is_mounted:
                self.check_idle()

    # ---- measuring and layout ---------------------------------------------------------

    def _measure(self) -> None:
        """Bring column widths up to date with rows added since the last call.

        Rows in the first SAMPLE_ROWS are measured with cell_len; after that only each
        column's longest cell by len() (a C-level max), so 10,000 rows cost milliseconds.
        """
        start, rows, cols = self._measured_upto, self._rows, self.columns
        if start >= len(rows) or not cols:
            self._measured_upto = len(rows)
            return
        new = rows[start:]
        n_sample = max(0, SAMPLE_ROWS - start)
        for i, col in enumerate(cols):
            if col.fixed is not None:
                continue
            sample = [_plain(r[i]) if i < len(r) else "" for r in new[:n_sample]]
            if sample:
                col.measured = max(col.measured, max(map(cell_len, sample)))
            if len(new) <= n_sample:
                continue
            try:  # fast path: str and Text both have len(); a C-level max over the column
                longest = max([r[i] for r in new[n_sample:]], key=len)
            except (IndexError, TypeError):  # short rows or cells of other types
                longest = max((_plain(r[i]) if i < len(r) else "" for r in new[n_sample:]), key=len)
            if len(longest) > col.longest:
                col.longest = len(longest)
                col.measured = max(col.measured, cell_len(_plain(longest)))
        self._measured_upto = len(rows)

    def _layout(self, width: int) -> list[tuple[int, int]]:
        """(column index, cell width) to show in ``width`` cells, in column order.

        First drop columns (lowest priority, then rightmost) until their minimum widths
        fit; then shrink the widest measured columns towards their minimum.
        """
        if width in self._layouts:
            return self._layouts[width]
        self._measure()
        kept = list(range(len(self.columns)))
        cols = self.columns

        def need(ix: list[int], attr: str) -> int:
            return sum(getattr(cols[i], attr) + 2 * PAD for i in ix)

        while len(kept) > 1 and need(kept, "minimum") > width:
            kept.remove(min(kept, key=lambda i: (cols[i].priority, -i)))
        widths = {i: cols[i].natural for i in kept}
        over = need(kept, "natural") - width
        while over > 0:  # shave the widest shrinkable column down towards the next widest
            cand = sorted(
                (i for i in kept if widths[i] > cols[i].minimum), key=lambda i: -widths[i]
            )
            if not cand:
                break
            i = cand[0]
            floor = max(widths[cand[1]] if len(cand) > 1 else 0, cols[i].minimum)
            step = max(1, min(over, widths[i] - floor))
            widths[i] -= step
            over -= step
        layout = [(i, max(1, widths[i])) for i in kept]
        self._layouts[width] = layout
        self._clean = False
        return layout

    def get_content_width(self, container: Size, viewport: Size) -> int:
        self._measure()
        return sum(c.natural + 2 * PAD for c in self.columns)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rows) + 1  # live, so height: auto is right before idle syncs

    def _sync_size(self) -> None:
        """One virtual_size update for any number of add_row calls (it is a layout reactive)."""
        if self._size_stale:
            self._size_stale = False
            self.virtual_size = Size(0, len(self._rows) + 1)  # width 0: never scroll sideways

    async def _on_idle(self, event: events.Idle) -> None:
        self._sync_size()

    def on_mount(self) -> None:  # ScrollView's on_mount runs too (Textual calls each class's)
        self._sync_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._base = None

    def _base_style(self) -> Style:
        """The widget's own style, kept between style updates (rich_style walks the DOM)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    # ---- rendering --------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._line(-1, width)
        row = y - 1 + int(self.scroll_y)
        if row >= len(self._rows):
            return Strip.blank(width, self._base_style())
        return self._line(row, width)

    def _line(self, row: int, width: int) -> Strip:
        is_cursor = row == self.cursor_row and self.cursor_type == "row" and row >= 0
        focus = self.has_focus
        zebra = self.zebra_stripes and row % 2 == 0
        key = (row, width, is_cursor, focus, zebra)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        if row < 0:
            style = self.get_component_rich_style("line-table--header")
            cells: Sequence[object] = [c.label for c in self.columns]
        else:
            self.rows_formatted += 1
            cells = self._rows[row]
            style = self._base_style()
            if zebra:
                style = self.get_component_rich_style("line-table--even-row")
            elif self.zebra_stripes:
                style = self.get_component_rich_style("line-table--odd-row")
            if is_cursor:
                style = self.get_component_rich_style("line-table--cursor")
        strip = Strip(self._segments(cells, width, style)).adjust_cell_length(width, style)
        self._lines[key] = strip
        self._clean = False
        return strip

    def _segments(self, cells: Sequence[object], width: int, style: Style) -> list[Segment]:
        """One row's segments: the row style under each cell's own styles (which win)."""
        console = self.app.console
        pad = " " * PAD
        out: list[Segment] = []
        for i, w in self._layout(width):
            cell = cells[i] if i < len(cells) else ""
            out.append(Segment(pad, style))
            if isinstance(cell, Text):
                text = cell.copy()
                if "\n" in text.plain:
                    text = Text(" ").join(text.split("\n", allow_blank=True))
                text.end = ""
                text.truncate(w, overflow="ellipsis", pad=True)
                # render() leaves the Text's own base style to the caller: add it here.
                own = console.get_style(text.style, default=Style.null())
                out.extend(Segment.apply_style(text.render(console), style + own))
            else:
                s = _plain(cell).replace("\n", " ")
                if cell_len(s) > w:
                    s = set_cell_size(s, w - 1) + "…"
                out.append(Segment(set_cell_size(s, w), style))
            out.append(Segment(pad, style))
        return out

    # ---- cursor -----------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        if not self.is_mounted:
            return
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_cursor_into_view()
        if self._rows and self.cursor_type == "row":
            self.post_message(self.RowHighlighted(self, new, RowKey(self._keys[new])))

    def watch_zebra_stripes(self) -> None:
        self._lines.clear()
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def _refresh_row(self, row: int) -> None:
        self.refresh_line(row + 1)  # virtual line: the header is line 0

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        """Keep the cursor row between the header and the bottom edge."""
        if not self.is_mounted:
            return
        self._sync_size()
        top, page = int(self.scroll_y), self._page()
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    def move_cursor(self, *, row: int | None = None, column: int | None = None,
                    animate: bool = False, scroll: bool = True) -> None:
        if row is not None:
            self.cursor_row = row

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_page_down(self) -> None:
        """Like DataTable: the view and the cursor both move a page."""
        self._sync_size()
        page = self._page()
        self.scroll_to(y=int(self.scroll_y) + page, animate=False, immediate=True)
        self.cursor_row += page

    def action_page_up(self) -> None:
        self._sync_size()
        page = self._page()
        self.scroll_to(y=max(0, int(self.scroll_y) - page), animate=False, immediate=True)
        self.cursor_row -= page

    def action_select_cursor(self) -> None:
        if self._rows and self.cursor_type == "row":
            row = self.cursor_row
            self.post_message(self.RowSelected(self, row, RowKey(self._keys[row])))

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return  # the header or the scrollbar
        row = offset.y - 1 + int(self.scroll_y)
        if row < len(self._rows):
            self.cursor_row = row
            self.action_select_cursor()
