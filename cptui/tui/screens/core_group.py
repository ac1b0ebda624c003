"""The core group: members, meetings with attendance, and when the next is due."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cptui.caseload import Caseload, CaseView
from cptui.dates import distance, fmt_date
from cptui.model import CoreGroup
from cptui.rules import Deadline
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui.screens.series import SeriesScreen

LEGEND = "✓ attended · A apologies · W written report · – absent"
MEMBER_COLUMNS = [
    Col("Name", flex=True, min_width=12),
    Col("Role", drop=3, flex=True, min_width=12),
    Col("Agency", drop=2),
    Col("Family or professional", drop=1),
    Col("In core group"),
]


def attendance(g: CoreGroup, member_id: str) -> str:
    if g.status != "held":
        return ""
    if member_id in g.attendees:
        return "✓"
    mark = ("A" if member_id in g.apologies else "") + (
        "W" if member_id in g.written_reports else ""
    )
    return mark or "–"


def notes_cell(g: CoreGroup, cv: CaseView, rule: str = "core_group_notes",
               field: str = "notes_circulated") -> Text:
    d = next((d for d in cv.deadlines if d.rule == rule and d.source == g.id), None)
    if g.status != "held":
        return Text("")
    if d is None:
        sent = getattr(g, field)
        return Text(f"sent {fmt_date(sent)}" if sent else "—")
    if d.status == "met":
        return Text(f"✓ on time {fmt_date(d.done)}", style="green")
    if d.status == "late":
        return Text(f"✗ late {fmt_date(d.done)}", style="magenta")
    return Text(f"{'✗ overdue' if d.status == 'overdue' else '… due'} {fmt_date(d.due)}",
                style="bold red" if d.status == "overdue" else "yellow")


def next_due(cv: CaseView) -> Deadline | None:
    rules = ("first_core_group", "core_group", "school_move_core_group")
    return min((d for d in cv.open_deadlines if d.rule in rules), key=lambda d: d.due, default=None)


class CoreGroupScreen(CaseScreen):
    CSS_PATH = "core_group.tcss"
    VIEW = "core_group"
    TITLE_TEXT = "Core group"
    PANEL_GIVES_WAY = True  # members and meetings both need their lines at 80x24
    BINDINGS = [
        Binding(
            "S",
            "schedule",
            "Schedule series",
            show=False,
            tooltip="Book meetings at the procedure's rhythm up to the review, and the review",
        )
    ]
    TABLES = (("member", "#members"), ("core_group", "#meetings"))
    DEFAULT_NEW = "core_group"

    def compose_body(self) -> ComposeResult:
        yield Static(id="next")
        yield FitTable(id="members", cursor_type="row", zebra_stripes=True)
        yield FitTable(id="meetings", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#members", FitTable).set_columns(MEMBER_COLUMNS)
        super().on_mount()
        self.query_one("#meetings").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        c = cv.case
        nd = next_due(cv)
        scheduled = sorted(
            (g for g in c.core_groups if g.status == "scheduled" and g.date >= load.today),
            key=lambda g: g.date,
        )
        line = "Next core group due: "
        line += (f"[b]{fmt_date(nd.due)}[/b] ({distance(load.calendar, nd.due, load.today)})"
                 if nd else "nothing due")
        # Booked meetings on their own line: a wrap never splits a date in two.
        line += "\nBooked: " + (", ".join(fmt_date(g.date) for g in scheduled) or "[b]none[/b]")
        passed = sorted(g.date for g in c.core_groups
                        if g.status == "scheduled" and g.date < load.today)
        if passed:  # booked, the day gone, nothing recorded: never hidden behind "none"
            line += " · " + ", ".join(fmt_date(d) for d in passed) + " [b]passed, not recorded[/b]"
        self.query_one("#next", Static).update(line)

        members = self.query_one("#members", FitTable)
        members.set_rows([([m.name, m.role or "—", m.agency or "—", m.kind,
                            Text("✓ yes", style="green") if m.core_group else "no"], m.id)
                          for m in c.members])
        members.border_title = (
            f"Members ({len(c.members)}; {sum(m.core_group for m in c.members)} in core group)"
        )

        core = [m for m in c.members if m.core_group]
        meetings = self.query_one("#meetings", FitTable)
        plan = (
            "core_group_plan" in cv.profile.timescales
        )  # the profile times the plan sent after it
        meetings.set_columns(
            [
                Col("Date"),
                Col("Status"),
                Col("Chair", drop=1, flex=True, min_width=10),
                *[Col(m.name.split(" ")[0]) for m in core],
                Col("Notes", drop=2, flex=True, min_width=14),
                *([Col("Plan sent", drop=3, flex=True, min_width=14)] if plan else []),
            ]
        )
        rows: list[tuple[list[object], str | None]] = []
        for g in sorted(c.core_groups, key=lambda g: g.date):
            when = fmt_date(g.date) + (f" {g.at:%H:%M}" if g.at else "")
            status = {"held": "✓ held", "scheduled": "◷ booked", "cancelled": "✗ cancelled"}[
                g.status
            ]
            rows.append(
                (
                    [
                        when,
                        status,
                        c.member_name(g.chair) if g.chair else "—",
                        *[attendance(g, m.id) for m in core],
                        notes_cell(g, cv),
                        *([notes_cell(g, cv, "core_group_plan", "plan_sent")] if plan else []),
                    ],
                    g.id,
                )
            )
        meetings.set_rows(rows)
        meetings.border_title = f"Meetings ({len(c.core_groups)}) — {LEGEND}"

    def action_schedule(self) -> None:
        self.app.push_screen(SeriesScreen(self.cv, self.load))
