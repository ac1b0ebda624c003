"""Each record kind of a case file, declared once.

A kind is its dataclass in ``cptui.model`` (every field with its type and,
through ``spec``, what the loader checks: allowed words, required fields,
which record an id points to) plus the few facts here: where its tables
live, how cptui numbers new ids, and what the UI calls it. The loader,
storage, the merge driver, the reference check and the parent's copy all
read this, so a new optional field is one line in its dataclass (and a
form label), and a new reference field is checked, renumbered on merge and
hidden with its target without touching any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from cptui.model import Action, Child, Conference, CoreGroup, Event, Member, Outcome, Visit


@dataclass(frozen=True)
class RecordKind:
    name: str  # "visit"
    array: tuple[str, ...]  # where its tables live: ("visits",) or ("plan", "actions")
    prefix: str  # ids cptui makes: "v1", "v2", ...
    title: str  # words for the UI: "visit"
    cls: type  # its dataclass in cptui.model

    @cached_property
    def refs(self) -> dict[str, str]:
        """Fields naming records of another kind: field -> the kind it points to."""
        return {f.name: f.metadata["ref"] for f in fields(self.cls) if f.metadata.get("ref")}


KINDS: dict[str, RecordKind] = {k.name: k for k in (
    RecordKind("child", ("children",), "c", "child", Child),
    RecordKind("member", ("members",), "m", "person", Member),
    RecordKind("event", ("events",), "e", "event", Event),
    RecordKind("conference", ("conferences",), "k", "conference", Conference),
    RecordKind("core_group", ("core_groups",), "g", "core group meeting", CoreGroup),
    RecordKind("visit", ("visits",), "v", "visit", Visit),
    RecordKind("outcome", ("plan", "outcomes"), "o", "plan outcome", Outcome),
    RecordKind("action", ("plan", "actions"), "a", "plan action", Action),
)}


def records_of(case: Any, kind: RecordKind) -> list[Any]:
    """The loaded records of one kind in a ``Case``: ``case.visits``, ``case.plan.actions``."""
    node = case
    for part in kind.array:
        node = getattr(node, part)
    return node

# Keys outside any record that name one: (table path, field) -> kind.
ROOT_REFS: dict[tuple[tuple[str, ...], str], str] = {
    ((), "lead_social_worker"): "member",
    ((), "team_manager"): "member",
}

BY_ARRAY: dict[tuple[str, ...], RecordKind] = {k.array: k for k in KINDS.values()}

