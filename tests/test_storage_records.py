"""Record edits that must land on exactly one record, in the right place, or not at all.

From the mutation run of ``cptui/storage.py``: these are the ways an edit could
silently reach the wrong record, move a new one away from its kind, mix line
endings, or leave a refused edit half-applied, that no other test noticed.
"""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pytest
import tomlkit

from conftest import DEMO
from cptui import tomlread as tomllib
from cptui.storage import CaseFile, SaveError, _apply, create_case, new_case_text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(DEMO, tmp_path / "cases")
    return tmp_path / "cases"


def test_record_gives_exactly_the_record_asked_for(folder: Path) -> None:
    cf = CaseFile(folder / "CP-2026-0005.toml")
    data = tomllib.loads((folder / "CP-2026-0005.toml").read_text())
    assert cf.record("visit", "v2") == data["visits"][1]
    assert cf.record("visit", "v2")["notes"] == "No answer at the door."
    assert cf.record("member", "m2") == data["members"][1]
    assert cf.record("core_group", "g2") == data["core_groups"][-1]
    assert cf.record("visit", "v9") is None and cf.record("visit", None) is None
    plan = CaseFile(folder / "CP-2026-0001.toml").record("plan", None)
    assert plan is not None and plan["disagreements"] == "" and "outcomes" in plan
    rec = cf.record("visit", "v2")
    assert rec is not None
    rec["notes"] = "changed by the caller"
    assert cf.record("visit", "v2")["notes"] == "No answer at the door."  # a copy, not the file's


def test_a_new_record_goes_after_the_last_of_its_kind(folder: Path) -> None:
    """CP-2026-0005 ends with a core group after its visits: a new visit joins the visits."""
    path = folder / "CP-2026-0005.toml"
    cf = CaseFile(path)
    cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": []})
    cf.save()
    text = path.read_text()
    assert ('notes = "Mother said Finn was asleep and refused entry."\n\n[[visits]]\nid = "v4"\n'
            'date = 2026-11-23\nby = "m1"\nseen = []\n\n[[core_groups]]\nid = "g2"') in text


def test_a_new_record_of_a_kind_the_file_lacks_goes_at_the_end(folder: Path) -> None:
    path = folder / "CP-2026-0005.toml"
    text = path.read_text()
    cf = CaseFile(path)
    cf.add("outcome", {"concern": "Finn is not seen."})
    cf.save()
    assert path.read_text() == text + '\n[[plan.outcomes]]\nid = "o1"\nconcern = "Finn is not seen."\n'



def test_a_windows_file_stays_windows_whatever_the_edit(folder: Path) -> None:
    """Lines tomlkit adds end in "\\n" alone; in a file written on Windows they must not."""
    path = folder / "CP-2026-0005.toml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    cf = CaseFile(path)
    cf.add("visit", {"date": date(2026, 11, 23), "by": "m1", "seen": []})
    cf.update("visit", "v1", {"notes": "Seen in the garden."})  # a key the visit lacked
    cf.set_root({"team_manager": "m3", "review_note": "Early review."})
    cf.set_table("plan", {"contingency": "Legal advice.", "child_views": "Finn likes school."})
    cf.save()
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    for line in (b'id = "v4"', b'notes = "Seen in the garden."', b'review_note = "Early review."',
                 b'[plan]', b'child_views = "Finn likes school."'):
        assert line + b"\r\n" in data


def test_a_file_without_a_final_newline_gets_one_where_an_edit_needs_it(folder: Path) -> None:
    path = folder / "CP-2026-0005.toml"
    text = path.read_text().rstrip("\n")
    path.write_text(text)
    cf = CaseFile(path)
    cf.update("core_group", "g2", {"chair": "m3"})  # the last table in the file
    cf.save()
    assert path.read_text() == text.replace('chair = "m1"', 'chair = "m3"') + "\n"
    path.write_text(text)
    cf = CaseFile(path)
    cf.add("outcome", {"concern": "Finn is not seen."})
    cf.save()
    assert path.read_text() == (text + '\n\n[[plan.outcomes]]\nid = "o1"\n'
                                'concern = "Finn is not seen."\n')


def test_deleting_a_record_leaves_one_blank_line_between_its_neighbours(folder: Path) -> None:
    path = folder / "CP-2026-0005.toml"
    text = path.read_text()
    cf = CaseFile(path)
    cf.delete("visit", "v2")
    cf.save()
    v2 = ('[[visits]]\nid = "v2"\ndate = 2026-10-29\nby = "m1"\nseen = []\n'
          'notes = "No answer at the door."\n\n')
    assert v2 in text and path.read_text() == text.replace(v2, "")


def test_deleting_every_action_of_a_plan_removes_the_array_and_keeps_the_plan(
        folder: Path) -> None:
    path = folder / "CP-2026-0001.toml"
    data = tomllib.loads(path.read_text())
    cf = CaseFile(path)
    for a in data["plan"]["actions"]:
        cf.delete("action", a["id"])
    after = tomllib.loads(cf.text())
    assert "actions" not in after["plan"]
    del data["plan"]["actions"]
    assert after == data


def test_a_record_missing_or_not_a_table_is_named(folder: Path) -> None:
    cf = CaseFile(folder / "CP-2026-0005.toml")
    with pytest.raises(SaveError) as e:
        cf.update("visit", "v9", {"notes": "x"})
    assert str(e.value) == "no record 'v9' in visits"
    with pytest.raises(SaveError) as e:
        cf.update("action", "a9", {"status": "done"})
    assert str(e.value) == "no record 'a9' in plan.actions"
    path = folder / "inline.toml"
    path.write_text('schema = 1\nid = "CP-2026-0099"\nvisits = [{id = "v1", date = 2026-11-02}]\n')
    with pytest.raises(SaveError) as e:
        CaseFile(path).update("visit", "v1", {"notes": "x"})
    assert str(e.value) == ("record 'v1' is not written as a [[visits]] table; edit it by hand")
    path.write_text('schema = 1\nid = "CP-2026-0099"\n\n[plan]\nactions = [{id = "a1"}]\n')
    with pytest.raises(SaveError) as e:
        CaseFile(path).update("action", "a1", {"status": "done"})
    assert str(e.value) == "record 'a1' is not written as a [[plan.actions]] table; edit it by hand"
    with pytest.raises(SaveError) as e:
        CaseFile(folder / "CP-2026-0001.toml").add("outcome", {"id": "o1"})
    assert str(e.value) == "id 'o1' is already used in plan.outcomes"


@pytest.mark.parametrize("edit, what", [
    (lambda cf: cf.update("visit", "v1", {"date": math.nan}),
     "Edit refused: editing v1 would have changed other records in CP-2026-0001.toml. "
     "Nothing was changed; please report this."),
    (lambda cf: cf.add("visit", {"sub": {"a": 1}, "date": 1}),
     "Edit refused: adding v7 would have changed other records in CP-2026-0001.toml. "
     "Nothing was changed; please report this."),
    (lambda cf: cf.set_root({"plan": "x"}),
     "Edit refused: changing the case details would make the file invalid TOML ("),
    (lambda cf: cf.set_table("plan", {"contingency": math.nan}),
     "Edit refused: changing [plan] would have changed other records in CP-2026-0001.toml. "
     "Nothing was changed; please report this."),
    (lambda cf: cf.set_table("plan", {"outcomes": "x"}),
     "Edit refused: changing [plan] would make the file invalid TOML ("),
])
def test_a_refused_edit_says_which_and_leaves_the_text_as_it_was(folder: Path, edit,
                                                                   what: str) -> None:
    import copy

    cf = CaseFile(folder / "CP-2026-0001.toml")
    cf.update("visit", "v2", {"notes": "an earlier edit, kept"})
    lines, data = list(cf.lines), copy.deepcopy(cf.data)
    with pytest.raises(SaveError) as e:
        edit(cf)
    assert str(e.value).startswith(what)
    assert str(e.value).endswith(("). Nothing was changed.", "; please report this."))
    assert cf.lines == lines and cf.data == data  # the text and what it means, both as before
    assert cf.record("visit", "v2")["notes"] == "an earlier edit, kept"


def test_a_refused_delete_leaves_the_text_as_it_was(tmp_path: Path) -> None:
    """A record with a sub-table of its own: cutting out its [[visits]] part alone would
    hand the sub-table to the visit before it."""
    path = tmp_path / "CP-2026-0099.toml"
    path.write_text('schema = 1\n\n[[visits]]\nid = "v1"\n\n[[visits]]\nid = "v2"\n\n'
                    '[visits.extra]\nx = 1\n')
    cf = CaseFile(path)
    lines = list(cf.lines)
    with pytest.raises(SaveError) as e:
        cf.delete("visit", "v2")
    assert str(e.value).startswith("Edit refused: deleting v2 would have changed other records")
    assert cf.lines == lines


def test_a_save_with_errors_lists_each_one(folder: Path) -> None:
    cf = CaseFile(folder / "CP-2026-0001.toml")
    cf.update("visit", "v1", {"by": "m99"})
    cf.update("visit", "v2", {"by": "m98"})
    with pytest.raises(SaveError) as e:
        cf.save()
    assert [p.path for p in cf.check()] == ["CP-2026-0001.toml"] * 2
    lines = str(e.value).split("\n")
    assert lines[0] == "Not saved: the edit would leave the file with errors:"
    assert len(lines) == 3 and all(l.startswith("  ") for l in lines[1:])
    assert "'m99'" in lines[1] and "'m98'" in lines[2]


@pytest.mark.parametrize("old, new, text", [
    ("n = 1_000  # keep\n", {"n": 1000}, "n = 1_000  # keep\n"),  # equal: untouched
    ("n = 1\n", {"n": 1.0}, "n = 1.0\n"),  # equal but another type: written
    ("a = 1\nb = 2\n", {"a": None, "b": 3}, "b = 3\n"),  # a removal, then the rest
    ("a = 1\nb = 2\n", {"a": 1, "b": 3}, "a = 1\nb = 3\n"),  # an unchanged key, then the rest
    ("a = 1\n", {"z": None, "a": 2}, "a = 2\n"),  # removing a key that is not there
])
def test_only_changed_keys_are_written(old: str, new: dict, text: str) -> None:
    doc = tomlkit.parse(old)
    _apply(doc, new)
    assert tomlkit.dumps(doc) == text


def test_a_new_case_starts_with_its_own_keys_and_refuses_errors(tmp_path: Path) -> None:
    root = {"schema": 1, "id": "CP-2026-0100", "procedure": "hillingdon",
            "lead_social_worker": "m1"}
    text = new_case_text(root, {"name": "Nova Example", "date_of_birth": date(2020, 1, 2)},
                         {"name": "Lee Example", "role": "Lead social worker"})
    assert text.startswith('schema = 1\nid = "CP-2026-0100"\n')
    assert '\n[[children]]\nid = "c1"\nname = "Nova Example"\n' in text
    assert '\n[[members]]\nid = "m1"\nname = "Lee Example"\n' in text
    bad = text.replace('lead_social_worker = "m1"', 'lead_social_worker = "m9"\nteam_manager = "m8"')
    with pytest.raises(SaveError) as e:
        create_case(tmp_path, "CP-2026-0100", bad)
    assert str(e.value) == ("Not created: `lead_social_worker` names unknown member 'm9'; "
                            "`team_manager` names unknown member 'm8'")
    assert not (tmp_path / "CP-2026-0100.toml").exists()
    path = create_case(tmp_path, "CP-2026-0100", text)  # warnings (no core group yet) are fine
    assert path.read_text() == text


def test_the_comments_right_above_a_header_belong_to_it_even_indented() -> None:
    from cptui.storage import chunks

    lines = ['a = 1\n', '\n', '  # about x, indented\n', '[[x]]\n', 'n = """first\n',
             '# inside the string"""\n', '[[x]]\n', 'id = 2\n']
    assert [(c.start, c.end, c.path) for c in chunks(lines)] == [
        (0, 2, ()), (2, 6, ("x", 0)), (6, 8, ("x", 1))]


@pytest.mark.parametrize("text, want", [
    ("", '[[visits]]\nid = "v1"\n'),
    ("schema = 1", 'schema = 1\n\n[[visits]]\nid = "v1"\n'),
    ("schema = 1\n", 'schema = 1\n\n[[visits]]\nid = "v1"\n'),
])
def test_a_record_added_to_a_nearly_empty_file_is_laid_out(tmp_path: Path, text: str,
                                                           want: str) -> None:
    path = tmp_path / "CP-2026-0099.toml"
    path.write_text(text)
    cf = CaseFile(path)
    cf.add("visit", {})
    assert cf.text() == want


@pytest.mark.parametrize("taken, want", [
    (set(), "v1"), ({"v1", "v2", "v7"}, "v8"), ({"m12", "v1"}, "v2"), ({"v", "vx3", "v2"}, "v3"),
])
def test_next_id_is_one_past_the_highest_of_its_own_prefix(taken: set[str], want: str) -> None:
    from cptui.storage import next_id

    assert next_id("v", taken) == want


def test_an_empty_id_from_a_form_gets_a_new_id_written_first(folder: Path) -> None:
    cf = CaseFile(folder / "CP-2026-0005.toml")
    assert cf.add("visit", {"date": date(2026, 11, 23), "id": "", "by": "m1"}) == "v4"
    assert '[[visits]]\nid = "v4"\ndate = 2026-11-23\nby = "m1"\n' in cf.text()


def test_plain_values_and_odd_shapes() -> None:
    from cptui.storage import records_at, plain_value

    assert plain_value({"a": (1, 2), "b": [{"c": (3,)}]}) == {"a": [1, 2], "b": [{"c": [3]}]}
    data = {"plan": "not a table", "visits": "not a list", "events": [{"id": "e1"}]}
    assert records_at(data, ("plan", "actions")) == [] and records_at(data, ("visits",)) == []
    assert records_at(data, ("members",)) == [] and records_at(data, ("core", "groups")) == []
    assert records_at(data, ("events",)) is data["events"]
    assert data == {"plan": "not a table", "visits": "not a list", "events": [{"id": "e1"}]}
    made: dict = {}
    records_at(made, ("plan", "actions"), create=True).append({"id": "a1"})
    assert made == {"plan": {"actions": [{"id": "a1"}]}}


def test_opening_a_file_says_why_it_cannot_be_edited(folder: Path) -> None:
    import hashlib

    from cptui.storage import ExternalChange

    path = folder / "CP-2026-0005.toml"
    raw = path.read_bytes()
    assert CaseFile(path).digest == hashlib.sha256(raw).hexdigest()
    with pytest.raises(ExternalChange) as e:
        CaseFile(path, expected_digest="0" * 64)
    assert str(e.value) == ("CP-2026-0005.toml was changed on disk since it was loaded (perhaps "
                            "by git or a colleague). Nothing was saved: reload (ctrl+r) and make "
                            "the edit again.")
    path.write_bytes(raw + b"\xff")
    with pytest.raises(SaveError) as e:
        CaseFile(path)
    assert str(e.value) == "CP-2026-0005.toml is not valid UTF-8; it is never written over"
    path.write_bytes(raw + b"[[visits\n")
    with pytest.raises(SaveError) as e:
        CaseFile(path)
    assert str(e.value).startswith("CP-2026-0005.toml is not valid TOML (")
    assert str(e.value).endswith("); fix it by hand first")


@pytest.mark.parametrize("mode", [0o444, 0o555, 0o400])
def test_a_read_only_file_is_never_written(folder: Path, mode: int) -> None:
    """By its permission bits, so the answer is the same for every user (even root)."""
    path = folder / "CP-2026-0005.toml"
    before = path.read_bytes()
    cf = CaseFile(path)
    cf.update("visit", "v1", {"notes": "x"})
    path.chmod(mode)
    with pytest.raises(SaveError) as e:
        cf.save()
    assert str(e.value) == "CP-2026-0005.toml is read-only; nothing was saved"
    assert path.read_bytes() == before


def test_a_file_changed_while_editing_or_a_failed_write_says_so(folder: Path,
                                                              monkeypatch) -> None:
    import errno
    import os

    from cptui.storage import ExternalChange

    path = folder / "CP-2026-0005.toml"
    cf = CaseFile(path)
    cf.update("visit", "v1", {"notes": "x"})
    path.write_text(path.read_text() + "# a colleague's line\n")
    with pytest.raises(ExternalChange) as e:
        cf.save()
    assert str(e.value) == ("CP-2026-0005.toml changed on disk while you were editing; nothing "
                            "was saved: reload and make the edit again")
    cf = CaseFile(path)
    cf.update("visit", "v1", {"notes": "x"})

    def full(p: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cptui.storage.write_atomic", full)
    with pytest.raises(SaveError) as e:
        cf.save()
    assert str(e.value).startswith("could not save CP-2026-0005.toml: ")
    assert str(e.value).endswith(". The file on disk is unchanged.")


def test_check_names_a_text_that_no_longer_parses(folder: Path) -> None:
    """Edits are verified as they are made; ``check`` still never trusts the text."""
    cf = CaseFile(folder / "CP-2026-0005.toml")
    cf.lines.append("[[visits\n")
    (p,) = cf.check()
    assert (p.path, p.line, p.col, p.severity) == ("CP-2026-0005.toml", None, None, "error")
    assert p.message.startswith("the edit would make invalid TOML: ")


@pytest.mark.parametrize("name", ["CP-2026-0005.toml", "CP-2026-0001.toml"])
def test_adding_a_record_then_deleting_it_gives_back_the_same_file(folder: Path,
                                                                   name: str) -> None:
    """The new record is the file's last table in one case and not in the other."""
    path = folder / name
    before = path.read_text()
    cf = CaseFile(path)
    rid = cf.add("visit", {"date": date(2026, 11, 23), "by": "m1"})
    cf.delete("visit", rid)
    assert cf.text() == before
    cf.add("event", {"date": date(2026, 11, 23), "kind": "other", "summary": "x"})
    cf.delete("event", cf.ids("event")[-1])
    assert cf.text() == before


def test_deleting_the_last_record_leaves_no_blank_line_at_the_end(folder: Path) -> None:
    path = folder / "CP-2026-0005.toml"
    cf = CaseFile(path)
    cf.delete("core_group", "g2")
    assert cf.text().endswith('notes = "Mother said Finn was asleep and refused entry."\n')
