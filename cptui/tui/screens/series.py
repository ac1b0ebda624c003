"""Schedule the series: proposed core group dates up to the review, editable."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cptui.caseload import Caseload, CaseView
from cptui.changes import Batch, Change
from cptui.dates import fmt_date, parse_user_date
from cptui.schedule import propose
from cptui.tui import editing


class SeriesScreen(ModalScreen[None]):
    CSS_PATH = "series.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Book these", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, cv: CaseView, load: Caseload) -> None:
        super().__init__()
        self.cv, self.load = cv, load
        self.series = propose(cv, load.calendar, load.today)

    def compose(self) -> ComposeResult:
        s = self.series
        with VerticalScroll(id="series"):
            if s.until is None or (not s.meetings and s.review is None):
                why = s.note or f"meetings are already booked up to {fmt_date(s.until)}"
                yield Static(f"Nothing to schedule: {why}.\n\n[dim]escape closes[/dim]")
                return
            yield Static(f"Core groups every {s.rhythm} ({self.cv.profile.name}), each on a "
                         f"working day, up to the review on {fmt_date(s.until)}. Edit or clear "
                         "any date, then ctrl+s books them all.", id="series-intro")
            for i, d in enumerate(s.meetings):
                yield Label(f"Core group {i + 1}")
                yield Input(d.isoformat(), id=f"m{i}")
                yield Static("", id=f"e-m{i}", classes="error")
            if s.review:
                yield Label("Review conference (none is booked yet)")
                yield Input(s.review.isoformat(), id="review")
                yield Static("", id="e-review", classes="error")

    def on_mount(self) -> None:
        self.query_one("#series").border_title = f"Schedule the series — {self.cv.case.id}"

    def _check(self, inp: Input) -> tuple[date | None, str | None]:
        if not inp.value.strip():
            return None, None
        try:
            d = parse_user_date(inp.value, self.load.today)
        except ValueError:
            return None, "not a date: use 2026-11-23 or 23/11/2026"
        if not self.load.calendar.is_working_day(d):
            return None, f"{fmt_date(d)} is not a working day"
        return d, None

    def on_input_changed(self, event: Input.Changed) -> None:
        _, err = self._check(event.input)
        self.query_one(f"#e-{event.input.id}", Static).update(f"✗ {err}" if err else "")

    def action_save(self) -> None:
        meetings, review, bad = [], None, False
        for inp in self.query(Input):
            d, err = self._check(inp)
            bad = bad or err is not None
            if d and inp.id == "review":
                review = d
            elif d:
                meetings.append(d)
        if bad:
            self.notify("Fix the dates marked ✗ first", severity="error")
            return
        if not meetings and review is None:
            self.dismiss(None)
            return
        case = self.cv.case
        kids = [c.id for c in case.children if c.plan_active(self.load.today)]

        adds = [Change("add", "core_group", values={"date": d, "status": "scheduled",
                                                    "chair": case.lead_social_worker})
                for d in sorted(meetings)]
        if review:
            adds.append(
                Change(
                    "add",
                    "conference",
                    values={
                        "kind": "review",
                        "date": review,
                        "status": "scheduled",
                        "children": kids,
                    },
                )
            )
        summary = f"{len(meetings)} core groups" + (" and the review conference" if review else "")
        change = Batch(tuple(adds), summary, f"Book {summary} ({case.id})")

        self.dismiss(None)
        editing.write(self.app.screen, self.cv, change, "Booked")

    def action_cancel(self) -> None:
        self.dismiss(None)
