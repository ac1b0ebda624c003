"""The record layer: edits land on the intended record, whatever the text holds.

Issue #10, finding 1: a summary holding a lone ''' or \"\"\" shifted the
line-pattern chunker's record numbering, so editing e2 changed e4.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from cptui.storage import CaseFile, SaveError, chunks

HEAD = '''schema = 1
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


def events(summaries: list[str]) -> str:
    out = HEAD
    for i, s in enumerate(summaries, 1):
        out += f'\n[[events]]\nid = "e{i}"\ndate = 2026-10-0{i}\nkind = "note"\nsummary = {s}\n'
    return out


def records(path: Path, array: str) -> dict[str, dict]:
    return {r["id"]: r for r in tomllib.loads(path.read_text(encoding="utf-8")).get(array, [])}


# Each value is written as TOML: strings that contain the quote runs the old
# chunker mistook for the start or end of a multi-line string.
TRICKY = [
    "\"Mum wrote ''' on the door\"",
    "'she said \"\"\" twice'",
    '"""one\nline two ''\' inside\n"""',
    "'''[[events]] is not a header'''",
    '"# not a comment [x]"',
]


@pytest.mark.parametrize("target", ["e1", "e2", "e3", "e4", "e5"])
def test_update_changes_only_the_target_record(tmp_path: Path, target: str) -> None:
    path = tmp_path / "CP-T-1.toml"
    path.write_text(events(TRICKY), encoding="utf-8")
    before = records(path, "events")
    cf = CaseFile(path)
    cf.update("event", target, {"summary": "edited"})
    cf.save()
    after = records(path, "events")
    assert after[target]["summary"] == "edited"
    for rid in before:
        if rid != target:
            assert after[rid] == before[rid], f"editing {target} changed {rid}"


@pytest.mark.parametrize("target", ["e1", "e2", "e3", "e4", "e5"])
def test_delete_removes_only_the_target_record(tmp_path: Path, target: str) -> None:
    path = tmp_path / "CP-T-1.toml"
    path.write_text(events(TRICKY), encoding="utf-8")
    before = records(path, "events")
    cf = CaseFile(path)
    cf.delete("event", target)
    cf.save()
    after = records(path, "events")
    assert set(after) == set(before) - {target}
    assert all(after[r] == before[r] for r in after)


def test_summary_typed_in_app_with_lone_triple_quote(tmp_path: Path) -> None:
    """The exact report: a summary saved through the app, then e2 edited."""
    path = tmp_path / "CP-T-1.toml"
    path.write_text(events(['"first"', '"second"', '"third"', '"fourth"']), encoding="utf-8")
    cf = CaseFile(path)
    cf.update("event", "e1", {"summary": "Mum wrote ''' on the door"})
    cf.save()
    cf = CaseFile(path)
    cf.update("event", "e2", {"summary": "edited"})
    cf.save()
    after = records(path, "events")
    assert after["e2"]["summary"] == "edited"
    assert after["e4"]["summary"] == "fourth"
    assert after["e1"]["summary"] == "Mum wrote ''' on the door"


def test_multiline_array_lines_are_not_headers(tmp_path: Path) -> None:
    """A value spanning lines whose continuation starts with '[' is not a table."""
    text = HEAD + (
        '\n[[events]]\nid = "e1"\ndate = 2026-10-01\nkind = "note"\nsummary = """\n'
        '[[events]]\nid = "e9"\n"""\n'
        '\n[[events]]\nid = "e2"\ndate = 2026-10-02\nkind = "note"\nsummary = "b"\n'
        '\n[plan]\nreview_notes = [\n  "a",\n]\nextra = [\n[1, 2],\n[3],\n]\n')
    path = tmp_path / "CP-T-1.toml"
    path.write_text(text, encoding="utf-8")
    paths = [c.path for c in chunks(text.splitlines(keepends=True))]
    assert paths == [(), ("children", 0), ("members", 0), ("events", 0), ("events", 1), ("plan",)]
    cf = CaseFile(path)
    cf.update("event", "e2", {"summary": "edited"})
    cf.save()
    after = records(path, "events")
    assert after["e2"]["summary"] == "edited" and after["e1"]["summary"].startswith("[[events]]")


def test_edit_that_would_touch_another_record_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Defence in depth: whatever locates the chunk, the result is checked record by record."""
    path = tmp_path / "CP-T-1.toml"
    path.write_text(events(['"a"', '"b"', '"c"']), encoding="utf-8")
    original = path.read_bytes()
    import cptui.storage as storage

    real = storage.CaseFile.record_chunk

    def wrong(self, array, rid):  # a locator bug: always the last record
        chunk = real(self, array, "e3")
        return chunk

    monkeypatch.setattr(storage.CaseFile, "record_chunk", wrong)
    cf = CaseFile(path)
    with pytest.raises(SaveError, match="refused"):
        cf.update("event", "e1", {"summary": "edited"})
        cf.save()
    assert path.read_bytes() == original


# --- finding 4: any file name in the cases folder ---------------------------------------------

STRANGE = [".x.toml.99999999999999999999.abc.tmp", ".handover.2024.draft.tmp", ".CP-T-1.toml.1.a.tmp",
           ".CP-T-1.toml.cptui-99999999999999999999-0123456789ab.tmp", "notes.tmp", ".tmp",
           ".CP-T-1.toml.cptui-1-0123456789ab.tmp.bak"]


def test_strange_names_neither_stop_a_load_nor_get_deleted(tmp_path: Path) -> None:
    import subprocess
    import sys

    from cptui.caseload import load_caseload

    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "CP-T-1.toml").write_text(events(['"a"']), encoding="utf-8")
    for name in STRANGE:
        (folder / name).write_text("someone's file\n", encoding="utf-8")
    load = load_caseload(folder, date(2026, 11, 24))
    assert [cv.case.id for cv in load.cases] == ["CP-T-1"]
    for cmd in (["check", str(folder)], ["deadlines", "--cases", str(folder)]):
        r = subprocess.run([sys.executable, "-m", "cptui", *cmd, "--today", "2026-11-24"],
                           capture_output=True, text=True)
        assert "Traceback" not in r.stderr and r.returncode in (0, 1), r.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(STRANGE + ["CP-T-1.toml"])


def test_only_cptui_temp_files_of_dead_writers_are_cleaned(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from cptui.fsio import clean_stale_temps, temp_name

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    target = tmp_path / "CP-T-1.toml"
    mine = temp_name(target)
    assert mine.parent == tmp_path and mine.name.startswith(".CP-T-1.toml.cptui-")
    stale = mine.with_name(mine.name.replace(f"-{os.getpid()}-", f"-{dead}-"))
    live = mine
    for p in (stale, live, tmp_path / ".handover.2024.draft.tmp"):
        p.write_text("x")
    removed = clean_stale_temps(tmp_path)
    assert removed == [stale]
    assert live.exists() and (tmp_path / ".handover.2024.draft.tmp").exists()


# --- finding 5: git-setup says what is wrong, and finds the cases folder ----------------------

def _run(args: list[str], cwd: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "cptui", *args], cwd=cwd, capture_output=True, text=True)


def test_git_setup_without_a_cases_folder_says_so(tmp_path: Path) -> None:
    r = _run(["git-setup"], tmp_path)
    assert r.returncode == 1
    assert "not installed" not in r.stderr and "no cases folder here" in r.stderr


def test_git_setup_defaults_to_a_repo_whose_root_is_the_cases_folder(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "CP-T-1.toml").write_text(events(['"a"']), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    r = _run(["git-setup"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "merge=cptui" in (tmp_path / ".gitattributes").read_text()


def test_git_setup_names_a_missing_folder(tmp_path: Path) -> None:
    r = _run(["git-setup", "nowhere"], tmp_path)
    assert r.returncode == 1 and "not a folder" in r.stderr and "not installed" not in r.stderr


# --- one declaration per record kind ---------------------------------------------------------

def test_a_new_field_is_read_and_checked_from_its_declaration_alone() -> None:
    """Adding a field to a record's dataclass is all the loader and the record table need."""
    from dataclasses import dataclass

    from cptui.loader import Checker, build_record
    from cptui.model import Visit, spec
    from cptui.records import RecordKind

    @dataclass
    class VisitPlus(Visit):
        next_visit: date | None = None
        parent_seen: bool | None = None
        with_worker: str | None = spec(ref="member")

    text = '[[visits]]\nid = "v1"\ndate = 2026-10-01\nnext_visit = "soon"\nparent_seen = true\n'
    ck = Checker("CP-T-1.toml", text)
    rec = build_record(ck, VisitPlus, tomllib.loads(text)["visits"][0], ("visits", 0))
    assert rec.parent_seen is True and rec.next_visit is None and rec.date == date(2026, 10, 1)
    assert [(p.line, "next_visit" in p.message) for p in ck.problems] == [(4, True)]
    kind = RecordKind("visit", ("visits",), "v", "visit", VisitPlus)
    assert kind.refs["with_worker"] == "member" and kind.refs["by"] == "member"


def test_required_fields_and_allowed_words_come_from_the_declaration() -> None:
    from cptui.loader import Checker, build_record
    from cptui.model import Conference

    text = '[[conferences]]\nid = "k1"\nkind = "annual"\ndate = 2026-10-01\nstatus = "maybe"\n'
    ck = Checker("CP-T-1.toml", text)
    assert build_record(ck, Conference, tomllib.loads(text)["conferences"][0], ("conferences", 0)) is None
    words = " ".join(p.message for p in ck.problems)
    assert "expected one of: initial, review, transfer, pre_birth" in words
    assert "expected one of: held, scheduled, cancelled" in words


_KEY_PART = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True),
    st.text("ab .'#=[]\\é", min_size=0, max_size=5).map(lambda s: '"' + s.replace("\\", "\\\\")
                                                          .replace('"', '\\"') + '"'),
    st.text("ab .\"#=é", min_size=0, max_size=5).map(lambda s: f"'{s}'"),
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_KEY_PART, min_size=1, max_size=3), gap=st.sampled_from(["", " ", "\t "]))
def test_scanner_reads_every_key_as_tomllib_does(parts: list[str], gap: str) -> None:
    """The scanner splits bare dotted keys itself (for speed) and leaves quoted ones to
    tomllib: either way a header's and a key's parts are the ones tomllib sees."""
    import tomllib

    from cptui.tomlscan import scan

    key = f"{gap}.{gap}".join(parts)
    text = f"[{gap}{key}{gap}]\n{gap}{key}{gap}= 1\n"
    data = tomllib.loads(text)
    want: list[str] = []
    node = data
    while isinstance(node, dict):
        (k, node), = node.items()
        want.append(k)
    found = scan(text)
    half = len(want) // 2
    assert found.headers[0].key == tuple(want[:half])
    assert found.keys[0][0].key == tuple(want[half:])


_LINE = st.one_of(
    st.builds(lambda k, v, sp, c: f"{sp}{k}{sp}={sp}{v}{sp}{c}",
              st.from_regex(r"[a-z_][a-z0-9_-]{0,5}", fullmatch=True),
              st.one_of(st.integers(-99, 9999).map(str), st.just("true"), st.just("2026-11-24"),
                        st.just("2026-11-24 09:30:00"),
                        st.text("ab #[]{}='\\\"é", max_size=6).map(
                            lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
                        st.text("ab #[]{}=\"é", max_size=6).map(lambda s: f"'{s}'"),
                        st.just('"""two\n[[visits]]\nlines"""'), st.just("'''x\n= y'''"),
                        st.just("[1, 2]"), st.just('["a",\n  "b"]'), st.just("{ a = 1 }"),
                        st.lists(st.sampled_from(['"m1"', "'x]'", '"a,\\"b"', "3", "true",
                                                  "2026-11-24", '"#"', "[2]", "{a=1}"]),
                                 max_size=3).map(
                            lambda items: "[" + " , ".join(items) + (",]" if items else "]")),
                        st.just('[ "a","b" ]'), st.just("[]"), st.just("[1, # n\n 2]")),
              st.sampled_from(["", " ", "\t"]), st.sampled_from(["", "# note", "#[x]"])),
    st.sampled_from(["[plan]", "[[visits]]", "  [[core_groups]]  # c", "", "# comment",
                     'a.b = 1', '"quoted key" = 2', "[ a . b ]", "[[ x.y ]]#z", '["q.r"]',
                     "[[a]] # [b]", "   ", "\t# x = 1", "[a]]", "[[a]"]),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=12), crlf=st.booleans())
def test_scanner_shortcut_for_simple_lines_finds_what_walking_finds(lines: list[str],
                                                                     crlf: bool) -> None:
    """Simple `key = value` lines are read in one regex step; every header, key span,
    value column and plain line must be what the character-by-character walk reports."""
    import tomllib

    from cptui.tomlscan import ScanError, scan

    text = "\n".join(lines) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the scanner promises nothing for invalid TOML (the loader reports it)
    try:
        slow = scan(text, fast=False)
    except ScanError:
        with pytest.raises(ScanError):
            scan(text)
        return
    assert scan(text) == slow


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_LINE, min_size=1, max_size=12), crlf=st.booleans(),
       last_newline=st.booleans())
def test_headers_found_without_a_scan_are_the_scans_headers(lines: list[str], crlf: bool,
                                                             last_newline: bool) -> None:
    """Practice flags place records by their headers alone when every line is simple;
    when that shortcut answers, it must be exactly the headers a scan finds."""
    import tomllib

    from cptui.tomlscan import ScanError, scan, simple_headers

    text = "\n".join(lines) + ("\n" if last_newline else "")
    if crlf:
        text = text.replace("\n", "\r\n")
    try:
        tomllib.loads(text)
        want = scan(text).headers
    except (tomllib.TOMLDecodeError, ScanError):
        return
    got = simple_headers(text)
    assert got is None or got == want


@pytest.mark.parametrize("text, keys", [
    ('a = """\n[[visits]]\n"""\n[plan]\n', [("plan",)]),  # a header inside a string
    ("a = [\n[1],\n]\n[[visits]]\n", [("visits",)]),  # an array element on its own line
    ("a = '''\n[x]\n'''\n", []),
    ('"quoted" = 1\n[plan]\n', [("plan",)]),
])
def test_texts_with_more_than_simple_lines_are_scanned(text: str, keys: list) -> None:
    from cptui.tomlscan import scan, simple_headers

    assert simple_headers(text) is None
    assert [h.key for h in scan(text).headers] == keys  # the scan finds only the real ones
