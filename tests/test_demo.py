"""The bundled demo must cover what a training session needs to show."""

from __future__ import annotations

from datetime import date


from cptui.caseload import load_caseload
from cptui.paths import default_cases, demo_cases
from cptui.profiles import all_profiles


def test_demo_is_pinned_and_clean(demo: Path) -> None:
    load = load_caseload(demo)
    assert load.today == date(2026, 11, 23) and load.pinned
    assert not load.broken and not load.has_errors and len(load.cases) >= 8


def test_demo_covers_profiles_and_states(demo: Path) -> None:
    load = load_caseload(demo)
    # The demo covers the six SPEC section 5 profiles (the wider library is tested in
    # test_profiles.py); every profile it uses is a shipped one.
    spec5 = {"working-together-2023", "west-midlands", "berkshire", "blackburn-with-darwen",
             "darlington", "hillingdon"}
    assert spec5 <= {cv.profile.name for cv in load.cases} <= set(all_profiles())
    cases = [cv.case for cv in load.cases]
    assert any(len([c for c in k.children if c.plan_start]) >= 2 for k in cases)  # siblings
    assert any(c.unborn for k in cases for c in k.children)
    assert any(e.kind == "transfer_agreed" for k in cases for e in k.events)
    assert any(not c.quorate for k in cases for c in k.conferences)
    assert any(k.closed for k in cases)
    codes = {p.code for p in load.problems}
    assert {"no_access_twice", "inquorate", "smart_action", "missing"} <= codes
    statuses = {d.status for d in load.deadlines()}
    assert {"overdue", "due_soon", "late", "met", "upcoming"} <= statuses
    late_cg = [d for d in load.deadlines() if d.rule == "core_group" and d.status in ("late", "overdue")]
    assert late_cg


def test_demo_names_are_obviously_synthetic(demo: Path) -> None:
    allowed = ("Example", "Sample", "Placeholder", "Testwell", "Invented", "Fictional",
               "Madeup", "Demo", "Test", "Okafor", "Patel")
    for cv in load_caseload(demo).cases:
        for person in [c.name for c in cv.case.children] + [m.name for m in cv.case.members]:
            assert any(w in person for w in allowed), person


def test_default_cases_falls_back_to_bundled_demo(tmp_path) -> None:
    assert default_cases(tmp_path) == demo_cases()
    assert (demo_cases() / "CP-2026-0001.toml").is_file()
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "CP-1.toml").write_text("schema = 1\n")
    assert default_cases(tmp_path) == tmp_path / "cases"


def test_app_edits_a_private_copy_of_the_bundled_demo(tmp_path, monkeypatch) -> None:
    from cptui.paths import writable_demo

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    copy = writable_demo()
    assert copy.is_relative_to(tmp_path) and (copy / "CP-2026-0001.toml").read_bytes() == (
        demo_cases() / "CP-2026-0001.toml").read_bytes()
    (copy / "CP-2026-0001.toml").write_text("edited")
    assert writable_demo() == copy and (copy / "CP-2026-0001.toml").read_text() == "edited"  # kept


NEW_FLAGS = {  # SPEC 1.1 flags: each shown once in the demo, and nowhere else
    "future_dated": {"CP-2026-0006"},  # a visit typed in before it happened
    "first_core_group_not_booked": {"CP-2026-0008"},
    "absent_without_report": {"CP-2026-0005"},  # the GP sent apologies and nothing else
    "lead_worker_absent": {"CP-2026-0009"},
    "first_core_group_chair": {"CP-2026-0002"},  # Hillingdon only
    "interpreter_not_invited": {"CP-2026-0009"},  # Punjabi, at the last core group
}


def test_demo_shows_each_v11_flag_where_it_should_and_nowhere_else(demo: Path) -> None:
    load = load_caseload(demo)
    for code, where in NEW_FLAGS.items():
        got = {p.path.split("/")[-1].removesuffix(".toml") for p in load.problems if p.code == code}
        assert got == where, code
    cases = [cv.case for cv in load.cases]
    assert sum(g.plan_sent is not None for k in cases for g in k.core_groups) >= 4
    assert {d.status for d in load.deadlines() if d.rule == "core_group_plan"} >= {"met", "late"}


def test_generated_demo_shows_every_v11_flag(tmp_path) -> None:
    from cptui.demo import generate

    generate(tmp_path, 40, date(2026, 11, 23), seed=1)  # what `cptui demo` writes by default
    load = load_caseload(tmp_path)
    assert not load.has_errors
    assert set(NEW_FLAGS) <= {p.code for p in load.problems}
    assert any(g.plan_sent for cv in load.cases for g in cv.case.core_groups)
