"""What the caseload builds while it starts (issue #15): nothing it does not show.

A start-up that builds widgets the user never sees, or rebuilds the footer's keys
when nothing about them changed, is time before the first usable frame. Each test
here counts what is built and checks the user still gets every key and box.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from cptui.tui.app import make_app
from cptui.tui.widgets.footer import SteadyFooter
from tui_helpers import ready


def _count_footer_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each Footer build with keys ready, as the number of widgets it made."""
    built: list[int] = []
    original = Footer.compose

    def counting(self: Footer) -> ComposeResult:
        out = list(original(self))
        if out:
            built.append(len(out))
        return out

    monkeypatch.setattr(Footer, "compose", counting)
    return built


async def test_the_caseload_builds_its_footer_keys_once(
        today, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's Footer rebuilt identical keys three times as the screen settled."""
    built = _count_footer_builds(monkeypatch)
    app = make_app(demo, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        footer = app.screen.query_one(Footer)
        keys = [k.key for k in footer.query("FooterKey")]
    assert len(built) == 1
    assert {"enter", "slash", "N", "question_mark"} <= set(keys)  # every shown key is there


class _Toggle(Screen):
    """A screen whose one action can be switched off, as a screen's state may do."""

    BINDINGS = [Binding("x", "act", "Act"), Binding("y", "other", "Other")]
    allowed = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "act" and not self.allowed else True

    def action_act(self) -> None: ...

    def action_other(self) -> None: ...


class _ToggleApp(App):
    def on_mount(self) -> None:
        self.push_screen(_Toggle())


async def test_the_steady_footer_rebuilds_when_its_keys_change_and_only_then(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built = _count_footer_builds(monkeypatch)
    app = _ToggleApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, _Toggle)

        def enabled() -> dict[str, bool]:
            # Footer marks a key it shows as unavailable with this class (drawn dimmed).
            return {k.key: not k.has_class("-disabled") for k in screen.query("FooterKey")}

        assert enabled()["x"] and len(built) == 1
        async def settle() -> None:  # a rebuild is scheduled after a refresh, then mounts
            for _ in range(10):
                await pilot.pause()

        screen.refresh_bindings()  # nothing changed: no rebuild
        await settle()
        assert len(built) == 1
        screen.allowed = False  # the key is now disabled: the footer must say so
        screen.refresh_bindings()
        await settle()
        assert len(built) == 2 and not enabled()["x"] and enabled()["y"]


async def test_a_quick_start_builds_no_progress_bar_and_no_filter_box_until_asked(
        today, demo: Path) -> None:
    """Both are hidden on a quick start; the progress bar's own widgets and styles cost
    more than the footer. `/` still opens the filter, and it still narrows the list."""
    app = make_app(demo, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert not screen.query(ProgressBar) and not screen.query(Input)
        table = screen.query_one("#cases")
        everyone = table.row_count
        await pilot.press("slash")
        await pilot.pause()
        box = screen.query_one("#filter", Input)
        assert app.focused is box and box.display
        await pilot.press(*"Ava")
        await pilot.pause()
        assert 0 < table.row_count < everyone
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == everyone and not box.display and app.focused is table
        await pilot.press("slash")  # a second time: the same box, not a second one
        await pilot.pause()
        assert len(screen.query(Input)) == 1 and app.focused is box


async def test_the_loading_thread_never_waits_for_the_screen_to_draw(
        tmp_path: Path, today, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress goes to the screen as a message: a load does not stall while the screen
    draws the first cases (at 10,000 cases that draw takes as long as the rest of the load)."""
    import time

    from cptui.caseload import load_caseload
    from cptui.demo import generate
    from cptui.tui import app as app_module
    from cptui.tui.screens.caseload import CaseloadScreen

    folder = tmp_path / "cases"
    generate(folder, 300, today, seed=5)
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    load_caseload(folder, today)  # warm: the rest of the load is quick
    monkeypatch.setattr(app_module, "PARTIAL_AFTER", 0.0)
    times: dict[str, float] = {}
    real_load, real_show = app_module.load_caseload, CaseloadScreen.show_progress

    def timed_load(*args, **kwargs):
        out = real_load(*args, **kwargs)
        times.setdefault("load finished", time.monotonic())
        return out

    def slow_show(self: CaseloadScreen, done: int, total: int) -> None:
        real_show(self, done, total)
        if done < total and "screen drew" not in times:
            time.sleep(1.5)  # a screen busy drawing the first cases
            times["screen drew"] = time.monotonic()

    monkeypatch.setattr(app_module, "load_caseload", timed_load)
    monkeypatch.setattr(CaseloadScreen, "show_progress", slow_show)
    app = make_app(folder, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.screen.query_one("#cases").row_count == 300
    assert times["load finished"] < times["screen drew"]


async def test_a_load_replaced_by_a_reload_never_lands_after_it(
        tmp_path: Path, today, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+R while a slow load is still reading: the slow load, finishing last, must not
    put its older caseload back over the reload's, nor its progress back on screen."""
    import asyncio
    import threading

    from cptui.demo import generate
    from cptui.tui import app as app_module

    demo_copy = tmp_path / "cases"
    generate(demo_copy, 300, today, seed=3)  # enough files for progress reports
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))

    real = app_module.load_caseload
    gate = threading.Event()
    results: list[object] = []

    def load(*args, **kwargs):
        first = not results
        results.append(None)
        if first:
            gate.wait(10)  # a slow disk
        out = real(*args, **kwargs)
        results[-1 if not first else 0] = out
        return out

    monkeypatch.setattr(app_module, "load_caseload", load)
    monkeypatch.setattr(app_module, "PARTIAL_AFTER", 0.0)  # every load reports progress
    app = make_app(demo_copy, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(200):
            if results:
                break
            await asyncio.sleep(0.01)
        await pilot.press("ctrl+r")
        for _ in range(1000):  # the reload ends (its partial caseload may show first)
            if len(results) == 2 and app.caseload is results[1]:
                break
            await asyncio.sleep(0.01)
        assert app.caseload is results[1]  # the reload's
        gate.set()
        await app.workers.wait_for_complete()
        for _ in range(5):
            await pilot.pause()
        assert results[0] is not None and app.caseload is results[1]
        assert not any(bar.display for bar in app.screen.query("#progress"))
        assert "reading" not in str(app.screen.query_one("#clock").render())
