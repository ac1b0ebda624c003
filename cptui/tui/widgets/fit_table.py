"""A table that fits its width: columns drop in a declared order, one column shrinks.

Sideways scrolling hides what a small terminal most needs and its scrollbar
steals a row, so instead each table declares which columns matter least
(``drop`` 1 goes first) and which one may be shortened with an ellipsis
(``flex``). A dropped column can ``fold`` its text into another column so
nothing essential disappears (the case id joins the deadline's name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events

from cptui.bulk import no_cyclic_gc
from cptui.tui.widgets.line_table import LineTable

PAD = 2  # LineTable's cell padding, one each side


@dataclass(frozen=True)
class Col:
    label: str
    drop: int = 0  # 0 never dropped; otherwise dropped in rising order when too wide
    flex: bool = False  # shortened with an ellipsis before anything else is dropped
    min_width: int = 12  # a flex column never shrinks below this
    fold: str | None = None  # when dropped, prefix this column's cell with ours
    hide_empty: bool = False  # left out while every cell is empty (e.g. git state)


def _text(cell: Any) -> Text:
    return cell.copy() if isinstance(cell, Text) else Text(str(cell))


def _widest(label: str, cells: Iterable[Any]) -> int:
    """The widest of a column's cells on screen, header included.

    A cell is never wider than twice its length in characters, so only a cell
    that could beat the widest so far is measured (10,000 rows open quickly).
    """
    best = cell_len(label)
    texts = [c if type(c) is str else c.plain if isinstance(c, Text) else str(c) for c in cells]
    if "".join(texts).isascii():  # the usual case: one character, one cell
        return max(best, max(map(len, texts), default=0))
    for s in texts:
        if 2 * len(s) > best:
            best = max(best, cell_len(s))
    return best


def fold_targets(cols: Sequence[Col]) -> dict[int, int]:
    """Column index -> index of the column its text folds into when it is dropped."""
    label = {c.label: i for i, c in enumerate(cols)}
    return {i: label[c.fold] for i, c in enumerate(cols) if c.fold and c.fold in label}


def plan_columns(
    cols: Sequence[Col], widths: Sequence[int], avail: int
) -> tuple[list[int], dict[int, int]]:
    """Which columns to show, and the width of any shortened flex column.

    Columns drop in their declared order until the flex columns, at their
    minimum, leave room; the rest is taken from the flex columns, last first.
    """
    shown = list(range(len(cols)))
    flex = [i for i, c in enumerate(cols) if c.flex]
    folds = fold_targets(cols)

    def width(i: int, idx: list[int]) -> int:
        """A column's width with the text of dropped columns folded into it."""
        return widths[i] + sum(widths[f] + 1 for f, t in folds.items() if t == i and f not in idx)

    def need(idx: list[int], squeeze: bool) -> int:
        return sum((min(width(i, idx), cols[i].min_width) if squeeze and i in flex
                    else width(i, idx)) + PAD for i in idx)

    for i in sorted((i for i, c in enumerate(cols) if c.drop), key=lambda i: cols[i].drop):
        if need(shown, True) <= avail:
            break
        shown.remove(i)
    over = need(shown, False) - avail
    fixed = {i: width(i, shown) for i in shown if width(i, shown) != widths[i]}
    for i in reversed(flex):  # the later (less important) flex column gives way first
        if over <= 0 or i not in shown:
            continue
        cut = min(over, max(0, width(i, shown) - cols[i].min_width))
        if cut:
            fixed[i] = width(i, shown) - cut
            over -= cut
    return shown, fixed


class FitTable(LineTable):
    """A line table fed whole rows; it chooses the columns that fit on every resize.

    The rows are formatted only when they come into view (``LineTable``), so a
    caseload of thousands of cases opens as fast as a short one.
    """

    DEFAULT_CSS = "FitTable { overflow-x: hidden; scrollbar-size-vertical: 1; }"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cols: list[Col] = []
        self.full_rows: list[tuple[list[Any], str | None]] = []
        self._fit_widths: tuple[list[int], list[int]] | None = (
            None  # (widths, live columns) of full_rows
        )
        self._fit_layout: tuple[tuple[int, ...], tuple[tuple[int, int], ...]] | None = None

    def set_columns(self, cols: Sequence[Col]) -> None:
        self.cols = list(cols)
        self._fit_layout = None
        self._fit_widths = None

    def set_rows(self, rows: Sequence[tuple[Sequence[Any], str | None]]) -> None:
        """Replace every row; ``rows`` are (all cells, row key).

        The cursor stays on the row with the same key wherever it moved to (a
        re-sorted record), so the next key acts on the record the user was on.
        """
        at = self.cursor_row
        key = self.full_rows[at][1] if 0 <= at < len(self.full_rows) else None
        self.full_rows = [(list(cells), key) for cells, key in rows]
        self._fit_layout = None
        self._fit_widths = None
        self._draw()
        if key is not None and key in self._index:
            self.move_cursor(row=self._index[key])

    @property
    def available(self) -> int:
        width = self.size.width or (self.app.size.width - 2)
        return max(10, width - 1)  # the vertical scrollbar, when there is one

    def _draw(self) -> None:
        # A resize re-adds every row: thousands of lists no cyclic GC pass should rescan.
        with no_cyclic_gc():
            self._fit()

    def _fit(self) -> None:
        if not self.cols:
            return
        if self._fit_widths is None:  # once per data change, not on every resize
            columns = list(zip(*(cells for cells, _ in self.full_rows))) or [()] * len(self.cols)
            widths = [_widest(c.label, columns[i]) for i, c in enumerate(self.cols)]
            live = [i for i, c in enumerate(self.cols)
                    if not (c.hide_empty and not any(str(cells[i]) for cells, _ in self.full_rows))]
            self._fit_widths = (widths, live)
        widths, live = self._fit_widths
        sub_shown, sub_fixed = plan_columns([self.cols[i] for i in live], [widths[i] for i in live],
                                            self.available)
        shown = [live[j] for j in sub_shown]
        fixed = {live[j]: w for j, w in sub_fixed.items()}
        layout = (tuple(shown), tuple(sorted(fixed.items())))
        if layout == self._fit_layout and self.row_count == len(self.full_rows):
            return
        self._fit_layout = layout
        row = self.cursor_row
        self.clear(columns=True)
        for i in shown:
            # Explicit widths: the plan above already fitted them to the table.
            self.add_column(
                self.cols[i].label, width=fixed.get(i, widths[i]), key=self.cols[i].label
            )
        # A dropped column folds into the one it names (if shown). Shortening to the
        # fixed widths is LineTable's, when a row comes into view.
        folds = [(i, shown.index(t)) for i, t in fold_targets(self.cols).items()
                 if i not in shown and t in shown]
        for cells, key in self.full_rows:
            out = [cells[i] for i in shown]
            for i, at in folds:
                a, b = cells[i], out[at]
                if type(a) is str and type(b) is str:  # the usual fold: plain words, cheaply
                    out[at] = f"{a} {b}" if a else b
                elif str(a):
                    out[at] = Text.assemble(_text(a), " ", _text(b))
            self.add_row(*out, key=key)
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False, scroll=False)

    def on_resize(self, event: events.Resize) -> None:
        self._draw()
