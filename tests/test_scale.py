"""Synthetic caseloads, the cache, exports and timeliness figures."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest

from conftest import TODAY
from cptui.cache import cache_dir, cache_file
from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.demo import DEMO_PROFILES, generate
from cptui.stats import timeliness



@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "cases"
    generate(folder, 120, TODAY, seed=3)
    return folder


def test_demo_is_deterministic_and_realistic(synthetic: Path, tmp_path: Path, today: date) -> None:
    again = tmp_path / "again"
    generate(again, 120, today, seed=3)
    assert {p.name: p.read_bytes() for p in synthetic.iterdir()} == {p.name: p.read_bytes() for p in again.iterdir()}
    other = tmp_path / "other"
    generate(other, 5, today, seed=4)
    assert (other / "CP-2026-00001.toml").read_bytes() != (synthetic / "CP-2026-00001.toml").read_bytes()
    load = load_caseload(synthetic)
    assert load.today == today and load.pinned and not load.broken and not load.has_errors
    assert {cv.profile.name for cv in load.cases} == set(DEMO_PROFILES)
    cases = [cv.case for cv in load.cases]
    assert any(len(c.children) > 1 for c in cases) and any(c.unborn for k in cases for c in k.children)
    assert any(e.kind == "transfer_agreed" for c in cases for e in c.events)
    assert any(not k.quorate for c in cases for k in c.conferences) and any(c.closed for c in cases)
    codes = {p.code for p in load.problems}
    assert {"no_access_twice", "inquorate"} <= codes
    statuses = {d.status for d in load.deadlines()}
    assert statuses == {"met", "late", "overdue", "due_soon", "upcoming"}
    assert any(d.rule == "core_group_notes" and d.status in ("late", "overdue") for d in load.deadlines())
    surnames = {m.name.split()[-1] for c in cases for m in c.members}
    assert surnames <= {"Example", "Sample", "Placeholder", "Testwell", "Invented", "Fictional", "Madeup",
                        "Demo", "Specimen", "Mockford", "Dummyton", "Pretendly"}


def test_demo_cli_refuses_a_folder_with_cases(tmp_path: Path, capsys) -> None:
    assert main(["demo", str(tmp_path / "new"), "--count", "3", "--today", "2026-11-23"]) == 0
    assert main(["demo", str(tmp_path / "new"), "--count", "3"]) == 1
    assert len(list((tmp_path / "new").glob("CP-*.toml"))) == 3


def test_cache_hits_by_content_and_never_by_time(synthetic: Path, tmp_path: Path, today: date) -> None:
    folder = tmp_path / "cases"
    generate(folder, 10, today, seed=9)
    first = load_caseload(folder)
    cached = load_caseload(folder)
    assert [d.as_json() for d in cached.deadlines()] == [d.as_json() for d in first.deadlines()]
    # Change a file but keep its size and timestamp: the cache must notice.
    p = sorted(folder.glob("CP-*.toml"))[0]
    st = p.stat()
    text = p.read_text()
    victim = next(v for v in load_caseload(folder).get(p.stem).case.visits)
    changed = text.replace("by = \"m1\"", "by = \"m2\"", 1)
    assert len(changed) == len(text) and changed != text
    p.write_text(changed)
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = load_caseload(folder)
    assert victim.by == "m1" and after.get(p.stem).case.visits[0].by == "m2"


def test_cache_is_private_and_survives_corruption(synthetic: Path) -> None:
    load_caseload(synthetic)
    files = list(cache_dir().glob("*.json"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert cache_dir().stat().st_mode & 0o077 == 0
    for f in files:
        f.write_bytes(b"not JSON {")
    again = load_caseload(synthetic)
    assert len(again.cases) == 120
    rebuilt = json.loads(cache_file(synthetic).read_bytes())
    assert len(rebuilt["entries"]) == 120  # rebuilt silently


def test_cached_caseload_equals_a_fresh_one(synthetic: Path) -> None:
    """Every summary, deadline, problem and JSON line survives the data-only round trip, and
    the whole case a cached view reads when asked for is the one a fresh load builds."""
    from dataclasses import asdict

    fresh = load_caseload(synthetic, use_cache=False)
    load_caseload(synthetic)
    cached = load_caseload(synthetic)
    assert [asdict(cv.case) for cv in cached.cases] == [asdict(cv.case) for cv in fresh.cases]
    assert [cv.deadlines for cv in cached.cases] == [cv.deadlines for cv in fresh.cases]
    assert [cv.profile for cv in cached.cases] == [cv.profile for cv in fresh.cases]
    assert [cv.summary for cv in cached.cases] == [cv.summary for cv in fresh.cases]
    assert cached.problems == fresh.problems
    fresh_json = load_caseload(synthetic, use_cache=False, models=False)
    load_caseload(synthetic, models=False)
    assert load_caseload(synthetic, models=False).json_lines == fresh_json.json_lines != []


def test_progress_callback_reports_as_it_goes(synthetic: Path) -> None:
    seen = []
    load_caseload(synthetic, use_cache=False, progress=lambda d, t, l: seen.append((d, t, len(l.cases))),
                  every=50)
    assert seen == [(50, 120, 50), (100, 120, 100), (120, 120, 120)]


def test_csv_and_ics(capsys, demo: Path) -> None:
    assert main(["deadlines", "--cases", str(demo), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    load = load_caseload(demo)
    assert len(rows) == len(load.deadlines())
    assert rows[0].keys() == {"case", "child", "rule", "what", "due", "done", "status", "basis", "source", "cite"}
    assert main(["deadlines", "--cases", str(demo), "--format", "ics"]) == 0
    ics = capsys.readouterr().out
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert all(len(l.encode()) <= 75 for l in ics.split("\r\n"))
    open_ = [d for d in load.deadlines() if d.open]
    assert ics.count("STATUS:CONFIRMED") == len(open_)
    assert "UID:CP-2026-0001.visit.c2.v4@cptui" in ics
    assert "Leo" not in ics and "Ava" not in ics  # no children's names leave in calendars
    main(["deadlines", "--cases", str(demo), "--format", "ics"])
    stamp = lambda text: [l for l in text.split("\r\n") if not l.startswith("DTSTAMP:")]  # noqa: E731
    assert stamp(capsys.readouterr().out) == stamp(ics)  # stable: a re-import updates, never duplicates


def test_timeliness_figures(capsys, demo: Path) -> None:
    load = load_caseload(demo)
    rows, total = timeliness(load, "rule")
    fell_due = [d for d in load.deadlines() if d.status in ("met", "late", "overdue")]
    assert total.total == len(fell_due) and total.on_time == sum(d.status == "met" for d in fell_due)
    visits = next(r for r in rows if r.group == "Statutory visit")
    assert visits.total == sum(1 for d in fell_due if d.rule == "visit")
    workers, _ = timeliness(load, "worker", date(2026, 11, 1), date(2026, 11, 30))
    assert {r.group for r in workers} <= {cv.case.member_name(cv.case.lead_social_worker) for cv in load.cases}
    assert main(["stats", "--cases", str(demo), "--by", "worker"]) == 0
    out = capsys.readouterr().out
    assert "Lead social worker" in out and f"{total.share:>4.0%}" in out.splitlines()[-1]


async def test_timeliness_screen(today: date, demo: Path) -> None:
    from cptui.tui.app import make_app
    from tui_helpers import ready, rows

    load = load_caseload(demo)
    _, total = timeliness(load, "rule")
    app = make_app(demo, today=today)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        table = rows(app.screen.query_one("#stats"))
        assert table[-1][:5] == ["All", str(total.total), str(total.on_time), str(total.late), str(total.overdue)]
        assert table[-1][5].startswith(f"{total.share:>4.0%} █")
        await pilot.press("b")
        await pilot.pause()
        workers = {r[0] for r in rows(app.screen.query_one("#stats"))}
        assert "Sam Patel" in workers
