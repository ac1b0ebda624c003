"""Per-case summaries: what a caseload of 10,000 cases opens from.

The caseload's rows, filter, sorts and deadline panel need little of each case: its
id, lead social worker, child names and procedure, how many deadlines are in each
status, the next open one, and the overdue and due-soon ones. That is a ``Summary``
plus ``DeadlineRows``; every deadline of a case is decoded only when a screen of that
case asks for them, and the whole case is read from its file only when it is opened.

Cached form (plain JSON values, see cptui.cache): the long strings every deadline of
a procedure repeats (citation, timescale, profile) are stored once, in a table shared
by the whole cache file, and each case's full list of deadline rows is kept as one
compressed JSON text (zlib, then base64: a JSON string), unpacked only when needed.
Without both, 10,000 cases held some 200,000 copies of the same citations in memory,
and the rows alone were 17 MB of text to read at every start (5 MB packed).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from cptui.rules import Deadline

if TYPE_CHECKING:
    from cptui.model import Case

URGENT = ("overdue", "due_soon")  # the statuses the caseload's panel lists


@dataclass
class Summary:
    """What the caseload shows of a case without its whole record."""

    id: str
    path: Path
    digest: str
    closed: date | None
    lead: str  # the lead social worker's name, as Case.member_name gives it
    children: list[tuple[str, str]]  # (id, name), in file order
    profile: str

    @classmethod
    def of(cls, case: "Case", profile: str) -> "Summary":
        return cls(case.id, case.path, case.digest, case.closed,
                   case.member_name(case.lead_social_worker),
                   [(c.id, c.name) for c in case.children], profile)

    @property
    def child_names(self) -> list[str]:
        return [name for _, name in self.children]

    def child_name(self, cid: str | None) -> str:
        """As ``Case.child_name``, so a deadline's label reads the same either way."""
        return next((name for i, name in self.children if i == cid), cid or "—")


FIELDS = [f.name for f in dataclasses.fields(Deadline) if f.init]
AT = {name: i for i, name in enumerate(FIELDS)}
SHARED = tuple(AT[n] for n in ("cite", "timescale", "origin"))  # stored once, by number


class Strings:
    """The cache file's table of shared strings: a string's number never changes."""

    def __init__(self, table: list[str] | None = None) -> None:
        self.table = list(table or [])
        self.index = {s: i for i, s in enumerate(self.table)}

    def number(self, s: str) -> int:
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.table)
            self.table.append(s)
        return i

    def seed(self, profiles: Iterable[Any]) -> None:
        """Number every shared string these profiles can give a deadline, before
        worker processes encode with a copy of the table (``KnownStrings``)."""
        for profile in sorted(profiles, key=lambda p: p.name):
            for setting in profile.timescales.values():
                for s in (setting.cite, setting.text, setting.origin):
                    self.number(s)


class KnownStrings:
    """A worker process's copy of the parent's table: the number of a string the
    table had, else the string itself (a worker cannot add numbers the parent and
    the other workers would agree on). ``DeadlineRows`` reads either."""

    def __init__(self, index: dict[str, int]) -> None:
        self.index = index

    def number(self, s: str) -> int | str:
        return self.index.get(s, s)


@functools.cache  # built on first use: cptui.cache imports this module
def _encoder() -> Callable[[Any], list]:
    from cptui.cache import codec
    from cptui.rules import Deadline

    return codec(Deadline)[0]


@functools.cache
def _decoder() -> Callable[[list], Any]:
    from cptui.cache import codec
    from cptui.rules import Deadline

    return codec(Deadline)[1]


class DeadlineRows:
    """A case's deadlines as cached, decoded only as far as asked for."""

    __slots__ = ("_counts", "_next", "_urgent", "_text", "_strings")

    def __init__(self, counts: dict[str, int], next_row: list | None, urgent: list[list],
                 text: str, strings: list[str]) -> None:
        self._counts, self._next, self._urgent = counts, next_row, urgent
        self._text, self._strings = text, strings

    def _decode(self, row: list) -> "Deadline":
        row = row[:]
        for i in SHARED:
            if type(row[i]) is int:
                row[i] = self._strings[row[i]]
            elif type(row[i]) is not str:  # a string is one a worker wrote out (KnownStrings)
                raise TypeError("cached shared string of another type")
        return _decoder()(row)

    def all(self) -> list["Deadline"]:
        """Every deadline; ValueError if the packed rows are damaged."""
        try:
            return [self._decode(r) for r in _unpack(self._text)]
        except (ValueError, TypeError, KeyError, IndexError, zlib.error) as e:
            raise ValueError(f"cached deadline rows damaged: {e}") from None

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def having(self, statuses: tuple[str, ...]) -> list["Deadline"]:
        if all(s in URGENT for s in statuses):
            rows = self._urgent
        else:
            rows = _unpack(self._text)
        at = AT["status"]
        return [self._decode(r) for r in rows if r[at] in statuses]

    def next_open(self) -> "Deadline | None":
        return None if self._next is None else self._decode(self._next)


def _pack(rows: list[list]) -> str:
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(text, 1)).decode("ascii")


def _unpack(packed: str) -> list[list]:
    return json.loads(zlib.decompress(base64.b64decode(packed)))


def encode(summary: Summary, deadlines: list["Deadline"],
           strings: "Strings | KnownStrings") -> list:
    """A summary and its deadlines as plain JSON values (see the module's docstring)."""
    enc = _encoder()
    rows = []
    for d in deadlines:
        row = enc(d)
        for i in SHARED:
            row[i] = strings.number(row[i])
        rows.append(row)
    status, done, due = AT["status"], AT["done"], AT["due"]
    counts = dict(Counter(r[status] for r in rows))
    # as CaseView.next_deadline: the first of the earliest open ones (ISO dates sort as dates)
    next_row = min((r for r in rows if r[done] is None), key=lambda r: r[due], default=None)
    return [summary.id, None if summary.closed is None else summary.closed.isoformat(),
            summary.lead, [list(c) for c in summary.children], summary.profile, counts,
            next_row, [r for r in rows if r[status] in URGENT], _pack(rows)]


def decode(data: list, path: Path, digest: str, strings: list[str]
           ) -> tuple[Summary, DeadlineRows]:
    """``encode`` undone, for the file now at ``path`` (the path is never cached)."""
    case_id, closed, lead, children, profile, counts, next_row, urgent, text = data
    if not (isinstance(counts, dict) and isinstance(text, str)):
        raise ValueError("cached summary has another shape")
    summary = Summary(case_id, path, digest,
                      None if closed is None else date.fromisoformat(closed), lead,
                      [(c[0], c[1]) for c in children], profile)
    return summary, DeadlineRows(counts, next_row, urgent, text, strings)
