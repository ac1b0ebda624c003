"""The view model: what a document template may see, as plain data only.

Templates (including a team's own, shared through git) get dicts, lists,
strings, numbers, booleans and dates: never a path, a model object or a
function, so a template cannot reach the file system or run code through
what it is given. Names are resolved here, statuses are written out here.

A parent's copy is built from a case with every confidential record left
out *before* anything is derived from it: people are resolved against the
visible members only (a hidden person is neither named nor shown by id), and
deadlines ("next meeting due") are recomputed from the visible records.
Contact details are never put in a parent's view at all.

Alongside the view, the builder records which records fed each key; the
full copy's count of what a parent's copy leaves out is the difference, for
the keys that document uses (so a chronology does not count a phone number).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from cptui.caseload import Caseload, CaseView
from cptui.dates import fmt_date, human_span
from cptui.model import Action, Case, Visit
from cptui.profiles import TERMS
from cptui.rules import LABELS, STATUS_TEXT, compute

Refs = dict[str, set[tuple[str, str]]]

# Which view keys each bundled document shows: the per-document count of
# what a parent's copy would leave out is taken over these.
DOC_KEYS: dict[str, tuple[str, ...]] = {
    "agenda": ("children", "core_members", "outcomes", "actions_since", "seen_since",
               "incidents_since", "assessments", "next", "deadlines"),
    "notes": ("meeting", "outcomes", "open_actions", "next"),
    "plan": ("children", "core_members", "contacts", "outcomes", "loose_actions"),
    "plan-child": ("children", "core_members", "outcomes", "open_actions", "next"),
    "chronology": ("children", "timeline"),
    "record": ("children", "conference", "core_members", "next"),
}


class DocumentError(ValueError):
    pass


def visible_case(case: Case) -> Case:
    """The case with every confidential record left out (people, too).

    An action under a confidential outcome goes with it: its words usually say
    what the hidden outcome is about.
    """
    def keep(items: list) -> list:
        return [x for x in items if not getattr(x, "confidential", False)]

    hidden = {o.id for o in case.plan.outcomes if o.confidential}
    actions = [a for a in keep(case.plan.actions) if a.outcome not in hidden]
    plan = replace(case.plan, outcomes=keep(case.plan.outcomes), actions=actions)
    return replace(case, children=keep(case.children), members=keep(case.members),
                   events=keep(case.events), conferences=keep(case.conferences),
                   core_groups=keep(case.core_groups), visits=keep(case.visits), plan=plan)


class _Builder:
    def __init__(self, view: CaseView, load: Caseload, parent: bool) -> None:
        self.parent = parent
        self.full = view.case
        self.case = visible_case(view.case) if parent else view.case
        self.today = load.today
        self.deadlines = (
            compute(self.case, view.profile, load.calendar, load.today, load.soon_until)
            if parent
            else view.deadlines
        )
        self.refs: Refs = {}

    def ref(self, key: str, kind: str, rid: str) -> None:
        self.refs.setdefault(key, set()).add((kind, rid))

    def name(self, mid: str | None) -> str | None:
        m = self.case.member(mid)
        return m.name if m else None

    def person(self, mid: str | None, missing: str = "not recorded") -> str:
        """A single reference to a person: named, or said to be left out; never the id."""
        if mid is None:
            return missing
        found = self.name(mid)
        if found is not None:
            return found
        return "not named in this copy" if self.parent else f"unknown member {mid}"

    def names(self, key: str, ids: list[str]) -> list[str]:
        out = []
        for mid in ids:
            if (n := self.name(mid)) is not None:
                out.append(n)
                self.ref(key, "member", mid)
        return out

    # -- children --------------------------------------------------------
    def child(self, c) -> dict[str, Any]:
        due = fmt_date(c.expected_date) if c.expected_date else ""
        if c.unborn:
            short = f"the baby due on {due}"
            age = f"unborn, due {due}"
        else:
            short = c.name.split(" ")[0] if c.name else "the child"
            age = human_span(c.date_of_birth, self.today) if c.date_of_birth else "not recorded"
        return {"name": c.name or short, "short": short, "unborn": c.unborn, "age": age,
                "date_of_birth": c.date_of_birth, "expected_date": c.expected_date,
                "category": c.category or "", "plan_start": c.plan_start, "plan_end": c.plan_end,
                "on_plan": c.plan_start is not None}

    def child_name(self, cid: str) -> str | None:
        c = self.case.child(cid)
        return c.name if c else None

    # -- actions ---------------------------------------------------------
    def action(self, a: Action) -> dict[str, Any]:
        if a.status == "done":
            st = f"✓ done {fmt_date(a.done)}" if a.done else "✓ done"
        elif a.status == "dropped":
            st = "– dropped"
        elif a.due is not None and a.due < self.today:
            st = STATUS_TEXT["overdue"]
        else:
            st = "○ open"
        when = fmt_date(a.due) if a.due else (a.due_text or "NO DATE")
        owner = self.person(a.owner, "NO OWNER") if a.owner else "NO OWNER"
        return {"action": a.action, "owner": owner, "has_owner": a.owner is not None,
                "owner_named": self.name(a.owner) is not None,
                "due": a.due, "when": when, "status": a.status, "status_text": st, "done": a.done,
                "overdue": st == STATUS_TEXT["overdue"]}

    def actions(self, key: str, items: list[Action]) -> list[dict[str, Any]]:
        for a in items:
            self.ref(key, "action", a.id)
        return [self.action(a) for a in items]

    # -- visits ------------------------------------------------------------
    def expected(self, on: date) -> list:
        """Children a visit on ``on`` should see: those on a plan then, else all born children."""
        active = [c for c in self.case.children if c.plan_active(on) and not c.unborn]
        return active or [c for c in self.case.children if not c.unborn]

    def visit_row(self, v: Visit) -> dict[str, Any]:
        seen = [n for n in (self.child_name(c) for c in v.seen) if n]
        alone = [n for n in (self.child_name(c) for c in v.seen_alone) if n]
        bed = [n for n in (self.child_name(c) for c in v.bedroom_seen) if n]
        not_seen = [c.name for c in self.expected(v.date) if c.id not in v.seen]
        bits = [f"seen: {', '.join(seen)}" if seen else "no child seen"]
        if not_seen:
            bits.append(f"NOT seen: {', '.join(not_seen)}")
        if alone:
            bits.append(f"seen alone: {', '.join(alone)}")
        if bed:
            bits.append(f"bedroom seen: {', '.join(bed)}")
        by = self.name(v.by)
        return {
            "date": v.date,
            "what": "Statutory visit" if v.statutory else "Contact (not a statutory visit)",
            "source": by or ("not named in this copy" if self.parent and v.by else "not recorded"),
            "action": "; ".join(bits) + (f". {v.notes}" if v.notes else ""),
        }


def _at(g) -> str:
    return g.at.strftime("%H:%M") if isinstance(g.at, datetime) else ""


def build(view: CaseView, load: Caseload, parent: bool, meeting: str | None = None,
          conference: str | None = None) -> tuple[dict[str, Any], Refs]:
    """The plain-data view of one case, and which records fed each key."""
    b = _Builder(view, load, parent)
    case, today = b.case, b.today
    S = case.plan_start(today)
    ref = b.ref

    children = [c for c in case.children]
    for c in children:
        ref("children", "child", c.id)
    on_plan = [c for c in children if c.plan_start] or children
    core = [m for m in case.members if m.core_group]
    for m in core:
        ref("core_members", "member", m.id)
        if m.contact and not parent:
            ref("contacts", "contact", m.id)

    held_cg = sorted((g for g in case.core_groups if g.held), key=lambda g: g.date)
    booked_cg = sorted((g for g in case.core_groups if g.status == "scheduled" and g.date >= today),
                       key=lambda g: g.date)
    held_conf = sorted((k for k in case.conferences if k.held), key=lambda k: k.date)
    open_dl = [d for d in b.deadlines if d.open]
    next_cg_due = min((d for d in open_dl if d.rule in ("first_core_group", "core_group",
                                                         "core_group_after_first_review")),
                      key=lambda d: d.due, default=None)
    by_rule = {d.rule: d for d in sorted(open_dl, key=lambda d: d.due, reverse=True)}
    next_review_due = by_rule.get("first_review") or by_rule.get("review")
    booked_review = min(
        (k for k in case.conferences if k.status == "scheduled" and k.date >= today),
        key=lambda k: k.date,
        default=None,
    )
    for x in (booked_cg[:1] + ([booked_review] if booked_review else [])):
        ref("next", type(x).__name__, x.id)

    def pick(items: list, rid: str | None, what: str):
        if rid is None:
            return items[-1] if items else None
        found = next((x for x in items if x.id == rid), None)
        if found is None:
            raise DocumentError(f"no {what} {rid!r} in this copy of the case" if parent
                                else f"no {what} {rid!r} in this case")
        return found

    g = pick(held_cg, meeting, "held core group meeting")
    k = pick(held_conf, conference, "held conference")
    since = held_cg[-1].date if held_cg else (S or today)

    vm_meeting = None
    if g is not None:
        ref("meeting", "core_group", g.id)
        vm_meeting = {
            "date": g.date, "time": _at(g), "location": g.location or "",
            "chair": b.person(g.chair), "attendees": b.names("meeting", g.attendees),
            "apologies": [{"name": n, "written_report": mid in g.written_reports}
                          for mid in g.apologies if (n := b.name(mid))],
            "written_reports": b.names("meeting", g.written_reports),
            "notes": g.notes or "", "notes_circulated": g.notes_circulated,
            "plan_sent": g.plan_sent,
        }
        b.names("meeting", g.apologies)
    vm_conf = None
    if k is not None:
        ref("conference", "conference", k.id)
        rows = []
        for cid in k.children:
            c = case.child(cid)
            if c is not None:
                rows.append(
                    {"name": c.name, "category": c.category or "", "plan_start": c.plan_start}
                )
        first_after = next((x for x in sorted(case.core_groups, key=lambda x: x.date)
                            if x.date >= k.date and x.status != "cancelled"), None)
        vm_conf = {
            "kind": k.kind.replace("_", " "),
            "date": k.date,
            "quorate": k.quorate,
            "outcome": k.outcome or "",
            "invited": b.names("conference", k.attendees + k.apologies),
            "attendees": b.names("conference", k.attendees),
            "apologies": b.names("conference", k.apologies),
            "children": rows,
            "exceptional_reason": k.exceptional_reason or "",
            "first_core_group": first_after.date if first_after else None,
        }

    outcomes = []
    for o in case.plan.outcomes:
        ref("outcomes", "outcome", o.id)
        outcomes.append(
            {
                "concern": o.concern,
                "outcome": o.outcome,
                "evidence": o.evidence,
                "actions": b.actions(
                    "outcomes", [a for a in case.plan.actions if a.outcome == o.id]
                ),
            }
        )
    known = {o.id for o in b.full.plan.outcomes}
    loose = [a for a in case.plan.actions if a.outcome is None or a.outcome not in known]

    # Seeing the child since the last meeting (or the plan start).
    seen_since = []
    for c in [c for c in on_plan if not c.unborn]:
        vs = sorted(
            (v for v in case.visits if v.statutory and since < v.date <= today),
            key=lambda v: v.date,
        )
        for v in vs:
            ref("seen_since", "visit", v.id)
        last = max(
            (v.date for v in case.visits if v.statutory and c.id in v.seen and v.date <= today),
            default=None,
        )
        seen_since.append({
            "name": c.name, "short": c.name.split(" ")[0],
            "seen": [v.date for v in vs if c.id in v.seen],
            "seen_alone": [v.date for v in vs if c.id in v.seen_alone],
            "bedroom_seen": [v.date for v in vs if c.id in v.bedroom_seen],
            "last_seen": last,
        })
    incidents = [e for e in case.events if e.significant and since < e.date <= today
                 and e.kind not in ("assessment",)]
    for e in incidents:
        ref("incidents_since", "event", e.id)
    assessments = [e for e in case.events if e.kind == "assessment"]
    for e in assessments:
        ref("assessments", "event", e.id)

    deadlines = []
    for d in open_dl:
        if d.status in ("overdue", "due_soon"):
            who = b.child_name(d.child) if d.child else None
            deadlines.append(
                {
                    "label": LABELS.get(d.rule, d.rule)
                    + (f" — {who.split(' ')[0]}" if who else ""),
                    "due": d.due,
                    "status": d.status,
                    "status_text": STATUS_TEXT[d.status],
                }
            )
            ref("deadlines", "deadline", f"{d.rule}:{d.child}:{d.due}")

    timeline = _timeline(b)
    agenda = {when: [dict(it) for it in items] for when, items in view.profile.agenda.items()}
    vm: dict[str, Any] = {
        "copy": "parent" if parent else "full",
        "today": today,
        "pinned": bool(load.pinned),
        "case": {
            "id": case.id,
            "interpreter": case.interpreter or "",
            "lead_social_worker": b.person(case.lead_social_worker),
            "team_manager": b.person(case.team_manager),
        },
        "profile": {
            "name": view.profile.name,
            "title": view.profile.title,
            "terms": {k: view.profile.term(k) for k in TERMS},
        },
        "plan_start": S,
        "children": [b.child(c) for c in children],
        "children_on_plan": [b.child(c) for c in on_plan],
        "children_phrase": _and_list([b.child(c)["short"] for c in on_plan]),
        "core_members": [
            {
                "name": m.name,
                "role": m.role,
                "agency": m.agency,
                "kind": m.kind,
                "contact": "" if parent else (m.contact or ""),
            }
            for m in core
        ],
        "plan": {
            "contingency": case.plan.contingency,
            "child_views": case.plan.child_views,
            "parent_views": case.plan.parent_views,
            "disagreements": case.plan.disagreements,
        },
        "outcomes": outcomes,
        "loose_actions": b.actions("loose_actions", loose),
        "open_actions": b.actions(
            "open_actions", [a for a in case.plan.actions if a.status == "open"]
        ),
        "actions_since": b.actions(
            "actions_since", [a for a in case.plan.actions if a.due and since <= a.due <= today]
        ),
        "held_meetings": [{"date": x.date} for x in held_cg],
        "first_meeting": not [x for x in held_cg if S is None or x.date >= S],
        "since": since,
        "next_meeting": (
            {
                "date": booked_cg[0].date,
                "time": _at(booked_cg[0]),
                "location": booked_cg[0].location or "",
            }
            if booked_cg
            else None
        ),
        "next_meeting_due": next_cg_due.due if next_cg_due else None,
        "next_review": {"date": booked_review.date} if booked_review else None,
        "next_review_due": next_review_due.due if next_review_due else None,
        "meeting": vm_meeting,
        "conference": vm_conf,
        "seen_since": seen_since,
        "incidents_since": [
            {"date": e.date, "what": e.summary or e.kind.replace("_", " ")} for e in incidents
        ],
        "assessments": [{"date": e.date, "what": e.summary or "assessment"} for e in assessments],
        "deadlines": deadlines,
        "timeline": timeline,
        "agenda_first_extra": agenda["first"],
        "agenda_later_extra": agenda["later"],
    }
    return vm, b.refs


def _and_list(xs: list[str]) -> str:
    return (", ".join(xs[:-1]) + " and " + xs[-1]) if len(xs) > 1 else "".join(xs)


def _timeline(b: _Builder) -> list[dict[str, Any]]:
    """Date, what happened, source, action taken: the chronology's four columns."""
    case = b.case
    rows: list[tuple[date, str, dict[str, Any]]] = []
    for e in case.events:
        if e.significant:
            b.ref("timeline", "event", e.id)
            rows.append(
                (
                    e.date,
                    e.id,
                    {
                        "date": e.date,
                        "what": e.summary or e.kind.replace("_", " "),
                        "source": e.kind.replace("_", " "),
                        "action": f"response sent {fmt_date(e.responded)}" if e.responded else "",
                    },
                )
            )
    for k in case.conferences:
        if k.held:
            b.ref("timeline", "conference", k.id)
            rows.append(
                (
                    k.date,
                    k.id,
                    {
                        "date": k.date,
                        "what": f"{k.kind.replace('_', ' ').capitalize()} conference",
                        "source": "conference",
                        "action": (k.outcome or "").replace("_", " ")
                        + ("" if k.quorate else " (not quorate)"),
                    },
                )
            )
    for g in case.core_groups:
        if g.held:
            b.ref("timeline", "core_group", g.id)
            chair = b.name(g.chair)
            rows.append(
                (
                    g.date,
                    g.id,
                    {
                        "date": g.date,
                        "what": "Core group meeting",
                        "source": "core group",
                        "action": f"chaired by {chair}" if chair else "",
                    },
                )
            )
    for v in case.visits:
        b.ref("timeline", "visit", v.id)
        rows.append((v.date, v.id, b.visit_row(v)))
    return [r for _, _, r in sorted(rows, key=lambda t: (t[0], t[1]))]


def omitted_for(name: str, full: Refs, parent: Refs) -> int:
    """How many records (and contact details) the parent's copy of ``name`` leaves out."""
    keys = DOC_KEYS.get(name, tuple(full))
    gone: set[tuple[str, str]] = set()
    for key in keys:
        gone |= full.get(key, set()) - parent.get(key, set())
    return len(gone)


PLAIN_TYPES = (str, int, float, bool, date, type(None))


def plain_violations(value: Any, where: str = "") -> list[str]:
    """Every value reachable from ``value`` that is not plain data
    (for tests and a runtime check)."""
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if not isinstance(k, str):
                out.append(f"{where}: key {k!r}")
            out += plain_violations(v, f"{where}.{k}")
        return out
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plain_violations(v, f"{where}[{i}]")]
    if isinstance(value, datetime) or not isinstance(value, PLAIN_TYPES):
        return [f"{where}: {type(value).__name__}"]
    return []
