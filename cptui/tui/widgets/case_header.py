"""The case header: who the children are and how long they have been on a plan."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from textual.widgets import Static

from cptui.caseload import CaseView
from cptui.dates import fmt_date, human_span
from cptui.model import Child


def child_line(c: Child, today: date) -> str:
    if c.unborn:
        age = f"unborn, due {fmt_date(c.expected_date)}"
    elif c.date_of_birth:
        age = f"age {human_span(c.date_of_birth, today)}"
    else:
        age = "age unknown"
    parts = [f"[b]{escape(c.name)}[/b]", age, c.category or "no category"]
    if c.plan_start:
        if c.plan_end and c.plan_end <= today:
            parts.append(f"plan {fmt_date(c.plan_start)} – ended {fmt_date(c.plan_end)}")
        else:
            weeks = max(0, (today - c.plan_start).days // 7)
            parts.append(f"plan since {fmt_date(c.plan_start)} ({weeks} weeks)")
    else:
        parts.append("not on a plan")
    return " · ".join(parts)


class CaseHeader(Static):
    def show(self, cv: CaseView, today: date) -> None:
        c = cv.case
        lines = [child_line(ch, today) for ch in c.children]
        tail = [f"Case [b]{c.id}[/b]", f"Lead social worker: {escape(c.member_name(c.lead_social_worker))}"]
        if c.team_manager:
            tail.append(f"Manager: {escape(c.member_name(c.team_manager))}")
        tail.append(f"Procedure: {cv.profile.name}")
        if c.closed:
            tail.append(f"CLOSED {fmt_date(c.closed)}")
        if c.interpreter:
            tail.append(f"Interpreter: {escape(c.interpreter)}")
        self.update("\n".join(lines + [" · ".join(tail)]))
