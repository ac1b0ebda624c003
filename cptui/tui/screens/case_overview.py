"""The case view: the deadline panel large, with the case's practice flags."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.widgets import Static

from cptui.caseload import Caseload, CaseView
from cptui.flags import TITLES
from cptui.tui.screens.case_base import CaseScreen


class CaseOverviewScreen(CaseScreen):
    CSS_PATH = "case_overview.tcss"
    VIEW = "case"
    TITLE_TEXT = "Case"

    def compose_body(self) -> ComposeResult:
        yield Static(id="flags")

    def fill(self, cv: CaseView, load: Caseload) -> None:
        flags = [p for p in cv.problems if p.severity == "warning"]
        if not flags:
            text = "[green]✓ No practice flags.[/green]"
        else:
            lines = [f"[yellow]⚑[/yellow] [b]{TITLES.get(p.code, 'Warning')}[/b]: {escape(p.message)}"
                     for p in flags]
            text = "\n".join(lines)
        self.query_one("#flags", Static).update(text)
        self.query_one("#flags", Static).border_title = f"Practice flags ({len(flags)})"
