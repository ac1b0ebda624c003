"""The case header: who the children are and how long they have been on a plan.

One line per child and one for the case; on a short terminal several
children collapse to one line ("3 children: …") so the deadlines keep
their rows. Lines never wrap: they end in an ellipsis instead.
"""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from textual import events
from textual.widgets import Static

from cptui.caseload import CaseView
from cptui.dates import fmt_date, human_span
from cptui.model import Child

SHORT = 30  # terminal rows below which several children share one line


def child_line(c: Child, today: date, register: str = "subject to a child protection plan") -> str:
    """One child: age, category, and the plan in the partnership's words (``register``)."""
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
        parts.append(f"not {register}")
    return " · ".join(parts)


def children_line(cv: CaseView) -> str:
    kids = cv.case.children
    return f"[b]{len(kids)} children[/b]: " + ", ".join(escape(c.name) for c in kids)


class CaseHeader(Static):
    DEFAULT_CSS = "CaseHeader { text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shown: tuple[CaseView, date] | None = None

    def show(self, cv: CaseView, today: date) -> None:
        self.shown = (cv, today)
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.shown is None:
            return
        cv, today = self.shown
        c = cv.case
        if len(c.children) > 1 and self.app.size.height < SHORT:
            lines = [children_line(cv)]
        else:
            lines = [child_line(ch, today, cv.profile.term("register")) for ch in c.children]
        lead = cv.profile.term("lead_worker")
        tail = [
            f"Case [b]{c.id}[/b]",
            f"{lead[:1].upper()}{lead[1:]}: {escape(c.member_name(c.lead_social_worker))}",
        ]
        if c.team_manager:
            tail.append(f"Manager: {escape(c.member_name(c.team_manager))}")
        tail.append(f"Procedure: {cv.profile.name}")
        if c.closed:
            tail.insert(1, f"CLOSED {fmt_date(c.closed)}")
        if c.interpreter:
            tail.insert(1, f"Interpreter: {escape(c.interpreter)}")
        self.update("\n".join(lines + [" · ".join(tail)]))
