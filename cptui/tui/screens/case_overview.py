"""The case view: practice flags, children and conferences, and the deadlines."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.flags import TITLES
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui import editing


class CaseOverviewScreen(CaseScreen):
    CSS_PATH = "case_overview.tcss"
    VIEW = "case"
    TITLE_TEXT = "Case"
    BINDINGS = [
        Binding(
            "i",
            "case_details",
            "Case details",
            show=False,
            tooltip="Edit the case's own fields: worker, manager, procedure, interpreter, closed",
        ),
        Binding(
            "f",
            "toggle_flags",
            "Flags",
            tooltip="Show every practice flag, or fold them to one line",
        ),
    ]
    TABLES = (("child", "#children"), ("conference", "#conferences"))
    flags_open = False

    def action_toggle_flags(self) -> None:
        self.flags_open = not self.flags_open
        self.refresh_data()

    def action_case_details(self) -> None:
        editing.edit(self, self.cv, "case")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="overview"):
            yield Static(id="flags")
            yield FitTable(id="children", cursor_type="row")
            yield FitTable(id="conferences", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#children", FitTable).set_columns(
            [Col("Child", flex=True, min_width=14), Col("Born / expected"), Col("Category", drop=3),
             Col("Plan start", drop=4), Col("Plan end", drop=2), Col("School", drop=1)])
        self.query_one("#conferences", FitTable).set_columns(
            [Col("Date"), Col("Conference", flex=True, min_width=10), Col("Status"),
             Col("Outcome", drop=3), Col("Quorate", drop=4), Col("Children", drop=2)])
        super().on_mount()
        self.query_one("#deadlines").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        c = cv.case
        flags = [p for p in cv.problems if p.severity == "warning"]
        box = self.query_one("#flags", Static)
        box.set_class(self.flags_open and bool(flags), "open")
        if not flags:
            text = "[green]✓ Practice flags: none.[/green]"
        elif self.flags_open:
            text = "\n".join(f"[yellow]⚑[/yellow] [b]{TITLES.get(p.code, 'Warning')}[/b]: "
                             f"{escape(p.message)}" for p in flags)
        else:
            names = ", ".join(dict.fromkeys(TITLES.get(p.code, "Warning") for p in flags))
            n = len(flags)  # folded: one line with the count and the kinds of flag
            text = f"[yellow]⚑[/yellow] [b]Practice flags ({n})[/b], f shows them: {names}"
        box.update(text)
        box.border_title = (
            f"Practice flags ({len(flags)}) — f folds them" if self.flags_open else ""
        )
        kids = self.query_one("#children", FitTable)
        kids.set_rows(
            [
                (
                    [
                        ch.name,
                        (
                            fmt_date(ch.date_of_birth)
                            if ch.date_of_birth
                            else f"due {fmt_date(ch.expected_date)}"
                        ),
                        ch.category or "—",
                        fmt_date(ch.plan_start) if ch.plan_start else "—",
                        fmt_date(ch.plan_end) if ch.plan_end else "—",
                        ch.school or "—",
                    ],
                    ch.id,
                )
                for ch in c.children
            ]
        )
        kids.border_title = f"Children ({len(c.children)})"
        confs = self.query_one("#conferences", FitTable)
        confs.set_rows(
            [
                (
                    [
                        fmt_date(k.date),
                        k.kind.replace("_", " "),
                        k.status,
                        (k.outcome or "—").replace("_", " "),
                        (
                            "—"
                            if not k.held
                            else Text("✓ yes") if k.quorate else Text("✗ NO", style="bold red")
                        ),
                        ", ".join(c.child_name(x).split(" ")[0] for x in k.children),
                    ],
                    k.id,
                )
                for k in sorted(c.conferences, key=lambda k: k.date)
            ]
        )
        confs.border_title = f"Conferences ({len(c.conferences)})"
