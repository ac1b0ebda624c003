"""The plan: concerns, outcomes and evidence; actions; contingency; views."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.model import Action, Case
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui import editing


def done_late(a: Action) -> bool:
    return a.status == "done" and a.done is not None and a.due is not None and a.done > a.due


def action_status(a: Action, case: Case, today) -> Text:
    """Status in words; the done date has its own column so this one stays short."""
    if a.status == "done":
        return (
            Text("✓ done late", style="magenta")
            if done_late(a)
            else Text("✓ done", style="green")
        )
    if a.status == "dropped":
        return Text("– dropped", style="dim")
    if a.due is not None and a.due < today:
        return Text("✗ OVERDUE", style="bold red")
    return Text("○ open")


def smart_flags(a: Action) -> str:
    if a.status != "open":
        return ""
    bits = []
    if a.owner is None:
        bits.append("no owner")
    if a.due_text is not None:
        bits.append(f"due {a.due_text!r}")
    elif a.due is None:
        bits.append("no due date")
    return ("⚑ not SMART: " + ", ".join(bits)) if bits else ""


# Flags, owner and action text shorten first (the action stays readable); then the
# outcome id, the done date and last the SMART flags drop (the panel of the full
# view, and the form, still say what to fix).
ACTION_COLUMNS = [
    Col("Status"),
    Col("Action", flex=True, min_width=24),
    Col("Outcome", drop=1),
    Col("Owner", flex=True, min_width=10),
    Col("Due"),
    Col("Done on", drop=2, hide_empty=True),
    Col("Flags", drop=3, flex=True, min_width=12, hide_empty=True),
]


class PlanScreen(CaseScreen):
    CSS_PATH = "plan.tcss"
    VIEW = "plan"
    TITLE_TEXT = "Plan"

    def title_text(self, cv: CaseView) -> str:
        plan = cv.profile.term("plan")
        return plan[:1].upper() + plan[1:]  # Wales: "Care and support protection plan"
    BINDINGS = [
        Binding(
            "x",
            "mark_done",
            "Mark done",
            tooltip="Mark the selected action done: asks the date (default today); "
            "reopens a done one",
        ),
        Binding(
            "m",
            "edit_text",
            "Edit plan text",
            show=False,
            tooltip="Contingency, the child's and parents' views, disagreements",
        ),
    ]
    TABLES = (("outcome", "#outcomes"), ("action", "#actions"))
    DEFAULT_NEW = "action"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="plan-scroll"):
            yield FitTable(id="actions", cursor_type="row", zebra_stripes=True)  # used most: first
            yield DataTable(id="outcomes", cursor_type="row")
            yield Static(id="texts")

    def on_mount(self) -> None:
        self.query_one("#actions", FitTable).set_columns(ACTION_COLUMNS)
        self.query_one("#outcomes", DataTable).add_columns("Id", "Concern / outcome / evidence")
        super().on_mount()
        self.query_one("#actions").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        c = cv.case
        box = self.query_one("#outcomes", DataTable)
        box.clear()
        for o in c.plan.outcomes:
            box.add_row(o.id, Text.from_markup(
                f"[b]Concern:[/b] {escape(o.concern)}\n[b]Outcome:[/b] {escape(o.outcome)}\n"
                f"[b]Evidence:[/b] {escape(o.evidence)}"), height=3, key=o.id)
        if not c.plan.outcomes:
            box.add_row(
                "—", "No outcomes recorded yet: the first core group develops them (n adds one)."
            )
        box.border_title = f"Concerns, outcomes and evidence ({len(c.plan.outcomes)})"
        table = self.query_one("#actions", FitTable)
        rows: list[tuple[list[object], str | None]] = []
        for a in c.plan.actions:
            due = fmt_date(a.due) if a.due else (a.due_text or "—")
            flags = smart_flags(a)
            rows.append(
                (
                    [
                        action_status(a, c, load.today),
                        a.action,
                        a.outcome or "—",
                        c.member_name(a.owner) if a.owner else "—",
                        due,
                        fmt_date(a.done) if a.done else "",
                        Text(flags, style="yellow") if flags else "",
                    ],
                    a.id,
                )
            )
        table.set_rows(rows)
        table.border_title = f"Actions ({len(c.plan.actions)})"
        texts = [("Contingency", c.plan.contingency), ("The child's views", c.plan.child_views),
                 ("Parents' views", c.plan.parent_views), ("Disagreements", c.plan.disagreements)]
        self.query_one("#texts", Static).update("\n\n".join(
            f"[b]{t}[/b]\n{escape(v) if v else '[dim]not recorded[/dim]'}" for t, v in texts))

    def action_mark_done(self) -> None:
        sel = self.selected_record()
        if not sel or sel[0] != "action":
            self.notify(
                "Move to an action first: tab to the Actions table, then ↑ ↓ to the action",
                severity="warning",
            )
            return
        editing.mark_done(self, self.cv, sel[1])

    def action_edit_text(self) -> None:
        editing.edit(self, self.cv, "plan")
