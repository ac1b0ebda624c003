"""Each record kind of a case file, declared once.

Storage, the merge driver, the reference check and the forms all read this
table, so what a record is (where it lives, how its ids look, which of its
fields name other records) is said in one place. Adding a reference field
is one line here; the loader checks it, the merge driver renumbers it, and
the parent's copy hides what it points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordKind:
    name: str  # "visit"
    array: tuple[str, ...]  # where its tables live: ("visits",) or ("plan", "actions")
    prefix: str  # ids cptui makes: "v1", "v2", ...
    title: str  # words for the UI: "visit"
    # fields naming records of another kind: field -> the kind it points to
    refs: dict[str, str] = field(default_factory=dict)


KINDS: dict[str, RecordKind] = {k.name: k for k in (
    RecordKind("child", ("children",), "c", "child"),
    RecordKind("member", ("members",), "m", "person"),
    RecordKind("event", ("events",), "e", "event"),
    RecordKind("conference", ("conferences",), "k", "conference",
               {"children": "child", "attendees": "member", "apologies": "member"}),
    RecordKind("core_group", ("core_groups",), "g", "core group meeting",
               {"chair": "member", "attendees": "member", "apologies": "member",
                "written_reports": "member"}),
    RecordKind("visit", ("visits",), "v", "visit",
               {"by": "member", "seen": "child", "seen_alone": "child", "bedroom_seen": "child"}),
    RecordKind("outcome", ("plan", "outcomes"), "o", "plan outcome"),
    RecordKind("action", ("plan", "actions"), "a", "plan action",
               {"outcome": "outcome", "owner": "member"}),
)}

# Keys outside any record that name one: (table path, field) -> kind.
ROOT_REFS: dict[tuple[tuple[str, ...], str], str] = {
    ((), "lead_social_worker"): "member",
    ((), "team_manager"): "member",
}

BY_ARRAY: dict[tuple[str, ...], RecordKind] = {k.array: k for k in KINDS.values()}


def kind_of_array(array: tuple[str, ...]) -> RecordKind | None:
    return BY_ARRAY.get(array)


def ref_fields(target: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Where ids of ``target`` records appear: table or array path -> field names."""
    out: dict[tuple[str, ...], list[str]] = {}
    for k in KINDS.values():
        for f, t in k.refs.items():
            if t == target:
                out.setdefault(k.array, []).append(f)
    for (table, f), t in ROOT_REFS.items():
        if t == target:
            out.setdefault(table, []).append(f)
    return {p: tuple(fs) for p, fs in out.items()}
