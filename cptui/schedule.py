"""Schedule the series: core groups at the profile's rhythm up to the review.

The procedures ask the first core group to fix every date up to the review
conference (Hillingdon 1.3.7 para 5.2; West Midlands 1.11). This proposes
those dates; the user edits them before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from cptui.caseload import CaseView
from cptui.dates import WorkCalendar
from cptui.rules import counted_reviews


@dataclass
class Series:
    meetings: list[date] = field(default_factory=list)
    review: date | None = None  # a review conference to book (None: one is booked already)
    until: date | None = None  # the review the series runs up to
    note: str = ""
    rhythm: str = ""  # the timescale(s) the dates follow, as the profile says them


def on_or_before_working_day(cal: WorkCalendar, d: date) -> date:
    """Never later than the timescale allows: step back to a working day."""
    while not cal.is_working_day(d):
        d -= timedelta(days=1)
    return d


def propose(cv: CaseView, cal: WorkCalendar, today: date) -> Series:
    case, profile = cv.case, cv.profile
    if "core_group" not in profile.timescales:
        return Series(note=f"{profile.name} sets no core group rhythm")
    booked_review = min((k.date for k in case.conferences if k.status == "scheduled"
                         and k.kind == "review" and k.date >= today), default=None)
    due_review = min((d.due for d in cv.open_deadlines if d.rule in ("first_review", "review")),
                     default=None)
    until = booked_review or (on_or_before_working_day(cal, due_review) if due_review else None)
    if until is None:
        return Series(note="no review conference is due: nothing to schedule up to")
    meetings = [g for g in case.core_groups if g.status in ("held", "scheduled")]
    open_first = next((d for d in cv.open_deadlines if d.rule == "first_core_group"), None)
    if not meetings and open_first is None:
        return Series(note="no core group to count from yet")
    out: list[date] = []
    if meetings:
        prev = max(g.date for g in meetings)
    else:
        prev = on_or_before_working_day(cal, open_first.due)  # type: ignore[union-attr]
        out.append(prev)
    reviews = counted_reviews(case, today)  # the same reviews the core_group rule counts
    used: list[str] = []
    while True:
        key = "core_group"
        if "core_group_after_first_review" in profile.timescales and any(
            r <= prev for r in reviews
        ):
            key = "core_group_after_first_review"
        text = profile.timescales[key].text
        nxt = on_or_before_working_day(cal, cal.add(prev, profile.timescales[key].timescale))
        if nxt >= until:
            break
        if text not in used:
            used.append(text)
        out.append(nxt)
        prev = nxt
    return Series(out, None if booked_review else until, until,
                  rhythm=", then ".join(used) or text)
