"""SPEC v1.1, change by change, with the expected dates worked by hand.

Each tuple is (child, due, done, status, basis, source), as in test_rules.py.
November 2026 has no bank holiday; 25 and 28 Dec 2026 are (Christmas and
the substitute for Boxing Day).
"""

from __future__ import annotations

from datetime import date as D

from conftest import by_rule
from cptui.loader import load_case
from cptui.schedule import propose

MET, LATE, OVERDUE, SOON, UP = "met", "late", "overdue", "due_soon", "upcoming"

CHILD = """
    lead_social_worker = "m1"
    [[members]]
    id = "m1"
    name = "Sam Example"
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2019-04-02
    plan_start = 2026-11-02
"""


def codes(cl, code: str) -> list[str]:
    return [p.message for p in cl.problems if p.code == code]


# --- 1. Nothing from the future ---------------------------------------------------


def test_future_visit_does_not_count_as_done(load, today: D) -> None:
    cl = load(CHILD + """
    [[visits]]
    id = "v1"
    date = 2026-11-10
    seen = ["c1"]
    [[visits]]
    id = "v2"
    date = 2026-11-30
    seen = ["c1"]
    """, today)
    # Darlington visit = 10 wd. Mon 2 Nov + 10 wd: 3-6 (4), 9-13 (9), 16 (10) -> Mon 16 Nov; v1 on 10 Nov: met.
    # Tue 10 Nov + 10 wd: 11-13 (3), 16-20 (8), 23 (9), 24 (10) -> Tue 24 Nov. v2 (30 Nov) has not
    # happened at Mon 23 Nov, so it is open and due soon (not "met late" by a visit nobody made yet).
    assert by_rule(cl, "visit") == [("c1", D(2026, 11, 16), D(2026, 11, 10), MET, D(2026, 11, 2), "c1"),
                                    ("c1", D(2026, 11, 24), None, SOON, D(2026, 11, 10), "v1")]
    assert len(codes(cl, "future_dated")) == 1 and "visit 'v2'" in codes(cl, "future_dated")[0]


def test_future_held_conference_and_event_are_left_out(load, today: D) -> None:
    cl = load("""
    [[events]]
    id = "e1"
    date = 2026-11-02
    kind = "strategy_discussion"
    s47 = true
    [[events]]
    id = "e2"
    date = 2026-11-30
    kind = "complaint"
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-11-30
    status = "held"
    """, today)
    # icpc: Mon 2 Nov + 15 wd: 3-6 (4), 9-13 (9), 16-20 (14), 23 (15) -> Mon 23 Nov. The "held"
    # conference of 30 Nov has not happened: not done; due today, so due soon (not overdue).
    assert by_rule(cl, "icpc") == [(None, D(2026, 11, 23), None, SOON, D(2026, 11, 2), "e1")]
    # The future conference starts no rule, and neither does the future complaint.
    for rule in ("conference_decisions", "conference_record", "report_to_parents", "report_to_chair",
                 "complaint_response"):
        assert by_rule(cl, rule) == [], rule
    assert sorted(m.split(" ")[0] for m in codes(cl, "future_dated")) == ["conference", "event"]


def test_future_done_date_counts_as_unset(load, today: D) -> None:
    cl = load(CHILD + """
    [[core_groups]]
    id = "g1"
    date = 2026-11-19T10:00:00
    attendees = ["m1"]
    plan_sent = 2026-11-24
    """, today)
    # Darlington core_group_plan = 5 days: Thu 19 Nov + 5 days = Tue 24 Nov. plan_sent 24 Nov is
    # tomorrow: unset, so open and due soon rather than met.
    assert by_rule(cl, "core_group_plan") == [(None, D(2026, 11, 24), None, SOON, D(2026, 11, 19), "g1")]
    assert codes(cl, "future_dated") == [
        "core group 'g1': `plan_sent` is Tue 24 Nov 2026, after today: counted as not done until then"]


def test_scheduled_meetings_in_the_future_are_not_flagged(load, today: D) -> None:
    cl = load(CHILD + """
    [[conferences]]
    id = "k1"
    kind = "review"
    date = 2026-12-14
    status = "scheduled"
    [[core_groups]]
    id = "g1"
    date = 2026-11-30T10:00:00
    status = "scheduled"
    """, today)
    assert codes(cl, "future_dated") == []
    # Darlington report_to_chair = 3 wd: Mon 14 Dec - 3 wd: 11 (1), 10 (2), 9 (3) -> Wed 9 Dec.
    assert by_rule(cl, "report_to_chair") == [(None, D(2026, 12, 9), None, UP, D(2026, 12, 14), "k1")]


# --- 2. Order by date-time, then id -----------------------------------------------

SAME_DAY = """
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2019-04-02
    plan_start = 2026-11-02
    [[core_groups]]
    id = "g1"
    date = 2026-11-12T14:00:00
    notes_circulated = 2026-11-20
    [[core_groups]]
    id = "g2"
    date = 2026-11-12T09:00:00
    notes_circulated = 2026-11-16
"""


def test_same_day_core_groups_ordered_by_time_not_id(load, today: D) -> None:
    cl = load(SAME_DAY, today, procedure="west-midlands")
    # The first core group is g2 (09:00), not g1 (14:00). West Midlands notes (first only):
    # Thu 12 Nov + 5 wd: 13 (1), 16-19 (5) -> Thu 19 Nov; g2's notes on 16 Nov: met.
    assert by_rule(cl, "core_group_notes") == [(None, D(2026, 11, 19), D(2026, 11, 16), MET,
                                                D(2026, 11, 12), "g2")]
    # Chain g2 -> g1 -> open: 12 Nov + 6 weeks = Thu 24 Dec for both; g1 met it, then g1 starts the open one.
    assert sorted(by_rule(cl, "core_group"), key=lambda t: t[5]) == [
        (None, D(2026, 12, 24), None, UP, D(2026, 11, 12), "g1"),
        (None, D(2026, 12, 24), D(2026, 11, 12), MET, D(2026, 11, 12), "g2")]


# --- 3. West Midlands: only reviews after the plan start switch the rhythm ------------

SIBLING = """
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2015-04-02
    plan_start = 2025-06-02
    plan_end = 2026-03-02
    [[children]]
    id = "c2"
    name = "Leo Example"
    date_of_birth = 2024-01-10
    plan_start = 2026-09-07
    [[conferences]]
    id = "k0"
    kind = "review"
    date = 2025-09-01
    children = ["c1"]
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2027-03-01
    status = "scheduled"
    [[core_groups]]
    id = "g1"
    date = 2026-09-17T10:00:00
    [[core_groups]]
    id = "g2"
    date = 2026-10-29T10:00:00
"""


def test_sibling_review_before_plan_start_does_not_switch_rhythm(load) -> None:
    cl = load(SIBLING, D(2026, 12, 14), procedure="west-midlands")
    # S = 7 Sep 2026 (c2's active plan). k0 (Sep 2025) is from c1's earlier plan: it does not count,
    # so the rhythm stays 6 weeks. g1 Thu 17 Sep + 6 weeks = Thu 29 Oct: g2 met it.
    # g2 Thu 29 Oct + 6 weeks = Thu 10 Dec: overdue at Mon 14 Dec (2 months would say 29 Dec, upcoming).
    assert by_rule(cl, "core_group") == [
        (None, D(2026, 10, 29), D(2026, 10, 29), MET, D(2026, 9, 17), "g1"),
        (None, D(2026, 12, 10), None, OVERDUE, D(2026, 10, 29), "g2")]


def test_schedule_the_series_follows_the_same_review_test(load, today: D) -> None:
    cl = load(SIBLING, today, procedure="west-midlands")
    series = propose(cl.get("CP-T-1"), cl.calendar, today)
    # From g2 (Thu 29 Oct), 6-weekly up to the booked review Mon 1 Mar 2027:
    # 29 Oct + 6 weeks = Thu 10 Dec; + 6 weeks = Thu 21 Jan; + 6 weeks = 4 Mar, past the review.
    # (Counting k0 would give 2-monthly: Tue 29 Dec, Fri 26 Feb.)
    assert series.meetings == [D(2026, 12, 10), D(2027, 1, 21)]
    assert series.until == D(2027, 3, 1)


# --- 4. core_group_plan ---------------------------------------------------------------

PLAN_SENT = CHILD + """
    [[core_groups]]
    id = "g1"
    date = 2026-11-12T10:00:00
    attendees = ["m1"]
    plan_sent = 2026-11-18
    [[core_groups]]
    id = "g2"
    date = 2026-11-19T10:00:00
    attendees = ["m1"]
    notes_circulated = 2026-11-20
"""


def test_core_group_plan_first_only_blackburn(load, today: D) -> None:
    cl = load(PLAN_SENT, today, procedure="blackburn-with-darwen")
    # 5 days from the first core group only: Thu 12 Nov + 5 days = Tue 17 Nov; sent 18 Nov: late.
    assert by_rule(cl, "core_group_plan") == [(None, D(2026, 11, 17), D(2026, 11, 18), LATE,
                                               D(2026, 11, 12), "g1")]
    assert by_rule(cl, "core_group_notes") == []  # v1.1: no longer a notes timescale


def test_core_group_plan_every_meeting_darlington(load, today: D) -> None:
    cl = load(PLAN_SENT, today)
    # g1: 12 Nov + 5 days = Tue 17 Nov, sent 18 Nov: late.
    # g2: Thu 19 Nov + 5 days = Tue 24 Nov; notes_circulated is not plan_sent: open, due soon.
    assert by_rule(cl, "core_group_plan") == [
        (None, D(2026, 11, 17), D(2026, 11, 18), LATE, D(2026, 11, 12), "g1"),
        (None, D(2026, 11, 24), None, SOON, D(2026, 11, 19), "g2")]
    assert by_rule(cl, "core_group_notes") == []


def test_plan_sent_must_be_a_date(tmp_path) -> None:
    p = tmp_path / "CP-X.toml"
    p.write_text('schema = 1\nid = "CP-X"\n[[core_groups]]\nid = "g1"\ndate = 2026-11-12\n'
                 'plan_sent = "soon"\ninterpreter_present = "yes"\n')
    case, probs = load_case(p)
    msgs = [p.message for p in probs if p.severity == "error"]
    assert any("`plan_sent` must be a date" in m for m in msgs), msgs
    assert any("`interpreter_present` must be true or false" in m for m in msgs), msgs


def test_profiles_command_shows_plan_scope_and_flags(capsys) -> None:
    from cptui.cli import main

    assert main(["profiles", "hillingdon"]) == 0
    out = capsys.readouterr().out
    assert "first_core_group_chair" in out and "Hillingdon 1.3.7 para 8.1" in out
    assert main(["profiles", "blackburn-with-darwen"]) == 0
    out = capsys.readouterr().out
    assert "plan after a core group: first meeting only" in out and "core_group_plan" in out
    assert "core_group_notes " not in out
    assert "first_core_group_chair" not in out


# --- the bug: a future plan with an end date ----------------------------------------


def test_future_plan_with_end_date_stops_case_rules(load) -> None:
    cl = load("""
    [[children]]
    id = "c1"
    name = "Ava Example"
    date_of_birth = 2019-04-02
    plan_start = 2027-01-11
    plan_end = 2027-02-01
    """, D(2026, 12, 1), procedure="berkshire")
    # No plan is active at 1 Dec 2026 (it starts in January), so the case plan ends 1 Feb 2027.
    # first_core_group: Mon 11 Jan + 10 wd: 12-15 (4), 18-22 (9), 25 (10) -> Mon 25 Jan: kept.
    assert by_rule(cl, "first_core_group") == [(None, D(2027, 1, 25), None, UP, D(2027, 1, 11), "c1")]
    # first_review: 11 Jan + 3 months = Sun 11 Apr 2027, after the plan's end: not produced.
    assert by_rule(cl, "first_review") == []
    assert cl.get("CP-T-1").case.plan_end(D(2026, 12, 1)) == D(2027, 2, 1)


# --- forms: plan_sent always, interpreter_present only when the case has an interpreter ----


def test_forms_ask_plan_sent_and_interpreter_only_when_needed(tmp_path, today: D) -> None:
    from cptui.forms import changes, form_fields, show, validate
    from cptui.model import Case

    plain, polish = Case("CP-1", tmp_path), Case("CP-2", tmp_path, interpreter="Polish")
    keys = [f.key for f in form_fields("core_group", plain)]
    assert "plan_sent" in keys and "interpreter_present" not in keys
    assert "interpreter_present" in [f.key for f in form_fields("core_group", polish)]
    assert "interpreter_present" in [f.key for f in form_fields("conference", polish)]
    assert "interpreter_present" not in [f.key for f in form_fields("conference", plain)]

    field = next(f for f in form_fields("core_group", polish) if f.key == "interpreter_present")
    assert [show(field, v) for v in (True, False, None)] == ["yes", "no", ""]
    old = {"date": D(2026, 11, 12), "status": "held", "interpreter_present": True}
    shown = {f.key: show(f, old.get(f.key)) for f in form_fields("core_group", polish)}
    # Answering "no" writes false (a boolean); blank means not recorded and removes it.
    values, errors = validate("core_group", {**shown, "interpreter_present": "no"}, today)
    assert not errors and changes("core_group", old, values) == {"interpreter_present": False}
    values, _ = validate("core_group", {**shown, "interpreter_present": ""}, today)
    assert changes("core_group", old, values) == {"interpreter_present": None}
    new, _ = validate("core_group", {"date": "2026-11-12", "status": "held", "interpreter_present": ""}, today)
    assert "interpreter_present" not in changes("core_group", None, new)  # unknown: not written
    # Not asked (no interpreter on the case): a stored answer is left alone.
    shown = {f.key: show(f, old.get(f.key)) for f in form_fields("core_group", plain)}
    values, _ = validate("core_group", {**shown, "plan_sent": "2026-11-16"}, today)
    assert changes("core_group", old, values) == {"plan_sent": D(2026, 11, 16)}


def test_why_this_date_says_what_counts_and_ignores_a_future_plan_sent(load, today: D) -> None:
    from cptui.tui.screens.why import explain

    cl = load(CHILD + """
    [[core_groups]]
    id = "g1"
    date = 2026-11-19T10:00:00
    attendees = ["m1"]
    plan_sent = 2026-11-24
    """, today)
    cv = cl.get("CP-T-1")
    d = next(d for d in cv.deadlines if d.rule == "core_group_plan")
    text = explain(d, cv, cl)
    assert "the updated plan was sent out after the meeting (`plan_sent` on core group g1)" in text
    assert "`plan_sent` says Tue 24 Nov 2026, after today: not counted until then" in text


def test_same_day_visits_ordered_by_time_not_id(load, today: D) -> None:
    cl = load(CHILD + """
    [[visits]]
    id = "v1"
    date = 2026-11-10T15:00:00
    seen = ["c1"]
    [[visits]]
    id = "v2"
    date = 2026-11-10T09:00:00
    seen = ["c1"]
    """, today)
    # Darlington visit = 10 wd. Mon 2 Nov + 10 wd = Mon 16 Nov, met by the first visit (v2, 09:00);
    # v2 -> v1 the same day (due Tue 24 Nov, met 10 Nov); from v1 (the later one): Tue 24 Nov, open.
    assert by_rule(cl, "visit") == [("c1", D(2026, 11, 16), D(2026, 11, 10), MET, D(2026, 11, 2), "c1"),
                                    ("c1", D(2026, 11, 24), None, SOON, D(2026, 11, 10), "v1"),
                                    ("c1", D(2026, 11, 24), D(2026, 11, 10), MET, D(2026, 11, 10), "v2")]


def test_the_series_says_the_rhythm_it_used(load, today: D, demo) -> None:
    """The dialog said "every 6 weeks" while proposing 2-monthly dates: past the first
    review the rhythm is the after-first-review one, and the series says so."""
    cl = load(SIBLING, today, procedure="west-midlands")
    assert propose(cl.get("CP-T-1"), cl.calendar, today).rhythm == "6 weeks"
    from cptui.caseload import load_caseload

    demo_load = load_caseload(demo, today)
    series = propose(demo_load.get("CP-2026-0009"), demo_load.calendar, today)
    assert series.meetings and series.rhythm == "2 months"
