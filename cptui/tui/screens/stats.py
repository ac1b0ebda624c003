"""Timeliness on screen: share met on time per step and per worker, with bars."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from cptui.stats import Row, bar, timeliness
from cptui.tui.widgets.clock_bar import ClockBar
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui.widgets.footer import SteadyFooter
from cptui.tui.messages import CaseloadChanged, cptui_app


class StatsScreen(Screen):
    CSS_PATH = "stats.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Caseload"),
        Binding("b", "toggle_by", "By step / by worker"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.by = "rule"

    def compose(self) -> ComposeResult:
        yield ClockBar(id="clock")
        yield FitTable(id="stats", cursor_type="row", zebra_stripes=True)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.refresh_data()

    @on(CaseloadChanged)
    def caseload_changed(self) -> None:
        if self.is_mounted:
            self.refresh_data()

    def refresh_data(self) -> None:
        load = cptui_app(self).caseload
        if load is None:
            return
        rows, total = timeliness(load, self.by)
        self.query_one("#clock", ClockBar).show(load, f"Timeliness — {total.share:.0%} of "
                                                      f"{total.total} deadlines met on time")
        table = self.query_one("#stats", FitTable)
        # The share is the point: on a narrow terminal the counts give way, late first.
        table.set_columns([
            Col("Procedure step" if self.by == "rule" else "Lead social worker", flex=True,
                min_width=16),
            Col("Fell due", drop=3), Col("On time", drop=2), Col("Late", drop=1),
            Col("Still overdue", drop=4), Col("Share on time")])
        table.set_rows([([Text(r.group, style="bold" if r is total else ""), str(r.total),
                          str(r.on_time), str(r.late), str(r.overdue), self._bar(r)], str(i))
                        for i, r in enumerate(rows + [total])])
        table.border_title = ("Deadlines that have fallen due, met on time — by "
                              + ("procedure step" if self.by == "rule" else "lead social worker"))
        table.focus()

    @staticmethod
    def _bar(r: Row) -> Text:
        style = "green" if r.share >= 0.9 else "yellow" if r.share >= 0.7 else "red"
        return Text(f"{r.share:>4.0%} {bar(r.share)}", style=style)

    def action_toggle_by(self) -> None:
        self.by = "worker" if self.by == "rule" else "rule"
        self.refresh_data()
