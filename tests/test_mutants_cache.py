"""Tests written to kill mutants of cptui/cache.py that survived every other test.

The cache decides whether a deadline shown is today's or an old one, so each test is
named for what a worker relies on: a stale or forged answer is never given back, and
``cptui cache clear`` removes cptui's files and nothing else. The mutants left as
equivalent are listed in docs/mutants.md.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from pathlib import Path

import pytest

from conftest import write_folder
from test_cache import CASE
from cptui import cache as cache_mod
from cptui.cache import Cache, cache_dir, cache_file, clear
from cptui.caseload import CaseView, load_caseload
from cptui.settings import load_settings

TODAY = date(2026, 11, 23)


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder for this test alone."""
    d = tmp_path / "cache"
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(d))
    return d


def cases(tmp_path: Path, n: int = 1, name: str = "cases") -> Path:
    return write_folder(tmp_path / name,
                        {f"CP-T-{i}": CASE.format(stem=f"CP-T-{i}") for i in range(1, n + 1)})


# -- cptui cache clear ------------------------------------------------------------


def test_cache_clear_counts_exactly_the_files_it_removed(tmp_path: Path, own_cache: Path) -> None:
    folder = cases(tmp_path, 2)
    load_caseload(folder, TODAY)
    ours = sorted(p.name for p in own_cache.iterdir())
    # per folder a main file, the summaries and the JSON output's lines, plus the index
    assert len(ours) == 4
    assert clear() == (own_cache, 4)
    assert clear() == (own_cache, 0)


def test_cache_clear_removes_cptuis_temp_files_but_not_other_hidden_or_tmp_files(
        tmp_path: Path, own_cache: Path) -> None:
    own_cache.mkdir(mode=0o700)
    left = (own_cache / ".abc.json.cptui-12-0123456789ab.tmp")  # a write cut short
    left.write_text("x")
    keep = ["draft.tmp", ".hidden", "notes.txt"]
    for name in keep:
        (own_cache / name).write_text("someone's")
    assert clear() == (own_cache, 1)
    assert sorted(p.name for p in own_cache.iterdir()) == sorted(keep)


def test_cache_clear_never_follows_a_symlinked_cache_folder(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder that is a link points at someone else's files: nothing is removed."""
    real = tmp_path / "elsewhere"
    real.mkdir()
    victim = real / ("0" * 24 + ".json")
    victim.write_text("{}")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(link))
    assert clear() == (link, 0)
    assert victim.exists()


def test_cache_clear_with_no_cache_folder_yet(tmp_path: Path, own_cache: Path) -> None:
    assert not own_cache.exists()
    assert clear() == (own_cache, 0)
    assert not own_cache.exists()


# -- what is stored ---------------------------------------------------------------


def test_a_case_whose_profile_is_not_the_lookups_is_not_cached(tmp_path: Path,
                                                               own_cache: Path) -> None:
    """The profile is stored by name only; one that differs from what the name gives back
    (changed in memory) would come back as the other one, with other deadlines."""
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    path = folder / "CP-T-1.toml"
    cv = load_caseload(folder, TODAY, use_cache=False).cases[0]
    other = dataclasses.replace(cv.profile, title=cv.profile.title + " (changed)")
    c = Cache.open(folder, TODAY, settings)
    c.put(path, "digest-1", cv, cv.problems, "lines")  # the control: the real one is kept
    assert "CP-T-1.toml" in c.entries
    c.dirty = False
    # ... and the entry it had is dropped, not left to answer for the changed case
    changed = CaseView(cv.case, other, cv.deadlines, cv.problems)
    assert c.put(path, "digest-2", changed, cv.problems, "lines") is None
    assert "CP-T-1.toml" not in c.entries and c.dirty


def test_a_workers_copy_of_the_profile_is_cached_only_while_it_is_the_lookups(
        tmp_path: Path, own_cache: Path) -> None:
    """A worker sends its own copy of the profile with each encoded summary: an equal
    copy is cached (and compared once), a changed one never, even after an equal one."""
    from cptui.summaries import encode

    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    path = folder / "CP-T-1.toml"
    cv = load_caseload(folder, TODAY, use_cache=False).cases[0]
    c = Cache.open(folder, TODAY, settings)
    data = encode(cv.summary, cv.deadlines, c.shared_strings())
    copy = dataclasses.replace(cv.profile)
    assert copy == cv.profile and copy is not cv.profile
    assert c.put(path, "digest-1", None, cv.problems, "lines", encoded=(copy, data)) is data
    assert c.entries["CP-T-1.toml"][3] is True  # stored with its summary
    other = dataclasses.replace(cv.profile, title=cv.profile.title + " (changed)")
    assert c.put(path, "digest-2", None, cv.problems, "lines", encoded=(other, data)) is None
    assert "CP-T-1.toml" not in c.entries


# -- plain data <-> cptui's classes --------------------------------------------------
# codec() keeps what it built in _CODECS, so a test that wants to see it build starts
# from an empty table (otherwise an earlier test's codecs answer).


def test_every_demo_case_deadline_and_problem_comes_back_from_plain_data_unchanged(
        monkeypatch: pytest.MonkeyPatch, demo: Path) -> None:
    import json

    from cptui.model import Case
    from cptui.problems import Problem
    from cptui.rules import Deadline

    monkeypatch.setattr(cache_mod, "_CODECS", {})
    load = load_caseload(demo, TODAY, use_cache=False)
    assert load.cases and load.problems
    for cls, values in ((Case, [cv.case for cv in load.cases]),
                        (Deadline, [d for cv in load.cases for d in cv.deadlines]),
                        (Problem, list(load.problems))):
        enc, dec = cache_mod.codec(cls)
        for v in values:
            plain = json.loads(json.dumps(enc(v)))  # what the cache file holds
            kept = json.dumps(plain)
            back = dec(plain)
            assert type(back) is cls and back == v
            assert json.dumps(plain) == kept  # decoding leaves the cached data as it was
    case = load.cases[0].case
    assert any(c.date_of_birth for c in case.children)  # dates really went through
    assert isinstance(cache_mod.codec(Case)[1](cache_mod.codec(Case)[0](case)).path, Path)


def test_a_cached_record_of_another_shape_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from cptui.problems import Problem

    monkeypatch.setattr(cache_mod, "_CODECS", {})
    enc, dec = cache_mod.codec(Problem)
    row = enc(Problem("a.toml", 3, None, "warning", "m", "x"))
    assert row == ["a.toml", 3, None, "warning", "m", "x"]
    with pytest.raises(ValueError):
        dec(row[:-1])
    with pytest.raises(ValueError):
        dec(row + ["extra"])


def test_types_the_cache_cannot_bring_back_are_refused_not_mangled(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A value with no exact plain form is not cached (TypeError) rather than stored lossily."""
    monkeypatch.setattr(cache_mod, "_CODECS", {})
    for tp in (set[int], dict[str, int], tuple[int, ...], int | str, bytes):
        with pytest.raises(TypeError):
            cache_mod.codec(tp)


def test_plain_and_optional_values_encode_as_json_and_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime
    from typing import Any, Literal, Optional

    monkeypatch.setattr(cache_mod, "_CODECS", {})
    cases = [(str, "a", "a"), (int, 3, 3), (float, 1.5, 1.5), (bool, True, True),
             (type(None), None, None), (Any, "x", "x"), (Literal["a", "b"], "b", "b"),
             (date, date(2026, 9, 1), "2026-09-01"),
             (datetime, datetime(2026, 9, 1, 8, 30), "2026-09-01T08:30:00"),
             (Path, Path("a/b.toml"), "a/b.toml"),
             (date | None, date(2026, 9, 1), "2026-09-01"), (date | None, None, None),
             (Optional[Path], None, None), (str | None, "s", "s"),
             (list[date], [date(2026, 1, 2)], ["2026-01-02"]), (list[str], ["a"], ["a"])]
    for tp, value, plain in cases:
        enc, dec = cache_mod.codec(tp)
        assert enc(value) == plain, tp
        back = dec(plain)
        assert back == value and type(back) is type(value), tp
    assert cache_mod.codec(str | None) == (cache_mod._same, cache_mod._same)
    assert cache_mod.codec(date) is cache_mod._CODECS[date]  # built once, then reused


def test_a_changed_source_or_profile_file_changes_the_code_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new rule (any .py of the core) or a changed shipped profile must never be
    answered from a cache written by the old one; other files do not matter."""
    pkg = tmp_path / "cptui"
    (pkg / "profile_data").mkdir(parents=True)
    (pkg / "rules.py").write_text("A = 1\n")
    (pkg / "flags.py").write_text("B = 1\n")
    (pkg / "profile_data" / "p.toml").write_text("x = 1\n")
    monkeypatch.setattr(cache_mod, "__file__", str(pkg / "cache.py"))

    def key() -> str:
        monkeypatch.setattr(cache_mod, "_CODE", None)
        return cache_mod._code_hash()

    first = key()
    assert len(first) == 64 and key() == first
    (pkg / "notes.txt").write_text("not code")
    (pkg / "profile_data" / "readme.md").write_text("not a profile")
    assert key() == first
    for f, text in ((pkg / "rules.py", "A = 2\n"), (pkg / "profile_data" / "p.toml", "x = 2\n")):
        before = key()
        f.write_text(text)
        assert key() != before, f
    # each file counts, not only the first or last one read
    before = key()
    (pkg / "flags.py").write_text("B = 2\n")
    assert key() != before
    monkeypatch.setattr(cache_mod, "_CODE", "kept")
    assert cache_mod._code_hash() == "kept"  # computed once per process


def test_a_broken_case_has_an_entry_but_no_model_and_loses_the_model_it_had(
        tmp_path: Path, own_cache: Path) -> None:
    """Problems of a broken file are cached (it stays listed as broken on a hit); the
    summaries only ever hold working cases, so a case broken since is never shown from them."""
    import json

    folder = cases(tmp_path, 2)
    load_caseload(folder, TODAY)
    main, models = cache_file(folder), cache_file(folder).with_suffix(".summaries.json")
    assert sorted(json.loads(models.read_bytes())["entries"]) == ["CP-T-1.toml", "CP-T-2.toml"]
    (folder / "CP-T-2.toml").write_text(CASE.format(stem="CP-T-2") + "\n[[children]]\nid = 3\n")
    first = load_caseload(folder, TODAY)
    assert [b.path.name for b in first.broken] == ["CP-T-2.toml"]
    assert sorted(json.loads(main.read_bytes())["entries"]) == ["CP-T-1.toml", "CP-T-2.toml"]
    assert sorted(json.loads(models.read_bytes())["entries"]) == ["CP-T-1.toml"]
    again = load_caseload(folder, TODAY)  # from the cache: still broken, same problems
    assert [b.path.name for b in again.broken] == ["CP-T-2.toml"]
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]


def test_read_only_warning_follows_a_change_to_read_and_execute_only(tmp_path: Path,
                                                                     own_cache: Path) -> None:
    """r-xr-xr-x is read-only too: no write bit, whatever the execute bits say."""
    folder = cases(tmp_path)
    p = folder / "CP-T-1.toml"

    def read_only() -> bool:
        return any(q.code == "read_only" for q in load_caseload(folder, TODAY).problems)

    assert not read_only()
    p.chmod(0o555)
    try:
        assert read_only()
    finally:
        p.chmod(0o644)
    assert not read_only()


def test_a_record_class_with_its_own_set_up_is_built_through_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain dataclasses are filled in directly (fast); one with __post_init__ or __slots__
    must be constructed, or its set-up (here: tidy a name) is skipped or it cannot be built."""

    @dataclasses.dataclass
    class Tidy:
        name: str
        when: date

        def __post_init__(self) -> None:
            self.name = self.name.strip()

    @dataclasses.dataclass
    class Plain:
        name: str
        when: date

    @dataclasses.dataclass(slots=True)
    class Slotted:  # no __dict__ to fill in
        name: str
        when: date

    monkeypatch.setattr(cache_mod, "_CODECS", {})
    assert cache_mod.codec(Slotted)[1](["Ava", "2026-09-01"]) == Slotted("Ava", date(2026, 9, 1))
    back = cache_mod.codec(Tidy)[1](["  Ava  ", "2026-09-01"])
    assert back == Tidy("Ava", date(2026, 9, 1))
    plain = cache_mod.codec(Plain)[1](["  Ava  ", "2026-09-01"])
    assert plain == Plain("  Ava  ", date(2026, 9, 1))


# -- the index of cases folders (for pruning) ----------------------------------------


def test_an_index_others_may_write_cannot_make_cptui_delete_a_cache(tmp_path: Path,
                                                                   own_cache: Path) -> None:
    """The index says which cases folder each cache file is for; one that others may write
    is not read, so a forged "that folder is gone" deletes nothing."""
    import json

    a, b = cases(tmp_path, name="a"), cases(tmp_path, name="b")
    load_caseload(a, TODAY)
    load_caseload(b, TODAY)
    idx = own_cache / cache_mod.INDEX
    data = json.loads(idx.read_bytes())
    data[cache_file(b).name] = str(tmp_path / "gone")
    idx.write_text(json.dumps(data))
    idx.chmod(0o666)
    load_caseload(a, TODAY)
    assert cache_file(b).exists()
    # the control: the same forgery in a private index is believed
    data = json.loads(idx.read_bytes())
    data[cache_file(b).name] = str(tmp_path / "gone")
    idx.write_text(json.dumps(data))
    idx.chmod(0o600)
    load_caseload(a, TODAY)
    assert not cache_file(b).exists()


def test_an_index_that_is_not_a_table_is_started_again(tmp_path: Path, own_cache: Path) -> None:
    import json

    folder = cases(tmp_path)
    load_caseload(folder, TODAY)
    idx = own_cache / cache_mod.INDEX
    for garbage in ("[1, 2]", "{not json", "\xff"):
        idx.write_text(garbage, encoding="latin-1")
        assert load_caseload(folder, TODAY).cases
        assert json.loads(idx.read_bytes()) == {cache_file(folder).name: str(folder.resolve())}


def test_loading_again_with_nothing_changed_writes_nothing(tmp_path: Path,
                                                          own_cache: Path) -> None:
    """Every write replaces a file (a new inode): a load that changed nothing must not."""
    folder = cases(tmp_path, 2)
    load_caseload(folder, TODAY)
    files = sorted(own_cache.iterdir())
    before = {p.name: os.stat(p).st_ino for p in files}
    load_caseload(folder, TODAY)
    assert {p.name: os.stat(p).st_ino for p in sorted(own_cache.iterdir())} == before


def test_pruning_a_gone_folder_removes_both_its_files_and_its_index_entry(
        tmp_path: Path, own_cache: Path) -> None:
    import json
    import shutil

    gone, kept = cases(tmp_path, name="gone"), cases(tmp_path, name="kept")
    load_caseload(gone, TODAY)
    load_caseload(kept, TODAY)
    gone_files = [cache_file(gone), cache_file(gone).with_suffix(".summaries.json"),
                  cache_file(gone).with_suffix(".lines")]
    assert all(f.exists() for f in gone_files)
    older = cache_file(gone).with_suffix(".models.json")  # as cptui before format 4 left
    older.write_text("{}")
    gone_files.append(older)
    shutil.rmtree(gone)
    load_caseload(kept, TODAY)
    assert not any(f.exists() for f in gone_files)
    idx = json.loads((own_cache / cache_mod.INDEX).read_bytes())
    assert idx == {cache_file(kept).name: str(kept.resolve())}


@pytest.mark.parametrize("removed", ["main file", "summaries file"])
def test_pruning_copes_with_a_gone_folders_file_removed_already(
        tmp_path: Path, own_cache: Path, removed: str) -> None:
    """A half-pruned entry (one file deleted by hand or by an earlier run cut short) must
    not stop the pruning: the index would keep the entry, and the rest, for ever."""
    import json
    import shutil

    gone, kept = cases(tmp_path, name="gone"), cases(tmp_path, name="kept")
    load_caseload(gone, TODAY)
    load_caseload(kept, TODAY)
    main, models = cache_file(gone), cache_file(gone).with_suffix(".summaries.json")
    (main if removed == "main file" else models).unlink()
    shutil.rmtree(gone)
    load_caseload(kept, TODAY)
    assert not main.exists() and not models.exists()
    idx = json.loads((own_cache / cache_mod.INDEX).read_bytes())
    assert idx == {cache_file(kept).name: str(kept.resolve())}


# -- where the cache lives, and who may use it ------------------------------------------


def test_cache_folder_from_cptui_cache_dir_then_xdg_then_home(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CPTUI_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == tmp_path / "home" / ".cache" / "cptui"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "cptui"
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"  # used as it is, no "cptui" added


def test_one_cache_file_per_cases_folder_however_it_is_spelled(tmp_path: Path, own_cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    a, b = cases(tmp_path, name="a"), cases(tmp_path, name="b")
    monkeypatch.chdir(tmp_path)
    assert cache_file(Path("a")) == cache_file(a) == cache_file(tmp_path / "b" / ".." / "a")
    assert cache_file(a) != cache_file(b)
    assert cache_file(a).parent == own_cache
    assert re.fullmatch(r"[0-9a-f]{24}\.json", cache_file(a).name)


def test_cache_folder_and_files_are_created_private(tmp_path: Path, own_cache: Path) -> None:
    import stat

    old = os.umask(0o022)
    try:
        load_caseload(cases(tmp_path), TODAY)
    finally:
        os.umask(old)
    assert stat.S_IMODE(own_cache.stat().st_mode) == 0o700
    for f in own_cache.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name


@pytest.mark.parametrize("mode", [0o700, 0o711, 0o755])
def test_a_cache_folder_others_may_read_or_enter_but_not_write_is_used(
        tmp_path: Path, own_cache: Path, mode: int) -> None:
    own_cache.mkdir()
    own_cache.chmod(mode)
    assert cache_mod.usable_folder(own_cache)
    folder = cases(tmp_path)
    load_caseload(folder, TODAY)
    assert cache_file(folder).exists()


@pytest.mark.parametrize("mode", [0o720, 0o702, 0o770, 0o777])
def test_a_cache_folder_others_may_write_is_not_used(tmp_path: Path, own_cache: Path,
                                                     mode: int) -> None:
    own_cache.mkdir()
    own_cache.chmod(mode)
    assert not cache_mod.usable_folder(own_cache)
    folder = cases(tmp_path)
    assert load_caseload(folder, TODAY).cases
    assert not cache_file(folder).exists()


def test_private_checks_the_kind_owner_and_write_bits(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    d, f = tmp_path / "d", tmp_path / "f"
    d.mkdir(mode=0o700)
    f.write_text("x")
    f.chmod(0o644)
    assert cache_mod.private(d, "dir") and cache_mod.private(f, "file")
    assert not cache_mod.private(d, "file") and not cache_mod.private(f, "dir")
    assert not cache_mod.private(tmp_path / "missing", "file")
    link = tmp_path / "link"
    link.symlink_to(f)
    assert not cache_mod.private(link, "file")  # a symlink is refused, even to our own file
    f.chmod(0o646)
    assert not cache_mod.private(f, "file")
    f.chmod(0o604)
    assert cache_mod.private(f, "file")
    monkeypatch.setattr(cache_mod, "_uid", lambda: os.getuid() + 1)
    assert not cache_mod.private(f, "file")
    monkeypatch.setattr(cache_mod, "_uid", lambda: None)  # no POSIX owners: the kind only
    f.chmod(0o666)
    assert cache_mod.private(f, "file") and not cache_mod.private(f, "dir")
    monkeypatch.undo()
    assert cache_mod._uid() == os.getuid()


# -- the key: everything a deadline depends on ------------------------------------------


def test_every_input_of_a_deadline_is_in_the_key(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    base = cache_mod._context_key(TODAY, settings, folder)
    assert base == cache_mod._context_key(TODAY, load_settings(folder)[0], folder)  # stable
    assert len(base) == 64
    changed = dataclasses.replace(settings, timescales={"core_group": "15 working days"})
    assert cache_mod._context_key(TODAY, changed, folder) != base
    for name, value in (("__version__", "0.0.0-other"), ("FORMAT", cache_mod.FORMAT + 1),
                        ("_CODE", "another build")):
        with monkeypatch.context() as m:
            m.setattr(cache_mod, name, value)
            assert cache_mod._context_key(TODAY, settings, folder) != base, name
    import cptui.profiles as profiles

    real = profiles.all_profiles()
    name = next(iter(real))
    rule = next(iter(real[name].timescales))
    ts = dict(real[name].timescales)
    ts[rule] = dataclasses.replace(ts[rule], text=ts[rule].text + " (changed)")
    other = {**real, name: dataclasses.replace(real[name], timescales=ts)}
    with monkeypatch.context() as m:
        m.setattr(profiles, "all_profiles", lambda: other)
        assert cache_mod._context_key(TODAY, settings, folder) != base
    with monkeypatch.context() as m:
        m.setattr(cache_mod, "_holiday_key", lambda: "another table")
        assert cache_mod._context_key(TODAY, settings, folder) != base
    (folder / "profiles").mkdir()  # the team's own profiles, by their files' bytes
    team = folder / "profiles" / "example-town.toml"
    team.write_text('title = "Example Town"\nextends = "darlington"\n', encoding="utf-8")
    with_team = cache_mod._context_key(TODAY, settings, folder)
    assert with_team != base
    team.write_text('title = "Example Town (edited)"\nextends = "darlington"\n', encoding="utf-8")
    assert cache_mod._context_key(TODAY, settings, folder) not in (base, with_team)


def test_the_holiday_key_names_the_table_and_where_it_came_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped table, or the ``holidays`` library (by version) when it is missing."""
    import holidays

    import cptui.dates as dates

    shipped = cache_mod._holiday_key()
    assert shipped.startswith("shipped:") and len(shipped) == len("shipped:") + 64
    with monkeypatch.context() as m:
        m.setattr(dates, "_BANK_HOLIDAYS", frozenset(dates.bank_holidays() | {date(2031, 1, 2)}))
        assert cache_mod._holiday_key() != shipped
    monkeypatch.setattr(dates, "shipped_bank_holidays", lambda: None)
    monkeypatch.setattr(holidays, "__version__", "1.0", raising=False)
    first = cache_mod._holiday_key()
    assert first == "holidays 1.0:" + shipped.split(":", 1)[1]  # same days, other source
    monkeypatch.setattr(holidays, "__version__", "2.0")
    assert cache_mod._holiday_key() == "holidays 2.0:" + shipped.split(":", 1)[1]
    monkeypatch.delattr(holidays, "__version__")
    assert cache_mod._holiday_key().startswith("holidays ?:")


def test_a_team_timescale_is_kept_when_a_case_comes_back_from_the_cache(
        tmp_path: Path, own_cache: Path) -> None:
    """Profiles are not stored: one rebuilt from its name must have the team's settings."""
    folder = cases(tmp_path, 2)
    (folder / "cptui.toml").write_text('[timescales]\ncore_group = "15 working days"\n')
    truth = load_caseload(folder, TODAY, use_cache=False)
    load_caseload(folder, TODAY)
    with pytest.MonkeyPatch.context() as m:  # a hit reads no case file: the cache kept both
        m.setattr("cptui.caseload.load_one", lambda *a, **k: pytest.fail("a case file was read"))
        hit = load_caseload(folder, TODAY)
    for got, want in zip(hit.cases, truth.cases):
        assert got.profile == want.profile
        assert got.profile.get("core_group").text == "15 working days"
        assert [d.as_json() for d in got.deadlines] == [d.as_json() for d in want.deadlines]
    assert hit.cases[0].profile is hit.cases[1].profile  # looked up once per load


# -- reading the cache file ------------------------------------------------------------


def test_only_a_well_formed_cache_file_of_this_context_is_read(tmp_path: Path) -> None:
    import json

    f = tmp_path / "c.json"

    def load(body: object, mode: int = 0o600) -> object:
        f.write_text(body if isinstance(body, str) else json.dumps(body))
        f.chmod(mode)
        return cache_mod._load(f, "ctx")

    entries = {"CP-T-1.toml": ["d", "cases/CP-T-1.toml", True, False, []]}
    assert load({"context": "ctx", "entries": entries})["entries"] == entries
    assert load({"context": "ctx", "entries": entries}, 0o606) is None  # others may write it
    assert load({"context": "other", "entries": entries}) is None
    assert load({"entries": entries}) is None
    assert load({"context": "ctx", "entries": []}) is None
    assert load({"context": "ctx"}) is None
    assert load([["context", "ctx"]]) is None
    assert load("{not json") is None
    f.unlink()
    assert cache_mod._load(f, "ctx") is None


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_the_cache_leaves_garbage_collection_as_it_was(tmp_path: Path, own_cache: Path,
                                                               enabled: bool) -> None:
    import gc

    folder = cases(tmp_path)
    load_caseload(folder, TODAY)
    settings, _ = load_settings(folder)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        Cache.open(folder, TODAY, settings)
        assert gc.isenabled() is enabled
        (cache_mod._load(tmp_path / "missing.json", "x"), cache_mod._load(folder / "CP-T-1.toml", "x"))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_a_hit_needs_the_same_digest_shown_name_writability_and_summary(
        tmp_path: Path, own_cache: Path) -> None:
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    path = folder / "CP-T-1.toml"
    cv = load_caseload(folder, TODAY, use_cache=False).cases[0]
    c = Cache.open(folder, TODAY, settings)
    c.put(path, "d1", cv, cv.problems, "lines")
    c.save()

    def fresh(models: bool = True) -> Cache:
        return Cache.open(folder, TODAY, settings, models)

    blob, probs, lines = fresh().get(path, "d1")
    assert lines is None and probs == cv.problems and blob is not None
    back = fresh().restore(blob, path, lambda: (cv, cv.problems))
    assert back.summary.digest == "d1"  # the digest the entry was stored under
    assert dataclasses.replace(back.summary, digest=cv.summary.digest) == cv.summary
    assert back.deadlines == cv.deadlines
    assert back.problems == cv.problems and back.case == cv.case
    assert fresh().get(path, "d2") is None
    assert fresh().get(folder / "CP-T-9.toml", "d1") is None
    # without views: the same problems and the JSON lines, and nothing to restore
    assert fresh(models=False).get(path, "d1") == (None, cv.problems, "lines")
    assert fresh(models=False).side["views"] is None
    assert fresh().side["views"]["CP-T-1.toml"][0] == "d1"
    # a summaries file written for other content of that file: a miss, never a wrong case
    views = cache_file(folder).with_suffix(".summaries.json")
    import json

    data = json.loads(views.read_bytes())
    data["entries"]["CP-T-1.toml"][0] = "d0"
    views.write_text(json.dumps(data))
    assert fresh().get(path, "d1") is None
    del data["entries"]["CP-T-1.toml"]
    views.write_text(json.dumps(data))
    assert fresh().get(path, "d1") is None
    assert fresh(models=False).get(path, "d1") is not None
    # the file made read-only since: a miss (the read-only warning must be worked out)
    path.chmod(0o444)
    try:
        assert fresh(models=False).get(path, "d1") is None
    finally:
        path.chmod(0o644)


def test_a_cache_not_usable_is_neither_read_nor_written(tmp_path: Path, own_cache: Path) -> None:
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    load_caseload(folder, TODAY)
    before = {p.name: p.read_bytes() for p in own_cache.iterdir()}
    own_cache.chmod(0o777)
    c = Cache.open(folder, TODAY, settings)
    assert not c.usable and c.entries == {} and c.side == {"lines": None, "views": None}
    path = folder / "CP-T-1.toml"
    assert c.get(path, "anything") is None
    cv = load_caseload(folder, TODAY, use_cache=False).cases[0]
    c.put(path, "d9", cv, cv.problems, "x")
    assert c.entries == {} and not c.dirty
    c.save()
    own_cache.chmod(0o700)
    assert {p.name: p.read_bytes() for p in own_cache.iterdir()} == before


def test_a_cache_file_of_another_user_is_not_read_or_overwritten(tmp_path: Path,
                                                                 own_cache: Path) -> None:
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    load_caseload(folder, TODAY)
    f = cache_file(folder)
    f.chmod(0o646)
    c = Cache.open(folder, TODAY, settings)
    assert not c.usable and c.entries == {}


def test_a_load_without_models_keeps_the_models_of_the_other_cases(tmp_path: Path,
                                                                  own_cache: Path) -> None:
    """``cptui deadlines --format json`` does not read the summaries; when it re-caches one
    changed file, the summaries file must keep the others, or the next app start loses its
    cache for every case (and the app's loads must keep the JSON output's lines too)."""
    import json

    folder = cases(tmp_path, 2)
    load_caseload(folder, TODAY)
    (folder / "CP-T-2.toml").write_text(CASE.format(stem="CP-T-2") + "# edited\n")
    load_caseload(folder, TODAY, models=False)
    views = json.loads(cache_file(folder).with_suffix(".summaries.json").read_bytes())["entries"]
    assert sorted(views) == ["CP-T-1.toml", "CP-T-2.toml"]
    assert views["CP-T-1.toml"][1] is not None
    (folder / "CP-T-1.toml").write_text(CASE.format(stem="CP-T-1") + "# edited\n")
    load_caseload(folder, TODAY)
    lines = cache_file(folder).with_suffix(".lines").read_bytes()
    index = json.loads(lines[:lines.index(b"\n")])["entries"]
    assert sorted(index) == ["CP-T-1.toml", "CP-T-2.toml"]


def test_a_cache_folder_is_created_with_its_missing_parents(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh account may have no ~/.cache yet: the whole path is made, owner-only."""
    deep = tmp_path / "home" / ".cache" / "cptui"
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(deep))
    folder = cases(tmp_path)
    load_caseload(folder, TODAY)
    assert cache_file(folder).exists()


def test_a_cache_folder_that_cannot_be_made_is_not_used(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    from cptui.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(blocker / "cache"))
    assert not cache_mod.usable_folder(blocker / "cache")
    assert load_caseload(cases(tmp_path), TODAY).cases  # loads without a cache
    assert main(["cache", "path"]) == 0
    assert "not used" in capsys.readouterr().err


def test_without_posix_owners_only_the_kind_is_checked(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "getuid")
    assert cache_mod._uid() is None
    f = tmp_path / "f"
    f.write_text("x")
    f.chmod(0o666)
    assert cache_mod.private(f, "file")


def test_saving_the_same_cache_twice_writes_once(tmp_path: Path, own_cache: Path) -> None:
    folder = cases(tmp_path)
    settings, _ = load_settings(folder)
    cv = load_caseload(folder, TODAY, use_cache=False).cases[0]
    c = Cache.open(folder, TODAY, settings)
    c.put(folder / "CP-T-1.toml", "d1", cv, cv.problems, "lines")
    c.seen.add("CP-T-1.toml")
    c.save()
    assert not c.dirty
    inode = os.stat(cache_file(folder)).st_ino
    c.save()
    assert os.stat(cache_file(folder)).st_ino == inode


def _json(folder: Path) -> list[str]:
    return load_caseload(folder, TODAY, models=False).json_lines


def test_json_lines_cached_for_an_older_version_of_a_file_are_never_used(
        tmp_path: Path, own_cache: Path) -> None:
    """`deadlines --format json`, then the app after an edit, then the JSON again: the
    app's load keeps the older JSON lines of the edited file (it does not make them), so
    the last load must see their digest is not the file's and work them out again."""
    folder = cases(tmp_path, 2)
    _json(folder)  # the lines file: both cases as they were
    f = folder / "CP-T-1.toml"
    f.write_text(f.read_text().replace("2026-", "2025-", 1))
    load_caseload(folder, TODAY)  # the app: main entry and summaries for the new text
    truth = load_caseload(folder, TODAY, use_cache=False, models=False).json_lines
    assert _json(folder) == truth


@pytest.mark.parametrize("damage", ["summaries file removed", "summaries entry of old text"])
def test_a_missing_or_older_summary_is_read_from_the_file_again(
        tmp_path: Path, own_cache: Path, damage: str) -> None:
    import json

    folder = cases(tmp_path, 2)
    truth = load_caseload(folder, TODAY, use_cache=False)
    load_caseload(folder, TODAY)
    side = cache_file(folder).with_suffix(".summaries.json")
    if damage == "summaries file removed":
        side.unlink()
    else:
        data = json.loads(side.read_bytes())
        for entry in data["entries"].values():
            entry[0] = "0" * 64
        side.write_text(json.dumps(data))
    again = load_caseload(folder, TODAY)
    assert [(v.summary, v.deadlines, v.problems) for v in again.cases] == [
        (v.summary, v.deadlines, v.problems) for v in truth.cases]


def test_this_folders_cache_file_from_before_format_4_is_removed(
        tmp_path: Path, own_cache: Path) -> None:
    folder = cases(tmp_path)
    load_caseload(folder, TODAY)
    older = cache_file(folder).with_suffix(".models.json")
    older.write_text("{}")
    f = folder / "CP-T-1.toml"
    f.write_text(f.read_text() + "\n")  # something to save
    load_caseload(folder, TODAY)
    assert not older.exists()


@pytest.mark.parametrize("side", ["lines", "summaries"])
def test_a_save_cut_short_between_the_main_file_and_a_side_file_serves_nothing_stale(
        tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, side: str) -> None:
    """Main file written, side file not (cptui killed in between): the main entry says the
    new text, the side file still holds the old text's lines or summary. Each side entry
    carries its own digest, so the old one is never used."""
    folder = cases(tmp_path, 2)
    models = side == "summaries"
    load_caseload(folder, TODAY, models=models)
    f = folder / "CP-T-1.toml"
    f.write_text(f.read_text().replace("plan_start = 2026-09-01", "plan_start = 2026-10-01"))
    with monkeypatch.context() as m:
        if side == "lines":
            m.setattr("cptui.cache.linesfile.write", lambda *a, **k: None)
        else:
            real = cache_mod._write
            m.setattr("cptui.cache._write", lambda path, data: None if path.name.endswith(
                ".summaries.json") else real(path, data))
        load_caseload(folder, TODAY, models=models)
    truth = load_caseload(folder, TODAY, use_cache=False, models=models)
    again = load_caseload(folder, TODAY, models=models)
    if models:
        assert [(v.summary, v.deadlines) for v in again.cases] == [
            (v.summary, v.deadlines) for v in truth.cases]
    else:
        assert again.json_lines == truth.json_lines


def test_a_cut_short_save_serves_no_older_summary_for_a_case_without_warnings(
        tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, for a case with no warnings at all (its cache entry lists no problems)."""
    import shutil

    from conftest import DEMO

    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    first = load_caseload(folder, TODAY)
    quiet = next(v for v in first.cases if not v.problems)
    f = quiet.summary.path
    text = f.read_text()
    start = next(l for l in text.splitlines() if l.startswith("plan_start = "))
    f.write_text(text.replace(start, "plan_start = 2026-06-01", 1))
    real = cache_mod._write
    with monkeypatch.context() as m:
        m.setattr("cptui.cache._write", lambda path, data: None if path.name.endswith(
            ".summaries.json") else real(path, data))
        load_caseload(folder, TODAY)
    truth = {v.id: (v.summary, v.deadlines) for v in load_caseload(folder, TODAY,
                                                                   use_cache=False).cases}
    again = {v.id: (v.summary, v.deadlines) for v in load_caseload(folder, TODAY).cases}
    assert again[quiet.id] == truth[quiet.id] and again == truth


def test_a_cut_short_save_serves_no_older_lines_for_a_file_now_broken(
        tmp_path: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken file has no summary, only its (empty) JSON lines: after a save cut short,
    the older text's lines must not come back for it."""
    folder = cases(tmp_path, 2)
    _json(folder)
    f = folder / "CP-T-1.toml"
    f.write_text(f.read_text().replace('lead_social_worker = "m1"', 'lead_social_worker = "m9"'))
    with monkeypatch.context() as m:
        m.setattr("cptui.cache.linesfile.write", lambda *a, **k: None)
        _json(folder)
    truth = load_caseload(folder, TODAY, use_cache=False, models=False)
    assert truth.broken and _json(folder) == truth.json_lines
