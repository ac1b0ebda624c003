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


def fit_parts(head: list[str], parts: list[str], width: int, essential: int = 1) -> str:
    """The longest head that fits with the ``essential`` first parts, then as many parts as fit.

    The worded banner ("PINNED CLOCK: today is …") is kept whenever the
    essential parts fit beside it; only then does it shorten.
    """
    need = min(essential, len(parts))
    for h in head:
        out, n = h, 0
        for p in parts:
            if cell_len(out + SEP + p) > width:
                break
            out, n = out + SEP + p, n + 1
        if cell_len(out) <= width and (n >= need or h is head[-1]):
            return out
    return head[-1][:width]


class ClockBar(Static):
    """Pinned clocks (training, --today) get a visible, worded banner."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.head: list[str] = []
        self.parts: list[str] = []
        self.essential = 1

    def show(self, load: Caseload, *parts: str, essential: int = 1) -> None:
        """``parts`` in order of importance; the first ``essential`` outrank the long banner."""
        if load.pinned:
            self.head = [f"⏸ PINNED CLOCK: today is {fmt_date(load.today)} ({load.today_source})",
                         f"⏸ PINNED {fmt_date(load.today)}"]
            self.add_class("pinned")
        else:
            self.head = [load.clock_note(), fmt_date(load.today)]
            self.remove_class("pinned")
        self.parts = [p for p in parts if p]
        self.essential = essential
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.head:
            width = (self.size.width or self.app.size.width) - 2  # padding
            self.update(escape(fit_parts(self.head, self.parts, width, self.essential)))
