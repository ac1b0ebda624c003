"""The deadline rules of docs/format.md#deadline-rules, one small function per rule.

Each rule yields ``Deadline`` instances carrying the basis date, the record
that triggered it and the profile's citation, so every date on screen can be
explained. Filtering (plan end, closed case) and status are applied in one
place, ``compute``, exactly as docs/format.md#when-rules-stop words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterator

from cptui.dates import WorkCalendar
from cptui.model import Case, Conference, CoreGroup, in_order
from cptui.profiles import Profile

if TYPE_CHECKING:
    from cptui.caseload import Summary

PLAN_BOUND = {"first_core_group", "core_group", "first_review", "review",
              "school_move_core_group", "visit", "bedroom_seen"}

LABELS = {
    "icpc": "Initial child protection conference",
    "transfer_conference": "Transfer-in conference",
    "pre_birth_conference": "Pre-birth conference",
    "first_core_group": "First core group meeting",
    "core_group": "Core group meeting",
    "core_group_notes": "Core group notes circulated",
    "core_group_plan": "Updated plan sent after core group",
    "first_review": "First review conference",
    "review": "Review conference",
    "conference_decisions": "Conference decisions circulated",
    "conference_record": "Conference record circulated",
    "report_to_parents": "Report to parents before conference",
    "report_to_chair": "Report to chair before conference",
    "reconvene": "Reconvene inquorate conference",
    "school_move_core_group": "Core group after school move",
    "complaint_response": "Complaint response",
    "visit": "Statutory visit",
    "bedroom_seen": "Child's bedroom seen",
}
STATUS_ORDER = {"overdue": 0, "due_soon": 1, "upcoming": 2, "late": 3, "met": 4}
STATUS_TEXT = {"overdue": "✗ OVERDUE", "due_soon": "! due soon", "upcoming": "· upcoming",
               "late": "✓ met late", "met": "✓ met"}


@dataclass(frozen=True)
class Deadline:
    case: str
    child: str | None
    rule: str
    due: date
    done: date | None
    status: str
    basis: date
    source: str
    cite: str
    timescale: str = ""  # e.g. "10 working days", for the "why this date" view
    origin: str = ""  # profile (or cptui.toml) the timescale came from

    def as_json(self) -> dict[str, object]:
        """Exactly the keys of docs/format.md#json-output, dates as ISO strings."""
        return {
            "case": self.case,
            "child": self.child,
            "rule": self.rule,
            "due": self.due.isoformat(),
            "done": self.done.isoformat() if self.done else None,
            "status": self.status,
            "basis": self.basis.isoformat(),
            "source": self.source,
            "cite": self.cite,
        }

    @property
    def open(self) -> bool:
        return self.done is None

    def label(self, case: "Case | Summary | None" = None) -> str:
        """What the deadline is, with the child's first name when it is one child's."""
        text = LABELS.get(self.rule, self.rule)
        if self.child and case is not None:
            first = case.child_name(self.child).split(" ")[0]
            text += f" — {first}"
        return text


# A raw instance before filtering and status:
# (child, due, done, basis, source, timescale key used).
Raw = tuple[str | None, date, date | None, date, str, str]


class _Ctx:
    """One case as the rules see it at ``today`` (docs/format.md#which-records-count).

    Held meetings, visits and events dated after today have not happened yet
    and are left out here, once, so no rule can count them (v1.1). Records
    are taken in order of date-time, then id, never file order.
    """

    def __init__(self, case: Case, profile: Profile, cal: WorkCalendar, today: date) -> None:
        self.case, self.profile, self.cal, self.today = case, profile, cal, today
        self.plan_start = case.plan_start(today)  # the format calls this date S
        self.held_conf = in_order(k for k in case.conferences if k.held and k.date <= today)
        self.held_cg = in_order(g for g in case.core_groups if g.held and g.date <= today)
        self.visits = in_order(v for v in case.visits if v.date <= today)
        self.events = in_order(e for e in case.events if e.date <= today)

    def done(self, d: date | None) -> date | None:
        """A done date after today counts as unset (v1.1)."""
        return d if d is not None and d <= self.today else None

    def due(self, rule: str, basis: date, backwards: bool = False) -> date:
        ts = self.profile.timescales[rule].timescale
        return self.cal.subtract(basis, ts) if backwards else self.cal.add(basis, ts)

    def first_conf(self, kind: str, on_or_after: date, strictly: bool = False) -> Conference | None:
        for k in self.held_conf:
            if k.kind == kind and (k.date > on_or_after if strictly else k.date >= on_or_after):
                return k
        return None

    def first_cg(self, on_or_after: date) -> CoreGroup | None:
        return next((g for g in self.held_cg if g.date >= on_or_after), None)

    def s_source(self) -> str:
        """The record behind S: the conference held that day, else the child."""
        assert self.plan_start is not None
        k = next((k for k in self.held_conf if k.date == self.plan_start), None)
        if k:
            return k.id
        return next(c.id for c in self.case.children if c.plan_start == self.plan_start)


def counted_reviews(case: Case, today: date) -> list[date]:
    """Review conferences that switch West Midlands to 2-monthly core groups.

    Only reviews held after the plan start S and not after today count: a
    review left in the file from a sibling's earlier plan must not switch the
    rhythm early (docs/format.md#core-group-chain). "Schedule the series" uses the same list.
    """
    S = case.plan_start(today)
    if S is None:
        return []
    return sorted(k.date for k in case.conferences
                  if k.held and k.kind == "review" and S < k.date <= today)


def _events(ctx: _Ctx, kind: str) -> list:
    return [e for e in ctx.events if e.kind == kind]


def r_icpc(ctx: _Ctx) -> Iterator[Raw]:
    for e in _events(ctx, "strategy_discussion"):
        if e.s47:
            k = ctx.first_conf("initial", e.date)
            yield None, ctx.due("icpc", e.date), k.date if k else None, e.date, e.id, "icpc"


def r_transfer_conference(ctx: _Ctx) -> Iterator[Raw]:
    for e in _events(ctx, "transfer_agreed"):
        k = ctx.first_conf("transfer", e.date)
        yield (None, ctx.due("transfer_conference", e.date), k.date if k else None, e.date, e.id,
               "transfer_conference")


def r_pre_birth_conference(ctx: _Ctx) -> Iterator[Raw]:
    for c in ctx.case.children:
        if c.expected_date and not c.date_of_birth:
            k = next(
                (k for k in ctx.held_conf if k.kind == "pre_birth" and c.id in k.children), None
            )
            due = ctx.due("pre_birth_conference", c.expected_date, backwards=True)
            yield c.id, due, k.date if k else None, c.expected_date, c.id, "pre_birth_conference"


def r_first_core_group(ctx: _Ctx) -> Iterator[Raw]:
    if ctx.plan_start:
        g = ctx.first_cg(ctx.plan_start)
        yield (None, ctx.due("first_core_group", ctx.plan_start), g.date if g else None,
               ctx.plan_start, ctx.s_source(), "first_core_group")


def r_core_group(ctx: _Ctx) -> Iterator[Raw]:
    if not ctx.plan_start:
        return
    gs = [g for g in ctx.held_cg if g.date >= ctx.plan_start]
    reviews = counted_reviews(ctx.case, ctx.today)
    after_review = "core_group_after_first_review" in ctx.profile.timescales
    for i, prev in enumerate(gs):
        nxt = gs[i + 1] if i + 1 < len(gs) else None
        rule = "core_group"
        if after_review and any(r <= prev.date for r in reviews):
            rule = "core_group_after_first_review"
        yield None, ctx.due(rule, prev.date), nxt.date if nxt else None, prev.date, prev.id, rule


def _per_core_group(rule: str, field: str, scope: str):
    """A "within N of the meeting" rule: every held core group, or the plan's first."""
    def gen(ctx: _Ctx) -> Iterator[Raw]:
        gs = ctx.held_cg
        if getattr(ctx.profile, scope) == "first":
            first = ctx.first_cg(ctx.plan_start) if ctx.plan_start else (gs[0] if gs else None)
            gs = [first] if first else []
        for g in gs:
            yield None, ctx.due(rule, g.date), ctx.done(getattr(g, field)), g.date, g.id, rule
    return gen


def r_first_review(ctx: _Ctx) -> Iterator[Raw]:
    if ctx.plan_start:
        k = ctx.first_conf("review", ctx.plan_start, strictly=True)
        yield (None, ctx.due("first_review", ctx.plan_start), k.date if k else None, ctx.plan_start,
               ctx.s_source(), "first_review")


def r_review(ctx: _Ctx) -> Iterator[Raw]:
    if not ctx.plan_start:
        return
    rs = [k for k in ctx.held_conf if k.kind == "review" and k.date > ctx.plan_start]
    for i, prev in enumerate(rs):
        nxt = rs[i + 1] if i + 1 < len(rs) else None
        yield (None, ctx.due("review", prev.date), nxt.date if nxt else None, prev.date, prev.id,
               "review")


def _per_conference(rule: str, field: str, statuses: tuple[str, ...], backwards: bool = False):
    def gen(ctx: _Ctx) -> Iterator[Raw]:
        for k in in_order(ctx.case.conferences):
            if k.status in statuses and (k.status == "scheduled" or k.date <= ctx.today):
                yield (None, ctx.due(rule, k.date, backwards), ctx.done(getattr(k, field)), k.date,
                       k.id, rule)
    return gen


def r_reconvene(ctx: _Ctx) -> Iterator[Raw]:
    for k in ctx.held_conf:
        if not k.quorate:
            nxt = next((n for n in ctx.held_conf if n.date > k.date), None)
            yield (None, ctx.due("reconvene", k.date), nxt.date if nxt else None, k.date, k.id,
                   "reconvene")


def r_school_move_core_group(ctx: _Ctx) -> Iterator[Raw]:
    if not ctx.plan_start:
        return
    for e in _events(ctx, "school_move"):
        if e.date >= ctx.plan_start:
            g = ctx.first_cg(e.date)
            yield (None, ctx.due("school_move_core_group", e.date), g.date if g else None, e.date,
                   e.id, "school_move_core_group")


def r_complaint_response(ctx: _Ctx) -> Iterator[Raw]:
    for e in _events(ctx, "complaint"):
        yield (None, ctx.due("complaint_response", e.date), ctx.done(e.responded), e.date, e.id,
               "complaint_response")


def _per_child_visits(rule: str, seen_field: str):
    """Visit chains: from plan_start, then after each qualifying visit."""
    def gen(ctx: _Ctx) -> Iterator[Raw]:
        for c in ctx.case.children:
            if c.plan_start is None:
                continue
            chain = [v for v in ctx.visits
                     if v.statutory and v.date >= c.plan_start and c.id in getattr(v, seen_field)]
            basis, source = c.plan_start, c.id
            for v in chain:
                yield c.id, ctx.due(rule, basis), v.date, basis, source, rule
                basis, source = v.date, v.id
            yield c.id, ctx.due(rule, basis), None, basis, source, rule
    return gen


RULES: dict[str, Callable[[_Ctx], Iterator[Raw]]] = {
    "icpc": r_icpc,
    "transfer_conference": r_transfer_conference,
    "pre_birth_conference": r_pre_birth_conference,
    "first_core_group": r_first_core_group,
    "core_group": r_core_group,
    "core_group_notes": _per_core_group(
        "core_group_notes", "notes_circulated", "core_group_notes_scope"
    ),
    "core_group_plan": _per_core_group("core_group_plan", "plan_sent", "core_group_plan_scope"),
    "first_review": r_first_review,
    "review": r_review,
    "conference_decisions": _per_conference(
        "conference_decisions", "decisions_circulated", ("held",)
    ),
    "conference_record": _per_conference("conference_record", "record_circulated", ("held",)),
    "report_to_parents": _per_conference(
        "report_to_parents", "report_to_parents", ("held", "scheduled"), backwards=True
    ),
    "report_to_chair": _per_conference(
        "report_to_chair", "report_to_chair", ("held", "scheduled"), backwards=True
    ),
    "reconvene": r_reconvene,
    "school_move_core_group": r_school_move_core_group,
    "complaint_response": r_complaint_response,
    "visit": _per_child_visits("visit", "seen"),
    "bedroom_seen": _per_child_visits("bedroom_seen", "bedroom_seen"),
}


def status_of(due: date, done: date | None, today: date, soon_until: date) -> str:
    if done is not None:
        return "met" if done <= due else "late"
    if due < today:
        return "overdue"
    return "due_soon" if due <= soon_until else "upcoming"


def compute(case: Case, profile: Profile, cal: WorkCalendar, today: date,
            soon_until: date) -> list[Deadline]:
    """Every deadline instance of one case at ``today`` (docs/format.md#deadline-rules)."""
    ctx = _Ctx(case, profile, cal, today)
    case_end = case.plan_end(today)
    out: list[Deadline] = []
    for rule, gen in RULES.items():
        if rule not in profile.timescales:
            continue  # a rule whose timescale the profile does not set is not applied
        for child, due, done, basis, source, key in gen(ctx):
            if done is None:
                if rule in PLAN_BOUND:
                    end = (
                        case.child(child).plan_end  # type: ignore[union-attr]
                        if child else case_end
                    )
                    if end is not None and due >= end:
                        continue
                if case.closed is not None and due > case.closed:
                    continue
            s = profile.timescales[key]
            out.append(Deadline(case.id, child, rule, due, done,
                                status_of(due, done, today, soon_until),
                                basis, source, s.cite, s.text, s.origin))
    out.sort(key=lambda d: (d.due, d.rule, d.child or "", d.source))
    return out
