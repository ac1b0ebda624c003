"""Layout snapshots at fixed sizes with the clock pinned (review the SVGs on change)."""

from __future__ import annotations

import pytest

from conftest import DEMO
from cptui.tui.app import make_app
from tui_helpers import TODAY, ready


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
def test_caseload(snap_compare, size) -> None:
    assert snap_compare(make_app(DEMO, today=TODAY), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("key", ["c", "t", "p", "g"])
def test_case_views(snap_compare, key: str) -> None:
    async def go(pilot) -> None:
        await ready(pilot)
        await pilot.press(key)
        await pilot.pause()

    app = make_app(DEMO, today=TODAY, case_id="CP-2026-0001")
    assert snap_compare(app, terminal_size=(160, 48), run_before=go)


def test_case_view_small(snap_compare) -> None:
    app = make_app(DEMO, today=TODAY, case_id="CP-2026-0005")
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
