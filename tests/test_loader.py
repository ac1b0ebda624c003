"""Bad input, one test per kind: a clear problem with a position, never a crash."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from cptui.caseload import load_caseload
from cptui.loader import load_case

GOOD = '''schema = 1
id = "CP-X-1"
lead_social_worker = "m1"

[[children]]
id = "c1"
name = "Ava Example"
date_of_birth = 2019-04-02
plan_start = 2026-09-14

[[members]]
id = "m1"
name = "Sam Example"
'''


def write(tmp_path: Path, text: str | bytes, stem: str = "CP-X-1") -> Path:
    p = tmp_path / f"{stem}.toml"
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path: Path, text: str | bytes, stem: str = "CP-X-1") -> list[tuple]:
    case, probs = load_case(write(tmp_path, text, stem), shown=f"{stem}.toml")
    return [(p.line, p.col, p.severity, p.message) for p in probs]


def errors(tmp_path: Path, text: str | bytes, stem: str = "CP-X-1") -> list[tuple]:
    return [p for p in problems(tmp_path, text, stem) if p[2] == "error"]


def test_good_file_has_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD) == []


def test_git_conflict_markers(tmp_path: Path) -> None:
    text = GOOD + '<<<<<<< HEAD\nclosed = 2026-10-01\n=======\nclosed = 2026-10-02\n>>>>>>> theirs\n'
    errs = errors(tmp_path, text)
    assert errs == [(14, 1, "error", "unresolved git conflict in members m1, field closed: "
                     "ours closed = 2026-10-01 | theirs closed = 2026-10-02 — keep one and delete the marker lines")]


def test_invalid_utf8(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD.encode().replace(b"Ava", b"Av\xe9"))
    assert errs == [(7, 11, "error", "is not valid UTF-8 text (save it as UTF-8)")]


def test_bom_is_a_warning_and_the_file_still_loads(tmp_path: Path) -> None:
    case, probs = load_case(write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode()))
    assert case is not None and case.children[0].name == "Ava Example"
    assert [(p.severity, "byte order mark" in p.message) for p in probs] == [("warning", True)]


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert [e[3] for e in errors(tmp_path, text)] == [
        "file is empty: a case file needs at least `schema` and `id`"]


def test_deep_nesting(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert len(errs) == 1 and "nested too deeply" in errs[0][3]


def test_toml_syntax_error_position(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD + 'notes = "unterminated\n')
    assert errs[0][:2] == (14, 22) and errs[0][3].startswith("invalid TOML")


def test_wrong_value_types(tmp_path: Path) -> None:
    text = GOOD.replace('name = "Ava Example"', "name = 5").replace(
        'id = "m1"\nname = "Sam Example"', 'id = "m1"\nname = "Sam Example"\ncore_group = "yes"')
    errs = errors(tmp_path, text)
    assert (7, 8, "error", "`name` must be text, not a number") in errs
    assert (14, 14, "error", "`core_group` must be true or false, not text") in errs


def test_impossible_date_unquoted(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD.replace("2019-04-02", "2019-02-30"))
    assert errs == [(8, 17, "error", "invalid TOML: not a real date or date-time (check the day and month)")]


def test_date_written_as_text(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD.replace("plan_start = 2026-09-14", 'plan_start = "2026-09-14"'))
    assert errs == [(9, 14, "error", "`plan_start` is text, not a date (write it without quotes: plan_start = 2026-09-14)")]
    errs = errors(tmp_path, GOOD.replace("plan_start = 2026-09-14", 'plan_start = "2026-02-31"'))
    assert "not a real date" in errs[0][3]
    errs = errors(tmp_path, GOOD.replace("plan_start = 2026-09-14", 'plan_start = "next week"'))
    assert errs[0][3].startswith("`plan_start` must be a date like 2026-01-14")


def test_duplicate_ids_in_an_array(tmp_path: Path) -> None:
    text = GOOD + '\n[[members]]\nid = "m1"\nname = "Someone Else"\n'
    assert errors(tmp_path, text) == [(16, 6, "error", "duplicate id 'm1' in `members`: ids must be unique")]


def test_duplicate_keys(tmp_path: Path) -> None:
    errs = errors(tmp_path, GOOD.replace('name = "Ava Example"', 'name = "Ava Example"\nname = "Ava Two"'))
    assert errs[0][0] == 8 and "invalid TOML" in errs[0][3]


def test_unknown_references(tmp_path: Path) -> None:
    text = GOOD.replace('lead_social_worker = "m1"', 'lead_social_worker = "m9"') + '''
[[visits]]
id = "v1"
date = 2026-10-01
by = "m1"
seen = ["c1", "c7"]

[[plan.outcomes]]
id = "o1"

[[plan.actions]]
id = "a1"
outcome = "o2"
owner = "m1"
due = 2026-12-01
'''
    errs = errors(tmp_path, text)
    assert (3, 22, "error", "`lead_social_worker` names unknown member 'm9'") in errs
    assert (19, 15, "error", "`seen` names unknown child 'c7'") in errs
    assert (26, 11, "error", "`outcome` names unknown outcome 'o2'") in errs
    assert len(errs) == 3


@pytest.mark.parametrize("line,msg", [
    ('[[children]]\nid = "c2"\nname = "B"\ndate_of_birth = 2020-01-01\ncategory = "sadness"', "`category` is 'sadness'; expected one of: physical, emotional, sexual, neglect"),
    ('[[conferences]]\nid = "k1"\nkind = "big"\ndate = 2026-01-01',
     "`kind` is 'big'; expected one of: initial, review, transfer, pre_birth"),
    ('[[core_groups]]\nid = "g1"\ndate = 2026-01-01\nstatus = "maybe"',
     "`status` is 'maybe'; expected one of: held, scheduled, cancelled"),
])
def test_enum_values(tmp_path: Path, line: str, msg: str) -> None:
    assert [e[3] for e in errors(tmp_path, GOOD + line + "\n")] == [msg]


def test_id_must_equal_stem(tmp_path: Path) -> None:
    assert errors(tmp_path, GOOD, stem="CP-X-2") == [
        (2, 6, "error", "id 'CP-X-1' does not match the file name 'CP-X-2.toml'")]


def test_missing_schema_and_id(tmp_path: Path) -> None:
    errs = errors(tmp_path, '[[children]]\nid = "c1"\nname = "A"\ndate_of_birth = 2020-01-01\n')
    assert [e[3] for e in errs] == ["missing `schema` (add `schema = 1` at the top)", "missing `id`"]


def test_newer_schema_is_read_only_with_clear_message(tmp_path: Path) -> None:
    case, probs = load_case(write(tmp_path, GOOD.replace("schema = 1", "schema = 2")))
    assert case is None
    assert "schema 2 is newer than this cptui understands (1)" in probs[0].message
    assert "read-only" in probs[0].message


def test_unknown_procedure_in_case_and_settings(tmp_path: Path, today: date) -> None:
    write(tmp_path, GOOD.replace('id = "CP-X-1"', 'id = "CP-X-1"\nprocedure = "atlantis"'))
    load = load_caseload(tmp_path, today)
    assert [p.message.split(";")[0] for p in load.problems] == ["unknown procedure profile 'atlantis'"]
    assert load.problems[0].line == 3 and load.broken and not load.cases
    write(tmp_path, GOOD)
    (tmp_path / "cptui.toml").write_text('procedure = "atlantis"\n')
    load = load_caseload(tmp_path, today)
    assert any(p.path.endswith("cptui.toml") and "atlantis" in p.message for p in load.problems)
    assert not load.cases  # never silently computed with a different profile


def test_broken_file_never_stops_others_and_is_never_written(tmp_path: Path, today: date) -> None:
    write(tmp_path, GOOD)
    bad = write(tmp_path, "schema = 1\nid = \n", stem="CP-X-2")
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    load = load_caseload(tmp_path, today)
    assert [cv.case.id for cv in load.cases] == ["CP-X-1"]
    assert [b.stem for b in load.broken] == ["CP-X-2"]
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before


def test_symlink_out_of_folder_is_refused(tmp_path: Path, today: date) -> None:
    outside = tmp_path / "elsewhere.toml"
    outside.write_text(GOOD)
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "CP-X-1.toml").symlink_to(outside)
    load = load_caseload(folder, today)
    assert not load.cases and "outside the cases folder" in load.problems[0].message


def test_action_due_as_text_loads_but_is_flagged(tmp_path: Path, today: date) -> None:
    text = GOOD + '\n[[plan.actions]]\nid = "a1"\naction = "Go"\nowner = "m1"\ndue = "ASAP"\n'
    write(tmp_path, text)
    load = load_caseload(tmp_path, today)
    assert load.cases[0].case.plan.actions[0].due_text == "ASAP"
    assert [(p.code, p.line) for p in load.problems] == [("smart_action", 15)]


def test_settings_problems(tmp_path: Path, today: date) -> None:
    write(tmp_path, GOOD)
    (tmp_path / "cptui.toml").write_text('warn = "soon"\n[timescales]\nvisits = "1 week"\nvisit = "x"\n')
    msgs = [(p.line, p.message[:30]) for p in load_caseload(tmp_path, today).problems]
    assert msgs == [(1, "timescale 'soon' is not a whol"), (3, "unknown timescale 'visits'; kn"),
                    (4, "timescale 'x' is not a whole n")]


def test_plan_end_before_plan_start_is_an_error(tmp_path: Path, today: date) -> None:
    """Issue 19: a plan end typed a year early would silently drop every plan deadline."""
    early = GOOD.replace("plan_start = 2026-09-14", "plan_start = 2026-09-14\nplan_end = 2025-09-14")
    assert errors(tmp_path, early) == [(10, 12, "error", "`plan_end` is before `plan_start`")]
    assert load_caseload(tmp_path, today).broken  # so it is never used for deadlines
    same_day = GOOD.replace("plan_start = 2026-09-14", "plan_start = 2026-09-14\nplan_end = 2026-09-14")
    assert errors(tmp_path, same_day) == []


def test_plan_sent_and_interpreter_present_load(tmp_path: Path) -> None:
    text = GOOD + '\n[[core_groups]]\nid = "g1"\ndate = 2026-09-24\nplan_sent = 2026-09-28\ninterpreter_present = false\n'
    case, probs = load_case(write(tmp_path, text))
    assert probs == [] and case is not None
    assert (case.core_groups[0].plan_sent, case.core_groups[0].interpreter_present) == (date(2026, 9, 28), False)


def test_a_file_that_trips_a_bug_is_reported_and_never_stops_the_others(
        tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong inside cptui while reading one file (a bug, like the conflict
    markers out of order that once raised StopIteration), that file is reported broken,
    in words, and every other file still loads."""
    from cptui import caseload as caseload_mod

    folder = tmp_path / "cases"
    folder.mkdir()
    for stem in ("CP-X-1", "CP-X-2"):
        (folder / f"{stem}.toml").write_text(GOOD.replace("CP-X-1", stem), encoding="utf-8")
    real = caseload_mod.build_case

    def buggy(path, *args, **kwargs):
        if path.name == "CP-X-2.toml":
            raise StopIteration  # what a bug looks like from here
        return real(path, *args, **kwargs)

    monkeypatch.setattr(caseload_mod, "build_case", buggy)
    load = load_caseload(folder, today, use_cache=False)
    assert [cv.id for cv in load.cases] == ["CP-X-1"]
    broken, = load.broken
    assert broken.path.name == "CP-X-2.toml"
    err = broken.first_error
    assert "cptui could not read this file" in err.message and "StopIteration" in err.message


MARKED = GOOD + '''
[[visits]]
id = "v1"
date = 2026-11-02
by = "m1"
seen = ["c1"]
notes = "Ava said she is frightened of dad."
{key} = true
'''


@pytest.mark.parametrize("key, says", [
    ("confidental", "`confidental` is not `confidential`: this record is NOT left out"),
    ("Confidential", "`Confidential` is not `confidential`: this record is NOT left out"),
    ("restricted", "`restricted` does nothing: only `confidential = true`"),
    ("confidential", None),
    ("reviewed_by_chair", None),  # a team's own key: kept, never questioned
])
def test_a_confidential_marker_cptui_would_ignore_is_a_warning(tmp_path: Path, key: str,
                                                              says: str | None) -> None:
    """A misspelt or unsupported marker hid nothing, silently: the visit's notes went
    into every parent's copy while the worker believed them hidden."""
    got = problems(tmp_path, MARKED.format(key=key))
    if says is None:
        assert got == []
        return
    line = MARKED.format(key=key).splitlines().index(f"{key} = true") + 1
    assert len(got) == 1 and got[0][0] == line and got[0][2] == "warning", got
    assert got[0][1] is not None and got[0][3].startswith(says), got


@pytest.mark.parametrize("where, says", [
    ("top", "`confidential` on the case itself hides nothing"),
    ("plan", "`confidential` on [plan] hides nothing"),
])
def test_confidential_on_a_whole_case_or_plan_is_a_warning(tmp_path: Path, where: str,
                                                           says: str) -> None:
    text = (GOOD.replace('lead_social_worker = "m1"\n', 'lead_social_worker = "m1"\nconfidential = true\n')
            if where == "top" else GOOD + '\n[plan]\ncontingency = "Legal advice."\nconfidential = true\n')
    got = problems(tmp_path, text)
    assert len(got) == 1 and got[0][2] == "warning" and got[0][3].startswith(says), got
    assert got[0][0] == text.splitlines().index("confidential = true") + 1


def test_a_misspelt_marker_on_the_case_itself_is_a_warning_too(tmp_path: Path) -> None:
    text = GOOD.replace('lead_social_worker = "m1"\n', 'lead_social_worker = "m1"\nconfidental = true\n')
    got = problems(tmp_path, text)
    assert [(p[0], p[2]) for p in got] == [(4, "warning")]
    assert got[0][3].startswith("`confidental` is not `confidential`")
