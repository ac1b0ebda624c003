"""The cache: data only, keyed on everything a deadline depends on, never trusted blindly."""

from __future__ import annotations

import dataclasses

import json
import os
import pickle
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import write_folder
from cptui import cache as cache_mod
from cptui.cache import Cache, cache_dir, cache_file
from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.settings import load_settings

CASE = """\
schema = 1
id = "{stem}"
procedure = "darlington"
lead_social_worker = "m1"

[[children]]
id = "c1"
name = "Ava Example"
date_of_birth = 2019-03-02
category = "neglect"
plan_start = 2026-09-01

[[members]]
id = "m1"
name = "Sam Patel"
role = "Social worker"
agency = "Children's services"
core_group = true

[[conferences]]
id = "k1"
kind = "initial"
date = 2026-09-01
outcome = "plan"
children = ["c1"]
attendees = ["m1"]
"""


OUTSIDE = """
[[events]]
id = "e1"
date = 2050-01-01
kind = "note"
"""  # a date beyond the bank-holiday table: a warning that names the file


def folder_with(tmp_path: Path, name: str = "cases", n: int = 2) -> Path:
    return write_folder(tmp_path / name, {f"CP-T-{i}": CASE.format(stem=f"CP-T-{i}") for i in range(1, n + 1)})


def truth(folder: Path, today: date):  # type: ignore[no-untyped-def]
    return load_caseload(folder, today, use_cache=False)


def deadlines(load) -> list[dict]:  # type: ignore[no-untyped-def]
    return [d.as_json() for d in load.deadlines()]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder for this test alone, so pruning and clearing touch nothing else."""
    d = tmp_path / "cache"
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(d))
    return d


def test_cache_holds_json_and_never_unpickles(tmp_path: Path, own_cache: Path) -> None:
    folder = folder_with(tmp_path)
    first = load_caseload(folder, date(2026, 11, 23))
    f = cache_file(folder)
    assert f.suffix == ".json" and json.loads(f.read_bytes())["entries"]
    # A pickle that would run code when loaded, planted under every name the cache might read.
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (marker,))

    blob = pickle.dumps(Evil())
    for name in (f.name, f.with_suffix(".pickle").name):
        (own_cache / name).write_bytes(blob)
    again = load_caseload(folder, date(2026, 11, 23))
    assert not marker.exists()
    assert deadlines(again) == deadlines(first)


def test_today_is_in_the_key(tmp_path: Path, own_cache: Path) -> None:
    """Directly: an entry stored on one day is a miss on another, a hit on the same day."""
    folder = folder_with(tmp_path)
    settings, _ = load_settings(folder)
    d1, d2 = date(2026, 9, 10), date(2026, 11, 23)
    assert cache_mod._context_key(d1, settings, folder) != cache_mod._context_key(d2, settings, folder)
    path = folder / "CP-T-1.toml"
    c = Cache.open(folder, d1, settings)
    cv = truth(folder, d1).cases[0]
    c.put(path, "digest-1", cv, cv.problems, "lines")
    c.save()
    assert Cache.open(folder, d1, settings).get(path, "digest-1") is not None  # a real hit...
    assert Cache.open(folder, d2, settings).get(path, "digest-1") is None  # ...but not another day
    # And through the loader: statuses at d2 are d2's, not d1's cached ones.
    load_caseload(folder, d1)
    at_d2 = load_caseload(folder, d2)
    assert deadlines(at_d2) == deadlines(truth(folder, d2)) != deadlines(truth(folder, d1))


def test_bank_holidays_are_in_the_key(tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An updated `holidays` table must move cached deadlines at once, even with a pinned clock."""
    import cptui.dates as dates

    folder = folder_with(tmp_path)
    today = date(2026, 11, 23)
    before = load_caseload(folder, today)
    due = sorted({d.due for d in before.deadlines() if d.rule == "visit" and d.due > date(2026, 9, 10)})
    extra = dates.bank_holidays() | {due[0]}  # a new bank holiday on a deadline's due date
    monkeypatch.setattr(dates, "_BANK_HOLIDAYS", frozenset(extra))
    after = load_caseload(folder, today)
    assert deadlines(after) == deadlines(truth(folder, today)) != deadlines(before)


def test_problem_paths_and_case_paths_follow_the_working_folder(tmp_path: Path, own_cache: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = folder_with(tmp_path)
    (folder / "CP-T-1.toml").write_text(CASE.format(stem="CP-T-1") + OUTSIDE)
    monkeypatch.chdir(tmp_path)
    rel = load_caseload(Path("cases"), date(2026, 11, 23))
    assert rel.problems and all(p.path.startswith("cases") for p in rel.problems)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cached = load_caseload(folder, date(2026, 11, 23))
    assert [str(p) for p in cached.problems] == [str(p) for p in truth(folder, date(2026, 11, 23)).problems]
    for cv in cached.cases:  # a save must go to the real file, not a path relative to the old folder
        assert cv.case.path.resolve() == (folder / f"{cv.case.id}.toml").resolve()
    # Same shown names, other spelling of the folder: a hit, with paths as given now.
    monkeypatch.chdir(tmp_path)
    assert load_caseload(Path("cases"), date(2026, 11, 23)).cases[0].case.path == Path("cases/CP-T-1.toml")
    absolute = load_caseload(folder.resolve(), date(2026, 11, 23))
    assert [cv.case.path for cv in absolute.cases] == [folder.resolve() / f"CP-T-{i}.toml" for i in (1, 2)]


def test_read_only_warning_follows_the_file_mode(tmp_path: Path, own_cache: Path) -> None:
    folder = folder_with(tmp_path)
    p = folder / "CP-T-1.toml"
    codes = lambda load: [q.code for q in load.problems if q.path.endswith("CP-T-1.toml")]  # noqa: E731
    assert "read_only" not in codes(load_caseload(folder, date(2026, 11, 23)))
    p.chmod(0o444)
    try:
        assert "read_only" in codes(load_caseload(folder, date(2026, 11, 23)))
    finally:
        p.chmod(0o644)
    assert "read_only" not in codes(load_caseload(folder, date(2026, 11, 23)))


def test_entries_of_deleted_folders_are_pruned(tmp_path: Path, own_cache: Path) -> None:
    gone, kept = folder_with(tmp_path, "gone"), folder_with(tmp_path, "kept")
    load_caseload(gone, date(2026, 11, 23))
    load_caseload(kept, date(2026, 11, 23))
    gone_file = cache_file(gone)
    assert gone_file.exists() and cache_file(kept).exists()
    shutil.rmtree(gone)
    load_caseload(kept, date(2026, 11, 23))
    assert not gone_file.exists() and cache_file(kept).exists()


def lines_file(folder: Path) -> Path:
    """The side file with each case's JSON output lines."""
    return cache_file(folder).with_suffix(".lines")


def forge(folder: Path) -> None:
    """Rewrite the cached deadlines of every entry to say something false.

    The lines file is one line of JSON (per file: digest, start, end) and then the texts.
    """
    f = lines_file(folder)
    data = f.read_bytes()
    cut = data.index(b"\n")
    head, blob = json.loads(data[:cut]), data[cut + 1:]
    out, at = b"", 0
    for entry in head["entries"].values():
        text = blob[entry[1]:entry[2]].replace(b'"status": "', b'"status": "FORGED-')
        entry[1:] = [at, at + len(text)]
        out += text
        at += len(text)
    head["size"] = len(out)
    f.write_bytes(json.dumps(head).encode() + b"\n" + out)


@pytest.mark.parametrize("how", ["group-writable folder", "world-writable file", "world-writable side file",
                                 "folder of another user"])
def test_cache_not_private_to_the_user_is_refused(tmp_path: Path, own_cache: Path,
                                                  monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    folder = folder_with(tmp_path)
    load_caseload(folder, date(2026, 11, 23))
    out = lambda: main(["deadlines", "--cases", str(folder), "--today", "2026-11-23", "--format", "json"])  # noqa: E731
    forge(folder)
    f = cache_file(folder)
    if how == "group-writable folder":
        own_cache.chmod(0o770)
    elif how == "world-writable file":
        f.chmod(0o666)
    elif how == "world-writable side file":
        lines_file(folder).chmod(0o666)
    else:
        real = os.getuid()
        monkeypatch.setattr(cache_mod, "_uid", lambda: real + 1)
    before = f.read_bytes(), lines_file(folder).read_bytes()
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out()
    assert "FORGED" not in buf.getvalue() and '"status": "' in buf.getvalue()
    assert (f.read_bytes(), lines_file(folder).read_bytes()) == before  # nor written to


def test_forged_entries_in_a_private_cache_would_be_used(tmp_path: Path, own_cache: Path, capsys) -> None:
    """The control for the test above: the forgery does reach the output when the cache is trusted."""
    folder = folder_with(tmp_path)
    load_caseload(folder, date(2026, 11, 23))
    forge(folder)
    main(["deadlines", "--cases", str(folder), "--today", "2026-11-23", "--format", "json"])
    assert "FORGED" in capsys.readouterr().out


def test_cache_clear(tmp_path: Path, own_cache: Path, capsys) -> None:
    folder = folder_with(tmp_path)
    load_caseload(folder, date(2026, 11, 23))
    assert cache_file(folder).exists()
    (own_cache / "old.pickle").write_bytes(b"x")  # left by an older cptui
    (own_cache / "unrelated.txt").write_text("not ours")
    (own_cache / "ics-sequence.json").write_text("{}")  # calendar history: must outlive a clear
    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "Removed" in out and str(own_cache) in out
    assert sorted(p.name for p in own_cache.iterdir()) == ["ics-sequence.json", "unrelated.txt"]
    assert main(["cache", "clear"]) == 0  # nothing left: still fine
    assert cache_dir() == own_cache
    assert main(["cache", "path"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith(str(own_cache)) and "not used" not in err
    own_cache.chmod(0o777)
    main(["cache", "path"])
    assert "not used" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["cut short", "offsets past the end", "not UTF-8"])
def test_damaged_lines_file_is_never_printed(tmp_path: Path, own_cache: Path, capsys,
                                            damage: str) -> None:
    """The JSON output's cache keeps texts raw after a one-line index: damage to it
    means reading the case files again, never printing a short or garbled deadline."""
    folder = folder_with(tmp_path)
    args = ["deadlines", "--cases", str(folder), "--today", "2026-11-23", "--format", "json"]
    main(args)
    want = capsys.readouterr().out
    f = lines_file(folder)
    data = f.read_bytes()
    cut = data.index(b"\n")
    head, blob = json.loads(data[:cut]), data[cut + 1:]
    if damage == "cut short":
        blob = blob[:-40]
    elif damage == "offsets past the end":
        for entry in head["entries"].values():
            entry[2] += 10_000
    else:
        blob = b"\xff" * len(blob)
    f.write_bytes(json.dumps(head).encode() + b"\n" + blob)
    main(args)
    assert capsys.readouterr().out == want



@dataclasses.dataclass
class _Empty:
    pass


@dataclasses.dataclass
class _One:
    when: date


@dataclasses.dataclass
class _Three:
    name: str
    when: date | None
    where: Path


def test_the_cache_codec_round_trips_records_of_any_width() -> None:
    """Records are encoded with all their fields read at once; one field or none must
    come back the same as many (a one-name attrgetter gives a value, not a tuple)."""
    from cptui.cache import codec

    for value, plain in [(_Empty(), []), (_One(date(2026, 1, 5)), ["2026-01-05"]),
                         (_Three("Ava Example", None, Path("a/b.toml")),
                          ["Ava Example", None, "a/b.toml"]),
                         (_Three("x", date(2026, 2, 1), Path("c")), ["x", "2026-02-01", "c"])]:
        enc, dec = codec(type(value))
        assert enc(value) == plain
        assert dec(enc(value)) == value
