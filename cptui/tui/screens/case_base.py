"""What every case screen shares: header, clock, deadline panel, navigation."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable

from cptui.caseload import Caseload, CaseView
from cptui.tui.widgets.case_header import CaseHeader
from cptui.tui.widgets.clock_bar import ClockBar
from cptui.tui.widgets.deadline_panel import DeadlinePanel
from cptui.tui.widgets.line_table import LineTable
from cptui.tui.widgets.footer import SteadyFooter
from cptui.tui.messages import CaseloadChanged, cptui_app
from cptui.documents import DOCUMENTS, DocumentError, write_document
from cptui.tui import editing
from cptui.tui.screens.choice import ChoiceScreen


SMALL_HEIGHT = 30  # below this many lines the deadline panel gives up its upcoming rows


class CaseScreen(Screen):
    """Base for the case views; subclasses supply ``compose_body`` and ``fill``."""

    VIEW = "case"
    TITLE_TEXT = "Case"
    PANEL_GIVES_WAY = False  # see _fit_panel

    def title_text(self, cv: CaseView) -> str:
        """The screen's name in the clock bar; a screen may use the partnership's own words."""
        return self.TITLE_TEXT
    # The footer shows the few keys a new user needs; the rest are in ? and the palette,
    # which is built from these bindings (description = title, tooltip = help line).
    BINDINGS = [
        Binding("escape", "back", "Caseload", tooltip="Leave this case"),
        Binding(
            "c",
            "view('case')",
            "Case",
            show=False,
            tooltip="Deadlines and practice flags for this case",
        ),
        Binding(
            "t",
            "view('timeline')",
            "Timeline",
            show=False,
            tooltip="Every dated record in date order",
        ),
        Binding(
            "p",
            "view('plan')",
            "Plan",
            show=False,
            tooltip="Outcomes, actions, contingency and views",
        ),
        Binding(
            "g",
            "view('core_group')",
            "Core group",
            show=False,
            tooltip="Members, meetings and attendance",
        ),
        Binding(
            "d", "focus_deadlines", "Deadlines", show=False, tooltip="Focus this case's deadlines"
        ),
        Binding(
            "a", "toggle_met", "Show met", show=False, tooltip="Show or hide deadlines already met"
        ),
        Binding("n", "new", "New", tooltip="Add a record of the kind under the cursor"),
        Binding("e", "edit", "Edit", tooltip="Open the form for the record under the cursor"),
        Binding(
            "delete",
            "delete",
            "Delete",
            show=False,
            tooltip="Delete the record under the cursor (asks first)",
        ),
        Binding(
            "v",
            "record_visit",
            "Record visit",
            show=False,
            tooltip="Statutory visit, today, by the lead social worker",
        ),
        Binding(
            "r",
            "documents",
            "Documents",
            show=False,
            tooltip="Agenda, notes, plan, chronology, record: a printable document",
        ),
    ]
    NEW_CHOICES: list[tuple[str, str, str]] = [
        ("v", "Visit", "visit"), ("g", "Core group meeting", "core_group"),
        ("c", "Conference", "conference"), ("e", "Event", "event"),
        ("a", "Plan action", "action"), ("o", "Plan outcome", "outcome"),
        ("m", "Person (core group or other)", "member"), ("k", "Child", "child"),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.show_met = False

    def compose(self) -> ComposeResult:
        yield ClockBar(id="clock")
        yield CaseHeader(id="case-header")
        with Vertical(id="body"):
            yield from self.compose_body()
        yield DeadlinePanel(show_case=False, id="deadlines")
        yield SteadyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.refresh_data()

    @on(CaseloadChanged)
    def caseload_changed(self) -> None:
        if self.is_mounted:
            self.refresh_data()

    @property
    def load(self) -> Caseload:
        return cptui_app(self).caseload

    def refresh_data(self) -> None:
        load = self.load
        cv = load.get(self.case_id) if load else None
        if cv is None:
            self.notify(
                f"Case {self.case_id} is no longer readable: see the caseload.", severity="error"
            )
            self.app.pop_screen()
            return
        git = cptui_app(self).git_label(cv.case.path)
        self.query_one("#clock", ClockBar).show(
            load, f"{self.title_text(cv)} — {cv.case.id}", f"git: {git}" if git else "",
            "c case · t timeline · p plan · g core group")
        self.query_one("#case-header", CaseHeader).show(cv, load.today)
        panel = self.query_one("#deadlines", DeadlinePanel)
        rows = cv.deadlines if self.show_met else cv.open_deadlines
        panel.border_title = (
            f"Deadlines — {'all, met included' if self.show_met else 'open'} (w: why this date)"
        )
        panel.show(load, [(d, cv) for d in rows])
        panel.styles.min_height = panel.urgent + 3  # overdue and due soon stay in view
        self._fit_panel()
        self.fill(cv, load)

    def _fit_panel(self) -> None:
        """On a small terminal, for a screen whose own tables need every line
        (``PANEL_GIVES_WAY``), the panel holds its overdue and due-soon rows and no more
        (upcoming ones scroll), so those tables keep their rows and borders."""
        panel = self.query_one("#deadlines", DeadlinePanel)
        small = self.PANEL_GIVES_WAY and self.app.size.height < SMALL_HEIGHT
        panel.styles.max_height = max(panel.urgent + 3, 5) if small else None  # the stylesheet's

    def on_resize(self) -> None:
        self.query_one("#case-header", CaseHeader).redraw()
        self._fit_panel()

    def fill(self, cv: CaseView, load: Caseload) -> None:
        """Subclasses draw their body from the case."""

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_view(self, view: str) -> None:
        if view != self.VIEW:
            cptui_app(self).open_case(self.case_id, view)

    def action_focus_deadlines(self) -> None:
        self.query_one("#deadlines").focus()

    def action_toggle_met(self) -> None:
        self.show_met = not self.show_met
        self.refresh_data()

    # --- editing -----------------------------------------------------------
    @property
    def cv(self) -> CaseView:
        return self.load.get(self.case_id)  # type: ignore[return-value]

    # (record kind, table id) for each editable table on the screen; rows are keyed by record id.
    TABLES: tuple[tuple[str, str], ...] = ()
    DEFAULT_NEW: str | None = None  # what ``n`` makes when no table has focus; None asks

    def focused_table(self) -> tuple[str, DataTable | LineTable] | None:
        for kind, tid in self.TABLES:
            t = self.query_one(tid)
            if self.focused is t:
                return kind, t
        return None

    def selected_record(self) -> tuple[str, str, str] | None:
        """(kind, id, short description) of the record under the cursor."""
        found = self.focused_table()
        if not found or not found[1].row_count:
            return None
        kind, t = found
        key = t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value
        if key is None:
            return None
        return kind, str(key), str(t.get_row_at(t.cursor_row)[0 if kind != "action" else 1])

    def new_kind(self) -> str | None:
        found = self.focused_table()
        return found[0] if found else self.DEFAULT_NEW

    def action_new(self) -> None:
        kind = self.new_kind()
        if kind:
            editing.edit(self, self.cv, kind)
            return
        self.app.push_screen(ChoiceScreen("New what?", self.NEW_CHOICES),
                             lambda k: editing.edit(self, self.cv, k) if k else None)

    def action_edit(self) -> None:
        sel = self.selected_record()
        if sel is None:
            self.notify("Move to a record first (tab to its table)", severity="warning")
            return
        editing.edit(self, self.cv, sel[0], sel[1])

    def action_delete(self) -> None:
        sel = self.selected_record()
        if sel is None:
            self.notify("Move to a record first (tab to its table)", severity="warning")
            return
        editing.delete(self, self.cv, *sel)

    def action_record_visit(self) -> None:
        c = self.cv.case
        planned = [ch.id for ch in c.children if ch.plan_active(self.load.today)]
        editing.edit(self, self.cv, "visit", preset={
            "date": self.load.today, "by": c.lead_social_worker, "seen": planned})

    def action_documents(self) -> None:
        """Pick a document, then full or parent's copy; write .md and .html to out/."""
        keys = dict(zip(DOCUMENTS, "anpkcr"))
        docs = [(keys[n], title, n) for n, title in DOCUMENTS.items()]

        def got_doc(name: str | None) -> None:
            if not name:
                return

            def got_copy(copy: str | None) -> None:
                if not copy:
                    return
                try:
                    paths = [
                        write_document(name, self.cv, self.load, copy, fmt)
                        for fmt in ("html", "md")
                    ]
                except (DocumentError, OSError) as e:
                    self.notify(f"Not written. {e}", severity="error", timeout=10)
                    return
                self.notify(f"Wrote {paths[0]} (print this) and {paths[1].name}", timeout=12)

            self.app.push_screen(ChoiceScreen(f"{DOCUMENTS[name]}: which copy?", [
                ("f", "Full copy (professionals)", "full"),
                ("p", "Parent's copy (leaves out everything confidential)", "parent")]), got_copy)

        self.app.push_screen(ChoiceScreen("Which document?", docs), got_doc)

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        if event.data_table.id == "deadlines":
            self.query_one("#deadlines", DeadlinePanel).action_why()
