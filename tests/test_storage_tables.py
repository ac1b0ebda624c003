"""Plain tables ([plan]) and the case's own keys, edited the way every record is:
one line per change, nothing else touched, the table made when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import diff
from cptui import tomlread as tomllib
from cptui.storage import CaseFile, SaveError


def test_editing_the_plan_changes_one_line(repo: Path) -> None:
    path = repo / "CP-2026-0001.toml"
    before = tomllib.loads(path.read_text())
    cf = CaseFile(path)
    cf.set_table("plan", {"contingency": "Seek legal advice at the review."})
    cf.save()
    assert diff(repo) == [
        "-contingency = \"If the home cannot meet the children's basic needs by the review, "
        "the local authority will seek legal advice.\"",
        '+contingency = "Seek legal advice at the review."']
    after = tomllib.loads(path.read_text())
    assert after["plan"].pop("contingency") == "Seek legal advice at the review."
    before["plan"].pop("contingency")
    assert after == before  # the outcomes and actions under [plan] untouched


def test_a_plan_key_set_to_nothing_is_removed(repo: Path) -> None:
    path = repo / "CP-2026-0001.toml"
    cf = CaseFile(path)
    cf.set_table("plan", {"disagreements": None, "child_views": None})
    cf.save()
    assert sorted(diff(repo)) == sorted([
        '-child_views = "Ava says she likes it when there is breakfast. Leo is too young to say; '
        'he is settled with his mother."', '-disagreements = ""'])
    assert "disagreements" not in tomllib.loads(path.read_text())["plan"]


def test_a_missing_plan_table_is_added_at_the_end(repo: Path) -> None:
    path = repo / "CP-2026-0005.toml"
    text = path.read_text()
    cf = CaseFile(path)
    cf.set_table("plan", {"contingency": "Legal advice if Finn is not seen.",
                          "child_views": None})
    cf.save()
    assert path.read_text() == (text + '\n[plan]\ncontingency = "Legal advice if Finn is not '
                                'seen."\n')
    assert tomllib.loads(path.read_text())["plan"] == {
        "contingency": "Legal advice if Finn is not seen."}


def test_the_case_details_change_one_line_and_keep_the_records(repo: Path) -> None:
    path = repo / "CP-2026-0005.toml"
    before = tomllib.loads(path.read_text())
    cf = CaseFile(path)
    assert cf.record("case", None) == {"schema": 1, "id": "CP-2026-0005",
                                       "procedure": "darlington", "lead_social_worker": "m1",
                                       "team_manager": "m2"}  # the root keys, no tables
    cf.set_root({"lead_social_worker": "m1", "team_manager": "m3"})
    cf.save()
    assert diff(repo) == ['-team_manager = "m2"', '+team_manager = "m3"']
    after = tomllib.loads(path.read_text())
    assert after.pop("team_manager") == "m3" and before.pop("team_manager") == "m2"
    assert after == before
    assert cf.record("plan", None) == {}  # no [plan] table: an empty plan, not an error


def test_an_edit_that_would_break_the_plan_is_refused_and_nothing_changes(repo: Path) -> None:
    path = repo / "CP-2026-0001.toml"
    cf = CaseFile(path)
    lines = list(cf.lines)
    with pytest.raises(SaveError) as e:
        cf.set_table("plan", {"outcomes": "not a list of tables"})
    assert "Edit refused: changing [plan]" in str(e.value)
    assert cf.lines == lines and path.read_text() == "".join(lines)
