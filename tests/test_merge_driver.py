"""The merge driver never picks silently and never writes invalid TOML (issue #10, finding 3).

Each case is a base, ours and theirs, merged by the driver as git runs it
(``cptui merge-driver %O %A %B %P``), and checked for what a worker needs:
every record accounted for, conflicts visible, either side keepable.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cptui.cli import main
from cptui.loader import load_case
from cptui.merge import _keep as keep  # resolve every conflict to one side, as a person would
from cptui.merge import merge

BASE = '''schema = 1
id = "CP-M-1"
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

[[events]]
id = "e1"
date = 2026-10-01
kind = "note"
summary = "first"

[[events]]
id = "e2"
date = 2026-10-02
kind = "note"
summary = """line one
line two"""
'''


def drive(tmp_path: Path, base: str, ours: str, theirs: str, nl: str = "\n",
          process: bool = False) -> tuple[int, str, str]:
    """The driver as git runs it: ``cptui merge-driver %O %A %B %P``.

    In this process by default (so mutation testing sees the merge code run), or as
    its own process with ``process=True``, exactly as git starts it.
    """
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        p = tmp_path / f"{name}.toml"
        p.write_bytes(text.replace("\n", nl).encode())
        paths.append(str(p))
    args = ["merge-driver", paths[0], paths[1], paths[2], "CP-M-1.toml"]
    if process:
        r = subprocess.run([sys.executable, "-m", "cptui", *args], capture_output=True, text=True,
                           cwd=tmp_path)
        code, err = r.returncode, r.stderr
    else:
        buf = io.StringIO()
        with contextlib.redirect_stderr(buf):
            code = main(args)
        err = buf.getvalue()
    return code, (tmp_path / "ours.toml").read_bytes().decode(), err


def ids(text: str, array: str) -> list[str]:
    return [r["id"] for r in tomllib.loads(text).get(array, [])]


def without(text: str, rid: str) -> str:
    """The text with one [[events]] table removed."""
    return re.sub(rf'\n\[\[events\]\]\nid = "{rid}"\n(?:(?!\n\[\[).)*', "", text, flags=re.S)


@pytest.mark.parametrize("deleter", ["ours", "theirs"])
def test_delete_modify_is_a_visible_conflict_with_both_sides(tmp_path: Path, deleter: str) -> None:
    deleted = without(BASE, "e1")
    changed = BASE.replace('summary = "first"', 'summary = "first, with the health visitor"')
    ours, theirs = (deleted, changed) if deleter == "ours" else (changed, deleted)
    code, text, err = drive(tmp_path, BASE, ours, theirs)
    assert code == 1, "git must see the file conflicted"
    assert "<<<<<<<" in text and "first, with the health visitor" in text
    (tmp_path / "CP-M-1.toml").write_text(text)
    _, probs = load_case(tmp_path / "CP-M-1.toml")
    assert any("conflict" in p.message and "e1" in p.message for p in probs), [p.message for p in probs]
    kept_change = keep(text, "theirs" if deleter == "ours" else "ours")
    kept_delete = keep(text, deleter)
    assert "e1" in ids(kept_change, "events") and "e1" not in ids(kept_delete, "events")
    assert ids(kept_delete, "events") == ["e2"]


def test_both_add_same_member_id_renumbers_every_reference(tmp_path: Path) -> None:
    ours = BASE.replace('[[events]]\nid = "e1"', '[[members]]\nid = "m2"\nname = "Ona Example"\n'
                        'kind = "family"\n\n[[events]]\nid = "e1"', 1)
    theirs = BASE.replace('lead_social_worker = "m1"', 'lead_social_worker = "m1"\nteam_manager = "m2"')
    theirs = theirs.replace('[[events]]\nid = "e1"', '[[members]]\nid = "m2"\nname = "Jo Okafor"\n'
                            'kind = "professional"\n\n[[events]]\nid = "e1"', 1)
    theirs += '\n[[visits]]\nid = "v1"\ndate = 2026-10-05\nby = "m2"\nseen = ["c1"]\n'
    code, text, err = drive(tmp_path, BASE, ours, theirs)
    assert code == 0, err
    data = tomllib.loads(text)
    names = {m["id"]: m["name"] for m in data["members"]}
    assert names["m2"] == "Ona Example"
    jo = next(i for i, n in names.items() if n == "Jo Okafor")
    assert jo != "m2"
    assert data["team_manager"] == jo, "the team manager must stay Jo, not become Ona"
    assert data["visits"][0]["by"] == jo


WHOLE_FILE = ("cptui merge: CP-M-1.toml: CONFLICT the whole file: both versions are in it "
              "between markers; keep one, copy over what the other adds, and delete the marker "
              "lines\n")


def test_inline_arrays_never_merge_into_invalid_toml(tmp_path: Path) -> None:
    """Both sides add to a one-line array: git's line merge conflicts, so the whole file
    is one visible conflict, either side of which is that side's file exactly."""
    # inline arrays must sit before any table: move them to the root
    head, rest = BASE.split("\n[[children]]", 1)
    mk = lambda vs: head + "\nvisits = [" + ", ".join(vs) + "]\n\n[[children]]" + rest
    v1 = '{id = "v1", date = 2026-10-05, by = "m1", seen = ["c1"]}'
    v2 = '{id = "v2", date = 2026-10-06, by = "m1", seen = ["c1"]}'
    v3 = '{id = "v3", date = 2026-10-07, by = "m1", seen = []}'
    ours, theirs = mk([v1, v2]), mk([v1, v3])
    code, text, err = drive(tmp_path, mk([v1]), ours, theirs)
    assert code == 1
    assert err == ("cptui merge: CP-M-1.toml: the record merge cannot key this file (visits is "
                   "written inline, not as [[visits]] tables); trying git's line merge\n"
                   + WHOLE_FILE)
    assert text.startswith("<<<<<<< ours\n") and text.endswith(">>>>>>> theirs\n")
    assert keep(text, "ours") == ours and keep(text, "theirs") == theirs


def test_inline_arrays_changed_on_one_side_take_gits_clean_line_merge(tmp_path: Path) -> None:
    head, rest = BASE.split("\n[[children]]", 1)
    mk = lambda vs: head + "\nvisits = [" + ", ".join(vs) + "]\n\n[[children]]" + rest
    v1 = '{id = "v1", date = 2026-10-05, by = "m1", seen = ["c1"]}'
    v2 = '{id = "v2", date = 2026-10-06, by = "m1", seen = ["c1"]}'
    ours = mk([v1]).replace('summary = "first"', 'summary = "first (ours)"')
    code, text, err = drive(tmp_path, mk([v1]), ours, mk([v1, v2]))
    assert code == 0 and err.endswith("trying git's line merge\n")
    assert text == mk([v1, v2]).replace('summary = "first"', 'summary = "first (ours)"')


def test_a_line_merge_that_would_lose_a_record_is_a_whole_file_conflict(tmp_path: Path) -> None:
    """git merges the lines cleanly, but their new visit has no id: the record merge
    cannot account for it, so neither merge is trusted."""
    theirs = BASE + '\n[[visits]]\ndate = 2026-10-05\nby = "m1"\nseen = ["c1"]\n'
    ours = BASE.replace('summary = "first"', 'summary = "first!"')
    code, text, err = drive(tmp_path, BASE, ours, theirs)
    assert code == 1
    assert err == ("cptui merge: CP-M-1.toml: the record merge cannot key this file (a record "
                   "in visits has no id); trying git's line merge\n"
                   "cptui merge: CP-M-1.toml: the line merge is not safe here (a record in "
                   "visits has no id)\n" + WHOLE_FILE)
    assert keep(text, "ours") == ours and keep(text, "theirs") == theirs


def test_multiline_field_conflict_keeps_valid_toml_either_way(tmp_path: Path) -> None:
    ours = BASE.replace('summary = """line one\nline two"""', 'summary = """ours one\nours two\nours three"""')
    theirs = BASE.replace('summary = """line one\nline two"""', 'summary = """theirs\nnew"""')
    code, text, err = drive(tmp_path, BASE, ours, theirs)
    assert code == 1 and "<<<<<<<" in text
    for side, want in (("ours", "ours one\nours two\nours three"), ("theirs", "theirs\nnew")):
        data = tomllib.loads(keep(text, side))
        assert next(e for e in data["events"] if e["id"] == "e2")["summary"] == want


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    ours = BASE.replace('summary = "first"', 'summary = "first (ours)"')
    theirs = BASE + '\n[[visits]]\nid = "v1"\ndate = 2026-10-05\nby = "m1"\nseen = ["c1"]\n'
    code, text, err = drive(tmp_path, BASE, ours, theirs, nl="\r\n")
    raw = (tmp_path / "ours.toml").read_bytes()
    assert code == 0, err
    assert raw.count(b"\n") == raw.count(b"\r\n"), "every line ending must stay CRLF"
    assert "first (ours)" in text and "v1" in ids(text, "visits")


def test_their_deletion_of_a_record_after_a_triple_quote(tmp_path: Path) -> None:
    """Finding 1 through a merge: their deletion of e2 must not remove another record."""
    base = BASE.replace('summary = "first"', "summary = \"Mum wrote ''' on the door\"")
    base += '\n[[events]]\nid = "e3"\ndate = 2026-10-03\nkind = "note"\nsummary = "third"\n'
    base += '\n[[events]]\nid = "e4"\ndate = 2026-10-04\nkind = "note"\nsummary = "fourth"\n'
    theirs = re.sub(r'\n\[\[events\]\]\nid = "e3"\n[^\[]*', "\n", base)
    assert "e3" not in ids(theirs, "events")
    ours = base.replace('summary = "fourth"', 'summary = "fourth, edited"')
    code, text, err = drive(tmp_path, base, ours, theirs)
    assert code == 0, err
    assert ids(text, "events") == ["e1", "e2", "e4"]


def test_unit_merge_reports_what_it_renumbered() -> None:
    res = merge(BASE, BASE, BASE)
    assert res.text == BASE and not res.conflicts


def test_the_driver_started_as_git_starts_it_gives_the_same_result(tmp_path: Path) -> None:
    ours = BASE.replace('summary = "first"', 'summary = "first (ours)"')
    theirs = BASE + '\n[[visits]]\nid = "v1"\ndate = 2026-10-05\nby = "m1"\nseen = ["c1"]\n'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    here = drive(tmp_path / "a", BASE, ours, theirs)
    there = drive(tmp_path / "b", BASE, ours, theirs, process=True)
    assert here == there and here[0] == 0 and "first (ours)" in here[1] and 'id = "v1"' in here[1]


def test_a_file_that_is_not_utf8_is_left_as_git_gave_it(tmp_path: Path) -> None:
    for name, text in (("base", BASE), ("ours", BASE), ("theirs", BASE)):
        (tmp_path / f"{name}.toml").write_text(text)
    (tmp_path / "theirs.toml").write_bytes(BASE.encode() + b"# \xff\n")
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        code = main(["merge-driver", str(tmp_path / "base.toml"), str(tmp_path / "ours.toml"),
                     str(tmp_path / "theirs.toml"), "CP-M-1.toml"])
    assert code == 1 and (tmp_path / "ours.toml").read_text() == BASE
    assert buf.getvalue().startswith("cptui merge: CP-M-1.toml: cannot merge (")
    assert buf.getvalue().endswith("); the file is left as git gave it\n")


@pytest.mark.parametrize("rc, unsafe", [(255, True), (128, True), (-9, True), (127, False),
                                        (1, False)])
def test_when_gits_line_merge_fails_or_conflicts_the_whole_file_is_the_conflict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rc: int, unsafe: bool) -> None:
    """git merge-file exits with the number of conflicts (at most 127), or above 127 (or
    killed) when it failed; either way nothing of its output is used."""
    head, rest = BASE.split("\n[[children]]", 1)
    mk = lambda vs: head + "\nvisits = [" + ", ".join(vs) + "]\n\n[[children]]" + rest
    v1 = '{id = "v1", date = 2026-10-05, by = "m1", seen = ["c1"]}'
    ours = mk([v1]).replace('summary = "first"', 'summary = "first (ours)"')
    real = subprocess.run

    def git(args, **kw):
        if args[:2] == ["git", "merge-file"]:
            return subprocess.CompletedProcess(args, rc, b"half a merge\n", b"fatal: boom \xff\n")
        return real(args, **kw)

    monkeypatch.setattr(subprocess, "run", git)
    code, text, err = drive(tmp_path, mk([v1]), ours, mk([]))
    assert code == 1 and keep(text, "ours") == ours and keep(text, "theirs") == mk([])
    assert ("the line merge is not safe here (git merge-file failed: fatal: boom \ufffd)"
            in err) == unsafe  # git's own words, even when they are not UTF-8
    assert err.endswith(WHOLE_FILE)
