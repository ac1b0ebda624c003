"""A confidential outcome takes its actions out of the parent's copy with it.

Found by auditing parent's copies: the plan left an action out with its hidden
outcome, but the agenda ("actions due since the last meeting"), the notes
("actions agreed") and the child's plan ("who will help") listed it, and an
action's words usually say what the hidden outcome is about.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cptui.caseload import load_caseload
from cptui.documents import DOCUMENTS, render
from cptui.viewmodel import visible_case

CASE = "CP-2026-0001"
HIDDEN = ["Refer Kim to the food bank and debt advice.",
          "Tell the social worker each week whether Ava arrives hungry."]


@pytest.fixture
def load(tmp_path: Path, demo: Path, today: date):
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    path = folder / f"{CASE}.toml"
    text = path.read_text(encoding="utf-8")
    marked = 'id = "o1"\nconfidential = true\n'
    path.write_text(text.replace('id = "o1"\n', marked, 1), encoding="utf-8")
    return load_caseload(folder, today)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_actions_of_a_confidential_outcome_stay_out_of_every_parents_copy(load, name) -> None:
    cv = load.get(CASE)
    for fmt in ("md", "html"):
        parent = render(name, cv, load, "parent", fmt)
        assert not any(a in parent for a in HIDDEN), (name, fmt)
    full = render(name, cv, load, "full", "md")
    if name in ("agenda", "notes", "plan", "plan-child"):  # the full copy still lists them
        assert any(a in full for a in HIDDEN), name


def test_the_visible_case_keeps_only_actions_of_visible_outcomes(load) -> None:
    case = load.get(CASE).case
    seen = visible_case(case)
    assert [o.id for o in seen.plan.outcomes] == ["o2"]
    assert [a.id for a in seen.plan.actions] == [
        a.id for a in case.plan.actions if a.outcome != "o1" and not a.confidential]
    assert "a3" in [a.id for a in seen.plan.actions]
