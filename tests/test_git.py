"""Two clones of one cases repository, as two workers would use them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import DEMO
from cptui.gitops import status
from cptui.loader import load_case
from cptui.merge import merge
from cptui.storage import CaseFile

FILE = "CP-2026-0001.toml"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    values = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Ash Example",
              "GIT_AUTHOR_EMAIL": "ash@example.invalid", "GIT_COMMITTER_NAME": "Ash Example",
              "GIT_COMMITTER_EMAIL": "ash@example.invalid"}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return dict(os.environ)


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "pull.rebase=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, check=check)


def cptui(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cptui", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def clones(tmp_path: Path, env) -> tuple[Path, Path]:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(origin), str(seed))
    shutil.copytree(DEMO, seed / "cases")
    assert cptui("git-setup", "cases", cwd=seed).returncode == 0
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "Demo cases")
    git(seed, "push", "-q", "origin", "HEAD:main")
    a, b = tmp_path / "a", tmp_path / "b"
    for c in (a, b):
        git(tmp_path, "clone", "-q", "-b", "main", str(origin), str(c))
        assert cptui("git-setup", "cases", cwd=c).returncode == 0
    return a / "cases", b / "cases"


def commit_push(folder: Path, message: str) -> None:
    git(folder, "commit", "-qam", message)
    git(folder, "push", "-q", "origin", "HEAD:main")


def test_concurrent_visits_both_kept(clones) -> None:
    a, b = clones
    cf = CaseFile(a / FILE)
    cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": ["c1", "c2"]})
    cf.save()
    commit_push(a, "Record visit Mon 23 Nov 2026 (CP-2026-0001)")
    cf = CaseFile(b / FILE)
    cf.add("visit", {"date": date(2026, 11, 24), "by": "m4", "statutory": False, "seen": ["c2"]})
    cf.add("member", {"name": "Rae Example", "role": "Family support worker", "core_group": True})
    cf.save()
    git(b, "commit", "-qam", "Record visit Tue 24 Nov 2026 (CP-2026-0001)")
    pull = git(b, "pull", "-q", "origin", "main", check=False)
    assert pull.returncode == 0, pull.stderr
    case, probs = load_case(b / FILE)
    assert not [p for p in probs if p.severity == "error"]
    visits = {v.id: (v.date, v.by) for v in case.visits}
    # Both workers made "v7": ours keeps it, theirs arrives renumbered as v8.
    assert visits["v7"] == (date(2026, 11, 24), "m4") and visits["v8"] == (date(2026, 11, 23), "m1")
    assert case.member_name("m6") == "Rae Example"
    assert cptui("check", ".", cwd=b).returncode == 0


def test_different_fields_of_one_record_merge(clones) -> None:
    a, b = clones
    cf = CaseFile(a / FILE)
    cf.update("core_group", "g2", {"location": "Example Family Centre"})
    cf.save()
    commit_push(a, "Location")
    cf = CaseFile(b / FILE)
    cf.update("core_group", "g2", {"notes_circulated": date(2026, 10, 27)})
    cf.save()
    git(b, "commit", "-qam", "Notes date")
    assert git(b, "pull", "-q", "origin", "main", check=False).returncode == 0
    g2 = next(g for g in load_case(b / FILE)[0].core_groups if g.id == "g2")
    assert (g2.location, g2.notes_circulated) == ("Example Family Centre", date(2026, 10, 27))
    assert "# late: due within 5 days" in (b / FILE).read_text()  # comments survive the merge


def test_same_field_conflict_stops_loudly(clones) -> None:
    a, b = clones
    cf = CaseFile(a / FILE)
    cf.update("core_group", "g2", {"notes_circulated": date(2026, 10, 26)})
    cf.save()
    commit_push(a, "Notes 26th")
    cf = CaseFile(b / FILE)
    cf.update("core_group", "g2", {"notes_circulated": date(2026, 10, 28)})
    cf.save()
    git(b, "commit", "-qam", "Notes 28th")
    pull = git(b, "pull", "origin", "main", check=False)
    assert pull.returncode != 0 and "CONFLICT" in pull.stdout + pull.stderr
    assert status(b) == {FILE: "conflicted"}
    check = cptui("check", ".", cwd=b)
    assert check.returncode == 1
    line = next(l for l in check.stdout.splitlines() if "unresolved git conflict" in l)
    assert line.startswith(f"{FILE}:")
    assert ("in core_groups g2, field notes_circulated: ours notes_circulated = 2026-10-28 | "
            "theirs notes_circulated = 2026-10-26") in line
    # Everything else merged: only that one field is in markers.
    assert (b / FILE).read_text().count("<<<<<<<") == 1


def test_without_the_driver_markers_are_explained(tmp_path: Path, env, demo: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copy(demo / FILE, repo / FILE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    git(repo, "checkout", "-qb", "other")
    p = repo / FILE
    p.write_text(p.read_text().replace('location = "Family home"', 'location = "School"'))
    git(repo, "commit", "-qam", "school")
    git(repo, "checkout", "-q", "-")
    p.write_text(p.read_text().replace('location = "Family home"', 'location = "Clinic"'))
    git(repo, "commit", "-qam", "clinic")
    assert git(repo, "merge", "other", check=False).returncode != 0
    out = cptui("check", ".", cwd=repo).stdout
    assert 'in core_groups g2, field location: ours location = "Clinic" | theirs location = "School"' in out


def test_git_status_in_the_app_model(clones) -> None:
    a, _ = clones
    (a / FILE).write_text((a / FILE).read_text() + "\n")
    (a / "CP-2026-0999.toml").write_text('schema = 1\nid = "CP-2026-0999"\n')
    assert status(a) == {FILE: "modified", "CP-2026-0999.toml": "untracked"}


def test_git_status_outside_a_repository_or_folder_is_empty(tmp_path: Path) -> None:
    (tmp_path / "CP-1.toml").write_text('schema = 1\nid = "CP-1"\n')
    assert status(tmp_path) == {} and status(tmp_path / "missing") == {}


async def test_the_app_starts_git_before_reading_the_files_and_collects_it_after(
        clones, today: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's status runs in its own process alongside the load, not after it."""
    import cptui.tui.app as app_module
    from tui_helpers import ready

    a, _ = clones
    (a / FILE).write_text((a / FILE).read_text() + "\n")
    events: list[str] = []
    real_start, real_load = app_module.status_started, app_module.load_caseload

    def start(folder: Path):
        events.append("git started")
        done = real_start(folder)
        return lambda: (events.append("git collected"), done())[1]

    def load(*args, **kwargs):
        events.append("files read")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(app_module, "status_started", start)
    monkeypatch.setattr(app_module, "load_caseload", load)
    app = app_module.make_app(a, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert events == ["git started", "files read", "git collected"]
        assert app.git_state == {FILE: "modified"}


def test_merge_unit_both_sides_add_outcome_and_action_referencing_it() -> None:
    base = 'schema = 1\nid = "X"\n\n[[members]]\nid = "m1"\nname = "A Example"\n'
    ours = base + '\n[[plan.outcomes]]\nid = "o1"\nconcern = "ours"\n'
    theirs = base + ('\n[[plan.outcomes]]\nid = "o1"\nconcern = "theirs"\n'
                     '\n[[plan.actions]]\nid = "a1"\noutcome = "o1"\naction = "do"\nowner = "m1"\n')
    r = merge(base, ours, theirs)
    assert not r.conflicts
    import tomllib
    data = tomllib.loads(r.text)
    assert [(o["id"], o["concern"]) for o in data["plan"]["outcomes"]] == [("o1", "ours"), ("o2", "theirs")]
    assert data["plan"]["actions"][0]["outcome"] == "o2"  # the reference followed the rename


async def test_app_shows_git_state_and_commits_on_save(clones, today: date) -> None:
    from cptui.tui.app import make_app
    from tui_helpers import ready, rows

    a, _ = clones
    (a / "cptui.toml").write_text((a / "cptui.toml").read_text() + "commit_on_save = true\n")
    (a / "CP-2026-0002.toml").write_text((a / "CP-2026-0002.toml").read_text() + "\n")
    app = make_app(a, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        table = rows(app.screen.query_one("#cases"))
        git_col = {r[0]: r[-1] for r in table}
        assert git_col["CP-2026-0002"] == "● modified" and git_col["CP-2026-0001"] == ""
        assert git_col["CP-2026-0003"] == ""
    log = git(a, "log", "-1", "--format=%an|%s").stdout.strip()
    assert log == "Ash Example|Record visit Mon 23 Nov 2026 (CP-2026-0001)"
    assert git(a, "status", "--porcelain", "--", "CP-2026-0001.toml").stdout == ""


def test_two_clones_delete_versus_modify_is_a_conflict_check_explains(clones) -> None:
    a, b = clones
    cf = CaseFile(a / FILE)
    cf.delete("event", "e1")
    cf.save()
    commit_push(a, "Delete e1")
    cf = CaseFile(b / FILE)
    cf.update("event", "e1", {"summary": "Strategy discussion, with the school nurse"})
    cf.save()
    git(b, "commit", "-qam", "Edit e1")
    pull = git(b, "pull", "origin", "main", check=False)
    assert pull.returncode != 0 and status(b) == {FILE: "conflicted"}
    text = (b / FILE).read_text()
    assert "<<<<<<<" in text and "with the school nurse" in text
    check = cptui("check", ".", cwd=b)
    assert check.returncode == 1 and "unresolved git conflict in events e1" in check.stdout


def test_two_clones_both_add_m6_lead_worker_stays_the_right_person(clones) -> None:
    a, b = clones
    cf = CaseFile(a / FILE)
    cf.add("member", {"name": "Ona Example", "role": "Aunt", "kind": "family", "core_group": True})
    cf.save()
    commit_push(a, "Add Ona")
    cf = CaseFile(b / FILE)
    new = cf.add("member", {"name": "Dee Example", "role": "Social worker", "kind": "professional",
                            "core_group": True})
    cf.set_root({"lead_social_worker": new})
    cf.save()
    git(b, "commit", "-qam", "New lead worker Dee")
    pull = git(b, "pull", "-q", "origin", "main", check=False)
    assert pull.returncode == 0, pull.stderr
    case, probs = load_case(b / FILE)
    assert case is not None and not [p for p in probs if p.severity == "error"]
    assert case.member_name(case.lead_social_worker) == "Dee Example"
    assert {m.name for m in case.members} >= {"Ona Example", "Dee Example"}
