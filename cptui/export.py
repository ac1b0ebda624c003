"""Deadlines for other tools: CSV for spreadsheets, ICS for calendars.

Calendar entries leave the machine (phones, shared calendars), so they carry
the case id, the step and the child's id, never a child's name. Nothing in a
case file may become a command elsewhere: every ICS text value is escaped
and folded as RFC 5545 says (a crafted id cannot add a property), and a CSV
cell that a spreadsheet would run as a formula is prefixed with ``'``.

Calendar updates: each event's ``UID`` depends only on the deadline (never
on today), ``DTSTAMP`` is the real UTC time of the export, and ``SEQUENCE``
goes up by one whenever an event's content (dates, title, status,
description) differs from the last export on this machine. The numbers are
kept in a small history beside the cache (``ics-sequence.json`` in the
user's private cache folder; ``cptui cache clear`` leaves it alone).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cptui.dates import fmt_date
from cptui.rules import LABELS, STATUS_TEXT, Deadline

CSV_KEYS = ["case", "child", "rule", "what", "due", "done", "status", "basis", "source", "cite"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEQUENCE_FILE = "ics-sequence.json"


def cell(value: object) -> object:
    """A spreadsheet cell that cannot run: text starting like a formula gets a
    ``'``. A bare CR becomes a newline, so the writer quotes the cell (it
    quotes only the characters of its own line ending) and no row can split."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def to_csv(rows: list[Deadline]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_KEYS, lineterminator="\n")
    w.writeheader()
    for d in rows:
        w.writerow(
            {k: cell(v) for k, v in {**d.as_json(), "what": LABELS.get(d.rule, d.rule)}.items()}
        )
    return buf.getvalue()


def _esc(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped; other
    control characters (not allowed in TEXT) become spaces."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return "".join(" " if (ord(c) < 32 and c != "\t") or c == "\x7f" else c for c in text)


def _fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with a leading space;
    never inside a character."""
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
    """Stable across exports and days: the same deadline always has the same UID."""
    return f"{d.case}.{d.rule}.{d.child or 'case'}.{d.source}@cptui"


class SequenceHistory:
    """Per UID: a hash of the event's content and its SEQUENCE number."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.seen: dict[str, list] = {}
        self.changed = False
        if path is not None:
            from cptui.cache import private

            try:
                if private(path, "file"):
                    data = json.loads(path.read_bytes())
                    if isinstance(data, dict):
                        self.seen = data
            except (OSError, ValueError):
                self.seen = {}

    def sequence(self, key: str, content: str) -> int:
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]
        was = self.seen.get(key)
        if was is None or not isinstance(was, list) or len(was) != 2 or not isinstance(was[1], int):
            self.seen[key], self.changed = [digest, 0], True
        elif was[0] != digest:
            self.seen[key], self.changed = [digest, was[1] + 1], True
        return self.seen[key][1]

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        from cptui.fsio import write_atomic

        try:
            write_atomic(self.path, json.dumps(self.seen, indent=0, sort_keys=True).encode("utf-8"))
            self.changed = False
        except OSError:
            pass  # without history the numbers only rise less often


def default_history() -> SequenceHistory:
    """The history in the user's private cache folder (none if that folder is unsafe)."""
    from cptui.cache import usable_folder, cache_dir

    folder = cache_dir()
    return SequenceHistory(folder / SEQUENCE_FILE if usable_folder(folder) else None)


def _describe(d: Deadline) -> str:
    when = f"Due {fmt_date(d.due)}" if d.open else f"{STATUS_TEXT[d.status]} on {fmt_date(d.done)}"
    return f"{when}. Counted from {fmt_date(d.basis)} ({d.source}). {d.cite}"


def to_ics(rows: list[Deadline], today: date, now: datetime | None = None,
           history: SequenceHistory | None = None) -> str:
    """Open deadlines as all-day events; ones done in the last 90 days as
    cancelled, so a re-import clears them from calendars instead of leaving
    stale entries. Nothing in an event depends on ``today`` except which
    events are included, so exporting on another day changes nothing else."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    history = history if history is not None else default_history()
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cptui//deadlines//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _esc("Child protection deadlines"),
    ]
    for d in rows:
        recently_done = d.done is not None and (today - d.done).days <= 90
        if not d.open and not recently_done:
            continue
        who = f" ({d.child})" if d.child else ""
        done = "" if d.open else "Done: "
        body = [
            f"DTSTART;VALUE=DATE:{d.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due + timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + _esc(f"{done}{d.case}: {LABELS.get(d.rule, d.rule)}{who}"),
            f"STATUS:{'CONFIRMED' if d.open else 'CANCELLED'}",
            "DESCRIPTION:" + _esc(_describe(d)),
            "TRANSP:TRANSPARENT",
        ]
        key = uid(d)
        lines += ["BEGIN:VEVENT", "UID:" + _esc(key), f"DTSTAMP:{stamp}",
                  f"SEQUENCE:{history.sequence(key, chr(10).join(body))}", *body, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    history.save()
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
