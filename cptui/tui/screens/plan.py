"""The plan: concerns, outcomes and evidence; actions; contingency; views."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.model import Action, Case
from cptui.tui.screens.case_base import CaseScreen


def action_status(a: Action, case: Case, today) -> Text:
    if a.status == "done":
        return Text(f"✓ done {fmt_date(a.done)}" if a.done else "✓ done", style="green")
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


class PlanScreen(CaseScreen):
    CSS_PATH = "plan.tcss"
    VIEW = "plan"
    TITLE_TEXT = "Plan"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="plan-scroll"):
            yield Static(id="outcomes")
            yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)
            yield Static(id="texts")

    def on_mount(self) -> None:
        self.query_one("#actions", DataTable).add_columns(
            "Status", "Action", "Outcome", "Owner", "Due", "Flags")
        super().on_mount()
        self.query_one("#actions").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        c = cv.case
        outs = []
        for o in c.plan.outcomes:
            outs.append(f"[b]{o.id}[/b]  [b]Concern:[/b] {escape(o.concern)}\n"
                        f"    [b]Outcome:[/b] {escape(o.outcome)}\n    [b]Evidence:[/b] {escape(o.evidence)}")
        box = self.query_one("#outcomes", Static)
        box.update("\n".join(outs) or "No outcomes recorded yet: the first core group develops them.")
        box.border_title = f"Concerns, outcomes and evidence ({len(c.plan.outcomes)})"
        table = self.query_one("#actions", DataTable)
        table.clear()
        for a in c.plan.actions:
            due = fmt_date(a.due) if a.due else (a.due_text or "—")
            flags = smart_flags(a)
            table.add_row(action_status(a, c, load.today), a.action, a.outcome or "—",
                          c.member_name(a.owner) if a.owner else "—", due,
                          Text(flags, style="yellow") if flags else "")
        table.border_title = f"Actions ({len(c.plan.actions)})"
        texts = [("Contingency", c.plan.contingency), ("The child's views", c.plan.child_views),
                 ("Parents' views", c.plan.parent_views), ("Disagreements", c.plan.disagreements)]
        self.query_one("#texts", Static).update("\n\n".join(
            f"[b]{t}[/b]\n{escape(v) if v else '[dim]not recorded[/dim]'}" for t, v in texts))
