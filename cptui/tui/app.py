"""The Textual application. ``make_app`` is the one factory used everywhere."""

from __future__ import annotations

from datetime import date
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cptui.caseload import Caseload, load_caseload


class CptuiApp(App):
    """Loads the caseload off the UI thread, then keeps every screen in step."""

    CSS_PATH = "app.tcss"
    TITLE = "cptui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(self, cases_dir: Path, today: date | None = None, case_id: str | None = None) -> None:
        super().__init__()
        self.cases_dir = Path(cases_dir)
        self.today_override = today
        self.start_case = case_id
        self.caseload: Caseload | None = None
        self.git_state: dict[str, str] = {}  # file name -> modified/untracked/conflicted/added

    def on_mount(self) -> None:
        from cptui.tui.screens.caseload import CaseloadScreen

        self.push_screen(CaseloadScreen())
        self.load_cases()

    @work(thread=True, exclusive=True, group="load")
    def load_cases(self) -> None:
        from cptui.gitops import status

        def progress(done: int, total: int, partial: Caseload) -> None:
            snapshot = replace(partial, cases=list(partial.cases), broken=list(partial.broken),
                               problems=list(partial.problems))
            self.call_from_thread(self._progress, done, total, snapshot)

        load = load_caseload(self.cases_dir, self.today_override, progress=progress, every=250)
        git = status(self.cases_dir)
        self.call_from_thread(self._loaded, load, git)

    def _progress(self, done: int, total: int, partial: Caseload) -> None:
        """Show the caseload as it loads; only while the caseload is on top."""
        from cptui.tui.screens.caseload import CaseloadScreen

        if isinstance(self.screen, CaseloadScreen) and self.screen.is_mounted and done < total:
            self.screen.show_progress(done, total)
            if self.caseload is None:  # show the first cases at once; the rest when complete
                self.caseload = partial
                self.screen.refresh_data()

    def _loaded(self, load: Caseload, git: dict[str, str] | None = None) -> None:
        self.caseload = load
        self.git_state = git or {}
        from cptui.tui.screens.caseload import CaseloadScreen

        for screen in self.screen_stack:
            if isinstance(screen, CaseloadScreen) and screen.is_mounted:
                screen.show_progress(1, 1)
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_data", None)
            if refresh and screen.is_mounted:  # unmounted screens refresh on mount
                refresh()
        if self.start_case:
            case_id, self.start_case = self.start_case, None
            if load.get(case_id):
                self.open_case(case_id)
            else:
                self.notify(f"No usable case {case_id!r} in {self.cases_dir}", severity="error")

    def git_label(self, path: Path) -> str:
        state = self.git_state.get(path.name, "")
        return {"modified": "● modified", "untracked": "+ new, not in git", "added": "+ added",
                "conflicted": "✗ CONFLICT"}.get(state, "")

    def open_case(self, case_id: str, view: str = "case") -> None:
        """Open a case view; from another case view, replace it (escape = caseload)."""
        from cptui.tui.screens.case_views import VIEWS

        screen = VIEWS[view](case_id)
        if getattr(self.screen, "case_id", None) is not None:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_help(self) -> None:
        from cptui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_reload(self) -> None:
        self.notify("Reloading case files…")
        self.load_cases()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: every key", "Show the keys for this screen", self.action_help)
        yield SystemCommand("Reload case files", "Read the cases folder again", self.action_reload)
        for key, name, helptext in getattr(screen, "PALETTE", ()):
            yield SystemCommand(name, helptext, partial(screen.run_action, key))
        if self.caseload:
            for cv in self.caseload.cases:
                kids = ", ".join(c.name for c in cv.case.children)
                yield SystemCommand(f"Jump to case {cv.case.id} ({kids})", "Open this case",
                                    partial(self.open_case, cv.case.id))


def make_app(cases_dir: Path, today: date | None = None, case_id: str | None = None) -> CptuiApp:
    return CptuiApp(cases_dir, today=today, case_id=case_id)
