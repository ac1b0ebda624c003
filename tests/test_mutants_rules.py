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


def test_sibling_review_listing_the_unborn_baby_is_not_the_pre_birth_conference(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Baby Example"
        expected_date = 2027-02-20
        [[children]]
        id = "c2"
        name = "Ruby Example"
        date_of_birth = 2023-05-09
        plan_start = 2026-05-11
        [[conferences]]
        id = "k1"
        kind = "review"
        date = 2026-11-16
        children = ["c1", "c2"]
    """, D(2026, 11, 23))
    # Ruby's review (Mon 16 Nov) discussed the baby, but no pre-birth conference was held:
    # 20 Feb 2027 - 3 months = Fri 20 Nov 2026, overdue on Mon 23 Nov.
    assert by_rule(cl, "pre_birth_conference") == [("c1", D(2026, 11, 20), None, OVERDUE, D(2027, 2, 20), "c1")]


def test_west_midlands_review_that_started_the_plan_does_not_switch_the_rhythm(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Finn Example"
        date_of_birth = 2020-01-15
        plan_start = 2026-03-02
        plan_end = 2026-07-06
        [[children]]
        id = "c2"
        name = "Isla Example"
        date_of_birth = 2025-12-01
        plan_start = 2026-07-06
        [[conferences]]
        id = "k0"
        kind = "review"
        date = 2026-07-06
        children = ["c1", "c2"]
        [[core_groups]]
        id = "g1"
        date = 2026-07-16
    """, D(2026, 8, 3), procedure="west-midlands")
    # Finn's plan ended and Isla's began at the review of Mon 6 Jul. That review is not a
    # review of Isla's plan, so her core groups stay six-weekly: Thu 16 Jul + 6 weeks = Thu 27 Aug.
    assert by_rule(cl, "core_group") == [(None, D(2026, 8, 27), None, UP, D(2026, 7, 16), "g1")]


def test_west_midlands_review_held_today_switches_the_rhythm(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Finn Example"
        date_of_birth = 2020-01-15
        plan_start = 2026-03-02
        [[conferences]]
        id = "k2"
        kind = "review"
        date = 2026-11-23
        [[core_groups]]
        id = "g1"
        date = 2026-11-09
        [[core_groups]]
        id = "g2"
        date = 2026-11-23T14:00:00
    """, D(2026, 11, 23), procedure="west-midlands")
    # Mon 9 Nov + 6 weeks = Mon 21 Dec, met by g2 today. The review this morning (Mon 23 Nov)
    # counts, so after g2 the core group meets two-monthly: 23 Nov + 2 months = Sat 23 Jan 2027.
    assert by_rule(cl, "core_group") == [
        (None, D(2026, 12, 21), D(2026, 11, 23), MET, D(2026, 11, 9), "g1"),
        (None, D(2027, 1, 23), None, UP, D(2026, 11, 23), "g2"),
    ]


def test_notes_circulated_today_are_met(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-11-02
        [[core_groups]]
        id = "g1"
        date = 2026-11-16
        notes_circulated = 2026-11-23
    """, D(2026, 11, 23), procedure="hillingdon")
    # Mon 16 Nov + 7 days = Mon 23 Nov; the notes went out today, so that is met, not due.
    assert by_rule(cl, "core_group_notes") == [(None, D(2026, 11, 23), D(2026, 11, 23), MET, D(2026, 11, 16), "g1")]


def test_first_core_group_held_on_the_plan_start_day_is_met(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-09-14
        [[core_groups]]
        id = "g1"
        date = 2026-09-14T15:00:00
    """, D(2026, 9, 15))
    # The core group met the afternoon the plan started, Mon 14 Sep (due 14 Sep + 10 wd = Mon 28 Sep).
    assert by_rule(cl, "first_core_group") == [(None, D(2026, 9, 28), D(2026, 9, 14), MET, D(2026, 9, 14), "c1")]
    # And the 20-working-day rhythm runs from it: 15-18 Sep (4), 21-25 (9), 28 Sep-2 Oct (14),
    # 5-9 Oct (19), Mon 12 Oct (20).
    assert by_rule(cl, "core_group") == [(None, D(2026, 10, 12), None, UP, D(2026, 9, 14), "g1")]


def test_transfer_conference_held_the_day_the_move_was_agreed_is_met(load) -> None:
    cl = load("""
        [[events]]
        id = "e1"
        date = 2026-10-12
        kind = "transfer_agreed"
        [[conferences]]
        id = "k1"
        kind = "transfer"
        date = 2026-10-12
    """, D(2026, 11, 23))
    # Mon 12 Oct + 15 wd: 13-16 (4), 19-23 (9), 26-30 (14), Mon 2 Nov (15); held 12 Oct itself.
    assert by_rule(cl, "transfer_conference") == [(None, D(2026, 11, 2), D(2026, 10, 12), MET, D(2026, 10, 12), "e1")]


def test_review_the_plan_started_at_is_not_its_first_review(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Finn Example"
        date_of_birth = 2020-01-15
        plan_start = 2026-03-02
        plan_end = 2026-07-06
        [[children]]
        id = "c2"
        name = "Isla Example"
        date_of_birth = 2025-12-01
        plan_start = 2026-07-06
        [[conferences]]
        id = "k0"
        kind = "review"
        date = 2026-07-06
        children = ["c1", "c2"]
    """, D(2026, 8, 3))
    # Isla's plan began at Finn's review on Mon 6 Jul; her own first review is still to come:
    # 6 Jul + 91 days = Mon 5 Oct.
    assert by_rule(cl, "first_review") == [(None, D(2026, 10, 5), None, UP, D(2026, 7, 6), "k0")]
    # Nor does it start the chain of later reviews.
    assert by_rule(cl, "review") == []


def test_decisions_due_after_a_conference_held_today(load) -> None:
    cl = load("""
        [[conferences]]
        id = "k1"
        kind = "initial"
        date = 2026-11-23
    """, D(2026, 11, 23))
    # Held this morning, Mon 23 Nov: + 2 wd = Wed 25 Nov.
    assert by_rule(cl, "conference_decisions") == [(None, D(2026, 11, 25), None, SOON, D(2026, 11, 23), "k1")]


def test_west_midlands_notes_are_for_this_plans_first_core_group(load) -> None:
    body = """
        [[children]]
        id = "c1"
        name = "Finn Example"
        date_of_birth = 2020-01-15
        plan_start = 2026-07-06
        [[core_groups]]
        id = "g0"
        date = 2026-06-01
        notes_circulated = 2026-06-03
        [[core_groups]]
        id = "g1"
        date = 2026-07-16
    """
    cl = load(body, D(2026, 8, 3), procedure="west-midlands")
    # g0 (Mon 1 Jun) belonged to an earlier plan. This plan's first core group met Thu 16 Jul:
    # + 5 wd = Thu 23 Jul, and its notes never went out.
    assert by_rule(cl, "core_group_notes") == [(None, D(2026, 7, 23), None, OVERDUE, D(2026, 7, 16), "g1")]
    # With no plan_start recorded the first core group held is the one: g0, notes met on Wed 3 Jun
    # (Mon 1 Jun + 5 wd = Mon 8 Jun).
    cl = load(body.replace("plan_start = 2026-07-06", ""), D(2026, 8, 3), procedure="west-midlands")
    assert by_rule(cl, "core_group_notes") == [(None, D(2026, 6, 8), D(2026, 6, 3), MET, D(2026, 6, 1), "g0")]


def test_meetings_visits_and_events_dated_today_count(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-11-23
        [[events]]
        id = "e1"
        date = 2026-11-02
        kind = "strategy_discussion"
        s47 = true
        [[events]]
        id = "e2"
        date = 2026-11-23
        kind = "complaint"
        [[conferences]]
        id = "k1"
        kind = "initial"
        date = 2026-11-23
        [[visits]]
        id = "v1"
        date = 2026-11-23
        seen = ["c1"]
    """, D(2026, 11, 23))
    # Today is Mon 23 Nov; things recorded for today have happened (only later dates have not).
    # ICPC: Mon 2 Nov + 15 wd: 3-6 (4), 9-13 (9), 16-20 (14), Mon 23 Nov (15): held today, met.
    assert by_rule(cl, "icpc") == [(None, D(2026, 11, 23), D(2026, 11, 23), MET, D(2026, 11, 2), "e1")]
    # Visit: 23 Nov + 10 wd: 24-27 (4), 30 Nov-4 Dec (9), Mon 7 Dec (10); today's visit meets it
    # and the next runs from it.
    assert by_rule(cl, "visit") == [
        ("c1", D(2026, 12, 7), D(2026, 11, 23), MET, D(2026, 11, 23), "c1"),
        ("c1", D(2026, 12, 7), None, UP, D(2026, 11, 23), "v1"),
    ]
    # Complaint made today: response due 23 Nov + 10 wd = Mon 7 Dec.
    assert by_rule(cl, "complaint_response") == [(None, D(2026, 12, 7), None, UP, D(2026, 11, 23), "e2")]


def test_each_review_is_met_by_the_next_one_held(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-01-05
        [[conferences]]
        id = "r1"
        kind = "review"
        date = 2026-02-02
        [[conferences]]
        id = "r2"
        kind = "review"
        date = 2026-05-04
        [[conferences]]
        id = "r3"
        kind = "review"
        date = 2026-08-03
    """, D(2026, 11, 23))
    # 182 days after each: Mon 2 Feb -> Mon 3 Aug (met by r2, 4 May); Mon 4 May -> Mon 2 Nov
    # (met by r3, 3 Aug); Mon 3 Aug -> Mon 1 Feb 2027, open.
    assert by_rule(cl, "review") == [
        (None, D(2026, 8, 3), D(2026, 5, 4), MET, D(2026, 2, 2), "r1"),
        (None, D(2026, 11, 2), D(2026, 8, 3), MET, D(2026, 5, 4), "r2"),
        (None, D(2027, 2, 1), None, UP, D(2026, 8, 3), "r3"),
    ]


def test_closing_the_case_keeps_a_later_met_deadline(load) -> None:
    cl = load("""
        closed = 2026-09-30
        [[events]]
        id = "e0"
        date = 2026-09-01
        kind = "complaint"
        [[events]]
        id = "e1"
        date = 2026-09-20
        kind = "complaint"
        [[events]]
        id = "e2"
        date = 2026-09-21
        kind = "complaint"
        responded = 2026-09-25
    """, D(2026, 11, 23))
    # e0: Tue 1 Sep + 10 wd = Tue 15 Sep, before the close: kept, overdue.
    # e1: Sun 20 Sep + 10 wd = Fri 2 Oct, open and after the close (Wed 30 Sep): dropped.
    # e2: Mon 21 Sep + 10 wd: 22-25 (4), 28 Sep-2 Oct (9), Mon 5 Oct (10); answered 25 Sep: kept.
    assert by_rule(cl, "complaint_response") == [
        (None, D(2026, 9, 15), None, OVERDUE, D(2026, 9, 1), "e0"),
        (None, D(2026, 10, 5), D(2026, 9, 25), MET, D(2026, 9, 21), "e2"),
    ]


def test_deadlines_due_the_same_day_are_listed_child_by_child(load) -> None:
    cl = load("""
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
        [[visits]]
        id = "v1"
        date = 2026-09-16
        seen = ["c2"]
        [[visits]]
        id = "v2"
        date = 2026-09-16
        seen = ["c1"]
    """, D(2026, 9, 17))
    # Each child seen once on Wed 16 Sep (Leo at v1, Ava at v2): next visits both due
    # 16 Sep + 10 wd: 17-18 (2), 21-25 (7), 28-30 (10) -> Wed 30 Sep; Ava's row comes first.
    open_visits = [d for d in cl.deadlines() if d.rule == "visit" and d.open]
    assert [(d.child, d.due, d.source) for d in open_visits] == [
        ("c1", D(2026, 9, 30), "v2"), ("c2", D(2026, 9, 30), "v1")]
