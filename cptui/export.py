"""Deadlines for other tools: CSV for spreadsheets, ICS for calendars.

Calendar entries leave the machine (phones, shared calendars), so they carry
the case id, the step and the child's id, never a child's name.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from cptui.rules import LABELS, STATUS_TEXT, Deadline

CSV_KEYS = ["case", "child", "rule", "what", "due", "done", "status", "basis", "source", "cite"]


def to_csv(rows: list[Deadline]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_KEYS, lineterminator="\n")
    w.writeheader()
    for d in rows:
        w.writerow({**d.as_json(), "what": LABELS.get(d.rule, d.rule)})
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with a leading space."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur.decode())
            cur = b""
        cur += b
    out.append(cur.decode())
    return "\r\n ".join(out)


def uid(d: Deadline) -> str:
    """Stable across exports: the same deadline always has the same UID."""
    return f"{d.case}.{d.rule}.{d.child or 'case'}.{d.source}@cptui"


def to_ics(rows: list[Deadline], today: date) -> str:
    """Open deadlines as all-day events; ones done in the last 90 days as
    cancelled, so a re-import clears them from calendars instead of leaving
    stale entries."""
    stamp = f"{today:%Y%m%d}T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cptui//deadlines//EN", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:Child protection deadlines"]
    for d in rows:
        recently_done = d.done is not None and (today - d.done).days <= 90
        if not d.open and not recently_done:
            continue
        who = f" ({d.child})" if d.child else ""
        done = "" if d.open else "Done: "
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(d)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{d.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_esc(f'{done}{d.case}: {LABELS.get(d.rule, d.rule)}{who}')}",
            f"STATUS:{'CONFIRMED' if d.open else 'CANCELLED'}",
            f"DESCRIPTION:{_esc(f'{STATUS_TEXT[d.status]} at {today:%d %b %Y}. Counted from {d.basis:%d %b %Y} ({d.source}). {d.cite}')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
