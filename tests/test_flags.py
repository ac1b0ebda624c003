"""Practice flags of SPEC section 4, each on the line of its record."""

from __future__ import annotations

from datetime import date as D
from pathlib import Path

import pytest

from conftest import REPO

BASE = """
    lead_social_worker = "m1"
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-10-12
    [[members]]
    id = "m1"
    name = "Nat Example"
"""


def flags(cl) -> list[tuple[str, str]]:
    return sorted((p.code, p.message) for p in cl.problems if p.code)


def test_smart_action(load) -> None:
    cl = load(BASE + """
    [[plan.actions]]
    id = "a1"
    due = "ongoing"
    owner = "m1"
    [[plan.actions]]
    id = "a2"
    [[plan.actions]]
    id = "a3"
    owner = "m1"
    due = 2026-12-01
    [[plan.actions]]
    id = "a4"
    status = "done"
    done = 2026-11-01
    """, D(2026, 11, 23))
    assert flags(cl) == [
        ("smart_action", "action 'a1' is not SMART: due is 'ongoing', not a date"),
        ("smart_action", "action 'a2' is not SMART: no owner, no due date"),
    ]


def test_no_access_twice_needs_two_in_a_row(load) -> None:
    visits = "".join(f"""
    [[visits]]
    id = "v{i}"
    date = {d}
    seen = {seen}
    """ for i, (d, seen) in enumerate([("2026-10-16", '["c1"]'), ("2026-10-29", "[]"),
                                       ("2026-11-02", '["c1"]'), ("2026-11-03", "[]"),
                                       ("2026-11-04", "[]")]))
    cl = load(BASE + visits, D(2026, 11, 23))
    got = [p for p in cl.problems if p.code == "no_access_twice"]
    assert len(got) == 1 and "Tue 3 Nov 2026 and Wed 4 Nov 2026" in got[0].message


def test_inquorate_unrecorded_weekend_missing(load) -> None:
    cl = load(BASE + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-10-12
    quorate = false
    [[core_groups]]
    id = "g1"
    date = 2026-11-21
    status = "scheduled"
    [[core_groups]]
    id = "g2"
    date = 2026-12-25
    status = "cancelled"
    [[events]]
    id = "e1"
    date = 2026-10-23
    kind = "missing"
    [[events]]
    id = "e2"
    date = 2026-10-24
    kind = "missing"
    """, D(2026, 11, 23))
    codes = [c for c, _ in flags(cl)]
    # e1 is 31 days ago (outside the 30-day window); e2 is exactly 30 days ago.
    assert codes == ["inquorate", "missing", "non_working_day", "unrecorded_meeting"]
    assert [p.line for p in cl.problems if p.code == "inquorate"] == [15]  # the [[conferences]] header


def test_plan_ended_at_first_review(load) -> None:
    body = BASE + """
    [[conferences]]
    id = "k1"
    kind = "review"
    date = 2027-01-11
    outcome = "end"
    """
    cl = load(body, D(2027, 1, 12))
    assert [c for c, _ in flags(cl)] == ["plan_ended_at_first_review"]
    cl = load(body + 'exceptional_reason = "The adult who posed the risk has died."\n', D(2027, 1, 12))
    assert flags(cl) == []


def test_unrecorded_meeting_fires_for_a_past_scheduled_conference(load) -> None:
    """Issue 19: a past scheduled conference must be flagged, not only core groups."""
    cl = load(BASE + """
    [[conferences]]
    id = "k1"
    kind = "review"
    date = 2026-11-20
    status = "scheduled"
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2026-11-23
    status = "scheduled"
    """, D(2026, 11, 23))
    # k1 (Fri 20 Nov) has passed; k2 is today, not yet passed.
    assert flags(cl) == [("unrecorded_meeting", "review conference scheduled for Fri 20 Nov 2026 has "
                                                "passed: record whether it was held")]


# --- SPEC v1.1 flags ---------------------------------------------------------------

TEAM = 'team_manager = "m2"\n' + BASE + """
    [[members]]
    id = "m2"
    name = "Jo Example"
    [[members]]
    id = "m3"
    name = "Kim Example"
    [[members]]
    id = "m4"
    name = "Lou Example"
    kind = "family"
"""


def only(cl, code: str) -> list[str]:
    return [p.message for p in cl.problems if p.code == code]


def test_future_dated_every_kind_of_record(load) -> None:
    body = BASE + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-10-12
    outcome = "plan"
    decisions_circulated = 2026-11-24
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2026-12-14
    status = "scheduled"
    [[core_groups]]
    id = "g1"
    date = 2026-11-24T10:00:00
    attendees = ["m1"]
    [[visits]]
    id = "v1"
    date = 2026-11-24
    seen = ["c1"]
    statutory = false
    [[events]]
    id = "e1"
    date = 2026-11-02
    kind = "complaint"
    responded = 2026-11-25
    [[plan.actions]]
    id = "a1"
    owner = "m1"
    due = 2026-11-20
    status = "done"
    done = 2026-11-30
    """
    got = only(load(body, D(2026, 11, 23)), "future_dated")
    assert [m.split(":")[0] for m in got] == [
        "conference 'k1'", "core group 'g1'", "visit 'v1'", "event 'e1'", "action 'a1'"]
    assert "`decisions_circulated` is Tue 24 Nov 2026" in got[0]
    # Quiet once those dates have come (the scheduled review k2 is never future-dated).
    assert only(load(body, D(2026, 12, 1)), "future_dated") == []


def test_first_core_group_not_booked(load) -> None:
    body = BASE + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-11-19
    outcome = "plan"
    """
    # Thu 19 Nov + 1 working day = Fri 20 Nov: flagged once that day has passed (Mon 23 Nov),
    # not on Fri 20 Nov itself.
    assert only(load(body, D(2026, 11, 20)), "first_core_group_not_booked") == []
    got = only(load(body, D(2026, 11, 23)), "first_core_group_not_booked")
    assert len(got) == 1 and "initial conference 'k1' on Thu 19 Nov 2026" in got[0]
    # Any core group record after it (even a cancelled one) means one was booked.
    booked = body + """
    [[core_groups]]
    id = "g1"
    date = 2026-12-01
    status = "cancelled"
    """
    assert only(load(booked, D(2026, 11, 23)), "first_core_group_not_booked") == []
    # A review, or an initial conference with no plan, needs no first core group.
    assert only(load(body.replace('"initial"', '"review"'), D(2026, 11, 23)),
                "first_core_group_not_booked") == []
    assert only(load(body.replace('"plan"', '"no_plan"'), D(2026, 11, 23)),
                "first_core_group_not_booked") == []


MEETING = TEAM + """
    [[core_groups]]
    id = "g1"
    date = 2026-10-22T10:00:00
    chair = "m2"
    attendees = ["m1", "m2"]
    apologies = ["m3", "m4"]
    written_reports = ["m3"]
"""


def test_absent_without_report(load) -> None:
    assert only(load(MEETING, D(2026, 11, 23)), "absent_without_report") == []  # m4 is family
    got = only(load(MEETING.replace('written_reports = ["m3"]', "written_reports = []"),
                    D(2026, 11, 23)), "absent_without_report")
    assert got == ["Kim Example sent apologies to the core group on Thu 22 Oct 2026 and no written report"]


def test_lead_worker_absent(load) -> None:
    assert only(load(MEETING, D(2026, 11, 23)), "lead_worker_absent") == []
    got = only(load(MEETING.replace('attendees = ["m1", "m2"]', 'attendees = ["m2"]'),
                    D(2026, 11, 23)), "lead_worker_absent")
    assert len(got) == 1 and "(Nat Example) did not attend the core group on Thu 22 Oct 2026" in got[0]


def test_first_core_group_chair_is_hillingdon_profile_data(load) -> None:
    second = MEETING + """
    [[core_groups]]
    id = "g2"
    date = 2026-11-19T10:00:00
    chair = "m1"
    attendees = ["m1"]
    """
    # Chaired by the team manager m2: quiet. The second meeting may be chaired by anyone.
    assert only(load(second, D(2026, 11, 23), procedure="hillingdon"), "first_core_group_chair") == []
    other = second.replace('chair = "m2"', 'chair = "m3"')
    got = only(load(other, D(2026, 11, 23), procedure="hillingdon"), "first_core_group_chair")
    assert len(got) == 1 and "chaired by Kim Example, not the team manager (Jo Example)" in got[0]
    # Profiles that do not set it never raise it.
    assert only(load(other, D(2026, 11, 23), procedure="darlington"), "first_core_group_chair") == []


def test_interpreter_not_invited(load) -> None:
    body = MEETING + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-10-12
    interpreter_present = false
    """
    # Without `interpreter` on the case, nothing; missing interpreter_present (g1) is unknown.
    assert only(load(body, D(2026, 11, 23)), "interpreter_not_invited") == []
    with_lang = 'interpreter = "Polish"\n' + body
    got = only(load(with_lang, D(2026, 11, 23)), "interpreter_not_invited")
    assert got == ["conference 'k1' on Mon 12 Oct 2026: no Polish interpreter took part, though the "
                   "family needs one"]
    present = with_lang.replace("interpreter_present = false", "interpreter_present = true")
    assert only(load(present, D(2026, 11, 23)), "interpreter_not_invited") == []


def test_no_access_twice_ignores_a_visit_not_yet_made(load) -> None:
    visits = "".join(f"""
    [[visits]]
    id = "v{i}"
    date = {d}
    seen = []
    """ for i, d in enumerate(["2026-11-16", "2026-11-30"]))
    # The second "no access" visit is dated next week: it has not happened, so no flag yet.
    cl = load(BASE + visits, D(2026, 11, 23))
    assert only(cl, "no_access_twice") == [] and len(only(cl, "future_dated")) == 1
    assert len(only(load(BASE + visits, D(2026, 11, 30)), "no_access_twice")) == 1


def test_a_warning_on_an_inline_record_points_into_the_file(load) -> None:
    """Found by mutation testing: a record written inline gave its warnings no line."""
    cl = load("""
    visits = [
      { id = "v1", date = 2026-10-18, seen = ["c1"] },
    ]
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-10-12
    """, D(2026, 11, 23))
    got = [p for p in cl.problems if p.code == "non_working_day"]
    text = cl.cases[0].case.path.read_text().splitlines()
    # Sun 18 Oct 2026: the warning points at the line that opens the visits array.
    assert len(got) == 1 and got[0].line == text.index("visits = [") + 1


def test_flags_point_at_the_same_lines_whether_or_not_the_file_was_scanned(
        tmp_path: Path, today: D, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flags find their record's header without a scan when every line is simple; on
    the demo and 300 generated cases they must point exactly where a full scan does."""
    from cptui import flags as flags_mod
    from cptui.caseload import load_caseload
    from cptui.demo import generate
    from cptui.locate import Locator

    folder = tmp_path / "cases"
    generate(folder, 300, today, seed=7)
    for f in (REPO / "cases").glob("*.toml"):
        (folder / f.name).write_bytes(f.read_bytes())

    def warnings(load) -> list:
        return sorted((p.path, p.line, p.col, p.message) for p in load.problems
                      if p.severity == "warning")

    quick = warnings(load_caseload(folder, today, use_cache=False))
    monkeypatch.setattr(flags_mod, "Locator", lambda text, records_only=False: Locator(text))
    full = warnings(load_caseload(folder, today, use_cache=False))
    assert quick == full and len(quick) > 300
