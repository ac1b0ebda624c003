"""The TUI's house rules (issue 11): a typed app, changes by message, imports at the top."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
from cptui.tui.app import make_app
from cptui.tui.screens.case_views import VIEWS
from cptui.tui.screens.caseload import CaseloadScreen
from tui_helpers import TODAY, ready

TUI = REPO / "cptui" / "tui"
SOURCES = sorted(p for p in TUI.rglob("*.py"))


def test_no_untyped_app_access() -> None:
    offenders = [f"{p.relative_to(REPO)}:{n}" for p in SOURCES
                 for n, line in enumerate(p.read_text().splitlines(), 1) if "ignore[attr-defined]" in line]
    assert offenders == []


def test_no_duck_typed_refresh_loops() -> None:
    offenders = [str(p.relative_to(REPO)) for p in SOURCES if 'getattr(s' in p.read_text()
                 and "refresh_data" in p.read_text()]
    assert offenders == []


def _nested_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    for n in tree.body:  # imports under `if TYPE_CHECKING:` count as top level
        if isinstance(n, ast.If):
            top |= {id(c) for c in n.body}
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in top]


def test_imports_at_the_top_inside_the_tui() -> None:
    """serve.py is the CLI → TUI boundary and may import lazily."""
    offenders = {str(p.relative_to(REPO)): lines for p in SOURCES if p.name != "serve.py"
                 and (lines := _nested_imports(p))}
    assert offenders == {}


async def test_palette_is_built_from_the_active_bindings(today, demo: Path) -> None:
    assert not any(hasattr(cls, "PALETTE") for cls in [CaseloadScreen, *VIEWS.values()])
    app = make_app(demo, today=today, case_id="CP-2026-0006")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        described = {b.binding.description for b in app.screen.active_bindings.values()
                     if b.node is app.screen and b.binding.description}
        assert {"Mark done", "Edit plan text", "Timeline", "Record visit", "Documents"} <= described
        assert described <= titles
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "date" in helps["Mark done"]  # the binding's tooltip is the palette's help
