"""The case model: plain dataclasses built from a validated case file.

Only what the rules, screens and documents need is typed here; the file
itself stays the source of truth and is rewritten with tomlkit on save, so
unknown keys never pass through these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable, TypeVar

CATEGORIES = ("physical", "emotional", "sexual", "neglect")
MEMBER_KINDS = ("professional", "family", "child")
CONFERENCE_KINDS = ("initial", "review", "transfer", "pre_birth")
MEETING_STATUSES = ("held", "scheduled", "cancelled")
OUTCOMES = ("plan", "no_plan", "continue", "end")
ACTION_STATUSES = ("open", "done", "dropped")
EVENT_KINDS = (
    "strategy_discussion",
    "s47_started",
    "transfer_agreed",
    "school_move",
    "missing",
    "complaint",
    "incident",
    "assessment",
    "legal",
    "note",
)


def moment(record: object) -> datetime:
    """The order records count in (docs/format.md#order): date-time, a bare date as 00:00."""
    at = getattr(record, "at", None)
    return at or datetime.combine(record.date, time())  # type: ignore[attr-defined]


R = TypeVar("R")


def in_order(records: Iterable[R]) -> list[R]:
    """Records of one kind in order (docs/format.md#order): date-time, then id, never file order."""
    return sorted(records, key=lambda r: (moment(r), r.id))  # type: ignore[attr-defined]


def spec(default: Any = None, *, required: bool = False, enum: tuple[str, ...] = (),
         ref: str | None = None, or_id: bool = False, derived: bool = False) -> Any:
    """A record field and what the loader checks of it; the type hint says its kind.

    ``required`` missing is an error (the record is left out, unless
    ``or_id``: then the id stands in); ``enum`` lists the allowed words;
    ``ref`` names the record kind an id in it points to; ``derived`` fields
    are not read from the file as they are (the loader fills them).
    A new optional field is one line in its dataclass, e.g.
    ``plan_sent: date | None = None``, plus a label in forms.py.
    """
    meta = {"required": required, "enum": enum, "ref": ref, "or_id": or_id, "derived": derived}
    if isinstance(default, list):
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Child:
    id: str
    name: str = spec("", required=True, or_id=True)
    date_of_birth: date | None = None
    expected_date: date | None = None
    category: str | None = spec(enum=CATEGORIES)
    plan_start: date | None = None
    plan_end: date | None = None
    school: str | None = None
    confidential: bool = False

    def plan_active(self, on: date) -> bool:
        """plan_start <= on and (no plan_end or on < plan_end):
        docs/format.md#active-plans-and-the-plan-start."""
        return (
            self.plan_start is not None
            and self.plan_start <= on
            and (self.plan_end is None or on < self.plan_end)
        )

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date is not None


@dataclass
class Member:
    id: str
    name: str = spec("", required=True, or_id=True)
    role: str = ""
    agency: str = ""
    kind: str = spec("professional", enum=MEMBER_KINDS)
    core_group: bool = False
    contact: str | None = None
    confidential: bool = False


@dataclass
class Event:
    id: str
    date: date = spec(required=True)
    kind: str = spec(required=True)
    summary: str = ""
    s47: bool = False
    significant: bool = True
    confidential: bool = False
    responded: date | None = None
    at: datetime | None = spec(derived=True)  # set when the file gives a time


@dataclass
class Conference:
    id: str
    kind: str = spec(required=True, enum=CONFERENCE_KINDS)
    date: date = spec(required=True)
    status: str = spec("held", enum=MEETING_STATUSES)
    outcome: str | None = spec(enum=OUTCOMES)
    children: list[str] = spec([], ref="child")
    attendees: list[str] = spec([], ref="member")
    apologies: list[str] = spec([], ref="member")
    quorate: bool = True
    report_to_parents: date | None = None
    report_to_chair: date | None = None
    decisions_circulated: date | None = None
    record_circulated: date | None = None
    exceptional_reason: str | None = None
    confidential: bool = False
    interpreter_present: bool | None = None  # v1.1: None = not recorded
    at: datetime | None = spec(derived=True)  # set when the file gives a time

    @property
    def held(self) -> bool:
        return self.status == "held"


@dataclass
class CoreGroup:
    id: str
    date: date = spec(required=True)
    at: datetime | None = spec(derived=True)  # set when the file gives a time
    status: str = spec("held", enum=MEETING_STATUSES)
    chair: str | None = spec(ref="member")
    attendees: list[str] = spec([], ref="member")
    apologies: list[str] = spec([], ref="member")
    written_reports: list[str] = spec([], ref="member")
    location: str | None = None
    notes_circulated: date | None = None
    notes: str | None = None
    confidential: bool = False
    plan_sent: date | None = None  # v1.1: the updated plan went out (core_group_plan)
    interpreter_present: bool | None = None  # v1.1: None = not recorded

    @property
    def held(self) -> bool:
        return self.status == "held"


@dataclass
class Visit:
    id: str
    date: date = spec(required=True)
    by: str | None = spec(ref="member")
    statutory: bool = True
    seen: list[str] = spec([], ref="child")
    seen_alone: list[str] = spec([], ref="child")
    bedroom_seen: list[str] = spec([], ref="child")
    notes: str | None = None
    confidential: bool = False
    at: datetime | None = spec(derived=True)  # set when the file gives a time


@dataclass
class Outcome:
    id: str
    concern: str = ""
    outcome: str = ""
    evidence: str = ""
    confidential: bool = False  # on any record (docs/format.md#confidential-records)


@dataclass
class Action:
    id: str
    action: str = ""
    outcome: str | None = spec(ref="outcome")
    owner: str | None = spec(ref="member")
    due: date | None = spec(derived=True)  # a date, or text such as "ASAP" in due_text
    due_text: str | None = spec(derived=True)  # "ASAP", "ongoing": loads, but flagged
    status: str = spec("open", enum=ACTION_STATUSES)
    done: date | None = None
    confidential: bool = False  # on any record (docs/format.md#confidential-records)


@dataclass
class Plan:
    contingency: str = ""
    child_views: str = ""
    parent_views: str = ""
    disagreements: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass
class Case:
    id: str
    path: Path
    schema: int = 1
    procedure: str | None = None
    lead_social_worker: str | None = None
    team_manager: str | None = None
    closed: date | None = None
    interpreter: str | None = None
    children: list[Child] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    conferences: list[Conference] = field(default_factory=list)
    core_groups: list[CoreGroup] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    plan: Plan = field(default_factory=Plan)
    digest: str = ""  # sha256 of the bytes loaded: detects edits made elsewhere
    # The text it was loaded from: what the screens show, so an edit is checked against
    # the records the user saw (never the file as it is now).
    source: str = field(default="", repr=False, compare=False)

    def member(self, mid: str | None) -> Member | None:
        return next((m for m in self.members if m.id == mid), None)

    def child(self, cid: str | None) -> Child | None:
        return next((c for c in self.children if c.id == cid), None)

    def member_name(self, mid: str | None) -> str:
        m = self.member(mid)
        return m.name if m else (mid or "—")

    def child_name(self, cid: str | None) -> str:
        c = self.child(cid)
        return c.name if c else (cid or "—")

    def plan_start(self, today: date) -> date | None:
        """S (docs/format.md#active-plans-and-the-plan-start): earliest start among plans
        active today, else earliest."""
        starts = [c.plan_start for c in self.children if c.plan_start is not None]
        active = [c.plan_start for c in self.children if c.plan_active(today)]
        if active:
            return min(active)  # type: ignore[type-var]
        return min(starts) if starts else None

    def plan_end(self, today: date) -> date | None:
        """The case's plan end: the latest plan_end once no child's plan is active.

        "Not active" includes a plan that starts after today (the format's
        definition), so a future plan with an end date still stops there.
        """
        if any(c.plan_active(today) for c in self.children):
            return None
        ends = [
            c.plan_end for c in self.children if c.plan_start is not None and c.plan_end is not None
        ]
        return max(ends) if ends else None
