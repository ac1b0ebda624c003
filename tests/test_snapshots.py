"""Layout snapshots at fixed sizes with the clock pinned (review the SVGs on change).

Every screen and every form at 80x24 (a laptop terminal, a projector) and
100x30, plus the caseload and case views at 160x48.
"""

from __future__ import annotations

import pytest


from cptui.tui.app import make_app
from tui_helpers import TODAY, ready

SMALL = [(80, 24), (100, 30)]


def keys_then(*keys: str):
    async def go(pilot) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
    return go


@pytest.mark.parametrize("size", [(160, 48), *SMALL])
def test_caseload(snap_compare, size, today, demo: Path) -> None:
    assert snap_compare(make_app(demo, today=today), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("key", ["c", "t", "p", "g"])
def test_case_views(snap_compare, key: str, today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    assert snap_compare(app, terminal_size=(160, 48), run_before=keys_then(key))


@pytest.mark.parametrize("size", SMALL)
@pytest.mark.parametrize("keys", [(), ("f",), ("t",), ("p",), ("g",)],
                         ids=["overview", "flags-open", "timeline", "plan", "core-group"])
def test_case_views_small(snap_compare, size, keys, today, demo: Path) -> None:
    """CP-2026-0005 has four practice flags and four urgent deadlines."""
    app = make_app(demo, today=today, case_id="CP-2026-0005")
    assert snap_compare(app, terminal_size=size, run_before=keys_then(*keys))


# Each form, opened the way a user opens it, on a case with data in every table.
FORMS = {
    "visit": ("v",),
    "core_group": ("g", "n"),
    "conference": ("n", "c"),
    "event": ("n", "e"),
    "outcome": ("n", "o"),
    "action": ("p", "n"),
    "member": ("n", "m"),
    "child": ("n", "k"),
    "plan_text": ("p", "m"),
    "case_details": ("i",),
    "mark_done": ("p", "down", "x"),
}


@pytest.mark.parametrize("size", SMALL)
@pytest.mark.parametrize("form", list(FORMS))
def test_forms(snap_compare, size, form: str, today, demo: Path) -> None:
    app = make_app(demo, today=today, case_id="CP-2026-0001")
    assert snap_compare(app, terminal_size=size, run_before=keys_then(*FORMS[form]))


@pytest.mark.parametrize("size", SMALL)
def test_new_case_form(snap_compare, size, today, demo: Path) -> None:
    assert snap_compare(make_app(demo, today=today), terminal_size=size, run_before=keys_then("N"))
