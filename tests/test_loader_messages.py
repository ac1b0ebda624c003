"""The loader's words, exactly: what a worker reads when a field has the wrong type,
is missing, or a record is unusable, and where it points.

Each message names the field and what it should be, in the words a person uses
("a number", "text", "true or false"), at the line to mend.
"""

from __future__ import annotations

import hashlib
from dataclasses import MISSING, fields
from datetime import date, datetime
from pathlib import Path

import pytest

from cptui.loader import kind_of, load_case
from cptui.problems import display_path
from cptui.records import KINDS
from test_loader import GOOD, problems

CONFERENCE = '\n[[conferences]]\nid = "k1"\nkind = "initial"\ndate = 2026-09-14\n'  # line 15 on


@pytest.mark.parametrize("value, words", [
    (True, "true/false"), (3, "a number"), (2.5, "a number"), ("x", "text"),
    (["c1"], "a list"), ({"a": 1}, "a table"), (date(2026, 1, 5), "date"),
    (datetime(2026, 1, 5, 9, 30), "datetime"),
])
def test_a_value_s_type_in_words(value: object, words: str) -> None:
    assert kind_of(value) == words


@pytest.mark.parametrize("extra, want", [
    ('children = "c1"\n', [(19, 12, "error", '`children` must be a list of ids like ["c1"]')]),
    ('children = ["c1", 2]\n', [(19, 12, "error", '`children` must be a list of ids like ["c1"]')]),
    ('quorate = "yes"\n', [(19, 11, "error", "`quorate` must be true or false, not text")]),
    ("quorate = 1\n", [(19, 11, "error", "`quorate` must be true or false, not a number")]),
    ("quorate = [true]\n", [(19, 11, "error", "`quorate` must be true or false, not a list")]),
    ("quorate = { a = 1 }\n",
     [(19, 11, "error", "`quorate` must be true or false, not a table")]),
    ("quorate = 1.5\n", [(19, 11, "error", "`quorate` must be true or false, not a number")]),
    ("quorate = 2026-01-05T09:30:00\n",
     [(19, 11, "error", "`quorate` must be true or false, not datetime")]),
])
def test_a_conference_field_of_the_wrong_type(tmp_path: Path, extra: str, want: list) -> None:
    assert problems(tmp_path, GOOD + CONFERENCE + extra) == want


def test_records_given_as_a_number_are_said_not_a_crash(tmp_path: Path) -> None:
    text = GOOD.replace('lead_social_worker = "m1"\n', 'lead_social_worker = "m1"\nvisits = 5\n')
    assert problems(tmp_path, text) == [
        (4, 10, "error", "`visits` must be an array of tables ([[visits]])")]


def test_a_visit_without_its_date_is_an_error_and_left_out(tmp_path: Path) -> None:
    path = tmp_path / "CP-X-1.toml"
    path.write_text(GOOD + '\n[[visits]]\nid = "v1"\nkind = "home"\n', encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert [(p.line, p.col, p.severity, p.message) for p in probs] == [
        (15, 1, "error", "missing `date`")]
    assert case is not None and case.visits == []


def test_a_child_without_a_name_is_an_error_and_goes_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "CP-X-1.toml"
    path.write_text(GOOD.replace('name = "Ava Example"\n', ""), encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert [(p.line, p.severity, p.message) for p in probs] == [(5, "error", "missing `name`")]
    assert case is not None and [c.name for c in case.children] == ["c1"]


def test_a_member_without_a_name_goes_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "CP-X-1.toml"
    path.write_text(GOOD.replace('name = "Sam Example"\n', ""), encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert [(p.line, p.severity, p.message) for p in probs] == [(11, "error", "missing `name`")]
    assert case is not None and [m.name for m in case.members] == ["m1"]


@pytest.mark.parametrize("dates, warned", [
    ("", True),
    ("date_of_birth = 2019-04-02\n", False),
    ("expected_date = 2027-01-10\n", False),
])
def test_a_child_needs_a_birth_or_expected_date(tmp_path: Path, dates: str, warned: bool) -> None:
    text = GOOD.replace("date_of_birth = 2019-04-02\n", dates)
    want = [(5, 1, "warning", "child 'c1' has neither `date_of_birth` nor `expected_date`")]
    assert problems(tmp_path, text) == (want if warned else [])


@pytest.mark.parametrize("due, want_due, want_text, msg", [
    ("2026-12-01", date(2026, 12, 1), None, None),
    ('"ASAP"', None, "ASAP", None),
    ('"2026-12-01"', None, None,
     "`due` is text, not a date (write it without quotes: due = 2026-12-01)"),
])
def test_an_action_due_date_words_or_a_quoted_date(
        tmp_path: Path, due: str, want_due: date | None, want_text: str | None,
        msg: str | None) -> None:
    text = GOOD + f'\n[[plan.actions]]\nid = "a1"\naction = "Visit"\ndue = {due}\n'
    path = tmp_path / "CP-X-1.toml"
    path.write_text(text, encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert case is not None
    action, = case.plan.actions
    assert (action.due, action.due_text) == (want_due, want_text)
    errs = [(p.line, p.message) for p in probs if p.severity == "error"]
    assert errs == ([(18, msg)] if msg else [])


@pytest.mark.parametrize("tail, want", [
    ("x = \n", (14, 5, "error", "invalid TOML: Invalid value")),
    ('id = "again"\n', (14, 13, "error", "invalid TOML: Cannot overwrite a value")),
])
def test_invalid_toml_is_said_once_with_its_place_not_in_the_words(
        tmp_path: Path, tail: str, want: tuple) -> None:
    assert problems(tmp_path, GOOD + tail) == [want]


def test_a_case_loaded_without_a_shown_name_names_its_path_and_keeps_its_digest(
        tmp_path: Path) -> None:
    """The digest is what a save compares with the file to refuse an external change."""
    path = tmp_path / "CP-X-1.toml"
    text = GOOD.replace('name = "Ava Example"\n', "")
    path.write_text(text, encoding="utf-8")
    case, probs = load_case(path)
    assert [p.path for p in probs] == [display_path(path)]
    assert case is not None and case.digest == hashlib.sha256(text.encode()).hexdigest()
    broken = tmp_path / "CP-X-2.toml"
    broken.write_text("x = \n", encoding="utf-8")
    case, probs = load_case(broken)
    assert case is None and [p.path for p in probs] == [display_path(broken)]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_field_left_out_gets_what_its_check_would_give(kind: str) -> None:
    """build_record skips a field the file does not give and leaves the declared default;
    that is right only while each default is what the field's check gives for nothing."""
    from cptui.loader import Checker, _plan

    cls = KINDS[kind].cls
    plan, _ = _plan(cls)
    defaults = {f.name: (f.default_factory() if f.default_factory is not MISSING else f.default)
                for f in fields(cls)}
    checker = Checker("x.toml", "")
    given = {
        "str": lambda name, f: checker.str_({}, (), name),
        "date": lambda name, f: checker.date_({}, (), name),
        "bool": lambda name, f: checker.bool_({}, (), name, f[4]),
        "opt_bool": lambda name, f: checker.opt_bool({}, (), name),
        "ids": lambda name, f: checker.ids({}, (), name),
    }
    for f in plan:
        name, check, required = f[0], f[1], f[2]
        if required:
            continue
        got = given[check](name, f)
        assert got is None or got == defaults[name], (name, got, defaults[name])
    assert checker.problems == []


@pytest.mark.parametrize("tail, want", [
    ("x = [1,\n", (14, 8, "error", "invalid TOML: Invalid value")),
    ('x = "unfinished', (14, 16, "error", "invalid TOML: Unterminated string")),
    ("[plan\n\n\n", (14, 6, "error", "invalid TOML: Expected ']' at the end of a table declaration")),
])
def test_a_file_that_ends_too_soon_is_pointed_at_where_it_ends(
        tmp_path: Path, tail: str, want: tuple) -> None:
    """The parser gives no position for an error at the end of the text; a line and
    column are still what a person needs to find it."""
    assert problems(tmp_path, GOOD + tail) == [want]


@pytest.mark.parametrize("value", ['"1"', "true", "1.0"])
def test_a_schema_that_is_not_a_whole_number(tmp_path: Path, value: str) -> None:
    text = GOOD.replace("schema = 1\n", f"schema = {value}\n")
    assert problems(tmp_path, text) == [(1, 10, "error", "`schema` must be a whole number")]


@pytest.mark.parametrize("value, words", [('"yes"', "text"), ("1", "a number")])
def test_interpreter_present_is_yes_no_or_left_out(tmp_path: Path, value: str,
                                                   words: str) -> None:
    """Left out means "not recorded"; anything but true or false is said, in words."""
    text = GOOD + CONFERENCE + f"interpreter_present = {value}\n"
    assert problems(tmp_path, text) == [
        (19, 23, "error", f"`interpreter_present` must be true or false, not {words}")]


def test_a_record_without_a_usable_id_is_said_and_the_next_one_still_loads(
        tmp_path: Path) -> None:
    text = GOOD + ('\n[[visits]]\nid = 5\ndate = 2026-10-01\n'
                   '\n[[visits]]\ndate = 2026-10-02\n'
                   '\n[[visits]]\nid = "v3"\ndate = 2026-10-03\n'
                   '\n[[visits]]\nid = "v3"\ndate = 2026-10-04\n'
                   '\n[[visits]]\nid = "v5"\ndate = 2026-10-05\n'
                   '\n[[plan.actions]]\naction = "Visit"\n')
    path = tmp_path / "CP-X-1.toml"
    path.write_text(text, encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert [(p.line, p.message) for p in probs] == [
        (15, "each [[visits]] needs a text `id`"),
        (19, "each [[visits]] needs a text `id`"),
        (27, "duplicate id 'v3' in `visits`: ids must be unique"),
        (34, "each [[plan.actions]] needs a text `id`"),
    ]
    assert case is not None and [v.id for v in case.visits] == ["v3", "v5"]


@pytest.mark.parametrize("old, new, want", [
    ("schema = 1", "schema = 2", (1, 10, "error", "schema 2 is newer than this cptui understands "
                                  "(1); the file is left untouched (read-only): upgrade cptui to "
                                  "use it")),
    ('id = "CP-X-1"', 'id = "CP X/1"',
     (2, 6, "error", "id 'CP X/1' may use only letters, digits, '-' and '_'")),
    ('id = "CP-X-1"', 'id = "CP-X-9"',
     (2, 6, "error", "id 'CP-X-9' does not match the file name 'CP-X-1.toml'")),
    ('lead_social_worker = "m1"', 'procedure = 5\nlead_social_worker = "m1"',
     (3, 13, "error", "`procedure` must be text, not a number")),
    ('lead_social_worker = "m1"', "lead_social_worker = 5",
     (3, 22, "error", "`lead_social_worker` must be text, not a number")),
    ('lead_social_worker = "m1"', 'lead_social_worker = "m1"\nteam_manager = 5',
     (4, 16, "error", "`team_manager` must be text, not a number")),
    ('lead_social_worker = "m1"', 'lead_social_worker = "m1"\nclosed = "soon"',
     (4, 10, "error", "`closed` must be a date like 2026-01-14, not text 'soon'")),
    ('lead_social_worker = "m1"', 'lead_social_worker = "m1"\ninterpreter = 5',
     (4, 15, "error", "`interpreter` must be text, not a number")),
])
def test_the_case_s_own_fields_are_checked_where_they_are(tmp_path: Path, old: str, new: str,
                                                           want: tuple) -> None:
    assert problems(tmp_path, GOOD.replace(old, new)) == [want]


def test_a_case_keeps_the_id_its_file_gives_and_problems_the_name_shown(tmp_path: Path) -> None:
    path = tmp_path / "CP-X-1.toml"
    path.write_text(GOOD.replace('id = "CP-X-1"', 'id = "CP-X-9"'), encoding="utf-8")
    case, probs = load_case(path, shown="cases/CP-X-1.toml")
    assert case is not None and case.id == "CP-X-9"  # what the file says, for the message
    assert [p.path for p in probs] == ["cases/CP-X-1.toml"]
    path.write_text("x = \n", encoding="utf-8")
    case, probs = load_case(path, shown="cases/CP-X-1.toml")
    assert case is None and [p.path for p in probs] == ["cases/CP-X-1.toml"]


def test_a_side_that_begins_with_values_is_a_field_conflict_even_if_a_record_follows() -> None:
    """Only a record header in a side's first three lines makes it a whole-record conflict;
    values first are taken as edits to the record above (their fields are named)."""
    from cptui.loader import describe_conflicts

    lines = ["[[visits]]", 'id = "v1"', "<<<<<<< HEAD", "a = 1", "b = 2", "c = 3",
             "[[visits]]", 'id = "v2"', "=======", ">>>>>>> theirs"]
    (line, msg), = describe_conflicts(lines)
    assert line == 3 and msg.startswith("unresolved git conflict in visits v1, field a, b, c, id:")


def test_the_plan_s_own_text_is_read_and_checked(tmp_path: Path) -> None:
    text = GOOD + ('\n[plan]\ncontingency = "If the family moves, the core group meets."\n'
                   'child_views = "Ava likes school."\nparent_views = "They want help."\n'
                   'disagreements = "Mum disagrees with the category."\n')
    path = tmp_path / "CP-X-1.toml"
    path.write_text(text, encoding="utf-8")
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert probs == [] and case is not None
    assert (case.plan.contingency, case.plan.child_views, case.plan.parent_views,
            case.plan.disagreements) == ("If the family moves, the core group meets.",
                                         "Ava likes school.", "They want help.",
                                         "Mum disagrees with the category.")
    assert problems(tmp_path, GOOD + "\n[plan]\ncontingency = 5\n") == [
        (16, 15, "error", "`contingency` must be text, not a number")]


@pytest.mark.parametrize("value", ['"later"', "5", "[1]"])
def test_a_plan_that_is_not_a_table(tmp_path: Path, value: str) -> None:
    text = GOOD.replace('lead_social_worker = "m1"', f'lead_social_worker = "m1"\nplan = {value}')
    assert problems(tmp_path, text) == [(4, 8, "error", "`plan` must be a table ([plan])")]


def _said(path: Path, shown: str) -> list[tuple]:
    case, probs = load_case(path, shown=shown)
    return [(case is None, p.path, p.line, p.severity, p.message) for p in probs]


def test_files_cptui_will_not_read_say_why(tmp_path: Path) -> None:
    from cptui.loader import MAX_BYTES

    folder = tmp_path / "cases"
    folder.mkdir()
    outside = tmp_path / "outside.toml"
    outside.write_text(GOOD, encoding="utf-8")
    link = folder / "CP-X-1.toml"
    link.symlink_to(outside)
    assert _said(link, "CP-X-1.toml") == [
        (True, "CP-X-1.toml", None, "error", "is a link to a file outside the cases folder; "
                                             "not read")]
    (folder / "CP-X-2.toml").mkdir()
    assert _said(folder / "CP-X-2.toml", "CP-X-2.toml") == [
        (True, "CP-X-2.toml", None, "error", "cannot be read: Is a directory")]
    big = folder / "CP-X-3.toml"
    big.write_text(GOOD.replace("CP-X-1", "CP-X-3") + "# " + "x" * (6 * 1024 * 1024) + "\n",
                   encoding="utf-8")
    assert _said(big, "CP-X-3.toml") == [
        (True, "CP-X-3.toml", None, "error",
         "is 6144 KB; a case file is never this large, so it was not read")]
    body = GOOD.replace("CP-X-1", "CP-X-4") + "#"
    exact = folder / "CP-X-4.toml"  # exactly the limit: still read
    exact.write_text(body + "x" * (MAX_BYTES - len(body) - 1) + "\n", encoding="utf-8")
    assert exact.stat().st_size == MAX_BYTES and _said(exact, "CP-X-4.toml") == []


def test_a_byte_order_mark_is_a_warning_at_the_start(tmp_path: Path) -> None:
    path = tmp_path / "CP-X-1.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    case, probs = load_case(path, shown="CP-X-1.toml")
    assert case is not None and [(p.path, p.line, p.col, p.severity, p.message) for p in probs] == [
        ("CP-X-1.toml", 1, 1, "warning", "starts with a byte order mark (BOM); read without it")]


def test_invalid_utf8_on_a_line_after_an_empty_first_line(tmp_path: Path) -> None:
    """The column counts from the line's own start, whatever line that is."""
    assert problems(tmp_path, b"\nid = \"\xff\"\n") == [
        (2, 7, "error", "is not valid UTF-8 text (save it as UTF-8)")]


@pytest.mark.parametrize("marker", ["<<<<<<< HEAD", "=======", ">>>>>>> theirs", "||||||| base"])
def test_one_lone_marker_of_any_kind_is_said_as_a_conflict_marker(tmp_path: Path,
                                                                 marker: str) -> None:
    """Never "invalid TOML": the words must send a person to git, not to the syntax."""
    text = GOOD.replace('lead_social_worker = "m1"\n', f'lead_social_worker = "m1"\n{marker}\n')
    want = ("unresolved git conflict: markers are incomplete; fix by hand"
            if marker.startswith("<") else
            "unresolved git conflict: a stray conflict marker; remove it")
    assert problems(tmp_path, text) == [(4, 1, "error", want)]


@pytest.mark.parametrize("value, msg", [
    ('"2026-02-30"', "`date` is text, not a date (and it is not a real date)"),
    ('"2026-02-03"', "`date` is text, not a date (write it without quotes: date = 2026-02-03)"),
    ("5", "`date` must be a date like 2026-01-14, not a number 5"),
    ('"soon"', "`date` must be a date like 2026-01-14, not text 'soon'"),
])
def test_a_date_that_is_not_a_date(tmp_path: Path, value: str, msg: str) -> None:
    text = GOOD + f'\n[[visits]]\nid = "v1"\ndate = {value}\n'
    assert problems(tmp_path, text) == [(17, 8, "error", msg)]


def test_an_end_too_soon_after_blank_first_lines_and_nesting_too_deep(tmp_path: Path) -> None:
    assert problems(tmp_path, "\n\n" + GOOD + "x = [1,\n") == [
        (16, 8, "error", "invalid TOML: Invalid value")]
    assert problems(tmp_path, GOOD + "x = " + "[" * 5000 + "]" * 5000 + "\n") == [
        (None, None, "error", "invalid TOML: nested too deeply to read")]
