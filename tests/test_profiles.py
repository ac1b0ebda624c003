"""Profiles are data and must match SPEC section 5 exactly."""

from __future__ import annotations

from datetime import date as D

import pytest

from conftest import by_rule

from cptui.profile_check import TERMS, cite_where, names_section
from cptui.profiles import TIMESCALES, ProfileError, all_profiles, get_profile

B = "working-together-2023"
# SPEC 5, column by column ("=" resolved to the baseline, "–" omitted).
SPEC5 = {
    B: {"icpc": "15 working days", "first_core_group": "10 working days", "first_review": "3 months",
        "review": "6 months", "transfer_conference": "15 working days"},
    "west-midlands": {"icpc": "15 working days", "first_core_group": "10 working days",
                      "core_group": "6 weeks", "core_group_after_first_review": "2 months",
                      "core_group_notes": "5 working days", "first_review": "3 months",
                      "review": "6 months", "transfer_conference": "15 working days"},
    "berkshire": {"icpc": "15 working days", "first_core_group": "10 working days",
                  "core_group": "6 weeks", "first_review": "3 months", "review": "6 months",
                  "transfer_conference": "15 working days"},
    "blackburn-with-darwen": {"icpc": "15 working days", "first_core_group": "10 working days",
                              "core_group": "20 working days", "core_group_plan": "5 days",
                              "first_review": "3 months", "review": "6 months",
                              "visit": "15 working days", "transfer_conference": "15 working days"},
    "darlington": {"icpc": "15 working days", "first_core_group": "10 working days",
                   "core_group": "20 working days", "core_group_plan": "5 days",
                   "first_review": "91 days", "review": "182 days", "visit": "10 working days",
                   "bedroom_seen": "6 weeks", "transfer_conference": "15 working days",
                   "pre_birth_conference": "3 months", "conference_decisions": "2 working days",
                   "conference_record": "20 working days", "report_to_parents": "2 working days",
                   "report_to_chair": "3 working days", "reconvene": "1 month",
                   "complaint_response": "10 working days"},
    "hillingdon": {"icpc": "15 working days", "first_core_group": "10 working days",
                   "core_group": "6 weeks", "core_group_notes": "7 days", "first_review": "3 months",
                   "review": "6 months", "transfer_conference": "15 working days",
                   "school_move_core_group": "10 working days"},
}
SCOPE = {B: "all", "west-midlands": "first", "berkshire": "all", "blackburn-with-darwen": "all",
         "darlington": "all", "hillingdon": "all"}
# v1.1: "(first)" on core_group_plan is core_group_plan_scope; Hillingdon turns on one flag.
PLAN_SCOPE = {B: "all", "west-midlands": "all", "berkshire": "all", "blackburn-with-darwen": "first",
              "darlington": "all", "hillingdon": "all"}
FLAGS = {"hillingdon": {"first_core_group_chair": "team_manager"}}
PARTNERSHIP = {B: "Working Together", "west-midlands": "West Midlands", "berkshire": "Berkshire",
               "blackburn-with-darwen": "Blackburn with Darwen", "darlington": "Darlington",
               "hillingdon": "Hillingdon", "newcastle": "Newcastle",
               "wales": "Wales Safeguarding Procedures", "tees": "Tees", "sefton": "Sefton",
               "blackpool": "Blackpool", "st-helens": "St Helens", "medway": "Medway",
               "nottinghamshire": "Nottinghamshire", "east-riding": "East Riding",
               "bedfordshire": "Bedfordshire"}
# The library added after SPEC 5: each value also carries the page it was read on.
LIBRARY = sorted(set(PARTNERSHIP) - set(SPEC5))


def test_library_has_sixteen_profiles_and_the_spec_six() -> None:
    assert set(all_profiles()) == set(PARTNERSHIP) and len(all_profiles()) >= 16
    assert set(SPEC5) <= set(all_profiles())


@pytest.mark.parametrize("name", sorted(SPEC5))
def test_profile_matches_spec_table(name: str) -> None:
    prof = get_profile(name)
    assert {k: s.text for k, s in prof.timescales.items()} == SPEC5[name]
    assert prof.core_group_notes_scope == SCOPE[name]
    assert prof.core_group_plan_scope == PLAN_SCOPE[name]
    assert {k: f.value for k, f in prof.flags.items()} == FLAGS.get(name, {})
    assert (prof.extends is None) == (name == B)


@pytest.mark.parametrize("name", sorted(PARTNERSHIP))
def test_every_timescale_is_cited_by_partnership_and_section(name: str) -> None:
    prof = get_profile(name)
    assert prof.timescales, name
    for rule, s in prof.timescales.items():
        assert rule in TIMESCALES
        owner = PARTNERSHIP[s.origin]
        assert s.cite.startswith(owner), (name, rule, s.cite)
        where = cite_where(s.cite)
        # "Partnership <section>: paraphrase" -- the section is what follows the partnership.
        assert where is not None and names_section(where[len(owner):]), (name, rule, s.cite)
        assert len(s.cite) < 200  # a paraphrase, not pasted procedure text
        if s.origin in LIBRARY:
            assert s.url.startswith(("https://", "http://")), (name, rule)
    if prof.quoracy:
        q_where = cite_where(str(prof.quoracy["cite"]))
        assert q_where is not None and names_section(q_where)


def test_every_term_has_a_default_and_wales_uses_its_own() -> None:
    base = get_profile(B)
    assert set(base.terms) == set(TERMS)
    assert get_profile("darlington").term("plan") == "child protection plan"  # inherited
    wales = get_profile("wales")
    assert wales.term("plan") == "care and support protection plan"
    assert wales.term("register") == "on the child protection register"
    assert wales.term("core_group") == base.term("core_group")
    with pytest.raises(KeyError):
        wales.term("nonsense")


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ProfileError, match="unknown procedure profile 'nowhere'.*darlington"):
        get_profile("nowhere")


def test_overrides_replace_value_and_cite() -> None:
    prof = get_profile("hillingdon").with_overrides({"visit": "10 working days"}, "cptui.toml")
    assert prof.timescales["visit"].text == "10 working days"
    assert prof.timescales["visit"].origin == "cptui.toml"
    assert "visit" not in get_profile("hillingdon").timescales  # the shipped profile is unchanged


# Hand-worked deadlines for each library profile's own timescales. One plan: initial
# conference Mon 14 Sep 2026 (S), core groups Fri 25 Sep (notes out Fri 2 Oct) and
# Thu 22 Oct, clock Mon 23 Nov 2026 (warning window 5 working days: to Mon 30 Nov).
LIB_CASE = """
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
    id = "g1"
    date = 2026-09-25
    notes_circulated = 2026-10-02
    [[core_groups]]
    id = "g2"
    date = 2026-10-22
"""
# S Mon 14 Sep + 10 working days: 15-18 (4), 21-25 (9), Mon 28 Sep (10); g1 on 25 Sep is in time.
FIRST_CG_10WD = [(None, D(2026, 9, 28), D(2026, 9, 25), "met", D(2026, 9, 14), "k1")]
# Four-weekly: g1 Fri 25 Sep + 4 weeks = Fri 23 Oct (g2 22 Oct met);
# g2 Thu 22 Oct + 4 weeks = Thu 19 Nov, still open on 23 Nov: overdue.
FOUR_WEEKLY = [(None, D(2026, 10, 23), D(2026, 10, 22), "met", D(2026, 9, 25), "g1"),
               (None, D(2026, 11, 19), None, "overdue", D(2026, 10, 22), "g2")]
# Six-weekly: g1 Fri 25 Sep + 6 weeks = Fri 6 Nov (g2 22 Oct met);
# g2 Thu 22 Oct + 6 weeks = Thu 3 Dec, after the window ends on Mon 30 Nov: upcoming.
SIX_WEEKLY = [(None, D(2026, 11, 6), D(2026, 10, 22), "met", D(2026, 9, 25), "g1"),
              (None, D(2026, 12, 3), None, "upcoming", D(2026, 10, 22), "g2")]
# S Mon 14 Sep + 3 months = Mon 14 Dec: upcoming.
FIRST_REVIEW_3M = [(None, D(2026, 12, 14), None, "upcoming", D(2026, 9, 14), "k1")]


@pytest.mark.parametrize("name,first_cg,rhythm", [
    ("newcastle", FIRST_CG_10WD, FOUR_WEEKLY),
    ("sefton", FIRST_CG_10WD, FOUR_WEEKLY),
    ("wales", FIRST_CG_10WD, SIX_WEEKLY),
    ("tees", FIRST_CG_10WD, SIX_WEEKLY),
    # Blackpool's first core group is 10 *days*: Mon 14 Sep + 10 days = Thu 24 Sep, so g1
    # on Fri 25 Sep is a day late (it would be in time under 10 working days).
    ("blackpool", [(None, D(2026, 9, 24), D(2026, 9, 25), "late", D(2026, 9, 14), "k1")], FOUR_WEEKLY),
    # These state only the first meeting; no core group rhythm is applied.
    ("st-helens", FIRST_CG_10WD, []),
    ("medway", FIRST_CG_10WD, []),
    ("nottinghamshire", FIRST_CG_10WD, []),
    ("east-riding", FIRST_CG_10WD, []),
    ("bedfordshire", FIRST_CG_10WD, []),
])
def test_library_core_group_deadlines_by_hand(load, name: str, first_cg: list, rhythm: list) -> None:
    cl = load(LIB_CASE, D(2026, 11, 23), procedure=name)
    assert by_rule(cl, "first_core_group") == first_cg
    assert by_rule(cl, "core_group") == rhythm
    assert by_rule(cl, "first_review") == FIRST_REVIEW_3M  # every one keeps the 3-month first review


def test_st_helens_notes_every_meeting_by_hand(load) -> None:
    cl = load(LIB_CASE, D(2026, 11, 23), procedure="st-helens")
    # 5 working days after each held core group:
    # g1 Fri 25 Sep: 28, 29, 30 Sep, 1, 2 Oct -> Fri 2 Oct, notes out that day: met.
    # g2 Thu 22 Oct: 23, 26, 27, 28, 29 Oct -> Thu 29 Oct, no notes yet: overdue.
    assert by_rule(cl, "core_group_notes") == [
        (None, D(2026, 10, 2), D(2026, 10, 2), "met", D(2026, 9, 25), "g1"),
        (None, D(2026, 10, 29), None, "overdue", D(2026, 10, 22), "g2"),
    ]


def test_wales_and_tees_later_reviews_by_hand(load) -> None:
    body = LIB_CASE + """
    [[conferences]]
    id = "k2"
    kind = "review"
    date = 2026-11-20
    """
    for name in ("wales", "tees"):
        cl = load(body, D(2026, 11, 23), procedure=name)
        # First review held Fri 20 Nov, before Mon 14 Dec: met. Next: 20 Nov + 6 months = Thu 20 May 2027.
        assert by_rule(cl, "first_review") == [(None, D(2026, 12, 14), D(2026, 11, 20), "met", D(2026, 9, 14), "k1")]
        assert by_rule(cl, "review") == [(None, D(2027, 5, 20), None, "upcoming", D(2026, 11, 20), "k2")]
