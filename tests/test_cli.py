"""The command line, run as a user would (in-process and as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import write_folder
from cptui import __version__
from cptui.caseload import load_caseload
from cptui.cli import main

SPEC6_KEYS = ["case", "child", "rule", "due", "done", "status", "basis", "source", "cite"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"cptui {__version__}"


def test_demo_check_has_no_errors(capsys, demo: Path) -> None:
    code, out, err = run(capsys, "check", str(demo))
    assert code == 0
    assert ": error:" not in out
    assert "0 errors" in err and "Clock pinned to Mon 23 Nov 2026" in err
    # Each line is path:line:col: severity: message
    for line in out.splitlines():
        path, lno, col, sev, _ = line.split(":", 4)
        assert path.endswith(".toml") and lno.isdigit() and col.isdigit() and sev == " warning"


def test_check_strict_and_json(capsys, demo: Path) -> None:
    assert run(capsys, "check", str(demo), "--strict")[0] == 1  # the demo has warnings
    code, out, _ = run(capsys, "check", str(demo), "--format", "json")
    probs = json.loads(out)
    assert code == 0 and probs and {p["severity"] for p in probs} == {"warning"}
    assert set(probs[0]) == {"path", "line", "col", "severity", "code", "message"}


def test_check_reports_all_files_at_once(tmp_path: Path, capsys) -> None:
    write_folder(tmp_path, {"CP-1": 'schema = 1\nid = "CP-1"\nx = \n',
                            "CP-2": 'schema = 1\nid = "CP-9"\n',
                            "CP-3": 'schema = 1\nid = "CP-3"\n'})
    code, out, err = run(capsys, "check", str(tmp_path))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2
    assert lines[0].startswith(f"{tmp_path}/CP-1.toml:3:5: error: invalid TOML")
    assert lines[1] == f"{tmp_path}/CP-2.toml:2:6: error: id 'CP-9' does not match the file name 'CP-2.toml'"
    assert "3 case files checked (2 broken)" in err


def test_deadlines_json_is_spec6(capsys, demo: Path) -> None:
    code, out, err = run(capsys, "deadlines", "--cases", str(demo), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert all(list(r) == SPEC6_KEYS for r in rows)
    assert "Clock pinned" in err
    # Same numbers as the engine, with every met instance included.
    load = load_caseload(demo)
    assert rows == [d.as_json() for d in sorted(
        load.deadlines(), key=lambda d: (d.case, d.due, d.rule, d.child or "", d.source))]
    statuses = {r["status"] for r in rows}
    assert statuses == {"met", "late", "overdue", "due_soon", "upcoming"}
    assert all(r["child"] is None or r["child"].startswith("c") for r in rows)


def test_deadlines_today_overrides_pin(capsys, demo: Path) -> None:
    _, out, _ = run(capsys, "deadlines", "--cases", str(demo), "--today", "2026-09-01",
                    "--format", "json")
    pinned = json.loads(run(capsys, "deadlines", "--cases", str(demo), "--format", "json")[1])
    assert json.loads(out) != pinned
    with pytest.raises(SystemExit) as e:
        main(["deadlines", "--cases", str(demo), "--today", "not-a-date"])
    assert e.value.code == 2 and "'not-a-date' is not a date" in capsys.readouterr().err


def test_deadlines_table(capsys, demo: Path) -> None:
    code, out, _ = run(capsys, "deadlines", "--cases", str(demo))
    lines = out.splitlines()
    assert lines[0].startswith("Clock pinned to Mon 23 Nov 2026 by ")
    assert "✗ OVERDUE" in out and "working days overdue" in out
    assert "✓ met" not in out  # met ones only with --all
    # Cases with overdue items come first, and within a case overdue rows lead.
    first_block = out.split("\n\n")[1].splitlines()
    assert "OVERDUE" in first_block[1]
    assert "✓ met" in run(capsys, "deadlines", "--cases", str(demo), "--all")[1]


def test_deadlines_exit_1_on_broken_file(tmp_path: Path, capsys) -> None:
    write_folder(tmp_path, {"CP-1": "<<<<<<< HEAD\n"})
    code, out, err = run(capsys, "deadlines", "--cases", str(tmp_path), "--format", "json")
    assert code == 1 and json.loads(out) == [] and "unresolved git conflict" in err


def test_profiles_lists_citations(capsys) -> None:
    code, out, _ = run(capsys, "profiles", "darlington")
    assert code == 0 and "bedroom_seen" in out and "Darlington, 'Seeing the Child'" in out
    # Darlington sets all five baseline timescales itself: none is inherited...
    assert "(extends working-together-2023)" in out.splitlines()[0]
    assert "[from working-together-2023]" not in out
    # ...while Berkshire inherits icpc from the baseline, and says so.
    code, out, _ = run(capsys, "profiles", "berkshire")
    icpc = next(ln for ln in out.splitlines() if ln.strip().startswith("icpc "))
    assert icpc.endswith("[from working-together-2023]")
    code, out, _ = run(capsys, "profiles")
    assert out.count(" — ") >= 6
    code, _, err = run(capsys, "profiles", "nowhere")
    assert code == 2 and "unknown procedure profile" in err


def test_core_never_imports_textual(tmp_path: Path, demo: Path) -> None:
    """Import the core and run `cptui deadlines` in a fresh interpreter."""
    code = (
        "import sys, io, contextlib\n"
        "import cptui, cptui.caseload, cptui.cli, cptui.dates, cptui.rules, cptui.flags\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        f"    rc = cptui.cli.main(['deadlines', '--cases', {str(demo)!r}])\n"
        "assert rc == 0 and 'OVERDUE' in buf.getvalue()\n"
        "print('textual' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"


def test_python_dash_m_entry_point(demo: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "cptui", "deadlines", "--cases", str(demo)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "CP-2026-0001" in r.stdout


def test_deadlines_table_fits_the_terminal_it_is_shown_in(capsys, demo: Path) -> None:
    """In an 80-column terminal every row wrapped mid-word (a 44-character "What" column);
    rows now fit the width given, the "when" words on a line of their own if need be."""
    from cptui.caseload import load_caseload
    from cptui.cli import render_table

    load = load_caseload(demo, date(2026, 11, 23))
    wide = render_table(load)
    narrow = render_table(load, width=80)
    assert max(map(len, narrow.splitlines()[1:])) <= 80  # below the clock note
    for line in wide.splitlines():  # each row's words, in the same order
        if "OVERDUE" in line or "due soon" in line:
            words = line.split()
            assert " ".join(words) in " ".join(narrow.split()), line
    assert render_table(load, width=200) == wide  # room for one line: as before
