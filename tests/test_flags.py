"""Practice flags of SPEC section 4, each on the line of its record."""

from __future__ import annotations

from datetime import date as D

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
