"""The case view: practice flags, children and conferences, and the deadlines."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.flags import TITLES
from cptui.tui.screens.case_base import CaseScreen


class CaseOverviewScreen(CaseScreen):
    CSS_PATH = "case_overview.tcss"
    VIEW = "case"
    TITLE_TEXT = "Case"
    BINDINGS = [Binding("i", "case_details", "Case details")]
    TABLES = (("child", "#children"), ("conference", "#conferences"))
    PALETTE = CaseScreen.PALETTE + [
        ("case_details", "Case details: worker, manager, procedure, interpreter, closed",
         "Edit the case's own fields"),
    ]

    def action_case_details(self) -> None:
        from cptui.tui import editing

        editing.edit(self, self.cv, "case")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="overview"):
            yield Static(id="flags")
            yield DataTable(id="children", cursor_type="row")
            yield DataTable(id="conferences", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#children", DataTable).add_columns(
            "Child", "Born / expected", "Category", "Plan start", "Plan end", "School")
        self.query_one("#conferences", DataTable).add_columns(
            "Date", "Conference", "Status", "Outcome", "Quorate", "Children")
        super().on_mount()
        self.query_one("#deadlines").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        c = cv.case
        flags = [p for p in cv.problems if p.severity == "warning"]
        if not flags:
            text = "[green]✓ No practice flags.[/green]"
        else:
            text = "\n".join(f"[yellow]⚑[/yellow] [b]{TITLES.get(p.code, 'Warning')}[/b]: "
                             f"{escape(p.message)}" for p in flags)
        box = self.query_one("#flags", Static)
        box.update(text)
        box.border_title = f"Practice flags ({len(flags)})"
        kids = self.query_one("#children", DataTable)
        kids.clear()
        for ch in c.children:
            born = fmt_date(ch.date_of_birth) if ch.date_of_birth else f"due {fmt_date(ch.expected_date)}"
            kids.add_row(ch.name, born, ch.category or "—", fmt_date(ch.plan_start) if ch.plan_start else "—",
                         fmt_date(ch.plan_end) if ch.plan_end else "—", ch.school or "—", key=ch.id)
        kids.border_title = f"Children ({len(c.children)})"
        confs = self.query_one("#conferences", DataTable)
        confs.clear()
        for k in sorted(c.conferences, key=lambda k: k.date):
            confs.add_row(fmt_date(k.date), k.kind.replace("_", " "), k.status,
                          (k.outcome or "—").replace("_", " "),
                          ("—" if not k.held else Text("✓ yes") if k.quorate else Text("✗ NO", style="bold red")),
                          ", ".join(c.child_name(x).split(" ")[0] for x in k.children), key=k.id)
        confs.border_title = f"Conferences ({len(c.conferences)})"
