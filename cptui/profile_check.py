"""Check one profile file (shipped or a team's own) the way case files are checked.

A team writes its own profile in ``<cases>/profiles/NAME.toml``. Every fault is
collected as a ``Problem`` with a line and column, never raised, so ``cptui
check`` can list everything wrong with the file in one run. The shipped
profiles go through the same checks, so the two can never drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cptui.dates import Timescale
from cptui.loader import Checker, kind_of
from cptui.problems import Problem

# Every timescale a profile may set (docs/format.md#deadline-rules, docs/profiles.md),
# in display order.
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
SCOPES = ("all", "first")
# Practice flags a profile turns on, and the values each accepts (format v1.1).
PROFILE_FLAGS = {"first_core_group_chair": ("team_manager",)}
FLAG_KEYS = ("value", "cite", "url")
# The words a partnership uses; screens and documents ask the profile for them.
TERMS = (
    "plan",                # the plan a child is subject to
    "register",            # how being on a plan is said
    "lead_worker",         # the social worker who leads the plan
    "core_group",
    "initial_conference",
    "review_conference",
)
TOP_KEYS = ("name", "title", "extends", "url", "core_group_notes_scope", "core_group_plan_scope",
            "flags", "timescales", "quoracy", "terms", "terms_cite", "documents")
# Extra agenda items a partnership's procedure asks a core group to cover.
DOCUMENT_KEYS = ("agenda_first", "agenda_later")
ENTRY_KEYS = ("value", "cite", "url")
QUORACY_KEYS = ("lead_agency", "other_agencies", "cite")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED = ("new",)  # `cptui profiles new` must never be read as a profile name
_SECTION = re.compile(r"\d|'[^']+'|\"[^\"]+\"|\b(s|ss|ch|para|sec|section|chapter)\b\.?", re.I)


def cite_where(cite: str) -> str | None:
    """The "partnership, section" part of a citation, before its first colon."""
    where, sep, rest = cite.partition(":")
    return where.strip() if sep and rest.strip() and where.strip() else None


def names_section(where: str) -> bool:
    """Whether the part before the colon points at a section, not just a partnership."""
    return bool(_SECTION.search(where))


@dataclass
class Checked:
    """One profile file after checking: the usable parts and every problem."""

    name: str
    shown: str  # the path as shown in problems
    text: str
    data: dict[str, Any] = field(default_factory=dict)  # only the parts that passed
    problems: list[Problem] = field(default_factory=list)
    team: bool = True

    def problem(self, key: tuple, message: str, severity: str = "error") -> Problem:
        checker = Checker(self.shown, self.text)
        checker.add(key, message, severity)
        return checker.problems[0]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def check_profile(data: dict[str, Any], text: str, shown: str, stem: str, team: bool,
                  shipped_names: frozenset[str] = frozenset()) -> Checked:
    """Validate parsed TOML ``data`` of the profile file named ``stem``."""
    checker = Checker(shown, text)
    out = Checked(stem, shown, text, team=team)
    clean = out.data
    for key in data:
        if key not in TOP_KEYS:
            checker.add((key,), f"unknown key `{key}`; a profile has: {', '.join(TOP_KEYS)}")
    name = checker.str_(data, (), "name", required=not team)
    if name is not None and name != stem:
        checker.add(("name",), f"`name` is {name!r} but the file is {stem}.toml; they must match")
    if team:
        if not NAME_RE.match(stem) or stem in RESERVED:
            checker.add(
                ("name",),
                f"{stem!r} cannot name a profile: use lower-case letters, digits "
                "and hyphens" + (f" (and not {stem!r})" if stem in RESERVED else ""),
            )
        elif stem in shipped_names:
            checker.add(
                ("name",),
                f"{stem!r} is already a shipped profile; give the team profile its "
                f"own name and write `extends = \"{stem}\"` to build on it",
            )
    for key in ("title", "extends", "url", "terms_cite"):
        v = checker.str_(data, (), key)
        if v is not None:
            clean[key] = v
    for key in ("core_group_notes_scope", "core_group_plan_scope"):
        v = checker.str_(data, (), key, enum=SCOPES)
        if v is not None:
            clean[key] = v
    clean["flags"] = _flags(checker, data.get("flags", {}))
    clean["timescales"] = _timescales(checker, data.get("timescales", {}))
    if "quoracy" in data:
        q = _quoracy(checker, data["quoracy"])
        if q is not None:
            clean["quoracy"] = q
    clean["terms"] = _terms(checker, data.get("terms", {}))
    clean["documents"] = _documents(checker, data.get("documents", {}))
    out.problems = checker.problems
    return out


def _flags(checker: Checker, table: Any) -> dict[str, dict[str, str]]:
    """``[flags]``: practice flags the profile turns on, each with its value and citation."""
    if not isinstance(table, dict):
        checker.add(("flags",), f"`flags` must be a table, not {kind_of(table)}")
        return {}
    out: dict[str, dict[str, str]] = {}
    for flag, spec in table.items():
        p = ("flags", flag)
        if flag not in PROFILE_FLAGS:
            checker.add(
                p, f"unknown flag `{flag}`; a profile can turn on: {', '.join(PROFILE_FLAGS)}"
            )
            continue
        if not isinstance(spec, dict):
            checker.add(p, f"flag `{flag}` must be {{ value = \"...\", cite = \"...\" }}")
            continue
        for k in spec:
            if k not in FLAG_KEYS:
                checker.add(
                    p + (k,),
                    f"unknown key `{k}` in flag `{flag}`; it takes: {', '.join(FLAG_KEYS)}",
                )
        value = checker.str_(spec, p, "value", required=True, enum=PROFILE_FLAGS[flag])
        cite = checker.str_(spec, p, "cite")
        if cite is None:
            checker.add(
                p, f"flag `{flag}` has no `cite`: say which section of the procedure asks for it"
            )
        if value is not None and cite is not None:
            out[flag] = {"value": value, "cite": cite}
    return out


def _documents(checker: Checker, table: Any) -> dict[str, list[dict[str, str]]]:
    """``[documents]``: agenda items, each a line of text with the section it comes from."""
    if not isinstance(table, dict):
        checker.add(("documents",), f"`documents` must be a table, not {kind_of(table)}")
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for key, items in table.items():
        if key not in DOCUMENT_KEYS:
            checker.add(
                ("documents", key),
                f"unknown key `{key}` in documents; it takes: {', '.join(DOCUMENT_KEYS)}",
            )
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            checker.add(
                ("documents", key),
                f"`{key}` must be a list of {{ item = \"...\", cite = \"...\" }}",
            )
            continue
        good = []
        for it in items:
            text, cite = it.get("item"), it.get("cite")
            if not isinstance(text, str) or not text.strip():
                checker.add(
                    ("documents", key), f"each `{key}` entry needs `item`, the line for the agenda"
                )
            elif not isinstance(cite, str) or not cite.strip():
                checker.add(
                    ("documents", key),
                    f"agenda item {text!r} needs `cite`: where the procedure asks for it",
                )
            else:
                good.append({"item": text.strip(), "cite": cite.strip()})
        out[key] = good
    return out


def _timescales(checker: Checker, table: Any) -> dict[str, dict[str, str]]:
    if not isinstance(table, dict):
        checker.add(("timescales",), f"`timescales` must be a table, not {kind_of(table)}")
        return {}
    out: dict[str, dict[str, str]] = {}
    for rule, spec in table.items():
        p = ("timescales", rule)
        if rule not in TIMESCALES:
            checker.add(p, f"unknown timescale `{rule}`; known: {', '.join(TIMESCALES)}")
            continue
        if not isinstance(spec, dict):
            checker.add(p, f"`{rule}` must be a table like {{ value = \"10 working days\", "
                   f"cite = \"Partnership 1.2, 'Section': what it says\" }}, not {kind_of(spec)}")
            continue
        bad = [k for k in spec if k not in ENTRY_KEYS]
        for k in bad:
            checker.add(
                p, f"unknown key `{k}` in timescale `{rule}`; it takes: {', '.join(ENTRY_KEYS)}"
            )
        value, cite = spec.get("value"), spec.get("cite")
        ok = not bad
        if not isinstance(value, str):
            checker.add(p, f"timescale `{rule}` needs `value`, a whole number and a unit such as "
                   "\"10 working days\"")
            ok = False
        else:
            try:
                Timescale.parse(value)
            except ValueError as e:
                checker.add(p, f"timescale `{rule}`: {e}")
                ok = False
        if not isinstance(cite, str) or not cite.strip():
            checker.add(
                p,
                f"timescale `{rule}` has no `cite`: say which partnership and section it "
                "comes from, and what it says in your own words",
            )
            ok = False
        elif (where := cite_where(cite)) is None or not names_section(where):
            checker.add(p, f"the cite for `{rule}` names no section; write it as "
                   "\"Partnership 1.2, 'Section title': what it says\"", "warning")
        url = spec.get("url")
        if url is not None and not isinstance(url, str):
            checker.add(p, f"`url` of timescale `{rule}` must be text")
            ok = False
        if ok:
            out[rule] = {"value": value, "cite": cite, "url": url or ""}
    return out


def _quoracy(checker: Checker, q: Any) -> dict[str, Any] | None:
    if not isinstance(q, dict):
        checker.add(("quoracy",), f"`quoracy` must be a table, not {kind_of(q)}")
        return None
    ok = True
    for k in q:
        if k not in QUORACY_KEYS:
            checker.add(
                ("quoracy", k), f"unknown key `{k}` in quoracy; it takes: {', '.join(QUORACY_KEYS)}"
            )
            ok = False
    lead = checker.str_(q, ("quoracy",), "lead_agency", required=True)
    cite = checker.str_(q, ("quoracy",), "cite", required=True)
    n = q.get("other_agencies")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        checker.add(
            ("quoracy", "other_agencies") if "other_agencies" in q else ("quoracy",),
            "quoracy needs `other_agencies`, how many agencies besides the lead (a whole number)",
        )
        ok = False
    if lead is None or cite is None or not ok:
        return None
    return {"lead_agency": lead, "other_agencies": n, "cite": cite}


def _terms(checker: Checker, table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        checker.add(("terms",), f"`terms` must be a table, not {kind_of(table)}")
        return {}
    out: dict[str, str] = {}
    for key, word in table.items():
        if key not in TERMS:
            checker.add(("terms", key), f"unknown term `{key}`; known: {', '.join(TERMS)}")
        elif not isinstance(word, str) or not word.strip():
            checker.add(("terms", key), f"term `{key}` must be some text")
        else:
            out[key] = word.strip()
    return out
