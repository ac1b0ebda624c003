"""Helpers for driving the app in tests."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from textual.pilot import Pilot
from textual.widgets import DataTable

from conftest import TODAY
from cptui.tui.app import CptuiApp, make_app
from cptui.tui.widgets.fit_table import FitTable

__all__ = ["TODAY", "open_form", "plain", "ready", "rows"]


async def ready(pilot: Pilot) -> None:
    """Wait for the caseload to load off the UI thread and the screen to settle."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(4):  # the load's CaseloadChanged, then each table's redraw at its size
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@asynccontextmanager
async def open_form(folder: Path, case_id: str, view: str | None = None, table: str | None = None,
                    key: str = "n", size: tuple[int, int] = (160, 48),
                    ) -> AsyncIterator[tuple[CptuiApp, Pilot]]:
    """Open a record form as a user does: start on the case, wait for the load, press the
    ``view`` key, focus the ``table`` (a selector), press ``key``; yields (app, pilot)."""
    app = make_app(folder, today=TODAY, case_id=case_id)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        if view is not None:
            await pilot.press(view)
            await pilot.pause()
        if table is not None:
            app.screen.query_one(table).focus()
        await pilot.press(key)
        await pilot.pause()
        yield app, pilot


def rows(table: DataTable | FitTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def plain(widget) -> str:
    """A Static's text without markup."""
    from rich.text import Text

    return Text.from_markup(str(widget.content)).plain
