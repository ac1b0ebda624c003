"""Practice flags (docs/format.md#practice-flags): warnings a manager should see, not deadlines.

Each flag is a ``Problem`` with severity "warning" and a code, placed on the
line of the record it is about, so ``cptui check`` lists it like any other
problem and the screens can show it beside the record.
"""

from __future__ import annotations

from datetime import date, timedelta

from cptui.dates import WorkCalendar, fmt_date
from cptui.locate import Locator, PathKey
from cptui.model import Case, in_order
from cptui.problems import Problem
from cptui.profiles import Profile

TITLES = {
    "smart_action": "Action not SMART",
    "no_access_twice": "Child not seen twice running",
    "inquorate": "Inquorate conference",
    "plan_ended_at_first_review": "Plan ended at first review",
    "missing": "Missing episode",
    "unrecorded_meeting": "Meeting not recorded",
    "non_working_day": "Dated on a non-working day",
    "outside_calendar": "Date outside the holiday table",
    "future_dated": "Dated after today",
    "first_core_group_not_booked": "First core group not booked",
    "absent_without_report": "Absent without a written report",
    "lead_worker_absent": "Lead social worker absent",
    "first_core_group_chair": "First core group chair",
    "interpreter_not_invited": "Interpreter not present",
}
# Flags every profile raises; a profile turns on more in its [flags] table (docs/profiles.md).
GENERAL_FLAGS = (
    "smart_action",
    "no_access_twice",
    "inquorate",
    "plan_ended_at_first_review",
    "missing",
    "unrecorded_meeting",
    "non_working_day",
    "future_dated",
    "first_core_group_not_booked",
    "absent_without_report",
    "lead_worker_absent",
    "interpreter_not_invited",
)
# Done dates that count as unset when after today (docs/format.md#nothing-from-the-future),
# per record kind.
DONE_FIELDS = {
    "conferences": (
        "report_to_parents",
        "report_to_chair",
        "decisions_circulated",
        "record_circulated",
    ),
    "core_groups": ("notes_circulated", "plan_sent"),
    "events": ("responded",),
    "actions": ("done",),
}


def practice_flags(case: Case, text: str, name: str, cal: WorkCalendar, today: date,
                   profile: Profile) -> list[Problem]:
    locs: list[Locator] = []  # built on the first flag only
    out: list[Problem] = []

    def flag(code: str, path: PathKey, msg: str) -> None:
        if not locs:
            locs.append(Locator(text, records_only=True))  # every flag points at a record
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

    statutory = in_order(v for v in case.visits if v.statutory)
    for c in case.children:
        if c.plan_start is None:
            continue
        prev_missed = None
        for v in statutory:
            if (
                v.date < c.plan_start or v.date > today
            ):  # a visit after today has not happened (v1.1)
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
            earlier = [
                r for r in reviews_by_date if r.date < k.date and (start is None or r.date > start)
            ]
            if not earlier:
                flag(
                    "plan_ended_at_first_review",
                    p,
                    f"plan ended at the first review ({fmt_date(k.date)}) "
                    "with no `exceptional_reason`",
                )
        if k.status == "scheduled" and k.date < today:
            flag("unrecorded_meeting", p, f"{k.kind} conference scheduled for {fmt_date(k.date)} "
                 "has passed: record whether it was held")
        if k.status != "cancelled":
            _weekend(flag, cal, p, k.date, "conference")

    for g in case.core_groups:
        p = ("core_groups", idx[id(g)])
        if g.status == "scheduled" and g.date < today:
            flag(
                "unrecorded_meeting",
                p,
                f"core group scheduled for {fmt_date(g.date)} has passed: "
                "record whether it was held",
            )
        if g.status != "cancelled":
            _weekend(flag, cal, p, g.date, "core group")

    for v in statutory:
        _weekend(flag, cal, ("visits", idx[id(v)]), v.date, "statutory visit")

    for e in case.events:
        if e.kind == "missing" and today - timedelta(days=30) <= e.date <= today:
            flag("missing", ("events", idx[id(e)]),
                 f"missing episode on {fmt_date(e.date)} (within the last 30 days)")
    _future_dated(case, idx, flag, today)
    _meeting_flags(case, idx, flag, cal, today, profile)
    return out


def _future_dated(case: Case, idx: dict[int, int], flag, today: date) -> None:
    """Anything recorded as happened after today: left out of every rule
    (docs/format.md#nothing-from-the-future)."""
    arrays: list[tuple[str, list, PathKey, str]] = [
        ("conferences", case.conferences, ("conferences",), "conference"),
        ("core_groups", case.core_groups, ("core_groups",), "core group"),
        ("visits", case.visits, ("visits",), "visit"),
        ("events", case.events, ("events",), "event"),
        ("actions", case.plan.actions, ("plan", "actions"), "action"),
    ]
    for kind, records, base, what in arrays:
        for r in records:
            parts = []
            dated = getattr(r, "date", None)
            if dated is not None and dated > today and (kind in ("visits", "events") or r.held):
                parts.append(f"dated {fmt_date(dated)}, after today: it has not happened yet, "
                             "so no deadline counts it")
            for key in DONE_FIELDS.get(kind, ()):
                d = getattr(r, key)
                if d is not None and d > today:
                    parts.append(
                        f"`{key}` is {fmt_date(d)}, after today: counted as not done until then"
                    )
            if parts:
                flag("future_dated", base + (idx[id(r)],), f"{what} {r.id!r}: " + "; ".join(parts))


def _meeting_flags(case: Case, idx: dict[int, int], flag, cal: WorkCalendar, today: date,
                   profile: Profile) -> None:
    """Who came to held meetings, and whether the first core group was booked
    (docs/format.md#practice-flags).

    Meetings dated after today have not happened yet and are skipped, as in the rules.
    """
    confs = in_order(k for k in case.conferences if k.held and k.date <= today)
    groups = in_order(g for g in case.core_groups if g.held and g.date <= today)
    for k in confs:
        p: PathKey = ("conferences", idx[id(k)])
        booked_by = cal.add_working_days(k.date, 1)
        if (k.kind in ("initial", "transfer") and k.outcome == "plan" and booked_by < today
                and not any(g.date > k.date for g in case.core_groups)):
            flag(
                "first_core_group_not_booked",
                p,
                f"{k.kind} conference {k.id!r} on {fmt_date(k.date)} made a plan but no core group "
                "is recorded after it: book the first core group "
                "(its date is set at the conference)",
            )
        if case.interpreter and k.interpreter_present is False:
            flag("interpreter_not_invited", p, f"conference {k.id!r} on {fmt_date(k.date)}: no "
                 f"{case.interpreter} interpreter took part, though the family needs one")
    for g in groups:
        p = ("core_groups", idx[id(g)])
        for mid in g.apologies:
            m = case.member(mid)
            if m is not None and m.kind == "professional" and mid not in g.written_reports:
                flag("absent_without_report", p, f"{m.name} sent apologies to the core group on "
                     f"{fmt_date(g.date)} and no written report")
        if case.lead_social_worker and case.lead_social_worker not in g.attendees:
            flag("lead_worker_absent", p, f"the lead social worker "
                 f"({case.member_name(case.lead_social_worker)}) did not attend the core group on "
                 f"{fmt_date(g.date)}: they or a representative must attend")
        if case.interpreter and g.interpreter_present is False:
            flag("interpreter_not_invited", p, f"core group on {fmt_date(g.date)}: no "
                 f"{case.interpreter} interpreter took part, though the family needs one")
    rule = profile.flags.get("first_core_group_chair")
    S = case.plan_start(today)
    first = next((g for g in groups if S is not None and g.date >= S), None)
    if (
        rule is not None
        and rule.value == "team_manager"
        and first is not None
        and first.chair != case.team_manager
    ):
        who = case.member_name(first.chair) if first.chair else "nobody recorded"
        flag(
            "first_core_group_chair",
            ("core_groups", idx[id(first)]),
            f"the first core group ({fmt_date(first.date)}) was chaired by {who}, "
            "not the team manager "
            f"({case.member_name(case.team_manager)}): {rule.cite}",
        )


def _weekend(flag, cal: WorkCalendar, path: PathKey, d: date, what: str) -> None:
    if d.weekday() >= 5 or cal.is_bank_holiday(d):
        why = "a weekend" if d.weekday() >= 5 else "a bank holiday"
        flag("non_working_day", path, f"{what} dated {fmt_date(d)}, which is {why}: a typing slip?")
