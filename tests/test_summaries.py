"""A caseload opens from per-file summaries; a whole case is read only when it is opened.

These guard what the speed must never cost: a summary-only view gives the same rows and
deadlines as a full load, the case it reads later is the file as it is *then*, and a file
that broke in between is said, never shown as its old self.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from cptui.caseload import CaseGone, load_caseload, load_one
from cptui.cli import render_table
from cptui.stats import timeliness
from tui_helpers import plain, ready, rows

from cptui.tui.app import make_app


def _fresh_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))


def test_warm_load_gives_the_same_caseload_without_reading_cases(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(monkeypatch, tmp_path)
    cold = load_caseload(demo_copy, today)
    warm = load_caseload(demo_copy, today)
    # Parsed now or read from the cache, the caseload keeps summaries, not whole cases.
    assert warm.cases and not any(v.loaded for v in cold.cases + warm.cases)
    statuses = ("met", "late", "overdue", "due_soon", "upcoming")
    for c, w in zip(cold.cases, warm.cases, strict=True):
        # What the caseload row and panel need comes from the cached rows, undecoded...
        assert [w.count(s) for s in statuses] == [c.count(s) for s in statuses]
        assert [w.count(s) for s in statuses] == [  # as every deadline decoded says
            sum(d.status == s for d in c.deadlines) for s in statuses]
        assert w.next_deadline == c.next_deadline
        # the first of the earliest open deadlines, as every deadline decoded says
        assert w.next_deadline == min(c.open_deadlines, key=lambda d: d.due, default=None)
        assert w.having(("overdue", "due_soon")) == c.having(("overdue", "due_soon"))
        assert w.having(("overdue",)) == [d for d in c.deadlines if d.status == "overdue"]
        for some in (("met", "late"), ("upcoming",), ("overdue", "met")):  # beyond the urgent
            assert w.having(some) == [d for d in c.deadlines if d.status in some]
        # ...and agrees with every deadline, decoded.
        assert w.summary == c.summary
        # ...which are what reading the file computes.
        full, probs = load_one(w.summary.path, warm.settings, warm.calendar, warm.today,
                               warm.soon_until)
        assert full is not None and full.loaded
        assert (w.summary, w.deadlines, w.problems, w.profile) == (
            full.summary, full.deadlines, full.problems, full.profile)
        assert w.deadlines == c.deadlines and w.problems == c.problems
        assert w.profile == c.profile
    assert warm.problems == cold.problems
    assert sum(w.next_deadline is not None for w in warm.cases) >= len(warm.cases) - 1
    # Every caseload-wide view reads summaries only: the list and the timeliness table.
    assert render_table(warm, True) == render_table(cold, True)
    assert timeliness(warm, "worker") == timeliness(cold, "worker")
    assert not any(v.loaded for v in warm.cases)
    # The whole case, when asked for, is the one a cold load builds.
    for c, w in zip(cold.cases, warm.cases):
        assert w.case == c.case
        assert w.loaded


def test_a_summary_view_reads_the_file_as_it_is_now(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo_copy, today)
    warm = load_caseload(demo_copy, today)
    view = warm.get("CP-2026-0001")
    assert view is not None and not view.loaded
    path = view.summary.path
    old_name = view.summary.child_names[0]
    path.write_text(path.read_text(encoding="utf-8").replace(old_name, "Zed Example"),
                    encoding="utf-8")
    assert view.case.children[0].name == "Zed Example"
    # The view took on everything the new read computed: case, summary and digest agree.
    assert view.summary.child_names[0] == "Zed Example"
    assert view.summary.digest == view.case.digest
    fresh = load_caseload(demo_copy, today, use_cache=False).get("CP-2026-0001")
    assert fresh is not None and view.deadlines == fresh.deadlines


def test_a_summary_view_of_a_file_broken_since_says_so(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo_copy, today)
    view = load_caseload(demo_copy, today).get("CP-2026-0002")
    assert view is not None and not view.loaded
    view.summary.path.write_text("schema = 1\nid = [broken\n", encoding="utf-8")
    with pytest.raises(CaseGone, match="CP-2026-0002.toml no longer loads"):
        view.case


async def test_the_caseload_screen_never_reads_whole_cases(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo_copy, today)  # warm, as on any second morning
    app = make_app(demo_copy, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        load = app.caseload
        assert load is not None and len(load.cases) >= 9
        shown = rows(app.screen.query_one("#cases"))
        assert {r[0] for r in shown} >= {v.id for v in load.cases}
        assert app.screen.query_one("#deadlines").row_count > 0
        list(app.get_system_commands(app.screen))  # the palette's "Jump to case" entries
        await pilot.press("o", "o", "o")  # every sort order
        assert not any(v.loaded for v in load.cases)
        # Opening one case reads that one file, and only it.
        app.open_case("CP-2026-0005")
        await pilot.pause()
        assert [v.id for v in load.cases if v.loaded] == ["CP-2026-0005"]


async def test_opening_a_case_changed_on_disk_shows_the_file_now(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo_copy, today)
    app = make_app(demo_copy, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        view = app.caseload.get("CP-2026-0001")
        path, old_name = view.summary.path, view.summary.child_names[0]
        path.write_text(path.read_text(encoding="utf-8").replace(old_name, "Zed Example"),
                        encoding="utf-8")
        broken = app.caseload.get("CP-2026-0002").summary.path
        broken.write_text("schema = 1\nid = [broken\n", encoding="utf-8")
        app.open_case("CP-2026-0001")
        await ready(pilot)
        assert "Zed Example" in str(app.screen.query_one("#case-header").render())
        await pilot.press("escape")
        await ready(pilot)
        # The caseload row follows the file, too.
        assert any("Zed Example" in " ".join(r) for r in rows(app.screen.query_one("#cases")))
        app.open_case("CP-2026-0002")
        await ready(pilot)
        assert app.screen.__class__.__name__ == "CaseloadScreen"  # nothing stale opened
        assert any("no longer loads" in str(n.message) for n in app._notifications)
        assert any(r[0].startswith("⚠ CP-2026-0002") for r in rows(app.screen.query_one("#cases")))


async def test_a_quick_load_draws_the_caseload_once_and_a_slow_one_shows_progress(
        tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing 10,000 rows twice costs seconds: only a load still running after
    ``PARTIAL_AFTER`` shows its first cases early (with its progress), then all."""
    from cptui.demo import generate
    from cptui.tui import app as app_module
    from cptui.tui.screens.caseload import CaseloadScreen

    folder = tmp_path / "cases"
    generate(folder, 300, today, seed=5)
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(folder, today)
    seen: list[int] = []
    original = CaseloadScreen.refresh_data

    clocks: list[str] = []
    bars: list[bool] = []  # a progress bar on screen as each draw ends

    def counting(self: CaseloadScreen) -> None:
        seen.append(len(self.load.cases) if self.load else -1)
        original(self)
        clocks.append(plain(self.query_one("#clock")))
        bars.append(any(bar.display for bar in self.query("#progress")))

    monkeypatch.setattr(CaseloadScreen, "refresh_data", counting)
    monkeypatch.setattr(app_module, "PARTIAL_AFTER", 3600.0)
    app = make_app(folder, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
    assert seen == [300] and bars == [False]
    seen.clear()
    clocks.clear()
    bars.clear()
    monkeypatch.setattr(app_module, "PARTIAL_AFTER", 0.0)
    app = make_app(folder, today=today)
    real_load = app_module.load_caseload

    def slow_start(*args, progress, **kwargs):  # a slow disk: the screen is up before 250
        def wait_then(done: int, total: int, partial) -> None:  # load, the rest come later
            for _ in range(1000):
                if isinstance(app.screen, CaseloadScreen) and app.screen.is_mounted:
                    break
                time.sleep(0.01)
            progress(done, total, partial)
            for _ in range(1000):  # the last files are slow: the screen draws the first first
                if done == total or seen:
                    break
                time.sleep(0.01)
        return real_load(*args, progress=wait_then, **kwargs)

    monkeypatch.setattr(app_module, "load_caseload", slow_start)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert app.screen.query_one("#cases").row_count == 300
        final = plain(app.screen.query_one("#clock"))
    assert seen[0] == 250 and seen[-1] == 300  # the first 250 at once, then every case
    # While the rest load, the counts are said to be partial; once complete, they are not.
    assert "reading 250 of 300 files" in clocks[0] and "250 cases" in clocks[0]
    assert "reading" not in final and "300 cases" in final
    assert bars[0] and not bars[-1]  # a bar while the rest load, gone once complete


async def test_why_this_date_from_the_caseload_never_explains_a_stale_row(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The panel's rows come from summaries: `w` reads the whole case first, and a file
    changed or broken since is said (and redrawn), never explained as it was, never a crash."""
    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo_copy, today)
    app = make_app(demo_copy, today=today)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        panel = app.screen.query_one("#deadlines")
        panel.focus()
        first = panel.current()[1].id
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "WhyScreen"  # unchanged: explained
        assert app.caseload.get(first).loaded
        await pilot.press("escape")
        await pilot.pause()
        # Another case's file changes, then one breaks, while their rows are on screen.
        later = next(i for i, (_, cv) in enumerate(panel.rows_data)
                     if not app.caseload.get(cv.id).loaded)
        victim = panel.rows_data[later][1]
        path = victim.summary.path
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited elsewhere\n",
                        encoding="utf-8")
        panel.move_cursor(row=later)
        await pilot.press("w")
        await ready(pilot)
        assert app.screen.__class__.__name__ == "CaseloadScreen"
        assert any("changed on disk" in str(n.message) for n in app._notifications)
        again = next(i for i, (_, cv) in enumerate(panel.rows_data)
                     if not app.caseload.get(cv.id).loaded)
        gone = panel.rows_data[again][1]
        gone.summary.path.write_text("schema = 1\nid = [broken\n", encoding="utf-8")
        panel.move_cursor(row=again)
        await pilot.press("w")
        await ready(pilot)
        assert app.screen.__class__.__name__ == "CaseloadScreen"
        assert any("no longer loads" in str(n.message) for n in app._notifications)


def test_a_summary_names_children_as_the_case_does(demo: Path, today: date) -> None:
    """Deadline labels read the same from a summary as from the whole case: a known
    child by name, an id the case does not list by that id, no child as a dash."""
    load = load_caseload(demo, today, use_cache=False)
    for view in load.cases:
        case = view.case
        for cid in [c.id for c in case.children] + ["c99", None]:
            assert view.summary.child_name(cid) == case.child_name(cid)
        for d in view.deadlines:
            assert d.label(view.summary) == d.label(case)


def test_a_summary_says_what_the_case_says(demo: Path, today: date) -> None:
    """The caseload row is the summary: id, closed date, lead social worker, children and
    procedure must be the case's own, for an open and a closed case alike."""
    load = load_caseload(demo, today, use_cache=False)
    assert any(v.summary.closed for v in load.cases) and any(
        not v.summary.closed for v in load.cases)
    for view in load.cases:
        case, s = view.case, view.summary
        assert (s.id, s.path, s.digest, s.closed) == (case.id, case.path, case.digest, case.closed)
        assert s.lead == case.member_name(case.lead_social_worker) != "—"
        assert s.children == [(c.id, c.name) for c in case.children]
        assert s.profile == view.profile.name


def test_shared_strings_are_stored_once(demo: Path, today: date, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Citations are in the cache once however many deadlines repeat them."""
    import json

    from cptui.cache import cache_file

    _fresh_cache(monkeypatch, tmp_path)
    load_caseload(demo, today)
    table = json.loads(cache_file(demo).with_suffix(".summaries.json").read_bytes())["strings"]
    assert table and len(table) == len(set(table))


def test_deadline_rows_decode_the_same_from_a_cold_start(demo: Path, today: date,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The decoder is built on first use; built afresh, it still gives every deadline."""
    from cptui import summaries

    summaries._decoder.cache_clear()
    load = load_caseload(demo, today, use_cache=False)
    full, _ = load_one(load.cases[0].summary.path, load.settings, load.calendar, load.today,
                       load.soon_until)
    assert load.cases[0].deadlines == full.deadlines
    assert not load.cases[0].loaded  # decoded from its rows, not worked out from the file again


@pytest.mark.parametrize("damage", ["counts not a table", "rows not text", "rows garbled",
                                    "an entry too short"])
def test_a_damaged_summary_is_read_from_its_file_instead(
        demo_copy: Path, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        damage: str) -> None:
    """A summary that is not what cptui wrote never stops the caseload loading, and never
    shows wrong deadlines: that case is read from its file, as if it had changed."""
    import json

    from cptui.cache import cache_file

    _fresh_cache(monkeypatch, tmp_path)
    truth = load_caseload(demo_copy, today, use_cache=False)
    load_caseload(demo_copy, today)
    f = cache_file(demo_copy).with_suffix(".summaries.json")
    data = json.loads(f.read_bytes())
    entry = data["entries"]["CP-2026-0001.toml"][1]
    if damage == "counts not a table":
        entry[5] = []
    elif damage == "rows not text":
        entry[8] = 7
    elif damage == "rows garbled":
        entry[8] = "not packed rows"
    else:
        del entry[3:]
    f.write_text(json.dumps(data))
    again = load_caseload(demo_copy, today)
    assert [v.id for v in again.cases] == [v.id for v in truth.cases] and not again.broken
    statuses = ("met", "late", "overdue", "due_soon", "upcoming")
    for a, b in zip(again.cases, truth.cases):
        assert [a.count(s) for s in statuses] == [b.count(s) for s in statuses]  # the row
        assert a.next_deadline == b.next_deadline
        assert (a.summary, a.deadlines, a.problems) == (b.summary, b.deadlines, b.problems)


def test_deadline_rows_read_a_shared_string_by_number_or_written_out() -> None:
    """Numbers index the cache's table; a worker writes out strings it has no number
    for; anything else is damage (and the file is read instead)."""
    from cptui.summaries import AT, DeadlineRows, KnownStrings, _pack

    row = ["CP-1", None, "visit", "2026-11-30", None, "due_soon", "2026-11-02", "start",
           0, 1, 2]
    assert len(row) == len(AT)
    table = ["Cite A", "10 working days", "team"]
    out = row[:]
    out[AT["cite"]] = "Cite B"  # written out by a worker
    damaged = row[:]
    damaged[AT["origin"]] = None
    rows = DeadlineRows({"due_soon": 2}, None, [row, out], _pack([row, out]), table)
    got = rows.having(("due_soon",))
    assert [(d.cite, d.timescale, d.origin) for d in got] == [
        ("Cite A", "10 working days", "team"), ("Cite B", "10 working days", "team")]
    assert [d.cite for d in rows.all()] == ["Cite A", "Cite B"]
    with pytest.raises(ValueError):
        DeadlineRows({}, None, [], _pack([damaged]), table).all()
    known = KnownStrings({"Cite A": 0})
    assert (known.number("Cite A"), known.number("Cite B")) == (0, "Cite B")
