"""The record merge, case by case, in this process: what each side did, what the
merged file says, and the conflicts it names.

From the mutation run of ``cptui/merge.py``: the driver's tests ran it as git does,
in a process of its own, so most of the merge was never seen running; these say
exactly what a worker gets back for each kind of change.
"""

from __future__ import annotations

import pytest

from cptui import tomlread as tomllib
from cptui.merge import Unsupported, _account, _inline, _keep, _records, merge, whole_file_conflict

BASE = '''schema = 1
id = "CP-M-2"
lead_social_worker = "m1"

[[members]]
id = "m1"
name = "Sam Patel"

[[events]]
id = "e1"
date = 2026-10-01
summary = "first"

[[events]]
id = "e2"
date = 2026-10-02
summary = "second"

[plan]
contingency = "Legal advice."

[[plan.actions]]
id = "a1"
action = "Visit weekly."
owner = "m1"
'''

E3 = '\n[[events]]\nid = "e3"\ndate = 2026-10-03\nsummary = "third"\n'


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def drop(text: str, block: str) -> str:
    assert block in text, block
    return text.replace(block, "", 1)


E1 = '\n[[events]]\nid = "e1"\ndate = 2026-10-01\nsummary = "first"\n'
E2 = '\n[[events]]\nid = "e2"\ndate = 2026-10-02\nsummary = "second"\n'

CLEAN = [
    # (what happened, ours, theirs, the merged text)
    ("they added a record, we changed another",
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')),
     edit(BASE, (E2, E2 + E3)),
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"'), (E2, E2 + E3))),
    ("they deleted a record we left alone",
     edit(BASE, ('name = "Sam Patel"', 'name = "Sam Q Patel"')),
     drop(BASE, E1),
     drop(edit(BASE, ('name = "Sam Patel"', 'name = "Sam Q Patel"')), E1)),
    ("we deleted a record they left alone",
     drop(BASE, E2), edit(BASE, ('name = "Sam Patel"', 'name = "Sam Q Patel"')),
     drop(edit(BASE, ('name = "Sam Patel"', 'name = "Sam Q Patel"')), E2)),
    ("different fields of one record",
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')),
     edit(BASE, ('date = 2026-10-01', 'date = 2026-09-30')),
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"'),
          ('date = 2026-10-01', 'date = 2026-09-30'))),
    ("the same change on both sides",
     edit(BASE, ('summary = "second"', 'summary = "2nd"')),
     edit(BASE, ('summary = "second"', 'summary = "2nd"')),
     edit(BASE, ('summary = "second"', 'summary = "2nd"'))),
    ("their change to the case's own keys and to the plan",
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')),
     edit(BASE, ('lead_social_worker = "m1"', 'lead_social_worker = "m1"\nteam_manager = "m1"'),
          ('contingency = "Legal advice."', 'contingency = "Legal advice at the review."')),
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"'),
          ('lead_social_worker = "m1"', 'lead_social_worker = "m1"\nteam_manager = "m1"'),
          ('contingency = "Legal advice."', 'contingency = "Legal advice at the review."'))),
    ("their change to a plan action",
     edit(BASE, ('summary = "second"', 'summary = "2nd"')),
     edit(BASE, ('action = "Visit weekly."', 'action = "Visit twice a week."')),
     edit(BASE, ('summary = "second"', 'summary = "2nd"'),
          ('action = "Visit weekly."', 'action = "Visit twice a week."'))),
    ("both added the same record",
     edit(BASE, (E2, E2 + E3)), edit(BASE, (E2, E2 + E3)), edit(BASE, (E2, E2 + E3))),
    ("we added a record",
     edit(BASE, (E2, E2 + E3)), edit(BASE, ('name = "Sam Patel"', 'name = "Sam Q Patel"')),
     edit(BASE, (E2, E2 + E3), ('name = "Sam Patel"', 'name = "Sam Q Patel"'))),
    ("both deleted the same record", drop(BASE, E1), drop(BASE, E1), drop(BASE, E1)),
    ("they deleted a plan action",
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')),
     BASE.split("\n[[plan.actions]]")[0],
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')).split("\n[[plan.actions]]")[0]),
    ("everything at once: each kind of change, then later records still merged",
     edit(drop(BASE, E2), ('contingency = "Legal advice."', 'contingency = "Court."')),
     edit(drop(BASE, E1), (E2, E2 + E3), ('name = "Sam Patel"', 'name = "Sam Q Patel"'),
          ('action = "Visit weekly."', 'action = "Visit twice a week."')),
     # their e3 follows the last event we have; with e1 deleted too, that is the end
     edit(BASE, (E1 + E2, ""), ('name = "Sam Patel"', 'name = "Sam Q Patel"'),
          ('contingency = "Legal advice."', 'contingency = "Court."'),
          ('action = "Visit weekly."', 'action = "Visit twice a week."')) + E3),
    ("they removed a field we left alone",
     edit(BASE, ('summary = "second"', 'summary = "2nd"')),
     edit(BASE, ('lead_social_worker = "m1"\n', '')),
     edit(BASE, ('summary = "second"', 'summary = "2nd"'), ('lead_social_worker = "m1"\n', ''))),
]


@pytest.mark.parametrize("what, ours, theirs, want", CLEAN, ids=[c[0] for c in CLEAN])
def test_changes_that_merge_cleanly(what: str, ours: str, theirs: str, want: str) -> None:
    r = merge(BASE, ours, theirs)
    assert r.conflicts == []
    assert r.text == want


def test_both_adding_the_same_id_twice_renumbers_each_to_its_own_new_id() -> None:
    m2 = '\n[[members]]\nid = "m2"\nname = "{}"\n'
    m3 = '\n[[members]]\nid = "m3"\nname = "{}"\n'
    anchor = 'name = "Sam Patel"\n'
    ours = edit(BASE, (anchor, anchor + m2.format("Ona Example") + m3.format("Ben Example")))
    theirs = edit(BASE, (anchor, anchor + m2.format("Jo Okafor") + m3.format("Kit Sample")),
                  ('lead_social_worker = "m1"', 'lead_social_worker = "m3"'),
                  ('owner = "m1"', 'owner = "m2"'))
    r = merge(BASE, ours, theirs)
    assert r.conflicts == []
    data = tomllib.loads(r.text)
    assert [(m["id"], m["name"]) for m in data["members"]] == [
        ("m1", "Sam Patel"), ("m2", "Ona Example"), ("m3", "Ben Example"),
        ("m4", "Jo Okafor"), ("m5", "Kit Sample")]
    assert data["lead_social_worker"] == "m5"  # Kit, as they meant, not Ben
    assert data["plan"]["actions"][0]["owner"] == "m4"  # Jo


CONFLICTS = [
    # (what happened, ours, theirs, conflicts named, our side kept, their side kept)
    ("the same field changed to two values",
     edit(BASE, ('summary = "first"', 'summary = "ours"')),
     edit(BASE, ('summary = "first"', 'summary = "theirs"')),
     ["events.e1, field summary: ours 'ours', theirs 'theirs'"], None, None),
    ("the case's own key changed to two values",
     edit(BASE, ('lead_social_worker = "m1"', 'lead_social_worker = "m9"')),
     edit(BASE, ('lead_social_worker = "m1"', 'lead_social_worker = "m8"')),
     ["top level, field lead_social_worker: ours 'm9', theirs 'm8'"], None, None),
    ("the plan's text changed to two values",
     edit(BASE, ('contingency = "Legal advice."', 'contingency = "A"')),
     edit(BASE, ('contingency = "Legal advice."', 'contingency = "B"')),
     ["plan, field contingency: ours 'A', theirs 'B'"], None, None),
    ("we changed a record they deleted",
     edit(BASE, ('summary = "first"', 'summary = "first (ours)"')), drop(BASE, E1),
     ["events.e1: we changed it, they deleted it"], None, drop(BASE, E1)),
    # their record comes back after the last of its kind, or at the end if we have none
    ("they changed a record we deleted",
     drop(BASE, E1), edit(BASE, ('summary = "first"', 'summary = "first (theirs)"')),
     ["events.e1: they changed it, we deleted it"], None,
     edit(drop(BASE, E1), (E2, E2 + E1.replace('"first"', '"first (theirs)"')))),
    ("they changed a record we deleted with every other of its kind",
     drop(drop(BASE, E1), E2), edit(BASE, ('summary = "first"', 'summary = "first (theirs)"')),
     ["events.e1: they changed it, we deleted it"], None,
     drop(drop(BASE, E1), E2) + E1.replace('"first"', '"first (theirs)"')),
    ("they changed a plan action we deleted",
     BASE.split("\n[[plan.actions]]")[0] + '\n[[plan.actions]]\nid = "a2"\naction = "Call."\n',
     edit(BASE, ('action = "Visit weekly."', 'action = "Visit daily."')),
     ["plan.actions.a1: they changed it, we deleted it"], None,
     BASE.split("\n[[plan.actions]]")[0] + '\n[[plan.actions]]\nid = "a2"\naction = "Call."\n'
     '\n[[plan.actions]]\nid = "a1"\naction = "Visit daily."\nowner = "m1"\n'),
    ("we removed a plan text they changed",
     edit(BASE, ('contingency = "Legal advice."\n', '')),
     edit(BASE, ('contingency = "Legal advice."', 'contingency = "Court."')),
     ["plan, field contingency: ours None, theirs 'Court.'"], None, None),
    ("we removed a field they changed",
     edit(BASE, ('date = 2026-10-02\nsummary = "second"', 'date = 2026-10-02')),
     edit(BASE, ('summary = "second"', 'summary = "2nd"')),
     ["events.e2, field summary: ours None, theirs '2nd'"],
     edit(BASE, ('date = 2026-10-02\nsummary = "second"', 'date = 2026-10-02')), None),
]


@pytest.mark.parametrize("what, ours, theirs, named, keep_ours, keep_theirs", CONFLICTS,
                         ids=[c[0] for c in CONFLICTS])
def test_conflicts_are_named_and_either_side_can_be_kept(what: str, ours: str, theirs: str,
                                                         named: list[str], keep_ours: str | None,
                                                         keep_theirs: str | None) -> None:
    r = merge(BASE, ours, theirs)
    assert r.conflicts == named
    assert r.text.count("<<<<<<< ours") == 1 and r.text.count(">>>>>>> theirs") == 1
    assert _keep(r.text, "ours") == (ours if keep_ours is None else keep_ours)
    assert _keep(r.text, "theirs") == (theirs if keep_theirs is None else keep_theirs)


def test_a_plan_they_added_comes_with_its_actions_in_order() -> None:
    """The plan's own keys are merged before its records, so [plan] heads its actions."""
    ours = BASE.split("\n[plan]\n")[0]
    theirs = ours + ('\n[plan]\ncontingency = "Legal advice."\n\n[[plan.actions]]\nid = "a1"\n'
                     'action = "Visit weekly."\nowner = "m1"\n')
    r = merge(ours, ours.replace('"first"', '"first (ours)"'), theirs)
    assert r.conflicts == []
    assert r.text == theirs.replace('"first"', '"first (ours)"')


def test_their_references_in_lists_follow_a_renumbered_child() -> None:
    c2 = '\n[[children]]\nid = "c2"\nname = "{}"\n'
    base = BASE.replace("\n[[members]]", '\n[[children]]\nid = "c1"\nname = "Ava Example"\n'
                        "\n[[members]]", 1)
    anchor = 'name = "Ava Example"\n'
    ours = base.replace(anchor, anchor + c2.format("Leo Example"), 1)
    theirs = base.replace(anchor, anchor + c2.format("Mia Example"), 1) + (
        '\n[[visits]]\nid = "v1"\ndate = 2026-10-05\nby = "m1"\nseen = ["c1", "c2", 3]\n')
    r = merge(base, ours, theirs)
    data = tomllib.loads(r.text)
    assert [(c["id"], c["name"]) for c in data["children"]] == [
        ("c1", "Ava Example"), ("c2", "Leo Example"), ("c3", "Mia Example")]
    assert data["visits"][0]["seen"] == ["c1", "c3", 3]  # Mia; anything not an id left alone


def test_a_windows_file_merges_and_conflicts_in_windows_line_endings() -> None:
    crlf = lambda t: t.replace("\n", "\r\n")
    ours = edit(BASE, ('summary = "first"', 'summary = "ours"'))
    theirs = edit(BASE, ('summary = "first"', 'summary = "theirs\\nsecond line"'),
                  ('summary = "second"', 'summary = "2nd"'))
    r = merge(crlf(BASE), crlf(ours), crlf(theirs))
    assert r.conflicts == ["events.e1, field summary: ours 'ours', theirs 'theirs\\nsecond line'"]
    assert r.text.count("\n") == r.text.count("\r\n") and "<<<<<<< ours\r\n" in r.text
    assert _keep(r.text, "ours") == crlf(edit(ours, ('summary = "second"', 'summary = "2nd"')))
    assert _keep(r.text, "theirs") == crlf(theirs)


@pytest.mark.parametrize("text, why", [
    ('schema = 1\n[extra]\nx = 1\n', "table [extra]"),
    ('schema = 1\n[[notes]]\nx = 1\n', "array [[notes]]"),
    ('schema = 1\n[plan]\n[plan.extra]\nx = 1\n', "plan.extra"),
    ('schema = 1\n[[visits]]\ndate = 2026-10-05\n', "a record in visits has no id"),
    ('schema = 1\n[[plan.actions]]\nid = 3\n', "a record in plan.actions has no id"),
    ('schema = 1\n[[plan.actions]]\nid = "a1"\n[[plan.actions]]\nid = "a1"\n',
     "id a1 is used twice in plan.actions"),
])
def test_what_the_record_merge_cannot_key_is_named(text: str, why: str) -> None:
    with pytest.raises(Unsupported) as e:
        _records(text)
    assert str(e.value) == why


def test_records_are_keyed_by_where_they_live() -> None:
    recs = _records(BASE)
    assert recs[("",)] == {"schema": 1, "id": "CP-M-2", "lead_social_worker": "m1"}
    assert recs[("plan",)] == {"contingency": "Legal advice."}
    assert recs[("plan", "actions", "a1")]["owner"] == "m1"
    assert sorted(k for k in recs if len(k) > 1) == [
        ("events", "e1"), ("events", "e2"), ("members", "m1"), ("plan", "actions", "a1")]


@pytest.mark.parametrize("text, where", [
    ('schema = 1\nvisits = [{id = "v1"}]\n', "visits"),
    ('schema = 1\n[plan]\nactions = [{id = "a1"}]\n', "plan.actions"),
    ('schema = 1\nvisits = []\n', None),
    (BASE, None),
])
def test_a_record_array_written_inline_is_found(text: str, where: str | None) -> None:
    assert _inline(text) == where


@pytest.mark.parametrize("side", ["base", "ours", "theirs"])
def test_an_inline_array_on_any_side_is_not_merged_by_record(side: str) -> None:
    inline = 'schema = 1\nid = "CP-M-2"\nvisits = [{id = "v1", date = 2026-10-05}]\n'
    plain = 'schema = 1\nid = "CP-M-2"\n\n[[visits]]\nid = "v1"\ndate = 2026-10-05\n'
    texts = {"base": plain, "ours": plain, "theirs": plain, side: inline}
    with pytest.raises(Unsupported) as e:
        merge(texts["base"], texts["ours"], texts["theirs"])
    assert str(e.value) == "visits is written inline, not as [[visits]] tables"


def test_keeping_a_side_drops_only_marker_lines_and_the_other_side() -> None:
    text = ('a = 1\n<<<<<<< ours\nb = 2\n=======\nb = 3\n>>>>>>> theirs\n'
            'c = """\n=======\n>>>>>>> not a marker here\n"""\n'
            '<<<<<<< ours\n=======\nd = 4\n>>>>>>> theirs\n')
    assert _keep(text, "ours") == 'a = 1\nb = 2\nc = """\n=======\n>>>>>>> not a marker here\n"""\n'
    assert _keep(text, "theirs") == ('a = 1\nb = 3\nc = """\n=======\n>>>>>>> not a marker here'
                                     '\n"""\nd = 4\n')


def test_a_merge_that_loses_a_record_is_refused_by_name() -> None:
    B = _records(BASE)
    T = _records(BASE + E3)
    with pytest.raises(Unsupported) as e:
        _account(B, B, T, BASE, {}, set())  # their e3 is not in the result
    assert str(e.value) == "the merge could not account for events.e3"
    with pytest.raises(Unsupported) as e:
        _account(B, B, _records(drop(BASE, E1) + E3), BASE, {}, set())  # e1 back, e3 lost
    assert str(e.value) == "the merge could not account for events.e1, events.e3"
    _account(B, B, T, BASE + E3, {}, set())  # all there: nothing raised
    renamed = {("events", "e3"): ("events", "e4")}
    with pytest.raises(Unsupported) as e:
        _account(B, _records(BASE + E3), T, BASE + E3, renamed, set())  # their e4 missing
    assert str(e.value) == "the merge could not account for events.e3"
    conflicted = ("<<<<<<< ours\n" + E3 + "=======\n>>>>>>> theirs\n")
    _account(B, _records(BASE + E3), B, BASE + conflicted, {}, {("events", "e3")})


@pytest.mark.parametrize("block, side", [
    ("<<<<<<< ours\nx = \n=======\n>>>>>>> theirs\n", "ours"),
    ("<<<<<<< ours\n=======\nx = \n>>>>>>> theirs\n", "theirs"),
])
def test_a_merge_whose_conflicts_would_not_parse_is_refused(monkeypatch, block: str,
                                                            side: str) -> None:
    """The last check before anything is written: either side kept must be TOML."""
    monkeypatch.setattr("cptui.merge._write_conflicts", lambda cf, pending: cf.lines.append(block))
    with pytest.raises(Unsupported) as e:
        merge(BASE, edit(BASE, ('"first"', '"a"')), edit(BASE, ('"first"', '"b"')))
    assert str(e.value).startswith(f"keeping {side} would not be valid TOML: ")


@pytest.mark.parametrize("ours, theirs, want", [
    ("a = 1\n", "a = 2\n", "<<<<<<< ours\na = 1\n=======\na = 2\n>>>>>>> theirs\n"),
    ("a = 1", "a = 2", "<<<<<<< ours\na = 1\n=======\na = 2\n>>>>>>> theirs\n"),
    ("a = 1\r\n", "a = 2", "<<<<<<< ours\r\na = 1\r\n=======\r\na = 2\r\n>>>>>>> theirs\r\n"),
    ("", "a = 2\n", "<<<<<<< ours\n=======\na = 2\n>>>>>>> theirs\n"),
])
def test_a_whole_file_conflict_holds_both_files_exactly(ours: str, theirs: str,
                                                        want: str) -> None:
    assert whole_file_conflict(ours, theirs) == want


def test_several_conflicts_in_one_file_are_each_written_where_they_belong() -> None:
    """Conflicts are written last to first, so writing one never moves another."""
    ours = edit(drop(BASE, E2), ('summary = "first"', 'summary = "a"'),
                ('contingency = "Legal advice."', 'contingency = "A"'), ('id = "CP-M-2"', 'id = "X"'))
    theirs = edit(BASE, ('summary = "first"', 'summary = "b"'), ('summary = "second"', 'summary = "2"'),
                  ('contingency = "Legal advice."', 'contingency = "B"'), ('id = "CP-M-2"', 'id = "Y"'))
    r = merge(BASE, ours, theirs)
    assert r.conflicts == ["top level, field id: ours 'X', theirs 'Y'",
                           "events.e1, field summary: ours 'a', theirs 'b'",
                           "events.e2: they changed it, we deleted it",
                           "plan, field contingency: ours 'A', theirs 'B'"]
    assert r.text.count("<<<<<<< ours") == 4
    assert _keep(r.text, "ours") == ours
    assert tomllib.loads(_keep(r.text, "theirs")) == tomllib.loads(theirs)


@pytest.mark.parametrize("ours, theirs", [
    # our record is last and has no final newline; they deleted it
    (BASE.split("\n[plan]")[0].replace('"second"', '"second (ours)"').rstrip("\n"),
     BASE.split("\n[plan]")[0].replace(E2, "\n")),
    # we removed a field of the last record (no final newline); they changed it
    (BASE.split("\n[plan]")[0].replace('\nsummary = "second"', "").rstrip("\n"),
     BASE.split("\n[plan]")[0].replace('"second"', '"2nd"')),
])
def test_a_file_without_a_final_newline_still_conflicts_cleanly(ours: str, theirs: str) -> None:
    base = BASE.split("\n[plan]")[0]
    r = merge(base, ours, theirs)
    assert len(r.conflicts) == 1
    assert _keep(r.text, "ours") == ours + "\n"
    assert tomllib.loads(_keep(r.text, "theirs")) == tomllib.loads(theirs)


def test_a_record_they_changed_returns_below_a_one_line_file() -> None:
    base = 'schema = 1\n\n[[events]]\nid = "e1"\nsummary = "x"\n'
    theirs = base.replace('"x"', '"y"')
    r = merge(base, "schema = 1\n", theirs)
    assert r.conflicts == ["events.e1: they changed it, we deleted it"]
    assert _keep(r.text, "ours") == "schema = 1\n" and _keep(r.text, "theirs") == theirs


def test_a_windows_file_keeps_its_line_endings_through_a_record_conflict() -> None:
    crlf = lambda t: t.replace("\n", "\r\n")
    ours, theirs = drop(BASE, E1), edit(BASE, ('summary = "first"', 'summary = "1st"'))
    r = merge(crlf(BASE), crlf(ours), crlf(theirs))
    assert r.text.count("\n") == r.text.count("\r\n")
    assert _keep(r.text, "ours") == crlf(ours)


def test_an_edit_the_merge_cannot_make_safely_is_not_made() -> None:
    """A record with a table of its own: deleting its [[events]] part alone would give
    that table to the record above, so the edit is refused and the driver falls back."""
    base = BASE.replace('summary = "first"\n', 'summary = "first"\n\n[events.extra]\nx = 1\n')
    with pytest.raises(Unsupported) as e:
        merge(base, base.replace('name = "Sam Patel"', 'name = "Sam Q Patel"'),
              base.replace(E1.replace('"first"\n', '"first"\n\n[events.extra]\nx = 1\n'), ""))
    assert str(e.value).startswith("Edit refused: deleting e1 would ")
    assert str(e.value).endswith("Nothing was changed.")


def test_records_that_are_not_tables_have_no_id() -> None:
    with pytest.raises(Unsupported) as e:
        _records("schema = 1\nvisits = [1]\n")
    assert str(e.value) == "a record in visits has no id"
    assert _inline("schema = 1\nvisits = \"x\"\n") is None


def test_a_list_reference_to_a_renumbered_child_keeps_what_is_not_an_id() -> None:
    from cptui.merge import _rename

    rec = {"id": "v1", "seen": ["c2", {"x": 1}, "c1"], "by": "m2"}
    out = _rename(rec, ("visits", "v1"), {"child": {"c2": "c3"}, "member": {"m2": "m4"}})
    assert out == {"id": "v1", "seen": ["c3", {"x": 1}, "c1"], "by": "m4"}
    assert rec["seen"][0] == "c2"  # their record itself is not changed


def test_the_account_covers_records_we_added_and_those_after_a_renumbering() -> None:
    B = _records(BASE)
    O = _records(BASE + E3)
    with pytest.raises(Unsupported) as e:
        _account(B, O, B, BASE, {}, set())  # our e3 lost
    assert str(e.value) == "the merge could not account for events.e3"
    renamed = {("events", "e1"): ("events", "e9")}
    T = _records(BASE.replace('name = "Sam Patel"\n', 'name = "Sam Patel"\n\n[[members]]\nid = "m2"\n'))
    result = BASE.replace(E1, E1 + E1.replace('"e1"', '"e9"'))
    with pytest.raises(Unsupported) as e:
        _account(B, B, T, result, renamed, set())  # their m2 lost, after the renumbered e1
    assert str(e.value) == "the merge could not account for members.m2"


def test_a_plan_action_comes_back_after_the_last_action_not_at_the_end() -> None:
    visit = '\n[[visits]]\nid = "v1"\ndate = 2026-10-05\n'
    ours = BASE.split("\n[[plan.actions]]")[0] + '\n[[plan.actions]]\nid = "a2"\naction = "Call."\n'
    ours += visit
    theirs = edit(BASE, ('action = "Visit weekly."', 'action = "Visit daily."')) + visit
    r = merge(BASE + visit, ours, theirs)
    assert r.conflicts == ["plan.actions.a1: they changed it, we deleted it"]
    assert _keep(r.text, "theirs") == ours.replace(
        visit, '\n[[plan.actions]]\nid = "a1"\naction = "Visit daily."\nowner = "m1"\n' + visit)


def test_a_one_line_file_without_a_final_newline_conflicts_cleanly() -> None:
    r = merge("schema = 1\nx = 1\n", "schema = 1", "schema = 1\nx = 2\n")
    assert r.conflicts == ["top level, field x: ours None, theirs 2"]
    assert r.text == "schema = 1\n<<<<<<< ours\n=======\nx = 2\n>>>>>>> theirs\n"


def test_a_record_they_changed_returns_below_a_last_line_without_a_newline() -> None:
    # we deleted the events (our file ends without a newline); they changed e1
    ours = drop(drop(BASE, E1), E2).rstrip("\n")
    theirs = edit(BASE, ('summary = "first"', 'summary = "first (theirs)"'))
    r = merge(BASE, ours, theirs)
    assert r.conflicts == ["events.e1: they changed it, we deleted it"]
    assert _keep(r.text, "ours") == ours + "\n"
    assert tomllib.loads(_keep(r.text, "theirs"))["events"][0]["summary"] == "first (theirs)"
