"""Why is this date what it is? Basis, rule, timescale, citation, working."""

from __future__ import annotations

from datetime import date, timedelta

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import distance, fmt_date
from cptui.rules import STATUS_TEXT, Deadline

BACKWARDS = {"report_to_parents", "report_to_chair", "pre_birth_conference"}
# Rules met by a date kept on the record itself: the key, and what it means in words.
DONE_BY = {
    "core_group_notes": ("notes_circulated", "the notes of the meeting were circulated"),
    "core_group_plan": ("plan_sent", "the updated plan was sent out after the meeting"),
    "conference_decisions": ("decisions_circulated", "the decisions were circulated"),
    "conference_record": ("record_circulated", "the record was circulated"),
    "report_to_parents": ("report_to_parents", "the report reached the parents"),
    "report_to_chair": ("report_to_chair", "the report reached the chair"),
    "complaint_response": ("responded", "the written response was sent"),
}


def describe_record(cv: CaseView, rid: str) -> str:
    c = cv.case
    for arr, what in ((c.events, "event"), (c.conferences, "conference"),
                      (c.core_groups, "core group"), (c.visits, "visit"), (c.children, "child")):
        for r in arr:
            if r.id == rid:
                if what == "event":
                    return f"event {rid} ({r.kind.replace('_', ' ')})"  # type: ignore[union-attr]
                if what == "conference":
                    kind = r.kind.replace('_', ' ')  # type: ignore[union-attr]
                    return f"{kind} conference {rid}"
                if what == "child":
                    return f"{r.name}'s plan start / expected date"  # type: ignore[union-attr]
                return f"{what} {rid}"
    return rid


def done_note(d: Deadline, cv: CaseView, today: date) -> list[str]:
    """What counts as done, and a done date that is not counted because it is after today."""
    if d.rule not in DONE_BY:
        return []
    key, words = DONE_BY[d.rule]
    lines = [f"Done when:    {words} (`{key}` on {escape(describe_record(cv, d.source))})"]
    c = cv.case
    rec = next(
        (r for arr in (c.conferences, c.core_groups, c.events) for r in arr if r.id == d.source),
        None,
    )
    later = getattr(rec, key, None)
    if d.done is None and later is not None and later > today:
        lines.append(
            f"              `{key}` says {fmt_date(later)}, after today: not counted until then"
        )
    return lines


def explain(d: Deadline, cv: CaseView, load: Caseload) -> str:
    sign = "−" if d.rule in BACKWARDS else "+"
    lines = [
        f"[b]{escape(d.label(cv.case))}[/b]  ({d.rule})",
        "",
        f"Due:          [b]{fmt_date(d.due)}[/b] — {STATUS_TEXT[d.status]}, "
        f"{distance(load.calendar, d.due, load.today, d.done)}",
        f"Done:         {fmt_date(d.done) if d.done else 'not yet'}",
        *done_note(d, cv, load.today),
        f"Counted from: {fmt_date(d.basis)} — {escape(describe_record(cv, d.source))}",
        f"Timescale:    {d.timescale} (from {d.origin})",
        f"Working:      {fmt_date(d.basis)} {sign} {d.timescale} = {fmt_date(d.due)}",
    ]
    if "working day" in d.timescale:
        lo, hi = sorted((d.basis, d.due))
        skipped = [lo + timedelta(days=i) for i in range(1, (hi - lo).days)
                   if (lo + timedelta(days=i)).weekday() < 5
                   and not load.calendar.is_working_day(lo + timedelta(days=i))]
        if skipped:
            lines.append("              skipping " + ", ".join(fmt_date(x) for x in skipped)
                         + " (bank holidays or local closures)")
        lines.append("              the basis day itself is not counted; weekends never count")
    else:
        lines.append("              calendar arithmetic: never moved off a weekend or holiday")
    lines += ["", f"Citation: {escape(d.cite)}", "", "[dim]escape or enter to close[/dim]"]
    return "\n".join(lines)


class WhyScreen(ModalScreen[None]):
    CSS_PATH = "why.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("enter", "dismiss", "Close")]

    def __init__(self, deadline: Deadline, cv: CaseView, load: Caseload) -> None:
        super().__init__()
        self.text = explain(deadline, cv, load)

    def compose(self) -> ComposeResult:
        with Vertical(id="why-box"):
            yield Static(self.text, id="why-text")

    def on_mount(self) -> None:
        self.query_one("#why-box").border_title = "Why this date?"
