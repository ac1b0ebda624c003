"""Timeliness: the share of deadlines that fell due and were met on time.

A deadline counts once it has fallen due (due date on or before today, or
already done): met on time, met late, or still overdue. Upcoming ones are
left out, so the figure is the one managers and inspectors ask for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cptui.caseload import Caseload
from cptui.rules import LABELS


@dataclass
class Row:
    group: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    cases: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0


def timeliness(load: Caseload, by: str = "rule", start: date | None = None,
               end: date | None = None) -> tuple[list[Row], Row]:
    rows: dict[str, Row] = {}
    total = Row("All")
    for view in load.cases:
        worker = view.summary.lead
        for d in view.deadlines:
            if d.status not in ("met", "late", "overdue"):
                continue
            if (start and d.due < start) or (end and d.due > end):
                continue
            key = LABELS.get(d.rule, d.rule) if by == "rule" else worker
            for r in (rows.setdefault(key, Row(key)), total):
                setattr(r, {"met": "on_time"}.get(d.status, d.status),
                        getattr(r, {"met": "on_time"}.get(d.status, d.status)) + 1)
                r.cases.add(view.id)
    return sorted(rows.values(), key=lambda r: (r.share, r.group)), total


def bar(share: float, width: int = 20) -> str:
    """A text bar that still reads without colour: ████████░░ 80%."""
    full = round(share * width)
    return "█" * full + "░" * (width - full)


def render_text(rows: list[Row], total: Row, by: str) -> str:
    head = "Procedure step" if by == "rule" else "Lead social worker"
    width = max([len(head)] + [len(r.group) for r in rows]) + 2
    out = [
        f"{head:<{width}} {'fell due':>8} {'on time':>8} {'late':>6} {'overdue':>8}  share on time"
    ]
    for r in rows + [total]:
        out.append(f"{r.group:<{width}} {r.total:>8} {r.on_time:>8} {r.late:>6} {r.overdue:>8}  "
                   f"{r.share:>4.0%} {bar(r.share)}")
    return "\n".join(out)
