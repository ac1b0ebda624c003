"""Procedure profiles: timescales are data shipped as TOML, never code.

A profile names what it extends and, for each timescale, a value and a short
paraphrased citation (partnership and section), so a manager can always see
why the tool expects a date when it does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Mapping

from cptui.dates import Timescale

DEFAULT_PROFILE = "working-together-2023"

# Every timescale a profile may set (SPEC sections 3 and 5), in display order.
TIMESCALES = (
    "icpc",
    "transfer_conference",
    "pre_birth_conference",
    "first_core_group",
    "core_group",
    "core_group_after_first_review",
    "core_group_notes",
    "core_group_plan",
    "first_review",
    "review",
    "visit",
    "bedroom_seen",
    "conference_decisions",
    "conference_record",
    "report_to_parents",
    "report_to_chair",
    "reconvene",
    "school_move_core_group",
    "complaint_response",
)
NOTES_SCOPES = ("all", "first")
# Practice flags a profile turns on, and the values each accepts (SPEC 4).
PROFILE_FLAGS = {"first_core_group_chair": ("team_manager",)}


@dataclass(frozen=True)
class FlagSetting:
    """A practice flag the profile turns on: its setting and citation."""

    value: str
    cite: str
    origin: str


@dataclass(frozen=True)
class Setting:
    """One timescale as resolved: value, citation, and where it came from."""

    text: str
    timescale: Timescale
    cite: str
    origin: str  # the profile that set it, or "cptui.toml"


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    extends: str | None
    timescales: Mapping[str, Setting] = field(default_factory=dict)
    core_group_notes_scope: str = "all"
    quoracy: Mapping[str, object] | None = None  # {lead_agency, other_agencies, cite}
    core_group_plan_scope: str = "all"
    flags: Mapping[str, FlagSetting] = field(default_factory=dict)

    def get(self, rule: str) -> Setting | None:
        return self.timescales.get(rule)

    def with_overrides(self, overrides: Mapping[str, str], origin: str) -> "Profile":
        """Local ``[timescales]`` from cptui.toml; values already validated."""
        if not overrides:
            return self
        merged = dict(self.timescales)
        for rule, text in overrides.items():
            merged[rule] = Setting(text, Timescale.parse(text), f"Local override in {origin}", origin)
        return replace(self, timescales=merged)


class ProfileError(ValueError):
    pass


def _raw_profiles() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for entry in resources.files("cptui").joinpath("profile_data").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            out[data["name"]] = data
    return out


@lru_cache(maxsize=1)
def all_profiles() -> dict[str, Profile]:
    """Every shipped profile, resolved through ``extends``."""
    raw = _raw_profiles()
    resolved: dict[str, Profile] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> Profile:
        if name in resolved:
            return resolved[name]
        if name in seen:
            raise ProfileError(f"profile {name!r} extends itself via {' -> '.join(seen)}")
        data = raw.get(name)
        if data is None:
            raise ProfileError(f"unknown profile {name!r}")
        parent = resolve(data["extends"], seen + (name,)) if data.get("extends") else None
        timescales = dict(parent.timescales) if parent else {}
        for rule, spec in data.get("timescales", {}).items():
            if rule not in TIMESCALES:
                raise ProfileError(f"profile {name!r} sets unknown timescale {rule!r}")
            timescales[rule] = Setting(spec["value"], Timescale.parse(spec["value"]), spec["cite"], name)
        scope = data.get("core_group_notes_scope", parent.core_group_notes_scope if parent else "all")
        if scope not in NOTES_SCOPES:
            raise ProfileError(f"profile {name!r}: core_group_notes_scope must be one of {NOTES_SCOPES}")
        plan_scope = data.get("core_group_plan_scope", parent.core_group_plan_scope if parent else "all")
        if plan_scope not in NOTES_SCOPES:
            raise ProfileError(f"profile {name!r}: core_group_plan_scope must be one of {NOTES_SCOPES}")
        flags = dict(parent.flags) if parent else {}
        for flag, spec in data.get("flags", {}).items():
            if spec["value"] not in PROFILE_FLAGS.get(flag, ()):
                raise ProfileError(f"profile {name!r}: unknown flag setting {flag} = {spec['value']!r}")
            flags[flag] = FlagSetting(spec["value"], spec["cite"], name)
        quoracy = data.get("quoracy", parent.quoracy if parent else None)
        prof = Profile(name, data.get("title", name), data.get("extends"), timescales, scope, quoracy,
                       plan_scope, flags)
        resolved[name] = prof
        return prof

    for name in sorted(raw):
        resolve(name, ())
    return resolved


def get_profile(name: str) -> Profile:
    profiles = all_profiles()
    if name not in profiles:
        raise ProfileError(
            f"unknown procedure profile {name!r}; known profiles: {', '.join(sorted(profiles))}"
        )
    return profiles[name]
