"""Writing case files: minimal diffs, comments kept, atomic, never over others' edits."""

from __future__ import annotations

import hashlib
import subprocess
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DEMO, diff
from cptui.forms import FORMS, changes, show, validate
from cptui.loader import load_case
from cptui.storage import ARRAYS, CaseFile, ExternalChange, SaveError, chunks, create_case, new_case_text

DEMO_FILES = sorted(p for p in DEMO.glob("CP-*.toml"))


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_noop_save_is_byte_identical(tmp_path: Path, path: Path) -> None:
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    before = copy.stat().st_mtime_ns
    CaseFile(copy).save()
    assert copy.read_bytes() == path.read_bytes() and copy.stat().st_mtime_ns == before


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_untouched_form_changes_nothing(path: Path, today: date) -> None:
    """Open every record's form and save it untouched: the change set is empty."""
    data = tomllib.loads(path.read_text())
    for kind, (array, _) in ARRAYS.items():
        node = data
        for part in array:
            node = node.get(part, {})
        for rec in node or []:
            if kind == "action" and isinstance(rec.get("due"), str):
                continue  # "ASAP" must be fixed before an action form can be saved
            shown = {f.key: show(f, rec.get(f.key)) for f in FORMS[kind]}
            values, errors = validate(kind, shown, today)
            assert not errors, (kind, rec["id"], errors)
            assert changes(kind, rec, values) == {}, (kind, rec["id"])


def test_edit_changes_only_edited_lines_and_keeps_comments(repo: Path) -> None:
    cf = CaseFile(repo / "CP-2026-0001.toml")
    cf.update("conference", "k1", {"decisions_circulated": date(2026, 9, 16)})
    cf.update("action", "a2", {"status": "done", "done": date(2026, 11, 23)})
    cf.save()
    assert diff(repo) == [
        "-decisions_circulated = 2026-09-18   # late: due within 2 working days",
        "+decisions_circulated = 2026-09-16   # late: due within 2 working days",
        '-status = "open"',
        '+status = "done"',
        "+done = 2026-11-23",
    ]
    text = (repo / "CP-2026-0001.toml").read_text()
    assert text.startswith("# Siblings on a plan for neglect.")


def test_split_array_is_edited_in_place(repo: Path) -> None:
    """CP-2026-0005 has a [[core_groups]] after the visits; it must stay there."""
    cf = CaseFile(repo / "CP-2026-0005.toml")
    cf.update("core_group", "g2", {"status": "held", "date": date(2026, 11, 20)})
    cf.save()
    assert diff(repo) == ["-date = 2026-11-21", '-status = "scheduled"', "+date = 2026-11-20",
                          '+status = "held"']


def test_add_and_delete_records(repo: Path) -> None:
    cf = CaseFile(repo / "CP-2026-0005.toml")
    rid = cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": []})
    cf.delete("visit", "v2")
    cf.save()
    case, probs = load_case(repo / "CP-2026-0005.toml")
    assert rid == "v4" and [v.id for v in case.visits] == ["v1", "v3", "v4"]
    assert case.visits[-1].seen == [] and not [p for p in probs if p.severity == "error"]
    text = (repo / "CP-2026-0005.toml").read_text()
    assert "No answer at the door." not in text
    assert '[[visits]]\nid = "v4"\ndate = 2026-11-23\nby = "m1"\nseen = []\n' in text
    numstat = subprocess.run(["git", "diff", "--numstat"], cwd=repo, capture_output=True, text=True).stdout
    added, removed = (int(x) for x in numstat.split()[:2])
    # The edit adds 5 lines and a blank and removes 6 and a blank; the diff is no larger.
    assert added - removed == -1 and added <= 6 and removed <= 7


def test_new_ids_are_unique_per_array(repo: Path, today: date) -> None:
    cf = CaseFile(repo / "CP-2026-0001.toml")
    assert cf.new_id("visit") == "v7" and cf.new_id("member") == "m6" and cf.new_id("outcome") == "o3"
    with pytest.raises(SaveError, match="already used"):
        cf.add("visit", {"id": "v1", "date": today})


def test_external_change_is_refused(repo: Path) -> None:
    path = repo / "CP-2026-0001.toml"
    loaded = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(path.read_text().replace("Sam Patel", "Sam Q Patel"))  # someone else's edit
    with pytest.raises(ExternalChange, match="changed on disk"):
        CaseFile(path, loaded)
    cf = CaseFile(path)  # and a change between reading and writing
    cf.update("visit", "v1", {"notes": "x"})
    path.write_text(path.read_text() + "\n# another edit\n")
    with pytest.raises(ExternalChange):
        cf.save()
    assert path.read_text().endswith("# another edit\n")


def test_edit_that_would_break_the_file_is_refused(repo: Path) -> None:
    path = repo / "CP-2026-0001.toml"
    before = path.read_bytes()
    cf = CaseFile(path)
    cf.delete("member", "m3")  # still an owner, an attendee, a core group member...
    with pytest.raises(SaveError, match="unknown member 'm3'"):
        cf.save()
    assert path.read_bytes() == before
    assert not list(repo.glob(".*.tmp"))


def test_create_case_atomic_private_and_valid(tmp_path: Path) -> None:
    root = {"schema": 1, "id": "CP-2026-0100", "procedure": "hillingdon", "lead_social_worker": "m1"}
    text = new_case_text(root, {"name": "Nova Example", "date_of_birth": date(2020, 1, 2)},
                         {"name": "Lee Example", "role": "Lead social worker", "core_group": True})
    path = create_case(tmp_path, "CP-2026-0100", text)
    case, probs = load_case(path)
    assert case.procedure == "hillingdon" and case.children[0].name == "Nova Example"
    assert case.member_name(case.lead_social_worker) == "Lee Example" and not probs
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(SaveError, match="already exists"):
        create_case(tmp_path, "CP-2026-0100", text)


def test_chunks_follow_headers_and_skip_multiline_strings() -> None:
    lines = ['a = 1\n', '\n', '[[x]]\n', 'n = """\n', '[[y]]\n', '"""\n', '# about x\n', '[[x]]\n', 'id = 2\n']
    got = [(c.start, c.end, c.path) for c in chunks(lines)]
    assert got == [(0, 2, ()), (2, 6, ("x", 0)), (6, 9, ("x", 1))]


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
dates = st.dates(min_value=date(2001, 1, 1), max_value=date(2044, 12, 31))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=dates, summary=texts, significant=st.booleans(), confidential=st.booleans(),
       hour=st.integers(0, 23), minute=st.integers(0, 59), notes=texts)
def test_round_trip_model_toml_model(tmp_path: Path, when, summary, significant, confidential,
                                     hour, minute, notes) -> None:
    path = tmp_path / "CP-RT-1.toml"
    path.write_text('schema = 1\nid = "CP-RT-1"\n\n[[members]]\nid = "m1"\nname = "Ri Example"\n')
    cf = CaseFile(path)
    eid = cf.add("event", {"date": when, "kind": "note", "summary": summary,
                           "significant": significant, "confidential": confidential})
    at = datetime(when.year, when.month, when.day, hour, minute)
    gid = cf.add("core_group", {"date": at, "status": "held", "chair": "m1", "notes": notes})
    cf.save()
    case, probs = load_case(path)
    assert not [p for p in probs if p.severity == "error"]
    e = next(x for x in case.events if x.id == eid)
    assert (e.date, e.summary, e.significant, e.confidential) == (when, summary, significant, confidential)
    g = next(x for x in case.core_groups if x.id == gid)
    assert (g.date, g.at, g.notes, g.chair) == (when, at, notes, "m1")
    CaseFile(path).save()  # and a no-op save after that changes nothing
    assert load_case(path)[0].events[0].summary == summary


def test_a_case_file_that_is_a_link_is_saved_through_it(tmp_path: Path) -> None:
    """A link inside the cases folder is read (the loader allows it); a save replaced the
    link with a plain file, so the file it pointed to never got the edit."""
    folder = tmp_path / "cases"
    (folder / "store").mkdir(parents=True)
    real = folder / "store" / "CP-2026-0001.toml"
    real.write_bytes((DEMO / "CP-2026-0001.toml").read_bytes())
    link = folder / "CP-2026-0001.toml"
    link.symlink_to(Path("store") / "CP-2026-0001.toml")
    cf = CaseFile(link)
    cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": ["c1"]})
    cf.save()
    assert link.is_symlink() and 'date = 2026-11-23' in real.read_text()
    outside = tmp_path / "elsewhere.toml"
    outside.write_bytes(real.read_bytes())
    link.unlink()
    link.symlink_to(outside)  # changed since: now pointing out of the folder
    cf = CaseFile(link)
    cf.add("visit", {"date": date(2026, 11, 24), "by": "m1", "seen": ["c1"]})
    with pytest.raises(SaveError, match="outside the cases folder"):
        cf.save()
    assert link.is_symlink() and "2026-11-24" not in outside.read_text()
