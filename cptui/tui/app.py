"""The Textual application. ``make_app`` is the one factory used everywhere."""

from __future__ import annotations

import time
from datetime import date
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Iterable

from textual import work
from textual.worker import get_current_worker
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cptui.caseload import Caseload, CaseView, load_caseload
from cptui.gitops import status_started
from cptui.storage import content_digest
from cptui.tui.messages import CaseloadChanged, LoadDone, LoadProgress
from cptui.tui.screens.case_base import CaseScreen
from cptui.tui.screens.case_views import VIEWS
from cptui.tui.screens.caseload import CaseloadScreen
from cptui.tui.screens.help import HelpScreen

# A load still running after this long shows its progress and its first cases. One
# second: the wait people notice; a quicker load (10,000 cases from the cache) is
# drawn once, complete, rather than twice.
PARTIAL_AFTER = 1.0


class CptuiApp(App):
    """Loads the caseload off the UI thread, then keeps every screen in step."""

    CSS_PATH = "app.tcss"
    TITLE = "cptui"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(
        self, cases_dir: Path, today: date | None = None, case_id: str | None = None
    ) -> None:
        super().__init__()
        self.cases_dir = Path(cases_dir)
        self.today_override = today
        self.start_case = case_id
        self.caseload: Caseload | None = None
        self.git_state: dict[str, str] = {}  # file name -> modified/untracked/conflicted/added

    def on_mount(self) -> None:
        self.push_screen(CaseloadScreen())
        self.load_cases()

    @work(thread=True, exclusive=True, group="load")
    def load_cases(self) -> None:
        started = time.monotonic()
        sent: list[bool] = []  # whether the first cases have gone to the screen
        worker = get_current_worker()

        def progress(done: int, total: int, partial: Caseload) -> None:
            if time.monotonic() - started < PARTIAL_AFTER or worker.is_cancelled:
                return  # a quick load is drawn once, complete; a replaced one not at all
            first = None
            if not sent:
                sent.append(True)
                first = replace(partial, cases=list(partial.cases), broken=list(partial.broken),
                                problems=list(partial.problems))
            # A message, not call_from_thread: that waits for the screen, and drawing
            # the first cases takes about as long as reading the rest.
            self.post_message(LoadProgress(done, total, first))

        git_done = status_started(self.cases_dir)  # git works alongside the load
        try:
            load = load_caseload(self.cases_dir, self.today_override, progress=progress, every=250)
        finally:
            git = git_done()
        if not worker.is_cancelled:  # a later reload replaced this one
            self.post_message(LoadDone(load, git))

    def on_load_progress(self, event: LoadProgress) -> None:
        """Show the caseload as it loads; only while the caseload is on top."""
        done, total = event.done, event.total
        if not (isinstance(self.screen, CaseloadScreen) and self.screen.is_mounted
                and done < total):
            return
        self.screen.show_progress(done, total)
        if self.caseload is None and event.first is not None:  # the first cases at once
            self.caseload = event.first
            self.screen.post_message(CaseloadChanged())

    def on_load_done(self, event: LoadDone) -> None:
        self._loaded(event.load, event.git)

    def _loaded(self, load: Caseload, git: dict[str, str] | None = None) -> None:
        self.caseload = load
        self.git_state = git or {}
        for screen in self.screen_stack:
            if isinstance(screen, CaseloadScreen) and screen.is_mounted:
                screen.show_progress(1, 1)
        self.announce()
        if self.start_case:
            case_id, self.start_case = self.start_case, None
            if load.get(case_id):
                self.open_case(case_id)
            else:
                self.notify(f"No usable case {case_id!r} in {self.cases_dir}", severity="error")

    def announce(self) -> None:
        """Tell every screen the caseload changed; each redraws itself
        (``@on(CaseloadChanged)``)."""
        for screen in self.screen_stack:
            screen.post_message(CaseloadChanged())

    def git_label(self, path: Path) -> str:
        state = self.git_state.get(path.name, "")
        return {"modified": "● modified", "untracked": "+ new, not in git", "added": "+ added",
                "conflicted": "✗ CONFLICT"}.get(state, "")

    def open_case(self, case_id: str, view: str = "case") -> None:
        """Open a case view; from another case view, replace it (escape = caseload)."""
        cv, changed = self.whole_case(case_id)
        if cv is None and changed:
            return  # the file broke since the caseload was drawn (whole_case said so)
        screen = VIEWS[view](case_id)
        if isinstance(self.screen, CaseScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def whole_case(self, case_id: str) -> tuple[CaseView | None, bool]:
        """The case with its whole record read, and whether its file changed since the
        caseload was drawn from its summary.

        The caseload holds summaries; the whole case is read from its file when
        first needed, and again whenever the file changed since, so what opens is
        what is on disk. A changed file redraws
        every screen; one that no longer loads is said, and shows as broken.
        """
        load = self.caseload
        cv = load.get(case_id) if load is not None else None
        if load is None or cv is None:
            return cv, False
        if cv.loaded:  # read before: still the file on disk? (one file hashed, at once)
            try:
                same = content_digest(cv.summary.path.read_bytes()) == cv.case.digest
            except OSError:
                same = False
            if same:
                return cv, False
        before = cv.summary.digest
        cv = load.reload_file(cv.summary.path)
        changed = cv is None or cv.summary.digest != before
        if changed:
            self.announce()
        if cv is None:
            self.notify(f"{case_id} changed on disk and no longer loads: run `cptui check`.",
                        severity="error", timeout=10)
        return cv, changed

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_reload(self) -> None:
        self.notify("Reloading case files…")
        self.load_cases()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: every key", "Show the keys for this screen", self.action_help)
        yield SystemCommand("Reload case files", "Read the cases folder again", self.action_reload)
        yield from binding_commands(screen)
        if self.caseload:
            for cv in self.caseload.cases:
                kids = ", ".join(cv.summary.child_names)
                yield SystemCommand(f"Jump to case {cv.id} ({kids})", "Open this case",
                                    partial(self.open_case, cv.id))


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """One palette entry per binding the screen itself declares: its description,
    its tooltip as the help line; so the palette never restates the bindings."""
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        b = active.binding
        if active.node is not screen or not b.description or b.action in seen:
            continue
        seen.add(b.action)
        key = b.key_display or b.key
        yield SystemCommand(b.description, f"{b.tooltip} (key: {key})" if b.tooltip
                            else f"Key: {key}", partial(screen.run_action, b.action))


def make_app(cases_dir: Path, today: date | None = None, case_id: str | None = None) -> CptuiApp:
    return CptuiApp(cases_dir, today=today, case_id=case_id)
