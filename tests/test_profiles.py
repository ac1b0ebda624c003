"""Profiles are data and must match SPEC section 5 exactly."""

from __future__ import annotations

import pytest

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
               "hillingdon": "Hillingdon"}


def test_exactly_six_profiles() -> None:
    assert set(all_profiles()) == set(SPEC5)


@pytest.mark.parametrize("name", sorted(SPEC5))
def test_profile_matches_spec_table(name: str) -> None:
    prof = get_profile(name)
    assert {k: s.text for k, s in prof.timescales.items()} == SPEC5[name]
    assert prof.core_group_notes_scope == SCOPE[name]
    assert prof.core_group_plan_scope == PLAN_SCOPE[name]
    assert {k: f.value for k, f in prof.flags.items()} == FLAGS.get(name, {})
    assert (prof.extends is None) == (name == B)


@pytest.mark.parametrize("name", sorted(SPEC5))
def test_every_timescale_is_cited_by_partnership(name: str) -> None:
    for rule, s in get_profile(name).timescales.items():
        assert rule in TIMESCALES
        owner = PARTNERSHIP[s.origin]
        assert s.cite.startswith(owner), (name, rule, s.cite)
        assert len(s.cite) < 200  # a paraphrase, not pasted procedure text


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ProfileError, match="unknown procedure profile 'nowhere'.*darlington"):
        get_profile("nowhere")


def test_overrides_replace_value_and_cite() -> None:
    prof = get_profile("hillingdon").with_overrides({"visit": "10 working days"}, "cptui.toml")
    assert prof.timescales["visit"].text == "10 working days"
    assert prof.timescales["visit"].origin == "cptui.toml"
    assert "visit" not in get_profile("hillingdon").timescales  # the shipped profile is unchanged
