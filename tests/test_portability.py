"""Things that break first on other machines: paths with spaces and quotes.

Windows user folders often hold spaces and apostrophes ("C:\\Users\\Ash
O'Example\\..."), and git runs a merge driver through a shell, so the Python
path registered by ``cptui git-setup`` must survive that shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest


from cptui import gitops
from cptui.loader import load_case
from cptui.storage import CaseFile
from test_git import FILE, env, git  # noqa: F401  (env is a fixture)


def test_merge_driver_runs_from_a_python_path_with_space_and_quote(
        tmp_path: Path, env, monkeypatch: pytest.MonkeyPatch, demo: Path) -> None:  # noqa: F811
    tools = tmp_path / "Ash O'Example tools"
    tools.mkdir()
    ran = tmp_path / "driver-ran"
    python = tools / "python"
    python.write_text(f'#!/bin/sh\necho ran >> "{ran}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(python))

    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(origin), str(a))
    shutil.copytree(demo, a / "cases")
    gitops.setup(a / "cases")
    git(a, "add", "-A")
    git(a, "commit", "-qm", "Demo cases")
    git(a, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", "-b", "main", str(origin), str(b))
    gitops.setup(b / "cases")
    driver = git(b, "config", "merge.cptui.driver").stdout.strip()
    assert driver.startswith("'") and "O'\"'\"'Example tools/python'" in driver

    for clone, day in ((a, 23), (b, 24)):  # both add a visit: only the cptui driver merges this
        cf = CaseFile(clone / "cases" / FILE)
        cf.add("visit", {"date": date(2026, 11, day), "by": "m1", "seen": ["c1"]})
        cf.save()
        git(clone, "commit", "-qam", f"Visit {day}")
    git(a, "push", "-q", "origin", "HEAD:main")
    pull = git(b, "pull", "-q", "origin", "main", check=False)
    assert pull.returncode == 0, pull.stderr
    assert ran.exists(), "git never ran the driver through the quoted path"
    visits = {v.date for v in load_case(b / "cases" / FILE)[0].visits}
    assert {date(2026, 11, 23), date(2026, 11, 24)} <= visits


def test_a_save_retries_while_another_program_holds_the_file(tmp_path: Path, monkeypatch, demo: Path) -> None:
    """Windows refuses os.replace while, say, an editor or a virus scanner has the case open:
    the save waits briefly and goes through; if it never frees, nothing is half-written."""
    import cptui.fsio as fsio
    from cptui.storage import SaveError

    shutil.copy(demo / "CP-2026-0001.toml", tmp_path / "CP-2026-0001.toml")
    path = tmp_path / "CP-2026-0001.toml"
    real = os.replace
    refusals = []

    def held_twice(src, dst):
        if len(refusals) < 2:
            refusals.append(dst)
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real(src, dst)

    monkeypatch.setattr(fsio, "REPLACE_PAUSE", 0.0)
    monkeypatch.setattr(fsio.os, "replace", held_twice)
    cf = CaseFile(path)
    cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": ["c1"]})
    cf.save()
    assert len(refusals) == 2 and 'date = 2026-11-23\nby = "m1"' in path.read_text()

    before = path.read_bytes()
    monkeypatch.setattr(fsio.os, "replace", lambda s, d: (_ for _ in ()).throw(PermissionError(13, "held")))
    cf = CaseFile(path)
    cf.add("visit", {"date": date(2026, 11, 24), "by": "m1", "seen": ["c1"]})
    try:
        cf.save()
        raise AssertionError("a file held open for good must fail the save")
    except SaveError as e:
        assert "permission denied" in str(e) and "unchanged" in str(e)
    assert path.read_bytes() == before and not list(tmp_path.glob(".*.tmp"))
