"""The caseload: every case, and everything overdue or due soon across them."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, ProgressBar, Static

from cptui.bulk import no_cyclic_gc
from cptui.caseload import Caseload, CaseView
from cptui.changes import create_new_case
from cptui.dates import fmt_date
from cptui.forms import next_case_id
from cptui.model import Case
from cptui.profiles import get_profile
from cptui.storage import SaveError
from cptui.tui.widgets.clock_bar import ClockBar
from cptui.tui.widgets.deadline_panel import DeadlinePanel, open_items
from cptui.tui.widgets.fit_table import Col, FitTable
from cptui.tui.widgets.footer import SteadyFooter
from cptui.tui.messages import CaseloadChanged, cptui_app
from cptui.tui.screens.record_form import RecordForm
from cptui.tui.screens.stats import StatsScreen

# Least useful columns drop first on a narrow terminal; the next deadline shortens.
COLUMNS = [
    Col("Case"),
    Col("Overdue"),
    Col("Due soon"),
    Col("Next deadline", flex=True, min_width=26),
    Col("Children", drop=4, flex=True, min_width=16),
    Col("Lead social worker", drop=3),
    Col("Procedure", drop=1),
    Col("Git", drop=2, hide_empty=True),
]

SORTS = [
    (
        "most urgent",
        lambda cv: (-cv.count("overdue"), -cv.count("due_soon"), _next_due(cv), cv.id),
    ),
    ("next deadline", lambda cv: (_next_due(cv), cv.id)),
    ("case id", lambda cv: cv.id),
    (
        "lead social worker",
        lambda cv: (cv.summary.lead, cv.id),
    ),
]


def _next_due(cv: CaseView) -> date:
    nd = cv.next_deadline
    return nd.due if nd else date.max


class CaseloadScreen(Screen):
    CSS_PATH = "caseload.tcss"
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding(
            "enter",
            "open_case",
            "Open case",
            priority=True,
            tooltip="Open the case under the cursor",
        ),
        Binding(
            "slash", "filter", "Filter", key_display="/", tooltip="Type to narrow the caseload"
        ),
        Binding(
            "o", "sort", "Sort", show=False, tooltip="Cycle: most urgent, next deadline, id, worker"
        ),
        Binding(
            "d",
            "focus_deadlines",
            "Deadlines",
            show=False,
            tooltip="Overdue and due soon across all cases",
        ),
        Binding("c", "focus_cases", "Cases", show=False, tooltip="Back to the list of cases"),
        Binding(
            "N",
            "new_case",
            "New case",
            tooltip="Start a case file: id, procedure, first child, lead social worker",
        ),
        Binding(
            "s",
            "stats",
            "Timeliness",
            show=False,
            tooltip="Share of deadlines met on time, by step or worker",
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        self.filter_text = ""
        self.row_ids: list[str | None] = []
        self.reading: tuple[int, int] | None = None  # (files read, of) while a load runs
        self.counts: tuple[int, int] | None = None  # overdue, due soon: as last drawn

    def compose(self) -> ComposeResult:
        yield ClockBar(id="clock")
        with Vertical(id="body"):
            # Words, not an animation: nothing to redraw while the first frame is due.
            yield Static("Reading the case files…", id="loading")
            yield FitTable(id="cases", cursor_type="row", zebra_stripes=True)
            yield DeadlinePanel(show_case=True, id="deadlines")
        yield SteadyFooter()

    def show_progress(self, done: int, total: int) -> None:
        """Only a slow load mounts the bar: a quick one never builds it."""
        bars = self.query("#progress").results(ProgressBar)
        bar = next(bars, None)
        if bar is None:
            if done >= total:
                return
            bar = ProgressBar(id="progress", show_eta=False)
            self.mount(bar, after="#clock")
        bar.update(total=total, progress=done)
        bar.display = done < total
        self.reading = (done, total) if done < total else None
        if done < total:
            bar.border_title = f"Loading case files: {done} of {total}"
        if self.load is not None and self.counts is not None:
            self._show_clock(self.load)

    def _ensure_columns(self) -> None:
        """Idempotent: the caseload may arrive before or after we mount."""
        table = self.query_one("#cases", FitTable)
        if not table.cols:
            table.set_columns(COLUMNS)

    def on_mount(self) -> None:
        self._ensure_columns()
        table = self.query_one("#cases", FitTable)
        table.border_title = "Cases"
        self.query_one("#deadlines", DeadlinePanel).border_title = (
            "Overdue and due soon (all cases)"
        )
        if cptui_app(self).caseload:
            self.refresh_data()

    @on(CaseloadChanged)
    def caseload_changed(self) -> None:
        if self.is_mounted:
            self.refresh_data()

    @property
    def load(self) -> Caseload | None:
        return cptui_app(self).caseload

    def refresh_data(self) -> None:
        load = self.load
        if load is None:
            return
        # Thousands of rows are built at once: cyclic collections triggered meanwhile
        # would rescan the whole caseload for nothing (none of this makes cycles).
        with no_cyclic_gc():
            self._refresh(load)

    def _refresh(self, load: Caseload) -> None:
        self.query_one("#loading").display = False
        self.counts = (sum(cv.count("overdue") for cv in load.cases),
                       sum(cv.count("due_soon") for cv in load.cases))
        self._show_clock(load)
        visible = self._visible(load)  # sorted once, for the list and the panel
        self._fill_cases(load, visible)
        panel = self.query_one("#deadlines", DeadlinePanel)
        panel.show(load, open_items(visible, load.today, ("overdue", "due_soon")))
        # Every overdue and due-soon row stays in view, whatever the terminal's height: the
        # cases give way (down to their own minimum), overdue rows first if even that is short.
        panel.styles.min_height = max(1, len(panel.rows_data)) + 3

    def _show_clock(self, load: Caseload) -> None:
        over, soon = self.counts
        n = len(load.broken)
        broken = [f"⚠ {n} BROKEN FILE{'' if n == 1 else 'S'}"] if n else []
        if self.reading is not None:  # the counts below are so far: say so first
            broken.insert(0, f"⏳ reading {self.reading[0]} of {self.reading[1]} files…")
        self.query_one("#clock", ClockBar).show(
            load,
            *broken,
            f"{over} overdue",
            f"{soon} due soon",
            f"{len(load.cases)} cases",
            f"sorted by {SORTS[self.sort_index][0]}",
            essential=len(broken) + 2,
        )

    def _matches(self, cv: CaseView) -> bool:
        if not self.filter_text:
            return True
        s = cv.summary
        hay = " ".join([s.id, cv.profile.name, s.lead] + s.child_names).lower()
        return all(word in hay for word in self.filter_text.lower().split())

    def _visible(self, load: Caseload) -> list[CaseView]:
        return sorted((cv for cv in load.cases if self._matches(cv)), key=SORTS[self.sort_index][1])

    def _fill_cases(self, load: Caseload, visible: list[CaseView]) -> None:
        self._ensure_columns()
        table = self.query_one("#cases", FitTable)
        rows: list[tuple[list[object], str | None]] = []
        for b in load.broken:
            if self.filter_text and self.filter_text.lower() not in b.stem.lower():
                continue
            err = b.first_error
            where = f"line {err.line}: " if err.line else ""
            rows.append(
                (
                    [
                        Text(f"⚠ {b.stem}", style="bold red"),
                        Text("BROKEN", style="bold red"),
                        "",
                        Text(f"file not read — {where}{err.message}", style="red"),
                        "",
                        "",
                        "",
                        cptui_app(self).git_label(b.path),
                    ],
                    None,
                )
            )
        git_label = cptui_app(self).git_label
        # Cells many rows share are made once (tables copy a Text cell before changing it).
        overs: dict[int, Text | str] = {0: "0"}
        soons: dict[int, Text | str] = {0: "0"}
        for cv in visible:
            c = cv.summary  # never the whole case: 10,000 rows open from summaries
            nd = cv.next_deadline
            nxt = f"{fmt_date(nd.due)} {nd.label(c)}" if nd else ("closed" if c.closed else "—")
            over, soon = cv.count("overdue"), cv.count("due_soon")
            if over not in overs:
                overs[over] = Text(f"✗ {over}", style="bold red")
            if soon not in soons:
                soons[soon] = Text(f"! {soon}", style="bold yellow")
            rows.append(([c.id, overs[over], soons[soon], nxt, ", ".join(c.child_names), c.lead,
                          cv.profile.name, git_label(c.path)], c.id))
        self.row_ids = [key for _, key in rows]
        table.set_rows(rows)

    def selected_case(self) -> str | None:
        table = self.query_one("#cases", FitTable)
        if self.focused is self.query_one("#deadlines"):
            item = self.query_one("#deadlines", DeadlinePanel).current()
            return item[0].case if item else None
        if not self.row_ids or table.cursor_row >= len(self.row_ids):
            return None
        return self.row_ids[table.cursor_row]

    def on_line_table_row_selected(self, event: FitTable.RowSelected) -> None:
        self.action_open_case()

    def action_open_case(self) -> None:
        case_id = self.selected_case()
        if case_id is None:
            table = self.query_one("#cases", FitTable)
            if self.row_ids and table.cursor_row < len(self.row_ids):
                self.notify("This file is broken: run `cptui check` to see every problem.",
                            severity="error")
            return
        cptui_app(self).open_case(case_id)

    async def action_filter(self) -> None:
        """The filter box is built the first time it is asked for, not at start-up."""
        box = next(self.query("#filter").results(Input), None)
        if box is None:
            box = Input(placeholder="Filter by case, child, worker or procedure…", id="filter")
            await self.mount(box, after="#clock")
        box.add_class("shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.refresh_data()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#cases").focus()

    def action_clear_filter(self) -> None:
        box = next(self.query("#filter").results(Input), None)
        if box is not None:
            box.value = ""
            box.remove_class("shown")
        self.query_one("#cases").focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refresh_data()
        self.notify(f"Sorted by {SORTS[self.sort_index][0]}")

    def action_focus_deadlines(self) -> None:
        self.query_one("#deadlines").focus()

    def action_focus_cases(self) -> None:
        self.query_one("#cases").focus()

    def action_new_case(self) -> None:
        """The RecordForm with the new-case fields; the file is made atomically."""
        load = self.load
        if load is None:
            return
        ids = [cv.id for cv in load.cases] + [b.stem for b in load.broken]
        preset = {"id": next_case_id(ids, load.today), "procedure": load.settings.procedure}
        blank = Case(id="", path=load.folder / "new.toml")

        def made(v: dict | None) -> None:
            if not v:
                return
            try:
                path = create_new_case(load.folder, v, load.settings.procedure)
            except (SaveError, OSError) as e:
                self.notify(f"Not created. {e}", severity="error", timeout=10)
                return
            load.reload_file(path)
            self.refresh_data()
            self.notify(f"Created {path.name}")
            cptui_app(self).open_case(v["id"])

        self.app.push_screen(
            RecordForm(
                "new_case",
                "New case",
                blank,
                (
                    get_profile(load.settings.procedure, load.folder)
                    if load.settings.procedure_ok
                    else get_profile("working-together-2023")
                ),
                load.today,
                preset,
            ),
            made,
        )

    def action_stats(self) -> None:
        if self.load is not None:
            self.app.push_screen(StatsScreen())
