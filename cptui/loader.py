"""Read and validate case files: every problem collected, nothing raised.

Reading goes through ``cptui.tomlread`` (compiled tomli where installed, else
stdlib tomllib; both far faster than tomlkit, which is kept for writing). A file with any error is "broken": it is listed with its
problems, never used for deadlines and never written over, and it never stops
the other files loading.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cptui import SCHEMA, tomlread
from cptui.locate import Locator, PathKey
from cptui.model import (
    ACTION_STATUSES,
    CATEGORIES,
    CONFERENCE_KINDS,
    MEETING_STATUSES,
    MEMBER_KINDS,
    OUTCOMES,
    Action,
    Case,
    Child,
    Conference,
    CoreGroup,
    Event,
    Member,
    Outcome,
    Plan,
    Visit,
)
from cptui.problems import Problem, display_path

CASE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)")
MAX_BYTES = 5 * 1024 * 1024  # a case file is a few KB; refuse anything absurd


@dataclass
class ReadResult:
    """A parsed TOML document, or why it could not be parsed."""

    data: dict[str, Any] | None
    text: str
    problems: list[Problem]
    digest: str


def read_toml(path: Path, shown: str | None = None, raw: bytes | None = None,
              digest: str | None = None) -> ReadResult:
    """Bytes -> dict, reporting encoding, conflict and syntax problems.

    ``raw`` and its SHA-256 ``digest``, when the caller has them, save a
    second read and a second hash.
    """
    name = shown or display_path(path)
    probs: list[Problem] = []

    def err(msg: str, line: int | None = None, col: int | None = None) -> None:
        probs.append(Problem(name, line, col, "error", msg))

    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(path.parent.resolve()):
                err("is a link to a file outside the cases folder; not read")
                return ReadResult(None, "", probs, "")
        if raw is None:
            raw = path.read_bytes()
    except OSError as e:
        err(f"cannot be read: {e.strerror or e}")
        return ReadResult(None, "", probs, "")
    if digest is None:
        digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > MAX_BYTES:
        err(f"is {len(raw) // 1024} KB; a case file is never this large, so it was not read")
        return ReadResult(None, "", probs, digest)
    if not raw.strip():
        err("file is empty: a case file needs at least `schema` and `id`")
        return ReadResult(None, "", probs, digest)
    if raw.startswith(b"\xef\xbb\xbf"):
        probs.append(Problem(name, 1, 1, "warning", "starts with a byte order mark (BOM); read without it"))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        err("is not valid UTF-8 text (save it as UTF-8)", line, col)
        return ReadResult(None, "", probs, digest)
    # The line scan only where a marker could be (any line break counts, as in splitlines).
    marked = "<<<<<<<" in text or "=======" in text or ">>>>>>>" in text or "|||||||" in text
    conflicts = describe_conflicts(text.splitlines()) if marked else None
    if conflicts:
        for line, msg in conflicts:
            err(msg, line, 1)
        return ReadResult(None, text, probs, digest)
    try:
        data = tomlread.loads(text)
    except tomlread.TOMLDecodeError as e:
        msg = str(e)
        m = _POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _POS.sub("", msg).strip()
        if msg.startswith("Invalid date or datetime"):
            msg = "not a real date or date-time (check the day and month)"
        elif "at end of document" in msg:
            msg = msg.replace("(at end of document)", "").strip()
        err(f"invalid TOML: {msg}", line, col)
        return ReadResult(None, text, probs, digest)
    except RecursionError:
        err("invalid TOML: nested too deeply to read")
        return ReadResult(None, text, probs, digest)
    return ReadResult(data, text, probs, digest)


_KEYLINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$")
_HEADERLINE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def describe_conflicts(lines: list[str]) -> list[tuple[int, str]]:
    """One message per conflict block: where it is, which record and field, both sides."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if not _CONFLICT.match(lines[i]):
            i += 1
            continue
        if not lines[i].startswith("<<<<<<<"):
            out.append((i + 1, "unresolved git conflict: a stray conflict marker; remove it"))
            i += 1
            continue
        mid = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(("=======", "|||||||"))), None)
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(">>>>>>>")), None)
        if mid is None or end is None:
            out.append((i + 1, "unresolved git conflict: markers are incomplete; fix by hand"))
            i += 1
            continue
        theirs_start = next(j for j in range(mid, end + 1) if lines[j].startswith(("=======", ">>>>>>>")))
        ours, theirs = lines[i + 1:mid], lines[theirs_start + 1:end]
        where = "at the top of the file"
        for j in range(i - 1, -1, -1):
            h = _HEADERLINE.match(lines[j])
            if h:
                rid = next((m.group(2).strip().strip('"') for ln in lines[j + 1:i]
                            if (m := _KEYLINE.match(ln)) and m.group(1) == "id"), None)
                where = f"in {h.group(1)}" + (f" {rid}" if rid else "")
                break
        fields = {m.group(1) for ln in ours + theirs if (m := _KEYLINE.match(ln))}

        def side(block: list[str]) -> str:
            vals = [f"{m.group(1)} = {m.group(2).strip()}" for ln in block if (m := _KEYLINE.match(ln))]
            return "; ".join(vals) or "(nothing)"

        what = f", field {', '.join(sorted(fields))}" if fields else ""
        out.append((i + 1, f"unresolved git conflict {where}{what}: ours {side(ours)} | theirs "
                           f"{side(theirs)} — keep one and delete the marker lines"))
        i = end + 1
    return out


class _Checker:
    """Typed accessors that record a problem (with position) instead of raising."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._loc: Locator | None = None
        self.problems: list[Problem] = []

    @property
    def loc(self) -> Locator:
        """Built only when a problem needs a position: most files have none."""
        if self._loc is None:
            self._loc = Locator(self.text)
        return self._loc

    def add(self, path: PathKey, msg: str, severity: str = "error", token: str | None = None) -> None:
        line, col = self.loc.find(path, token)
        self.problems.append(Problem(self.name, line, col, severity, msg))  # type: ignore[arg-type]

    def _get(self, d: dict, path: PathKey, key: str, required: bool) -> Any:
        if key not in d:
            if required:
                self.add(path, f"missing `{key}`")
            return None
        return d[key]

    def str_(self, d: dict, path: PathKey, key: str, required: bool = False, enum: tuple = ()) -> str | None:
        v = self._get(d, path, key, required)
        if v is None:
            return None
        if not isinstance(v, str):
            self.add(path + (key,), f"`{key}` must be text, not {_kind(v)}")
            return None
        if enum and v not in enum:
            self.add(path + (key,), f"`{key}` is {v!r}; expected one of: {', '.join(enum)}")
            return None
        return v

    def date_(self, d: dict, path: PathKey, key: str, required: bool = False) -> date | None:
        v = self._get(d, path, key, required)
        if v is None:
            return None
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            try:
                date.fromisoformat(v.strip())
                hint = f"write it without quotes: {key} = {v.strip()}"
            except ValueError:
                hint = "and it is not a real date"
            self.add(path + (key,), f"`{key}` is text, not a date ({hint})")
            return None
        self.add(path + (key,), f"`{key}` must be a date like 2026-01-14, not {_kind(v)} {v!r}")
        return None

    def bool_(self, d: dict, path: PathKey, key: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.add(path + (key,), f"`{key}` must be true or false, not {_kind(v)}")
            return default
        return v

    def ids(self, d: dict, path: PathKey, key: str) -> list[str]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.add(path + (key,), f"`{key}` must be a list of ids like [\"c1\"]")
            return []
        return v

    def table_array(self, d: dict, path: PathKey, key: str) -> list[tuple[PathKey, dict]]:
        """Entries of an array of tables, with duplicate-id and type checks."""
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            self.add(path + (key,), f"`{key}` must be an array of tables ([[{key}]])")
            return []
        seen: set[str] = set()
        out = []
        for i, entry in enumerate(v):
            p = path + (key, i)
            rid = entry.get("id")
            if not isinstance(rid, str) or not rid:
                self.add(p, f"each [[{'.'.join(str(x) for x in path + (key,))}]] needs a text `id`")
                continue
            if rid in seen:
                self.add(p + ("id",), f"duplicate id {rid!r} in `{key}`: ids must be unique")
                continue
            seen.add(rid)
            out.append((p, entry))
        return out

    def refs(self, path: PathKey, key: str, values: list[str], known: set[str], what: str) -> None:
        for v in values:
            if v not in known:
                self.add(path + (key,), f"`{key}` names unknown {what} {v!r}", token=v)

    def ref(self, path: PathKey, key: str, value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            self.add(path + (key,), f"`{key}` names unknown {what} {value!r}")


def _kind(v: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def build_case(path: Path, data: dict[str, Any], text: str, name: str) -> tuple[Case | None, list[Problem]]:
    """Validate a parsed case file and build the model (None if unusable)."""
    ck = _Checker(name, text)
    root: PathKey = ()
    schema = data.get("schema")
    if schema is None:
        ck.add(root, "missing `schema` (add `schema = 1` at the top)")
    elif not isinstance(schema, int) or isinstance(schema, bool):
        ck.add(("schema",), "`schema` must be a whole number")
    elif schema > SCHEMA:
        ck.add(("schema",), f"schema {schema} is newer than this cptui understands ({SCHEMA}); "
               "the file is left untouched (read-only): upgrade cptui to use it")
        return None, ck.problems
    cid = ck.str_(data, root, "id", required=True)
    if cid is not None and not CASE_ID.match(cid):
        ck.add(("id",), f"id {cid!r} may use only letters, digits, '-' and '_'")
    elif cid is not None and cid != path.stem:
        ck.add(("id",), f"id {cid!r} does not match the file name {path.name!r}")

    case = Case(id=cid or path.stem, path=path, schema=schema if isinstance(schema, int) else SCHEMA)
    case.procedure = ck.str_(data, root, "procedure")
    case.lead_social_worker = ck.str_(data, root, "lead_social_worker")
    case.team_manager = ck.str_(data, root, "team_manager")
    case.closed = ck.date_(data, root, "closed")
    case.interpreter = ck.str_(data, root, "interpreter")

    for p, d in ck.table_array(data, root, "children"):
        dob, exp = ck.date_(d, p, "date_of_birth"), ck.date_(d, p, "expected_date")
        ch = Child(d["id"], ck.str_(d, p, "name", required=True) or d["id"], dob, exp,
                   ck.str_(d, p, "category", enum=CATEGORIES), ck.date_(d, p, "plan_start"),
                   ck.date_(d, p, "plan_end"), ck.str_(d, p, "school"),
                   ck.bool_(d, p, "confidential", False))
        if dob is None and exp is None:
            ck.add(p, f"child {ch.id!r} has neither `date_of_birth` nor `expected_date`", "warning")
        if ch.plan_start and ch.plan_end and ch.plan_end < ch.plan_start:
            ck.add(p + ("plan_end",), "`plan_end` is before `plan_start`")
        case.children.append(ch)

    for p, d in ck.table_array(data, root, "members"):
        case.members.append(Member(
            d["id"], ck.str_(d, p, "name", required=True) or d["id"], ck.str_(d, p, "role") or "",
            ck.str_(d, p, "agency") or "", ck.str_(d, p, "kind", enum=MEMBER_KINDS) or "professional",
            ck.bool_(d, p, "core_group", False), ck.str_(d, p, "contact"),
            ck.bool_(d, p, "confidential", False)))

    for p, d in ck.table_array(data, root, "events"):
        when, kind = ck.date_(d, p, "date", required=True), ck.str_(d, p, "kind", required=True)
        if when is None or kind is None:
            continue
        case.events.append(Event(
            d["id"], when, kind, ck.str_(d, p, "summary") or "", ck.bool_(d, p, "s47", False),
            ck.bool_(d, p, "significant", True), ck.bool_(d, p, "confidential", False),
            ck.date_(d, p, "responded")))

    for p, d in ck.table_array(data, root, "conferences"):
        kind = ck.str_(d, p, "kind", required=True, enum=CONFERENCE_KINDS)
        when = ck.date_(d, p, "date", required=True)
        if kind is None or when is None:
            continue
        case.conferences.append(Conference(
            d["id"], kind, when, ck.str_(d, p, "status", enum=MEETING_STATUSES) or "held",
            ck.str_(d, p, "outcome", enum=OUTCOMES), ck.ids(d, p, "children"),
            ck.ids(d, p, "attendees"), ck.ids(d, p, "apologies"), ck.bool_(d, p, "quorate", True),
            ck.date_(d, p, "report_to_parents"), ck.date_(d, p, "report_to_chair"),
            ck.date_(d, p, "decisions_circulated"), ck.date_(d, p, "record_circulated"),
            ck.str_(d, p, "exceptional_reason"), ck.bool_(d, p, "confidential", False)))

    for p, d in ck.table_array(data, root, "core_groups"):
        raw = d.get("date")
        when = ck.date_(d, p, "date", required=True)
        if when is None:
            continue
        case.core_groups.append(CoreGroup(
            d["id"], when, raw if isinstance(raw, datetime) else None,
            ck.str_(d, p, "status", enum=MEETING_STATUSES) or "held", ck.str_(d, p, "chair"),
            ck.ids(d, p, "attendees"), ck.ids(d, p, "apologies"), ck.ids(d, p, "written_reports"),
            ck.str_(d, p, "location"), ck.date_(d, p, "notes_circulated"), ck.str_(d, p, "notes"),
            ck.bool_(d, p, "confidential", False)))

    for p, d in ck.table_array(data, root, "visits"):
        when = ck.date_(d, p, "date", required=True)
        if when is None:
            continue
        case.visits.append(Visit(
            d["id"], when, ck.str_(d, p, "by"), ck.bool_(d, p, "statutory", True),
            ck.ids(d, p, "seen"), ck.ids(d, p, "seen_alone"), ck.ids(d, p, "bedroom_seen"),
            ck.str_(d, p, "notes"), ck.bool_(d, p, "confidential", False)))

    plan = data.get("plan", {})
    if not isinstance(plan, dict):
        ck.add(("plan",), "`plan` must be a table ([plan])")
        plan = {}
    pp: PathKey = ("plan",)
    case.plan = Plan(*(ck.str_(plan, pp, k) or "" for k in
                       ("contingency", "child_views", "parent_views", "disagreements")))
    for p, d in ck.table_array(plan, pp, "outcomes"):
        case.plan.outcomes.append(Outcome(d["id"], *(ck.str_(d, p, k) or "" for k in
                                                      ("concern", "outcome", "evidence"))))
    for p, d in ck.table_array(plan, pp, "actions"):
        due_raw = d.get("due")
        due_text = due_raw.strip() if isinstance(due_raw, str) else None
        if due_text is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", due_text):
            ck.date_(d, p, "due")  # a quoted date: say so rather than treat it as text
            due_text = None
        due = ck.date_(d, p, "due") if due_text is None else None
        status = ck.str_(d, p, "status", enum=ACTION_STATUSES) or "open"
        case.plan.actions.append(Action(
            d["id"], ck.str_(d, p, "action") or "", ck.str_(d, p, "outcome"), ck.str_(d, p, "owner"),
            due, due_text, status, ck.date_(d, p, "done")))

    _check_refs(ck, case)
    return case, ck.problems


def _check_refs(ck: _Checker, case: Case) -> None:
    members = {m.id for m in case.members}
    children = {c.id for c in case.children}
    outcomes = {o.id for o in case.plan.outcomes}
    ck.ref((), "lead_social_worker", case.lead_social_worker, members, "member")
    ck.ref((), "team_manager", case.team_manager, members, "member")
    for i, k in enumerate(case.conferences):
        p: PathKey = ("conferences", i)
        ck.refs(p, "children", k.children, children, "child")
        ck.refs(p, "attendees", k.attendees, members, "member")
        ck.refs(p, "apologies", k.apologies, members, "member")
    for i, g in enumerate(case.core_groups):
        p = ("core_groups", i)
        ck.ref(p, "chair", g.chair, members, "member")
        for key in ("attendees", "apologies", "written_reports"):
            ck.refs(p, key, getattr(g, key), members, "member")
    for i, v in enumerate(case.visits):
        p = ("visits", i)
        ck.ref(p, "by", v.by, members, "member")
        for key in ("seen", "seen_alone", "bedroom_seen"):
            ck.refs(p, key, getattr(v, key), children, "child")
    for i, a in enumerate(case.plan.actions):
        p = ("plan", "actions", i)
        ck.ref(p, "outcome", a.outcome, outcomes, "outcome")
        ck.ref(p, "owner", a.owner, members, "member")


def load_case(path: Path, shown: str | None = None) -> tuple[Case | None, list[Problem]]:
    """Read one case file. The case is None when the file cannot be used."""
    name = shown or display_path(path)
    res = read_toml(path, name)
    if res.data is None:
        return None, res.problems
    case, probs = build_case(path, res.data, res.text, name)
    if case is not None:
        case.digest = res.digest
    return case, res.problems + probs
