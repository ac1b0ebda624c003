"""The timeline: every dated record of the case, merged in date order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date
from cptui.model import Case
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.widgets.fit_table import Col, FitTable

KINDS = ["all", "event", "conference", "core group", "visit", "action"]
RECORD_KIND = {"event": "event", "conference": "conference", "core group": "core_group",
               "visit": "visit", "action": "action"}


@dataclass(frozen=True)
class Entry:
    when: date
    kind: str  # one of KINDS[1:]
    what: str
    significant: bool
    confidential: bool
    record: str


def timeline(case: Case) -> list[Entry]:
    """Events, conferences, core groups, visits and completed actions, by date."""
    out: list[Entry] = []
    for e in case.events:
        out.append(Entry(e.date, "event", f"{e.kind.replace('_', ' ')}: {e.summary}".strip(": "),
                         e.significant, e.confidential, e.id))
    for k in case.conferences:
        bits = [f"{k.kind.replace('_', ' ')} conference", k.status]
        if k.outcome:
            bits.append(f"outcome {k.outcome.replace('_', ' ')}")
        if not k.quorate:
            bits.append("NOT QUORATE")
        out.append(Entry(k.date, "conference", ", ".join(bits), True, k.confidential, k.id))
    for g in case.core_groups:
        time = f" {g.at:%H:%M}" if g.at else ""
        chair = f", chair {case.member_name(g.chair)}" if g.chair else ""
        out.append(Entry(g.date, "core group", f"core group{time} ({g.status}){chair}", True,
                         g.confidential, g.id))
    for v in case.visits:
        seen = ", ".join(case.child_name(c).split(" ")[0] for c in v.seen)
        kind = "statutory visit" if v.statutory else "visit (not statutory)"
        what = f"{kind} by {case.member_name(v.by)}: " + (f"seen {seen}" if v.seen else "NO ACCESS")
        out.append(Entry(v.date, "visit", what, not v.seen, v.confidential, v.id))
    for a in case.plan.actions:
        if a.status == "done" and a.done:
            out.append(Entry(a.done, "action", f"action done: {a.action}", False, False, a.id))
    return sorted(out, key=lambda e: (e.when, KINDS.index(e.kind), e.record))


# Marks and kind fold into the text on a narrow terminal rather than vanish.
COLUMNS = [Col("Date"), Col("Kind", drop=2, fold="What"), Col("Marks", drop=1, fold="What"),
           Col("What", flex=True, min_width=30)]


def marks(e: Entry) -> Text:
    """Words and a symbol per mark, separated so they never run together."""
    bits = []
    if e.significant:
        bits.append(Text("★ significant", style="bold"))
    if e.confidential:
        bits.append(Text("◆ CONFIDENTIAL", style="bold magenta"))
    return Text(" ").join(bits)


class TimelineScreen(CaseScreen):
    CSS_PATH = "timeline.tcss"
    VIEW = "timeline"
    TITLE_TEXT = "Timeline"
    BINDINGS = [
        Binding("k", "cycle_kind", "Kind filter", tooltip="Cycle all / events / conferences / ..."),
        Binding(
            "i",
            "toggle_significant",
            "Significant only",
            show=False,
            tooltip="Hide routine records",
        ),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__(case_id)
        self.kind = "all"
        self.significant_only = False
        self.shown: list[Entry] = []

    def compose_body(self) -> ComposeResult:
        yield FitTable(id="timeline", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#timeline", FitTable).set_columns(COLUMNS)
        super().on_mount()
        self.query_one("#timeline").focus()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        table = self.query_one("#timeline", FitTable)
        rows = [e for e in timeline(cv.case)
                if (self.kind == "all" or e.kind == self.kind)
                and (e.significant or not self.significant_only)]
        self.shown = rows
        keys: list[str] = []
        seen: set[str] = set()
        for e in rows:  # each row keyed by its record, so the cursor follows it when it moves
            key = f"{e.kind}:{e.record}"
            while key in seen:
                key += "+"
            keys.append(key)
            seen.add(key)
        table.set_rows([([fmt_date(e.when), e.kind, marks(e), e.what], key)
                        for e, key in zip(rows, keys)])
        filt = f"kind: {self.kind}" + (" · significant only" if self.significant_only else "")
        many = "" if len(rows) == 1 else "s"
        table.border_title = f"Timeline — {len(rows)} record{many} ({filt})"

    def selected_record(self) -> tuple[str, str, str] | None:
        table = self.query_one("#timeline", FitTable)
        if self.focused is not table or not self.shown or table.cursor_row >= len(self.shown):
            return None
        e = self.shown[table.cursor_row]
        return RECORD_KIND[e.kind], e.record, f"{fmt_date(e.when)} {e.what[:40]}"

    def action_cycle_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.refresh_data()

    def action_toggle_significant(self) -> None:
        self.significant_only = not self.significant_only
        self.refresh_data()
