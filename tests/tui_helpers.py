"""Helpers for driving the app in tests."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import DataTable

from cptui.tui.widgets.fit_table import FitTable

TODAY = date(2026, 11, 23)


async def ready(pilot: Pilot) -> None:
    """Wait for the caseload to load off the UI thread and the screen to settle."""
    await pilot.app.workers.wait_for_complete()
    for _ in range(4):  # the load's CaseloadChanged, then each table's redraw at its size
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def rows(table: DataTable | FitTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def plain(widget) -> str:
    """A Static's text without markup."""
    from rich.text import Text

    return Text.from_markup(str(widget.content)).plain
