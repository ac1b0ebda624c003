"""The fast paths (compiled parser, shipped holiday table, lean load, process pool)
give exactly what the plain paths give: same dicts, same problems, same bytes."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from conftest import TODAY
from cptui import loader, tomlread
from cptui.demo import generate
from test_reliability import corpus



@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "cases"
    generate(folder, 500, TODAY, seed=7)
    return folder


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    (root / "cases").mkdir()
    (root / "outside").mkdir()
    corpus(root / "cases", root / "outside")
    return root / "cases"


def _files(*folders: Path) -> list[Path]:
    return [p for f in folders for p in sorted(f.iterdir()) if p.suffix == ".toml"]


# --- 1. the parser ----------------------------------------------------------------------------


def test_case_files_are_read_with_the_shared_reader(tmp_path: Path, monkeypatch, demo: Path) -> None:
    """read_toml must go through cptui.tomlread (compiled tomli where installed)."""
    seen: list[str] = []
    real = tomlread.loads

    def spy(text: str):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(tomlread, "loads", spy)
    path = demo / "CP-2026-0003.toml"
    res = loader.read_toml(path, "x.toml")
    assert res.data is not None and seen == [path.read_text(encoding="utf-8")]
    # tomli is a declared dependency: an install without it reads at a third of the speed,
    # silently (it happened in a development venv), so the suite says so.
    assert tomlread.BACKEND == "tomli"


def test_tomli_and_tomllib_agree_on_every_file(generated: Path, bad: Path, monkeypatch, demo: Path) -> None:
    """Identical dicts and identical problems (messages and positions) from both parsers."""
    files = _files(demo, generated, bad)
    fast = [loader.read_toml(p, p.name) for p in files]
    monkeypatch.setattr(tomlread, "loads", tomllib.loads)
    monkeypatch.setattr(tomlread, "TOMLDecodeError", tomllib.TOMLDecodeError)
    slow = [loader.read_toml(p, p.name) for p in files]
    for p, a, b in zip(files, fast, slow):
        assert (a.data, a.problems, a.text, a.digest) == (b.data, b.problems, b.text, b.digest), p.name
    assert sum(r.data is None for r in fast) >= 10  # the corpus really exercised the error paths


# --- 2. a quick start ---------------------------------------------------------------------------


def test_shipped_bank_holidays_match_the_holidays_library() -> None:
    """The table shipped in the package is what `holidays` says for the whole span."""
    import holidays

    from cptui import dates

    lib = holidays.country_holidays("GB", subdiv="ENG",
                                    years=range(dates.HOLIDAY_SPAN[0], dates.HOLIDAY_SPAN[1] + 1))
    shipped = dates.shipped_bank_holidays()
    assert shipped is not None, "cptui/bank_holidays.json is missing or unreadable"
    assert shipped == frozenset(lib.keys())
    assert dates.bank_holidays() == shipped
    assert all(dates.HOLIDAY_SPAN[0] <= d.year <= dates.HOLIDAY_SPAN[1] for d in shipped)


def test_missing_table_falls_back_to_the_library(tmp_path: Path, monkeypatch) -> None:
    from cptui import dates

    expected = dates.shipped_bank_holidays()
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(dates, "BANK_HOLIDAY_FILE", tmp_path / "broken.json")
    monkeypatch.setattr(dates, "_BANK_HOLIDAYS", None)
    assert dates.shipped_bank_holidays() is None
    assert dates.bank_holidays() == expected


def _fresh(code: str) -> str:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return r.stdout.strip()


HEAVY = ("holidays", "tomlkit", "jinja2", "cptui.storage", "pendulum", "textual",
         # nor the engine: `--version` and `--help` build the parser and stop
         "cptui.caseload", "cptui.rules", "cptui.flags", "cptui.profiles", "cptui.loader")


def test_version_imports_nothing_heavy() -> None:
    """`cptui --version` needs none of the heavy libraries: they load when used."""
    out = _fresh(
        "import sys, contextlib, io\n"
        "import cptui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: cptui.cli.main(['--version'])\n"
        "    except SystemExit: pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    assert out == "[]"


def test_deadlines_never_needs_the_holidays_library(demo: Path) -> None:
    """With the shipped table, even a full load never imports `holidays`."""
    out = _fresh(
        "import sys, contextlib, io\n"
        "import cptui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = cptui.cli.main(['deadlines', '--cases', {str(demo)!r}, '--format', 'json'])\n"
        "print(rc, 'holidays' in sys.modules, 'jinja2' in sys.modules,\n"
        "      'multiprocessing' in sys.modules)\n")
    # ...nor, with fewer changed files than a pool is worth, multiprocessing (7 ms to import)
    assert out == "0 False False False"


# --- 3. the lean cold load: byte-identical to the plain per-file path --------------------------


def _reference(folder: Path, today: date) -> tuple[str, str]:
    """What `deadlines --format json` and `check` print, built the plain way:
    stdlib tomllib, `load_one` per file, the stdlib JSON encoder, no cache."""
    import json

    from cptui.caseload import case_files, load_one
    from cptui.dates import WorkCalendar
    from cptui.settings import load_settings

    settings, probs = load_settings(folder)
    cal = WorkCalendar(settings.non_working_days)
    soon = cal.add(today, settings.warn)
    problems, parts = list(probs), []
    for path in case_files(folder):
        cv, more = load_one(path, settings, cal, today, soon)
        problems += more
        if cv is not None and cv.deadlines:
            rows = sorted(cv.deadlines, key=lambda d: (d.due, d.rule, d.child or "", d.source))
            parts.append(",\n  ".join(json.dumps(d.as_json(), ensure_ascii=False) for d in rows))
    out = ("[\n  " + ",\n  ".join(parts) + "\n]" if parts else "[]") + "\n"
    problems.sort(key=lambda p: (p.path, p.line or 0, p.col or 0))
    return out, "".join(f"{p}\n" for p in problems)


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    from cptui.cli import main

    capsys.readouterr()
    rc = main(list(argv))
    o = capsys.readouterr()
    return rc, o.out, o.err


@pytest.mark.parametrize("which", ["demo", "generated", "bad"])
def test_cold_and_warm_output_is_the_plain_paths_byte_for_byte(which, generated, bad, capsys,
                                                               tmp_path, monkeypatch, today: date, demo: Path) -> None:
    folder = {"demo": demo, "generated": generated, "bad": bad}[which]
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    with monkeypatch.context() as m:
        m.setattr(tomlread, "loads", tomllib.loads)
        m.setattr(tomlread, "TOMLDecodeError", tomllib.TOMLDecodeError)
        want_json, want_check = _reference(folder, today)
    for run in ("cold", "warm"):
        _, got_json, _ = _cli(capsys, "deadlines", "--cases", str(folder), "--format", "json",
                              "--today", today.isoformat())
        assert got_json == want_json, run
        _, got_check, _ = _cli(capsys, "check", str(folder), "--today", today.isoformat())
        assert got_check == want_check, run
    if which == "bad":
        assert want_check.count(": error: ") >= 25


def test_conflict_markers_found_anywhere_in_a_line_start(tmp_path: Path, demo: Path) -> None:
    """The marker pre-check must not skip a conflict the full scan would report."""
    from cptui.loader import read_toml

    body = (demo / "CP-2026-0003.toml").read_text(encoding="utf-8")
    markers = ("<<<<<<< ours", "=======", ">>>>>>> theirs", "||||||| base", "=======\t")
    breaks = ("\n", "\r", "\u2028")  # every break splitlines() knows starts a line
    for marker, brk in ((m, b) for m in markers for b in breaks):
        p = tmp_path / "CP-2026-0003.toml"
        p.write_bytes((body + brk + marker + "\n").encode("utf-8"))
        res = read_toml(p, p.name)
        assert res.data is None and "conflict" in res.problems[0].message, (marker, brk)


def test_json_rows_match_the_stdlib_encoder() -> None:
    """The fast row encoder writes exactly what json.dumps(ensure_ascii=False) writes."""
    import json

    from hypothesis import given, settings, strategies as st

    from cptui.jsonrows import encode_row

    value = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                      st.floats(allow_nan=True, allow_infinity=True))

    @settings(max_examples=500, deadline=None)
    @given(st.dictionaries(st.text(), value, max_size=10))
    def check(row: dict) -> None:
        assert encode_row(row) == json.dumps(row, ensure_ascii=False)

    check()


# --- 4. the process pool: identical to the serial path ----------------------------------------


def _snapshot(load) -> tuple:
    """Everything a screen or a command reads from a caseload."""
    from cptui.caseload import json_lines
    from cptui.cli import render_table

    return ([(cv.case, cv.profile.name, cv.deadlines, cv.problems, json_lines(cv.deadlines))
             for cv in load.cases],
            [(b.path, b.problems) for b in load.broken], load.problems, load.json_lines,
            render_table(load, True))


def _count_pools(monkeypatch) -> list[int]:
    from cptui import pool

    used: list[int] = []
    real = pool.load_stale

    def spy(*a, **k):
        used.append(len(a[0]))
        return real(*a, **k)

    monkeypatch.setattr(pool, "load_stale", spy)
    return used


@pytest.mark.parametrize("which", ["demo", "generated", "bad"])
def test_pool_gives_what_the_serial_path_gives(which, generated, bad, tmp_path, monkeypatch, today: date, demo: Path) -> None:
    from cptui.caseload import load_caseload

    folder = {"demo": demo, "generated": generated, "bad": bad}[which]
    used = _count_pools(monkeypatch)
    serial = load_caseload(folder, today, use_cache=False, workers=1)
    serial_json = load_caseload(folder, today, use_cache=False, workers=1, models=False)
    assert used == []
    from cptui.caseload import json_lines
    assert serial_json.json_lines == [x for x in (json_lines(v.deadlines) for v in serial.cases) if x]
    pooled = load_caseload(folder, today, use_cache=False, workers=2)
    assert len(used) == 1 and used[0] >= len(serial.cases)
    assert _snapshot(pooled) == _snapshot(serial)
    # through the cache: the pool fills it, and a warm load reads back the same
    for models in (True, False):
        monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / f"cache-{models}"))
        cold = load_caseload(folder, today, workers=2, models=models)
        warm = load_caseload(folder, today, workers=2, models=models)
        want = serial_json.json_lines if not models else []  # with views: per view, below
        assert cold.json_lines == warm.json_lines == want
        assert cold.problems == warm.problems == serial.problems
        if models:
            assert _snapshot(cold) == _snapshot(warm) == _snapshot(serial)
        else:
            assert cold.cases == warm.cases == []  # the JSON output keeps no models
            assert [b.path for b in cold.broken] == [b.path for b in serial.broken]
            # cases a worker stored for the JSON output come back whole for the app
            assert _snapshot(load_caseload(folder, today, models=True)) == _snapshot(serial)
    assert len(used) == 3  # the warm loads found nothing stale


def test_workers_number_shared_strings_from_the_table_seeded_before_they_start(
        generated, tmp_path, monkeypatch, today: date) -> None:
    """Workers encode summaries for the cache with the parent's table of shared strings,
    seeded from every profile first, so their rows hold numbers like the parent's."""
    import json

    from cptui.cache import cache_file
    from cptui.caseload import load_caseload
    from cptui.summaries import AT, SHARED, _unpack

    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    used = _count_pools(monkeypatch)
    load_caseload(generated, today, workers=2)
    assert len(used) == 1
    views = json.loads(cache_file(generated).with_suffix(".summaries.json").read_text())
    rows = [r for _, view in views["entries"].values() for r in _unpack(view[-1])]
    assert len(rows) > 1000 and {type(r[i]) for r in rows for i in SHARED} == {int}
    assert all(views["strings"][r[AT["cite"]]] for r in rows)  # each names its source


def test_strings_a_worker_has_no_number_for_are_written_out_and_read_back(
        generated, tmp_path, monkeypatch, today: date) -> None:
    """A shared string missing from the seeded table (a profile not seeded, say) is
    stored as itself: the caseload is the same, cold and warm."""
    from cptui.caseload import load_caseload
    from cptui.summaries import Strings

    monkeypatch.setattr(Strings, "seed", lambda self, profiles: None)
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    used = _count_pools(monkeypatch)
    serial = _snapshot(load_caseload(generated, today, use_cache=False, workers=1))
    cold = load_caseload(generated, today, workers=2)
    assert len(used) == 1
    assert _snapshot(cold) == serial
    assert _snapshot(load_caseload(generated, today, workers=2)) == serial
    assert _snapshot(load_caseload(generated, today, use_cache=False, workers=2)) == serial


def test_pool_from_a_thread_does_not_fork(generated, monkeypatch, today: date) -> None:
    """The app loads on a worker thread: forking a threaded process is unsafe."""
    import threading

    from cptui import pool
    from cptui.caseload import load_caseload

    methods: list[str] = []
    real = pool.start_method
    monkeypatch.setattr(pool, "start_method", lambda: methods.append(real()) or methods[-1])
    out: list = []
    t = threading.Thread(target=lambda: out.append(
        load_caseload(generated, today, use_cache=False, workers=2)))
    t.start()
    t.join()
    assert methods and methods[0] in ("forkserver", "spawn")
    assert _fresh("from cptui import pool; print(pool.start_method())") == "fork"  # the CLI
    serial = load_caseload(generated, today, use_cache=False, workers=1)
    assert _snapshot(out[0]) == _snapshot(serial)


def test_pool_only_when_many_files_changed_and_more_than_one_cpu(generated, tmp_path,
                                                                 monkeypatch, today: date) -> None:
    from cptui import pool
    from cptui.caseload import load_caseload

    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pool, "cpu_count", lambda: 2)
    used = _count_pools(monkeypatch)
    load_caseload(generated, today)  # 500 changed files: the pool
    assert used == [500]
    load_caseload(generated, today)  # all cached: no pool
    assert used == [500]
    monkeypatch.setattr(pool, "POOL_MIN", 501)
    load_caseload(generated, today, use_cache=False)  # too few changed
    monkeypatch.setattr(pool, "POOL_MIN", 1)
    monkeypatch.setattr(pool, "cpu_count", lambda: 1)
    load_caseload(generated, today, use_cache=False)  # one CPU: never
    assert used == [500]


def test_no_pool_available_loads_serially(generated, monkeypatch, today: date) -> None:
    from cptui import pool
    from cptui.caseload import load_caseload

    monkeypatch.setattr(pool, "load_stale", lambda *a, **k: None)
    got = load_caseload(generated, today, use_cache=False, workers=2)
    assert _snapshot(got) == _snapshot(load_caseload(generated, today, use_cache=False, workers=1))


def test_display_names_for_a_folder_match_display_path(bad: Path, monkeypatch, demo: Path) -> None:
    """Names worked out once per folder are what display_path gives file by file."""
    import os

    from cptui.caseload import display_names
    from cptui.problems import display_path

    names = sorted(os.listdir(bad))
    assert any("\n" in n for n in names)
    for cwd in (bad, bad.parent, bad.parent.parent, Path("/"), demo):
        monkeypatch.chdir(cwd)
        for folder in (bad, Path(os.path.relpath(bad, cwd)), bad / ".." / bad.name):
            assert display_names(folder, names) == [display_path(folder / n) for n in names], (cwd, folder)


def test_no_pool_from_a_thread_under_an_unguarded_script(tmp_path: Path, monkeypatch) -> None:
    """forkserver/spawn workers would re-run a main script that has no __main__ guard."""
    import sys
    import types

    from cptui import pool

    monkeypatch.setattr(pool, "start_method", lambda: "forkserver")
    for body, safe in (("run()\n", False), ("if __name__ == '__main__':\n    run()\n", True),
                       ('if __name__ == "__main__":\n    run()\n', True)):
        script = tmp_path / "main.py"
        script.write_text(body, encoding="utf-8")
        fake = types.ModuleType("__main__")
        fake.__file__, fake.__spec__ = str(script), None
        monkeypatch.setitem(sys.modules, "__main__", fake)
        assert pool.main_is_reimportable() is safe
        assert pool.workers_for(500, 2) == (2 if safe else 0)
    monkeypatch.setattr(pool, "start_method", lambda: "fork")  # fork never re-runs main
    assert pool.workers_for(500, 2) == 2


APP_LIKE = '''
import sys, threading
from datetime import date
from pathlib import Path
from cptui import pool
from cptui.caseload import load_caseload

class FakeStderr:  # what Textual puts in sys.stderr while the app runs
    def write(self, s): return len(s)
    def flush(self): pass
    def fileno(self): return -1

if __name__ == "__main__":
    used = []
    real = pool.load_stale
    pool.load_stale = lambda *a, **k: used.append(r := real(*a, **k)) or r
    folder, out = Path(sys.argv[1]), []
    sys.stderr = FakeStderr()
    t = threading.Thread(target=lambda: out.append(load_caseload(folder, date(2026, 11, 23),
                                                                 use_cache=False, workers=2)))
    t.start(); t.join()
    sys.stderr = sys.__stderr__
    serial = load_caseload(folder, date(2026, 11, 23), use_cache=False, workers=1)
    same = [(c.case, c.deadlines, c.problems) for c in out[0].cases] == [
        (c.case, c.deadlines, c.problems) for c in serial.cases] and out[0].problems == serial.problems
    print(len(used), used[0] is not None, same, len(serial.cases))
'''


def test_pool_starts_inside_the_app(generated: Path, tmp_path: Path) -> None:
    """Under Textual, stderr has no file descriptor: the pool must still start
    (it failed with ValueError 'bad value(s) in fds_to_keep' and crashed the load)."""
    import subprocess
    import sys

    script = tmp_path / "app_like.py"
    script.write_text(APP_LIKE, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(generated)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "True", "True", "500"]


def test_a_pool_that_cannot_start_falls_back_to_serial(generated: Path, monkeypatch, today: date) -> None:
    import concurrent.futures

    from cptui import pool
    from cptui.caseload import load_caseload

    def refuse(*a, **k):
        raise ValueError("bad value(s) in fds_to_keep")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    assert pool.load_stale([(generated / "x.toml", b"", None, "", "x")], 2, *[None] * 4, {}) is None
    got = load_caseload(generated, today, use_cache=False, workers=2)
    assert _snapshot(got) == _snapshot(load_caseload(generated, today, use_cache=False, workers=1))
