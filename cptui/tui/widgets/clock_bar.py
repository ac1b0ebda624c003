"""A one-line bar saying what day the app thinks it is, and whether pinned.

The bar is given its parts in order of importance; on a narrow terminal
the pinned banner shortens and the least important parts go first, so the
counts (overdue, due soon) are never cut in half.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.markup import escape
from textual import events
from textual.widgets import Static

from cptui.caseload import Caseload
from cptui.dates import fmt_date

SEP = " · "


def fit_parts(head: list[str], parts: list[str], width: int) -> str:
    """The head (long or short form) that lets the most parts fit, parts kept in order."""
    best: tuple[int, str] | None = None
    for h in head:
        out, n = h, 0
        for p in parts:
            if cell_len(out + SEP + p) > width:
                break
            out, n = out + SEP + p, n + 1
        if cell_len(out) <= width and (best is None or n > best[0]):
            best = (n, out)
    return best[1] if best else head[-1][:width]


class ClockBar(Static):
    """Pinned clocks (training, --today) get a visible, worded banner."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.head: list[str] = []
        self.parts: list[str] = []

    def show(self, load: Caseload, *parts: str) -> None:
        if load.pinned:
            self.head = [f"⏸ PINNED CLOCK: today is {fmt_date(load.today)} ({load.today_source})",
                         f"⏸ PINNED {fmt_date(load.today)}"]
            self.add_class("pinned")
        else:
            self.head = [load.clock_note(), fmt_date(load.today)]
            self.remove_class("pinned")
        self.parts = [p for p in parts if p]
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.head:
            width = (self.size.width or self.app.size.width) - 2  # padding
            self.update(escape(fit_parts(self.head, self.parts, width)))
