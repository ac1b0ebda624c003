"""The deadline panel: one table used on the caseload and on every case screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from rich.text import Text
from textual.binding import Binding

from cptui.caseload import Caseload, CaseView
from cptui.dates import distance, fmt_date
from cptui.rules import STATUS_ORDER, Deadline
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui.widgets.status import STYLE, status_text
from cptui.tui.messages import cptui_app
from cptui.tui.screens.why import WhyScreen

# Status, What and When always stay; the case id folds into What when narrow. Across
# cases What keeps room for the case id too, so the due date gives way (When says how
# far off it is, `w` shows it) before the name is cut to "CP-2026-0001 Statuto…",
# which could be any of that case's visits.
COLUMNS = [Col("Status"), Col("Case", drop=1, fold="What"), Col("Due", drop=2),
           Col("What", flex=True, min_width=18), Col("When")]
WITH_CASE = {"What": replace(COLUMNS[3], min_width=31)}


class DeadlinePanel(FitTable):
    """Deadlines, most urgent first; each row remembers its deadline.

    ``show_case`` adds the case column for the caseload-wide panel.
    """

    BINDINGS = [Binding("w", "why", "Why this date", show=False)]

    def __init__(self, *, show_case: bool, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.show_case = show_case
        self.rows_data: list[tuple[Deadline, CaseView]] = []
        self.set_columns([WITH_CASE.get(c.label, c) if show_case else c
                          for c in COLUMNS if show_case or c.label != "Case"])

    @property
    def urgent(self) -> int:
        """Rows that must stay in view: overdue and due soon."""
        return sum(d.status in ("overdue", "due_soon") for d, _ in self.rows_data)

    def show(self, load: Caseload, items: list[tuple[Deadline, CaseView]]) -> None:
        items = sorted(items, key=lambda it: (STATUS_ORDER[it[0].status], it[0].due, it[0].case))
        self.rows_data = items
        rows: list[tuple[list[object], str | None]] = []
        # Thousands of rows share a few hundred dates: each "when" (working days counted,
        # a styled Text) is made once (a table copies a Text cell before changing it).
        whens: dict[tuple[date, date | None, str], Text] = {}
        for i, (d, cv) in enumerate(items):
            when = whens.get((d.due, d.done, d.status))
            if when is None:
                when = whens[d.due, d.done, d.status] = Text(
                    distance(load.calendar, d.due, load.today, d.done), style=STYLE[d.status])
            cells: list[object] = [status_text(d.status)]
            if self.show_case:
                cells.append(d.case)
            cells += [fmt_date(d.due), d.label(cv.summary), when]
            rows.append((cells, str(i)))
        if not items:
            rows.append(
                ([Text("✓ nothing open", style="green")] + [""] * (len(self.cols) - 1), None)
            )
        self.set_rows(rows)

    def current(self) -> tuple[Deadline, CaseView] | None:
        if not self.rows_data or self.cursor_row >= len(self.rows_data):
            return None
        return self.rows_data[self.cursor_row]

    def action_why(self) -> None:
        item = self.current()
        if item is None:
            return
        app = cptui_app(self)
        cv, changed = app.whole_case(item[1].id)
        if cv is None:
            return
        if changed:  # the row was drawn from the file as it was: never explain a stale date
            app.notify(f"{cv.id} changed on disk: its deadlines are shown again; press w again.")
            return
        self.app.push_screen(WhyScreen(item[0], cv, app.caseload))


def open_items(
    cvs: list[CaseView], today: date, statuses: tuple[str, ...]
) -> list[tuple[Deadline, CaseView]]:
    return [(d, cv) for cv in cvs for d in cv.having(statuses)]
