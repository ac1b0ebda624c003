"""Tests written to kill mutants of cptui/rules.py that survived every other test.

Each test is named for the behaviour it protects; the mutants it was written for,
and the ones left as equivalent, are listed in docs/mutants.md. Expected dates are
worked by hand in the comment above them, counted on a calendar, not computed.
"""

from __future__ import annotations

from datetime import date as D

from conftest import by_rule

MET, LATE, OVERDUE, SOON, UP = "met", "late", "overdue", "due_soon", "upcoming"

TWO_CHILDREN = """
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2019-04-02
    plan_start = 2026-09-14
    [[children]]
    id = "c2"
    name = "Leo Example"
    date_of_birth = 2022-06-18
    plan_start = 2026-09-14
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-09-14
    children = ["c1", "c2"]
"""


def test_deadline_label_names_the_child_by_first_name(load) -> None:
    """The caseload table and `cptui deadlines` say whose visit is due: "— Ava"."""
    cl = load(TWO_CHILDREN, D(2026, 9, 15))
    case = cl.cases[0].case
    visits = [d for d in cl.deadlines() if d.rule == "visit"]
    # Mon 14 Sep + 10 wd = Mon 28 Sep, one open visit per child.
    assert sorted((d.due, d.label(case)) for d in visits) == [
        (D(2026, 9, 28), "Statutory visit — Ava"),
        (D(2026, 9, 28), "Statutory visit — Leo"),
    ]
    # Without the case there is no name to add; a case-level deadline never gets one.
    assert {d.label() for d in visits} == {"Statutory visit"}
    first_cg = [d for d in cl.deadlines() if d.rule == "first_core_group"]
    assert [d.label(case) for d in first_cg] == ["First core group meeting"]


def test_school_move_on_the_plan_start_day_needs_a_core_group(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Mia Example"
        date_of_birth = 2015-02-11
        plan_start = 2026-07-01
        [[events]]
        id = "e1"
        date = 2026-07-01
        kind = "school_move"
    """, D(2026, 7, 20), procedure="hillingdon")
    # The move is on the day the plan starts (Wed 1 Jul): it counts.
    # Wed 1 Jul + 10 wd: 2-3 (2), 6-10 (7), 13-15 (10) -> Wed 15 Jul; none held by Mon 20 Jul.
    assert by_rule(cl, "school_move_core_group") == [(None, D(2026, 7, 15), None, OVERDUE, D(2026, 7, 1), "e1")]


def test_visits_due_for_a_child_listed_after_one_with_no_plan(load) -> None:
    cl = load("""
        [[children]]
        id = "c0"
        name = "Zoe Example"
        date_of_birth = 2008-05-01
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-09-14
    """, D(2026, 9, 15))
    # Zoe has no plan, so no visits; Ava's plan started Mon 14 Sep: + 10 wd = Mon 28 Sep.
    assert by_rule(cl, "visit") == [("c1", D(2026, 9, 28), None, UP, D(2026, 9, 14), "c1")]


def test_visit_on_the_plan_start_day_counts(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-09-14
        [[visits]]
        id = "v1"
        date = 2026-09-14
        seen = ["c1"]
    """, D(2026, 9, 15))
    # Ava was seen the day her plan started (Mon 14 Sep): that meets the first visit
    # (14 Sep + 10 wd = Mon 28 Sep), and the next is due 10 wd after it, also Mon 28 Sep.
    assert by_rule(cl, "visit") == [
        ("c1", D(2026, 9, 28), D(2026, 9, 14), MET, D(2026, 9, 14), "c1"),
        ("c1", D(2026, 9, 28), None, UP, D(2026, 9, 14), "v1"),
    ]
