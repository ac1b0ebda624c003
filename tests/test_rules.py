"""Every SPEC section 3 rule, with expected dates worked by hand.

Each tuple is (child, due, done, status, basis, source). The working for each
due date is in the comment above it, counted on a calendar, not computed.
"""

from __future__ import annotations

from datetime import date as D

from conftest import by_rule

MET, LATE, OVERDUE, SOON, UP = "met", "late", "overdue", "due_soon", "upcoming"


def test_spec_worked_example_hillingdon(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-12-14
        [[conferences]]
        id = "k1"
        kind = "initial"
        date = 2026-12-14
        children = ["c1"]
        [[core_groups]]
        id = "g1"
        date = 2026-12-29T10:00:00
    """, D(2027, 1, 4), procedure="hillingdon")
    # 14 Dec + 10 wd: 15-18 (4), 21-24 (8), skip 25 + sub 28, 29 (9), 30 (10).
    assert by_rule(cl, "first_core_group") == [(None, D(2026, 12, 30), D(2026, 12, 29), MET, D(2026, 12, 14), "k1")]
    # 29 Dec + 7 days = 5 Jan; today 4 Jan, window 5 wd -> due soon.
    assert by_rule(cl, "core_group_notes") == [(None, D(2027, 1, 5), None, SOON, D(2026, 12, 29), "g1")]
    # 29 Dec + 6 weeks = Tue 9 Feb 2027.
    assert by_rule(cl, "core_group") == [(None, D(2027, 2, 9), None, UP, D(2026, 12, 29), "g1")]
    # 14 Dec + 3 months = Sun 14 Mar 2027, not moved off the weekend.
    assert by_rule(cl, "first_review") == [(None, D(2027, 3, 14), None, UP, D(2026, 12, 14), "k1")]
    assert by_rule(cl, "visit") == []  # hillingdon sets no visit timescale


def test_spec_worked_example_report_to_chair_darlington(load) -> None:
    cl = load("""
        [[conferences]]
        id = "k9"
        kind = "review"
        date = 2027-01-04
        status = "scheduled"
    """, D(2026, 12, 1))
    # 4 Jan - 3 wd: 31 Dec (1), 30 Dec (2), 29 Dec (3); 28 Dec is the substitute holiday.
    assert by_rule(cl, "report_to_chair") == [(None, D(2026, 12, 29), None, UP, D(2027, 1, 4), "k9")]
    # 4 Jan - 2 wd -> Wed 30 Dec.
    assert by_rule(cl, "report_to_parents") == [(None, D(2026, 12, 30), None, UP, D(2027, 1, 4), "k9")]
    assert by_rule(cl, "conference_decisions") == []  # scheduled: only "before" rules


ICPC = """
    [[events]]
    id = "e1"
    date = 2026-09-01
    kind = "strategy_discussion"
    s47 = true
    [[events]]
    id = "e2"
    date = 2026-09-03
    kind = "strategy_discussion"
    s47 = false
    [[conferences]]
    id = "k0"
    kind = "initial"
    date = 2026-08-20
"""


def test_icpc_overdue_and_met(load) -> None:
    # Tue 1 Sep + 15 wd: 2-4 (3), 7-11 (8), 14-18 (13), 21 (14), 22 (15) -> Tue 22 Sep.
    # k0 was held before the strategy discussion, so it does not count.
    cl = load(ICPC, D(2026, 9, 23))
    assert by_rule(cl, "icpc") == [(None, D(2026, 9, 22), None, OVERDUE, D(2026, 9, 1), "e1")]
    held = ICPC + '[[conferences]]\nid = "k1"\nkind = "initial"\ndate = 2026-09-22\n'
    cl = load(held, D(2026, 9, 23))
    assert by_rule(cl, "icpc") == [(None, D(2026, 9, 22), D(2026, 9, 22), MET, D(2026, 9, 1), "e1")]


def test_transfer_conference_late(load) -> None:
    # Mon 12 Oct + 15 wd: 13-16 (4), 19-23 (9), 26-30 (14), Mon 2 Nov (15).
    cl = load("""
        [[events]]
        id = "e1"
        date = 2026-10-12
        kind = "transfer_agreed"
        [[conferences]]
        id = "k1"
        kind = "initial"
        date = 2026-10-20
        [[conferences]]
        id = "k2"
        kind = "transfer"
        date = 2026-11-04
    """, D(2026, 11, 23), procedure="west-midlands")
    assert by_rule(cl, "transfer_conference") == [(None, D(2026, 11, 2), D(2026, 11, 4), LATE, D(2026, 10, 12), "e1")]


PRE_BIRTH = """
    [[children]]
    id = "c1"
    name = "Baby Example"
    expected_date = 2027-02-20
    [[children]]
    id = "c2"
    name = "Ruby Example"
    date_of_birth = 2023-05-09
    expected_date = 2023-05-01
    [[conferences]]
    id = "k1"
    kind = "pre_birth"
    date = 2026-11-26
    status = "{status}"
    children = ["c1"]
"""


def test_pre_birth_conference(load) -> None:
    # 20 Feb 2027 - 3 months = 20 Nov 2026; a born child gets no instance.
    cl = load(PRE_BIRTH.format(status="scheduled"), D(2026, 11, 23))
    assert by_rule(cl, "pre_birth_conference") == [("c1", D(2026, 11, 20), None, OVERDUE, D(2027, 2, 20), "c1")]
    cl = load(PRE_BIRTH.format(status="held"), D(2026, 11, 27))
    assert by_rule(cl, "pre_birth_conference") == [("c1", D(2026, 11, 20), D(2026, 11, 26), LATE, D(2027, 2, 20), "c1")]


CORE = """
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2019-04-02
    plan_start = 2026-09-14
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-09-14
    [[core_groups]]
    id = "g0"
    date = 2026-09-01
    [[core_groups]]
    id = "g1"
    date = 2026-09-24T10:00:00
    plan_sent = 2026-09-28
    notes_circulated = 2026-09-25
    [[core_groups]]
    id = "g2"
    date = 2026-10-22
    plan_sent = 2026-10-30
    [[core_groups]]
    id = "g3"
    date = 2026-11-25
    status = "scheduled"
    [[core_groups]]
    id = "g4"
    date = 2026-11-10
    status = "cancelled"
"""


def test_core_group_chain_darlington(load) -> None:
    cl = load(CORE, D(2026, 11, 23))
    # S = Mon 14 Sep + 10 wd: 15-18 (4), 21-25 (9), Mon 28 Sep (10); g0 is before S.
    assert by_rule(cl, "first_core_group") == [(None, D(2026, 9, 28), D(2026, 9, 24), MET, D(2026, 9, 14), "k1")]
    # g1 24 Sep + 20 wd: 25 (1), 28-2 Oct (6), 5-9 (11), 12-16 (16), 19-22 (20) -> Thu 22 Oct.
    # g2 22 Oct + 20 wd: 23 (1), 26-30 (6), 2-6 Nov (11), 9-13 (16), 16-19 (20) -> Thu 19 Nov.
    # Scheduled g3 and cancelled g4 are not done.
    assert by_rule(cl, "core_group") == [
        (None, D(2026, 10, 22), D(2026, 10, 22), MET, D(2026, 9, 24), "g1"),
        (None, D(2026, 11, 19), None, OVERDUE, D(2026, 10, 22), "g2"),
    ]
    # Darlington (v1.1): the updated plan, every held meeting + 5 days (g0 too: it was a held
    # core group). Notes are not timed by Darlington any more.
    assert by_rule(cl, "core_group_notes") == []
    assert by_rule(cl, "core_group_plan") == [
        (None, D(2026, 9, 6), None, OVERDUE, D(2026, 9, 1), "g0"),
        (None, D(2026, 9, 29), D(2026, 9, 28), MET, D(2026, 9, 24), "g1"),
        (None, D(2026, 10, 27), D(2026, 10, 30), LATE, D(2026, 10, 22), "g2"),
    ]


WM = """
    [[children]]
    id = "c1"
    name = "Zara Example"
    date_of_birth = 2010-06-30
    plan_start = 2026-01-19
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-01-19
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2026-04-16
    [[core_groups]]
    id = "g1"
    date = 2026-01-30
    notes_circulated = 2026-02-05
    [[core_groups]]
    id = "g2"
    date = 2026-03-12
    [[core_groups]]
    id = "g3"
    date = 2026-04-30
    [[core_groups]]
    id = "g4"
    date = 2026-06-26
"""


def test_core_group_after_first_review_west_midlands(load) -> None:
    cl = load(WM, D(2026, 7, 1), procedure="west-midlands")
    # g1 30 Jan + 6 weeks = 13 Mar (g2 12 Mar met); g2 + 6 weeks = 23 Apr (g3 30 Apr late);
    # review k2 16 Apr is on or before g3, so g3 + 2 months = 30 Jun (g4 26 Jun met);
    # g4 + 2 months = 26 Aug, open.
    got = [d for d in cl.deadlines() if d.rule == "core_group"]
    assert [(d.due, d.done, d.status) for d in got] == [
        (D(2026, 3, 13), D(2026, 3, 12), MET),
        (D(2026, 4, 23), D(2026, 4, 30), LATE),
        (D(2026, 6, 30), D(2026, 6, 26), MET),
        (D(2026, 8, 26), None, UP),
    ]
    assert "six weeks" in got[0].cite and "two months" in got[2].cite
    # Notes only for the first meeting: Fri 30 Jan + 5 wd = Fri 6 Feb.
    assert by_rule(cl, "core_group_notes") == [(None, D(2026, 2, 6), D(2026, 2, 5), MET, D(2026, 1, 30), "g1")]


def test_reviews_baseline(load) -> None:
    body = WM + """
    [[conferences]]
    id = "k3"
    kind = "review"
    date = 2026-10-15
    """
    cl = load(body, D(2026, 11, 23), procedure="working-together-2023")
    # S 19 Jan + 3 months = Sun 19 Apr; first held review after S is k2 (16 Apr).
    assert by_rule(cl, "first_review") == [(None, D(2026, 4, 19), D(2026, 4, 16), MET, D(2026, 1, 19), "k1")]
    # k2 + 6 months = 16 Oct (k3 15 Oct met); k3 + 6 months = 15 Apr 2027 open.
    assert by_rule(cl, "review") == [
        (None, D(2026, 10, 16), D(2026, 10, 15), MET, D(2026, 4, 16), "k2"),
        (None, D(2027, 4, 15), None, UP, D(2026, 10, 15), "k3"),
    ]
    # Baseline sets no core group rhythm: only the first core group.
    assert by_rule(cl, "core_group") == [] and len(by_rule(cl, "first_core_group")) == 1


def test_first_review_darlington_91_days(load) -> None:
    cl = load(CORE, D(2026, 11, 23))
    # 14 Sep + 91 days = Mon 14 Dec.
    assert by_rule(cl, "first_review") == [(None, D(2026, 12, 14), None, UP, D(2026, 9, 14), "k1")]


def test_conference_decisions_record_reconvene(load) -> None:
    cl = load("""
        [[conferences]]
        id = "k1"
        kind = "initial"
        date = 2026-09-14
        quorate = false
        decisions_circulated = 2026-09-18
        record_circulated = 2026-10-09
        [[conferences]]
        id = "k2"
        kind = "initial"
        date = 2026-10-05
        decisions_circulated = 2026-10-07
    """, D(2026, 11, 23))
    # Mon 14 Sep + 2 wd = Wed 16 Sep (18 Sep is late); Mon 5 Oct + 2 wd = Wed 7 Oct (met).
    assert by_rule(cl, "conference_decisions") == [
        (None, D(2026, 9, 16), D(2026, 9, 18), LATE, D(2026, 9, 14), "k1"),
        (None, D(2026, 10, 7), D(2026, 10, 7), MET, D(2026, 10, 5), "k2"),
    ]
    # 14 Sep + 20 wd: 15-18 (4), 21-25 (9), 28-2 (14), 5-9 (19), Mon 12 Oct (20).
    # 5 Oct + 20 wd: 6-9 (4), 12-16 (9), 19-23 (14), 26-30 (19), Mon 2 Nov (20).
    assert by_rule(cl, "conference_record") == [
        (None, D(2026, 10, 12), D(2026, 10, 9), MET, D(2026, 9, 14), "k1"),
        (None, D(2026, 11, 2), None, OVERDUE, D(2026, 10, 5), "k2"),
    ]
    # Inquorate k1: 14 Sep + 1 month = 14 Oct; next held conference k2 on 5 Oct.
    assert by_rule(cl, "reconvene") == [(None, D(2026, 10, 14), D(2026, 10, 5), MET, D(2026, 9, 14), "k1")]


def test_report_rules_skip_cancelled(load) -> None:
    cl = load("""
        [[conferences]]
        id = "k1"
        kind = "review"
        date = 2026-12-14
        status = "scheduled"
        report_to_chair = 2026-12-10
        [[conferences]]
        id = "k2"
        kind = "review"
        date = 2026-12-07
        status = "cancelled"
    """, D(2026, 12, 11))
    # Mon 14 Dec - 3 wd: 11 (1), 10 (2), Wed 9 Dec (3); sent 10 Dec is late.
    assert by_rule(cl, "report_to_chair") == [(None, D(2026, 12, 9), D(2026, 12, 10), LATE, D(2026, 12, 14), "k1")]
    # 14 Dec - 2 wd = Thu 10 Dec, passed at Fri 11 Dec.
    assert by_rule(cl, "report_to_parents") == [(None, D(2026, 12, 10), None, OVERDUE, D(2026, 12, 14), "k1")]


def test_school_move_core_group_hillingdon(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Mia Example"
        date_of_birth = 2015-02-11
        plan_start = 2026-07-01
        [[events]]
        id = "e0"
        date = 2026-06-01
        kind = "school_move"
        [[events]]
        id = "e1"
        date = 2026-11-02
        kind = "school_move"
        [[core_groups]]
        id = "g1"
        date = 2026-11-20
    """, D(2026, 11, 23), procedure="hillingdon")
    # Mon 2 Nov + 10 wd: 3-6 (4), 9-13 (9), Mon 16 Nov (10); e0 is before the plan.
    assert by_rule(cl, "school_move_core_group") == [(None, D(2026, 11, 16), D(2026, 11, 20), LATE, D(2026, 11, 2), "e1")]


def test_complaint_response_and_closed_case(load) -> None:
    body = """
        closed = 2026-09-30
        [[events]]
        id = "e1"
        date = 2026-09-01
        kind = "complaint"
        [[events]]
        id = "e2"
        date = 2026-09-20
        kind = "complaint"
    """
    cl = load(body, D(2026, 11, 23))
    # Tue 1 Sep + 10 wd: 2-4 (3), 7-11 (8), 14-15 (10) -> Tue 15 Sep, before `closed`: kept.
    # Sun 20 Sep + 10 wd: 21-25 (5), 28-2 Oct (10) -> Fri 2 Oct, after `closed`: dropped.
    assert by_rule(cl, "complaint_response") == [(None, D(2026, 9, 15), None, OVERDUE, D(2026, 9, 1), "e1")]
    open_ = body.replace("closed = 2026-09-30", "") + "responded = 2026-10-01\n"
    cl = load(open_, D(2026, 11, 23))
    assert by_rule(cl, "complaint_response")[1] == (None, D(2026, 10, 2), D(2026, 10, 1), MET, D(2026, 9, 20), "e2")


VISITS = """
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
    date = 2026-09-18
    seen = ["c1", "c2"]
    bedroom_seen = ["c1"]
    [[visits]]
    id = "v2"
    date = 2026-10-01
    seen = ["c1"]
    [[visits]]
    id = "v3"
    date = 2026-10-05
    statutory = false
    seen = ["c2"]
    bedroom_seen = ["c2"]
"""


def test_visits_per_child_non_statutory_ignored(load) -> None:
    cl = load(VISITS, D(2026, 10, 9))
    # From Mon 14 Sep + 10 wd = Mon 28 Sep (v1 on 18 Sep meets it for both).
    # c1: v1 18 Sep + 10 wd: 21-25 (5), 28-2 Oct (10) -> Fri 2 Oct, met by v2 1 Oct;
    #     v2 1 Oct + 10 wd: 2 (1), 5-9 (6), 12-15 (10) -> Thu 15 Oct, open.
    # c2: v1 18 Sep -> Fri 2 Oct, open (v3 is not statutory) -> overdue at 9 Oct.
    assert by_rule(cl, "visit") == [
        ("c1", D(2026, 9, 28), D(2026, 9, 18), MET, D(2026, 9, 14), "c1"),
        ("c2", D(2026, 9, 28), D(2026, 9, 18), MET, D(2026, 9, 14), "c2"),
        ("c1", D(2026, 10, 2), D(2026, 10, 1), MET, D(2026, 9, 18), "v1"),
        ("c2", D(2026, 10, 2), None, OVERDUE, D(2026, 9, 18), "v1"),
        ("c1", D(2026, 10, 15), None, SOON, D(2026, 10, 1), "v2"),
    ]
    # Bedrooms every 6 weeks: c1 seen 18 Sep (met 14 Sep + 6w = 26 Oct), next 30 Oct;
    # c2 never seen at a statutory visit: 26 Oct.
    assert by_rule(cl, "bedroom_seen") == [
        ("c1", D(2026, 10, 26), D(2026, 9, 18), MET, D(2026, 9, 14), "c1"),
        ("c2", D(2026, 10, 26), None, UP, D(2026, 9, 14), "c2"),
        ("c1", D(2026, 10, 30), None, UP, D(2026, 9, 18), "v1"),
    ]


def test_visit_rule_blackburn_and_local_override(load) -> None:
    cl = load(VISITS, D(2026, 10, 9), procedure="blackburn-with-darwen")
    # 15 wd from v2 (Thu 1 Oct): 2 (1), 5-9 (6), 12-16 (11), 19-22 (15) -> Thu 22 Oct.
    assert by_rule(cl, "visit")[-1] == ("c1", D(2026, 10, 22), None, UP, D(2026, 10, 1), "v2")
    assert by_rule(cl, "bedroom_seen") == []
    cl = load(VISITS, D(2026, 10, 9), procedure="blackburn-with-darwen",
              settings='[timescales]\nvisit = "5 working days"\n')
    # Local override: Thu 1 Oct + 5 wd = Thu 8 Oct.
    last = [d for d in cl.deadlines() if d.rule == "visit"][-1]
    assert (last.due, last.status) == (D(2026, 10, 8), OVERDUE)
    assert last.cite.startswith("Local override") and last.origin == "cptui.toml"


def test_plan_end_stops_plan_bound_rules(load) -> None:
    body = VISITS.replace('plan_start = 2026-09-14\n    [[children]]', 'plan_start = 2026-09-14\n    plan_end = 2026-10-06\n    [[children]]', 1)
    cl = load(body, D(2026, 10, 9))
    # c1's plan ended Tue 6 Oct: its open visit due 15 Oct (>= plan end) is not produced,
    # its met ones stay; c2's plan is still active.
    visits = by_rule(cl, "visit")
    assert ("c1", D(2026, 10, 15), None, SOON, D(2026, 10, 1), "v2") not in visits
    assert ("c1", D(2026, 10, 2), D(2026, 10, 1), MET, D(2026, 9, 18), "v1") in visits
    assert ("c2", D(2026, 10, 2), None, OVERDUE, D(2026, 9, 18), "v1") in visits


def test_case_rules_stop_when_every_plan_ended(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Harper Example"
        date_of_birth = 2016-11-02
        plan_start = 2026-05-18
        plan_end = 2026-08-17
        [[core_groups]]
        id = "g1"
        date = 2026-07-24
        [[conferences]]
        id = "k1"
        kind = "review"
        date = 2026-08-17
        outcome = "end"
        exceptional_reason = "Risk removed: the adult who harmed Harper is in prison."
    """, D(2026, 11, 23))
    # g1 24 Jul + 20 wd = Fri 21 Aug >= plan end 17 Aug: no open core group.
    assert by_rule(cl, "core_group") == []
    # First review met by k2; no further review once the plan ended (17 Aug + 182 days).
    assert by_rule(cl, "review") == []
    # Not plan-bound: the plan after g1 (24 Jul + 5 days = 29 Jul) stays, overdue.
    assert by_rule(cl, "core_group_plan") == [(None, D(2026, 7, 29), None, OVERDUE, D(2026, 7, 24), "g1")]


def test_plan_start_is_earliest_active(load) -> None:
    cl = load("""
        [[children]]
        id = "c1"
        name = "Old Plan"
        date_of_birth = 2014-01-01
        plan_start = 2025-01-06
        plan_end = 2025-06-02
        [[children]]
        id = "c2"
        name = "New Plan"
        date_of_birth = 2016-01-01
        plan_start = 2026-11-02
    """, D(2026, 11, 23), procedure="working-together-2023")
    # S is c2's start (the only active plan): Mon 2 Nov + 10 wd = Mon 16 Nov, source c2.
    assert by_rule(cl, "first_core_group") == [(None, D(2026, 11, 16), None, OVERDUE, D(2026, 11, 2), "c2")]


def test_status_window_boundaries(load) -> None:
    # Today Mon 23 Nov, warn 5 wd -> due_soon up to Mon 30 Nov inclusive.
    body = "".join(f"""
        [[events]]
        id = "e{i}"
        date = {d}
        kind = "complaint"
    """ for i, d in enumerate(["2026-11-09", "2026-11-16", "2026-11-17"]))
    cl = load(body, D(2026, 11, 23))
    # 9 Nov + 10 wd = 23 Nov (today: due soon); 16 Nov + 10 wd = 30 Nov (due soon);
    # 17 Nov + 10 wd = 1 Dec (upcoming).
    assert [(r[1], r[3]) for r in by_rule(cl, "complaint_response")] == [
        (D(2026, 11, 23), SOON), (D(2026, 11, 30), SOON), (D(2026, 12, 1), UP)]
    cl = load(body, D(2026, 11, 23), settings='warn = "1 working day"\n')
    assert [r[3] for r in by_rule(cl, "complaint_response")] == [SOON, UP, UP]


def test_deadline_due_exactly_on_closed_is_kept(load) -> None:
    """Issue 19: the closed cut-off is `due > closed`; a deadline due on the closing day stays."""
    body = """
        closed = {closed}
        [[events]]
        id = "e1"
        date = 2026-11-02
        kind = "complaint"
    """
    # Mon 2 Nov + 10 wd: 3-6 (4), 9-13 (9), Mon 16 Nov (10).
    cl = load(body.format(closed="2026-11-16"), D(2026, 11, 23))
    assert by_rule(cl, "complaint_response") == [(None, D(2026, 11, 16), None, OVERDUE, D(2026, 11, 2), "e1")]
    # Closed the working day before (Fri 13 Nov): due after closed, dropped.
    assert by_rule(load(body.format(closed="2026-11-13"), D(2026, 11, 23)), "complaint_response") == []


def test_open_deadline_due_exactly_on_plan_end_is_dropped(load) -> None:
    """Issue 19: the plan-end cut-off is `due >= end`, for case and per-child rules."""
    body = """
        [[children]]
        id = "c1"
        name = "Ava Example"
        date_of_birth = 2019-04-02
        plan_start = 2026-11-02
        plan_end = {end}
    """
    # first_core_group: Mon 2 Nov + 10 wd: 3-6 (4), 9-13 (9), Mon 16 Nov (10). Darlington visit is
    # also 10 wd from plan_start: Mon 16 Nov. The plan ended that day: neither is produced.
    cl = load(body.format(end="2026-11-16"), D(2026, 11, 23))
    assert by_rule(cl, "first_core_group") == [] and by_rule(cl, "visit") == []
    # Ended a day later (Tue 17 Nov): both were due while the plan was active, so both stay, overdue.
    cl = load(body.format(end="2026-11-17"), D(2026, 11, 23))
    assert by_rule(cl, "first_core_group") == [(None, D(2026, 11, 16), None, OVERDUE, D(2026, 11, 2), "c1")]
    assert by_rule(cl, "visit") == [("c1", D(2026, 11, 16), None, OVERDUE, D(2026, 11, 2), "c1")]
