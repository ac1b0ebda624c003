"""The deadline panel: one table used on the caseload and on every case screen."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from cptui.caseload import Caseload, CaseView
from cptui.dates import distance, fmt_date
from cptui.rules import STATUS_ORDER, Deadline
from cptui.tui.widgets.status import STYLE, status_text


class DeadlinePanel(DataTable):
    """Deadlines, most urgent first; each row remembers its deadline.

    ``show_case`` adds the case column for the caseload-wide panel.
    """

    BINDINGS = [Binding("w", "why", "Why this date", show=True)]

    def __init__(self, *, show_case: bool, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.show_case = show_case
        self.rows_data: list[tuple[Deadline, CaseView]] = []

    def _ensure_columns(self) -> None:
        """Columns are added on first use: the screen may fill us before we mount."""
        if not self.columns:
            self.add_columns(*(["Status"] + (["Case"] if self.show_case else []) + ["Due", "What", "When"]))

    def on_mount(self) -> None:
        self._ensure_columns()

    def show(self, load: Caseload, items: list[tuple[Deadline, CaseView]]) -> None:
        self._ensure_columns()
        items = sorted(items, key=lambda it: (STATUS_ORDER[it[0].status], it[0].due, it[0].case))
        self.rows_data = items
        self.clear()
        for i, (d, cv) in enumerate(items):
            when = distance(load.calendar, d.due, load.today, d.done)
            cells: list[object] = [status_text(d.status)]
            if self.show_case:
                cells.append(d.case)
            cells += [fmt_date(d.due), d.label(cv.case), Text(when, style=STYLE[d.status])]
            self.add_row(*cells, key=str(i))
        if not items:
            self.add_row(*([Text("✓ nothing open", style="green")] + [""] * (len(self.columns) - 1)))

    def current(self) -> tuple[Deadline, CaseView] | None:
        if not self.rows_data or self.cursor_row >= len(self.rows_data):
            return None
        return self.rows_data[self.cursor_row]

    def action_why(self) -> None:
        item = self.current()
        if item is not None:
            from cptui.tui.screens.why import WhyScreen

            self.app.push_screen(WhyScreen(item[0], item[1], self.app.caseload))  # type: ignore[attr-defined]


def open_items(cvs: list[CaseView], today: date, statuses: tuple[str, ...]) -> list[tuple[Deadline, CaseView]]:
    return [(d, cv) for cv in cvs for d in cv.deadlines if d.status in statuses]
