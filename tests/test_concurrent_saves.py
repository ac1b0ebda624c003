"""No acknowledged save is ever lost (issue #10, finding 2).

Several processes save to one case file at once, each from a copy it loaded
at the start (as several open apps would); then a save that straddles a
``git pull`` with commit-on-save. Every save that reported success must be
in the file at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from conftest import FIGURES
from cptui.changes import Change, apply_change
from cptui.storage import CaseFile, ExternalChange

BASE = '''schema = 1
id = "CP-T-1"
procedure = "darlington"
lead_social_worker = "m1"

[[children]]
id = "c1"
name = "Ava Example"
date_of_birth = 2019-04-02
plan_start = 2026-09-14

[[members]]
id = "m1"
name = "Sam Patel"
kind = "professional"
'''

WRITERS, ROUNDS = 4, 30

WRITER = textwrap.dedent('''
    import json, sys
    from datetime import date
    from pathlib import Path
    from cptui.changes import Change, apply_change
    from cptui.storage import CaseFile, ExternalChange, SaveError
    path, me, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    loaded = CaseFile(path).digest  # as an app that loaded the file once
    acked, refused = [], 0
    for i in range(rounds):
        note = f"{me}-{i}"
        try:
            apply_change(path, loaded, Change("add", "visit", values={
                "date": date(2026, 10, 1), "by": "m1", "seen": ["c1"], "notes": note}))
            acked.append(note)
        except (ExternalChange, SaveError):
            refused += 1
    print(json.dumps({"acked": acked, "refused": refused}))
''')


def test_many_writers_lose_no_acknowledged_save(tmp_path: Path) -> None:
    path = tmp_path / "CP-T-1.toml"
    path.write_text(BASE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{n}", str(ROUNDS)],
                              stdout=subprocess.PIPE, text=True, env=env) for n in range(WRITERS)]
    results = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    acked = [note for r in results for note in r["acked"]]
    visits = tomllib.loads(path.read_text(encoding="utf-8")).get("visits", [])
    notes = [v["notes"] for v in visits]
    missing = set(acked) - set(notes)
    FIGURES.append(f"concurrent saves: {WRITERS} processes x {ROUNDS} saves to one file, "
                   f"{len(acked)} acknowledged, {len(missing)} missing, "
                   f"{sum(r['refused'] for r in results)} refused")
    assert not missing
    assert len(acked) == WRITERS * ROUNDS, "adding a record never needs refusing"
    assert sorted(notes) == sorted(acked) and len({v["id"] for v in visits}) == len(visits)
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / ".cptui.lock").exists()


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Ash Example", "-c", "user.email=a@example.invalid",
                           *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_save_straddling_a_pull_keeps_the_pulled_visit_and_commits_both(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    path = folder / "CP-T-1.toml"
    path.write_text(BASE + '\n[[events]]\nid = "e1"\ndate = 2026-10-01\nkind = "note"\nsummary = "x"\n')
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "start")
    loaded = CaseFile(path)  # the app loads the case
    seen = loaded.record("event", "e1")
    # a pull lands the colleague's visit (committed, as a merge would be)
    cf = CaseFile(path)
    cf.add("visit", {"date": __import__("datetime").date(2026, 10, 2), "by": "m1", "seen": ["c1"]})
    cf.save()
    git(folder, "commit", "-qam", "colleague's visit")
    saved = apply_change(path, loaded.digest, Change("update", "event", "e1", {"summary": "edited"}, seen,
                                                     "Edit event e1"), commit=True)
    assert saved.rebased and saved.committed
    head = tomllib.loads(git(folder, "show", "HEAD:CP-T-1.toml"))
    assert [v["id"] for v in head["visits"]] == ["v1"], "the pulled visit must survive the save"
    assert head["events"][0]["summary"] == "edited"


def test_stale_edit_of_a_changed_record_is_refused_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "CP-T-1.toml"
    path.write_text(BASE + '\n[[events]]\nid = "e1"\ndate = 2026-10-01\nkind = "note"\nsummary = "x"\n')
    loaded = CaseFile(path)
    seen = loaded.record("event", "e1")
    cf = CaseFile(path)
    cf.update("event", "e1", {"summary": "theirs"})
    cf.save()
    before = path.read_bytes()
    try:
        apply_change(path, loaded.digest, Change("update", "event", "e1", {"summary": "ours"}, seen))
        raise AssertionError("a stale edit of a changed record must be refused")
    except ExternalChange:
        pass
    assert path.read_bytes() == before
