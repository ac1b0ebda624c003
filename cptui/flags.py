"""Practice flags of SPEC section 4: warnings a manager should see, not deadlines.

Each flag is a ``Problem`` with severity "warning" and a code, placed on the
line of the record it is about, so ``cptui check`` lists it like any other
problem and the screens can show it beside the record.
"""

from __future__ import annotations

from datetime import date, timedelta

from cptui.dates import WorkCalendar, fmt_date
from cptui.locate import Locator, PathKey
from cptui.model import Case
from cptui.problems import Problem

TITLES = {
    "smart_action": "Action not SMART",
    "no_access_twice": "Child not seen twice running",
    "inquorate": "Inquorate conference",
    "plan_ended_at_first_review": "Plan ended at first review",
    "missing": "Missing episode",
    "unrecorded_meeting": "Meeting not recorded",
    "non_working_day": "Dated on a non-working day",
    "outside_calendar": "Date outside the holiday table",
}


def practice_flags(case: Case, text: str, name: str, cal: WorkCalendar, today: date) -> list[Problem]:
    locs: list[Locator] = []  # built on the first flag only
    out: list[Problem] = []

    def flag(code: str, path: PathKey, msg: str) -> None:
        if not locs:
            locs.append(Locator(text, headers_only=True))
        line, col = locs[0].find(path)
        out.append(Problem(name, line, col, "warning", msg, code))

    idx = {id(x): i for arr in (case.conferences, case.core_groups, case.visits, case.events,
                                 case.plan.actions) for i, x in enumerate(arr)}

    for a in case.plan.actions:
        p = ("plan", "actions", idx[id(a)])
        if a.status != "open":
            continue
        missing = [w for w, bad in (("no owner", a.owner is None),
                                    (f"due is {a.due_text!r}, not a date", a.due_text is not None),
                                    ("no due date", a.due is None and a.due_text is None)) if bad]
        if missing:
            flag("smart_action", p, f"action {a.id!r} is not SMART: {', '.join(missing)}")

    statutory = sorted((v for v in case.visits if v.statutory), key=lambda v: (v.date, v.id))
    for c in case.children:
        if c.plan_start is None:
            continue
        prev_missed = None
        for v in statutory:
            if v.date < c.plan_start:
                continue
            if c.id in v.seen:
                prev_missed = None
                continue
            if prev_missed is not None:
                flag("no_access_twice", ("visits", idx[id(v)]),
                     f"{c.name} not seen on two visits in a row ({fmt_date(prev_missed.date)} and "
                     f"{fmt_date(v.date)}): tell the lead social worker and manager")
            prev_missed = v

    reviews_by_date = sorted((k for k in case.conferences if k.held and k.kind == "review"),
                             key=lambda k: k.date)
    for k in case.conferences:
        p = ("conferences", idx[id(k)])
        if k.held and not k.quorate:
            flag("inquorate", p, f"conference {k.id!r} on {fmt_date(k.date)} was not quorate")
        if k.held and k.kind == "review" and k.outcome == "end" and not k.exceptional_reason:
            starts = [c.plan_start for c in case.children
                      if c.plan_start and (not k.children or c.id in k.children)]
            start = min(starts) if starts else None
            earlier = [r for r in reviews_by_date if r.date < k.date and (start is None or r.date > start)]
            if not earlier:
                flag("plan_ended_at_first_review", p,
                     f"plan ended at the first review ({fmt_date(k.date)}) with no `exceptional_reason`")
        if k.status == "scheduled" and k.date < today:
            flag("unrecorded_meeting", p, f"{k.kind} conference scheduled for {fmt_date(k.date)} "
                 "has passed: record whether it was held")
        if k.status != "cancelled":
            _weekend(flag, cal, p, k.date, "conference")

    for g in case.core_groups:
        p = ("core_groups", idx[id(g)])
        if g.status == "scheduled" and g.date < today:
            flag("unrecorded_meeting", p, f"core group scheduled for {fmt_date(g.date)} has passed: "
                 "record whether it was held")
        if g.status != "cancelled":
            _weekend(flag, cal, p, g.date, "core group")

    for v in statutory:
        _weekend(flag, cal, ("visits", idx[id(v)]), v.date, "statutory visit")

    for e in case.events:
        if e.kind == "missing" and today - timedelta(days=30) <= e.date <= today:
            flag("missing", ("events", idx[id(e)]),
                 f"missing episode on {fmt_date(e.date)} (within the last 30 days)")
    return out


def _weekend(flag, cal: WorkCalendar, path: PathKey, d: date, what: str) -> None:
    if d.weekday() >= 5 or cal.is_bank_holiday(d):
        why = "a weekend" if d.weekday() >= 5 else "a bank holiday"
        flag("non_working_day", path, f"{what} dated {fmt_date(d)}, which is {why}: a typing slip?")
