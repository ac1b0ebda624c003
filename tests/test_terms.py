"""A partnership's own words reach the screens and documents (issue #17: terms as profile data)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from conftest import DEMO
from cptui.caseload import load_caseload
from cptui.documents import render
from cptui.tui.app import make_app
from cptui.tui.widgets.case_header import CaseHeader
from cptui.tui.widgets.clock_bar import ClockBar
from tui_helpers import ready



def wales_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    path = folder / "CP-2026-0001.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('procedure = "darlington"', 'procedure = "wales"'),
                    encoding="utf-8")
    return folder


def test_documents_use_the_partnerships_words(tmp_path: Path, today: date) -> None:
    load = load_caseload(wales_folder(tmp_path), today, use_cache=False)
    cv = load.get("CP-2026-0001")
    assert cv.profile.name == "wales"
    agenda = render("agenda", cv, load, "full", "md", None, None)
    plan = render("plan", cv, load, "full", "md", None, None)
    assert "**Care and support protection plan co-ordinator:**" in agenda
    assert "Lead social worker:" not in agenda
    assert plan.startswith("# Care and support protection plan")


async def test_screens_use_the_partnerships_words(tmp_path: Path, today: date) -> None:
    app = make_app(wales_folder(tmp_path), today=today, case_id="CP-2026-0001")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        header = app.screen.query_one(CaseHeader)
        assert "Care and support protection plan co-ordinator: " in str(header.render())
        await pilot.press("p")
        await pilot.pause()
        assert "Care and support protection plan — CP-2026-0001" in str(app.screen.query_one(ClockBar).render())
