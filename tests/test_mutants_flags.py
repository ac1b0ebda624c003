"""Tests written to kill mutants of cptui/flags.py that survived every other test.

Each test is named for the practice warning it protects; the mutants it was written
for, and the ones left as equivalent, are listed in docs/mutants.md. Weekdays in the
comments were read off a calendar.
"""

from __future__ import annotations

from datetime import date as D

CHILD = """
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


def only(cl, code: str) -> list[str]:
    return [p.message for p in cl.problems if p.code == code]


def test_non_working_day_says_weekend_or_bank_holiday_and_the_date(load) -> None:
    cl = load(CHILD + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-10-10
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2026-10-11
    status = "cancelled"
    [[core_groups]]
    id = "g1"
    date = 2026-12-25T10:00:00
    [[visits]]
    id = "v1"
    date = 2026-10-18
    seen = ["c1"]
    """, D(2026, 12, 30))
    # Sat 10 Oct and Sun 18 Oct are a weekend; Fri 25 Dec is Christmas Day, a weekday.
    # k2 on Sun 11 Oct was cancelled: its date does not matter.
    assert sorted(only(cl, "non_working_day")) == [
        "conference dated Sat 10 Oct 2026, which is a weekend: a typing slip?",
        "core group dated Fri 25 Dec 2026, which is a bank holiday: a typing slip?",
        "statutory visit dated Sun 18 Oct 2026, which is a weekend: a typing slip?",
    ]


def test_inquorate_message_names_the_conference_and_its_date(load) -> None:
    cl = load(CHILD + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-10-12
    quorate = false
    """, D(2026, 11, 23))
    # Mon 12 Oct 2026.
    assert only(cl, "inquorate") == ["conference 'k1' on Mon 12 Oct 2026 was not quorate"]


def test_unrecorded_core_group_only_once_its_day_has_passed(load) -> None:
    cl = load(CHILD + """
    [[core_groups]]
    id = "g1"
    date = 2026-11-16T10:00:00
    [[core_groups]]
    id = "g2"
    date = 2026-11-20T10:00:00
    status = "scheduled"
    [[core_groups]]
    id = "g3"
    date = 2026-11-23T14:00:00
    status = "scheduled"
    """, D(2026, 11, 23))
    # Today is Mon 23 Nov: g1 (Mon 16 Nov) was held and recorded; g3 is today, not yet passed;
    # g2 (Fri 20 Nov) has passed with no record of whether it happened.
    assert only(cl, "unrecorded_meeting") == [
        "core group scheduled for Fri 20 Nov 2026 has passed: record whether it was held"]


def test_smart_action_still_checked_after_a_done_action(load) -> None:
    cl = load(CHILD + """
    [[plan.actions]]
    id = "a1"
    owner = "m1"
    due = 2026-10-30
    status = "done"
    done = 2026-10-28
    [[plan.actions]]
    id = "a2"
    due = 2026-12-01
    """, D(2026, 11, 23))
    assert only(cl, "smart_action") == ["action 'a2' is not SMART: no owner"]


def test_no_access_twice_counts_the_plan_start_day_and_skips_earlier_visits(load) -> None:
    cl = load(CHILD + """
    [[visits]]
    id = "v0"
    date = 2026-10-05
    seen = []
    [[visits]]
    id = "v1"
    date = 2026-10-12
    seen = []
    [[visits]]
    id = "v2"
    date = 2026-10-14
    seen = []
    """, D(2026, 11, 23))
    # v0 (Mon 5 Oct) was before the plan started on Mon 12 Oct: it does not count, and does
    # not stop the later visits counting. v1 on the start day (Mon 12 Oct) and v2 (Wed 14 Oct)
    # both missed Finn: one warning, naming those two dates.
    got = only(cl, "no_access_twice")
    assert len(got) == 1 and "(Mon 12 Oct 2026 and Wed 14 Oct 2026)" in got[0]


def test_no_access_twice_checks_children_after_one_with_no_plan(load) -> None:
    cl = load("""
    [[children]]
    id = "c0"
    name = "Zoe Example"
    date_of_birth = 2008-05-01
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-10-12
    [[visits]]
    id = "v1"
    date = 2026-10-14
    seen = []
    [[visits]]
    id = "v2"
    date = 2026-10-21
    seen = []
    """, D(2026, 11, 23))
    # Zoe (listed first) has no plan, so no visits are due to her; Finn's are.
    # Wed 14 Oct and Wed 21 Oct.
    got = only(cl, "no_access_twice")
    assert len(got) == 1 and got[0].startswith("Finn Example not seen on two visits in a row "
                                               "(Wed 14 Oct 2026 and Wed 21 Oct 2026)")


ENDED = "plan ended at the first review (Mon 5 Oct 2026) with no `exceptional_reason`"


def test_first_review_of_a_siblings_later_plan_is_flagged(load) -> None:
    cl = load("""
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-03-02
    [[children]]
    id = "c2"
    name = "Isla Example"
    date_of_birth = 2025-12-01
    plan_start = 2026-07-06
    [[conferences]]
    id = "r1"
    kind = "review"
    date = 2026-07-06
    children = ["c1"]
    [[conferences]]
    id = "k"
    kind = "review"
    date = 2026-10-05
    children = ["c2"]
    outcome = "end"
    """, D(2026, 11, 23))
    # Isla's plan started at Finn's review on Mon 6 Jul; that review was not one of hers, so
    # Mon 5 Oct is Isla's first review and ending her plan there needs a reason.
    assert only(cl, "plan_ended_at_first_review") == [ENDED]


def test_plan_ended_at_a_later_review_is_not_flagged(load) -> None:
    cl = load("""
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-03-02
    [[conferences]]
    id = "k0"
    kind = "initial"
    date = 2026-03-02
    [[conferences]]
    id = "r1"
    kind = "review"
    date = 2026-06-01
    [[conferences]]
    id = "k"
    kind = "review"
    date = 2026-10-05
    outcome = "end"
    """, D(2026, 11, 23))
    # Mon 1 Jun was the first review; ending the plan at the second (Mon 5 Oct) is ordinary.
    assert only(cl, "plan_ended_at_first_review") == []


def test_cancelled_review_is_not_the_first_review(load) -> None:
    cl = load("""
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    plan_start = 2026-03-02
    [[children]]
    id = "c3"
    name = "Zoe Example"
    date_of_birth = 2008-05-01
    [[conferences]]
    id = "r0"
    kind = "review"
    date = 2026-06-01
    status = "cancelled"
    [[conferences]]
    id = "k"
    kind = "review"
    date = 2026-10-05
    outcome = "end"
    """, D(2026, 11, 23))
    # The review booked for Mon 1 Jun never happened, so Mon 5 Oct is the first review held.
    # Zoe, with no plan, does not change when the plan started.
    assert only(cl, "plan_ended_at_first_review") == [ENDED]


def test_plan_ended_at_first_review_flagged_without_a_recorded_plan_start(load) -> None:
    cl = load("""
    [[children]]
    id = "c1"
    name = "Finn Example"
    date_of_birth = 2020-01-15
    [[conferences]]
    id = "k"
    kind = "review"
    date = 2026-10-05
    outcome = "end"
    """, D(2026, 11, 23))
    # No plan_start anywhere: no earlier review at all, so this one is the first.
    assert only(cl, "plan_ended_at_first_review") == [ENDED]


def header_line(path, record_id: str) -> int:
    """1-based line of the [[...]] header of the record with this id, read off the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(n for n, t in enumerate(lines) if t.strip() == f'id = "{record_id}"')
    while not lines[i].strip().startswith("[["):
        i -= 1
    return i + 1


def test_warnings_point_at_the_line_of_their_record(load, tmp_path) -> None:
    """`cptui check` and the app jump to the record a warning is about: the right line."""
    cl = load(CHILD + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-11-30
    [[core_groups]]
    id = "g1"
    date = 2026-11-30T10:00:00
    [[visits]]
    id = "v1"
    date = 2026-11-21
    seen = ["c1"]
    [[events]]
    id = "e1"
    date = 2026-11-30
    kind = "complaint"
    [[plan.actions]]
    id = "a1"
    owner = "m1"
    due = 2026-11-20
    status = "done"
    done = 2026-11-30
    """, D(2026, 11, 23))
    path = tmp_path / "cases" / "CP-T-1.toml"
    # Mon 30 Nov is after today (Mon 23 Nov): four records dated or done then; the visit on
    # Sat 21 Nov is on a weekend.
    got = sorted((p.code, p.line) for p in cl.problems if p.code in ("future_dated", "non_working_day"))
    assert got == sorted([("future_dated", header_line(path, r)) for r in ("k1", "g1", "e1", "a1")]
                         + [("non_working_day", header_line(path, "v1"))])


def test_missing_episode_today_is_flagged(load) -> None:
    cl = load(CHILD + """
    [[events]]
    id = "e1"
    date = 2026-11-23
    kind = "missing"
    """, D(2026, 11, 23))
    # Reported missing today, Mon 23 Nov.
    assert only(cl, "missing") == ["missing episode on Mon 23 Nov 2026 (within the last 30 days)"]


def test_future_dated_message_and_today_is_not_the_future(load) -> None:
    body = CHILD + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-11-30
    decisions_circulated = 2026-12-01
    [[visits]]
    id = "v1"
    date = 2026-11-23
    seen = ["c1"]
    [[plan.actions]]
    id = "a1"
    owner = "m1"
    due = 2026-11-20
    status = "done"
    done = 2026-11-23
    """
    # Today Mon 23 Nov: k1 (Mon 30 Nov, decisions Tue 1 Dec) is in the future, both parts in one
    # message; the visit and the action done today are not.
    assert only(load(body, D(2026, 11, 23)), "future_dated") == [
        "conference 'k1': dated Mon 30 Nov 2026, after today: it has not happened yet, so no "
        "deadline counts it; `decisions_circulated` is Tue 1 Dec 2026, after today: counted as "
        "not done until then"]


def test_interpreter_warning_for_a_conference_held_today_not_a_cancelled_one(load) -> None:
    cl = load('interpreter = "Polish"\n' + CHILD + """
    [[conferences]]
    id = "k1"
    kind = "initial"
    date = 2026-11-16
    status = "cancelled"
    interpreter_present = false
    [[conferences]]
    id = "k2"
    kind = "initial"
    date = 2026-11-23
    interpreter_present = false
    """, D(2026, 11, 23))
    # k1 (Mon 16 Nov) never took place; k2 was held today, Mon 23 Nov, without an interpreter.
    assert only(cl, "interpreter_not_invited") == [
        "conference 'k2' on Mon 23 Nov 2026: no Polish interpreter took part, though the family "
        "needs one"]


def test_first_core_group_not_booked_after_a_transfer_in_conference(load) -> None:
    cl = load(CHILD + """
    [[conferences]]
    id = "k1"
    kind = "transfer"
    date = 2026-11-19
    outcome = "plan"
    [[core_groups]]
    id = "g0"
    date = 2026-11-19T09:00:00
    """, D(2026, 11, 23))
    # Thu 19 Nov + 1 working day = Fri 20 Nov, passed by Mon 23 Nov with no core group recorded
    # after the conference (g0, the old authority's last one that morning, is not after it).
    assert only(cl, "first_core_group_not_booked") == [
        "transfer conference 'k1' on Thu 19 Nov 2026 made a plan but no core group is recorded "
        "after it: book the first core group (its date is set at the conference)"]


def test_lead_worker_absent_from_a_core_group_held_today(load) -> None:
    cl = load(CHILD + """
    [[members]]
    id = "m2"
    name = "Jo Example"
    [[core_groups]]
    id = "g1"
    date = 2026-11-23T10:00:00
    attendees = ["m2"]
    """, D(2026, 11, 23))
    # The core group met this morning, Mon 23 Nov, without Nat (the lead social worker).
    got = only(cl, "lead_worker_absent")
    assert len(got) == 1 and "(Nat Example) did not attend the core group on Mon 23 Nov 2026" in got[0]


def test_interpreter_warning_for_a_core_group_without_one(load) -> None:
    cl = load('interpreter = "Polish"\n' + CHILD + """
    [[core_groups]]
    id = "g1"
    date = 2026-10-22T10:00:00
    attendees = ["m1"]
    interpreter_present = false
    [[core_groups]]
    id = "g2"
    date = 2026-10-29T10:00:00
    attendees = ["m1"]
    interpreter_present = true
    """, D(2026, 11, 23))
    # Thu 22 Oct went ahead without one; Thu 29 Oct had one.
    assert only(cl, "interpreter_not_invited") == [
        "core group on Thu 22 Oct 2026: no Polish interpreter took part, though the family needs one"]


TEAM = 'team_manager = "m2"\n' + CHILD + """
    [[members]]
    id = "m2"
    name = "Jo Example"
    [[members]]
    id = "m3"
    name = "Kim Example"
"""


def test_first_core_group_chair_looks_at_this_plans_first_meeting(load) -> None:
    cl = load(TEAM + """
    [[core_groups]]
    id = "g0"
    date = 2026-10-05T10:00:00
    chair = "m3"
    attendees = ["m1"]
    [[core_groups]]
    id = "g1"
    date = 2026-10-22T10:00:00
    chair = "m2"
    attendees = ["m1"]
    """, D(2026, 11, 23), procedure="hillingdon")
    # g0 (Mon 5 Oct) met before the plan started on Mon 12 Oct; this plan's first core group,
    # Thu 22 Oct, was chaired by the team manager: nothing to say.
    assert only(cl, "first_core_group_chair") == []


def test_first_core_group_chair_on_the_plan_start_day_with_no_chair_recorded(load) -> None:
    cl = load(TEAM + """
    [[core_groups]]
    id = "g1"
    date = 2026-10-12T15:00:00
    attendees = ["m1"]
    """, D(2026, 11, 23), procedure="hillingdon")
    # The first core group met the afternoon the plan started (Mon 12 Oct); no chair recorded.
    got = only(cl, "first_core_group_chair")
    assert len(got) == 1 and got[0].startswith(
        "the first core group (Mon 12 Oct 2026) was chaired by nobody recorded, not the team "
        "manager (Jo Example): ")
