"""Read and validate case files: every problem collected, nothing raised.

Reading goes through ``cptui.tomlread`` (compiled tomli where installed, else
stdlib tomllib; both far faster than tomlkit, which is kept for writing). A file with any
error is "broken": it is listed with its problems, never used for deadlines and never
written over, and it never stops the other files loading.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from cptui import SCHEMA, tomlread
from cptui.locate import Locator, PathKey
from cptui.record_checks import AFTER, file_keys, marker_warnings, nothing
from cptui.records import KINDS, ROOT_REFS, records_of
from cptui.model import Case, Plan
from cptui.problems import Problem, display_path

CASE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def decode_error(e: Exception) -> tuple[int | None, int | None, str]:
    """A TOML parser's error as (line, column, message without the position)."""
    m = _POS.search(str(e))
    line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    return line, col, _POS.sub("", str(e)).strip()
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
        probs.append(
            Problem(name, 1, 1, "warning", "starts with a byte order mark (BOM); read without it")
        )
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
        line, col, msg = decode_error(e)
        if msg.startswith("Invalid date or datetime"):
            msg = "not a real date or date-time (check the day and month)"
        elif "at end of document" in msg:
            msg = msg.replace("(at end of document)", "").strip()
            # The parser gives no line here: point where the text runs out.
            last = text.rstrip().splitlines() or [""]
            line, col = len(last), len(last[-1]) + 1
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
        mid = next(
            (j for j in range(i + 1, len(lines)) if lines[j].startswith(("=======", "|||||||"))),
            None,
        )
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(">>>>>>>")), None)
        if mid is None or end is None or end < mid:  # missing, or out of order
            out.append((i + 1, "unresolved git conflict: markers are incomplete; fix by hand"))
            i += 1
            continue
        theirs_start = next(
            j for j in range(mid, end + 1) if lines[j].startswith(("=======", ">>>>>>>"))
        )
        ours, theirs = lines[i + 1:mid], lines[theirs_start + 1:end]
        inside = [
            (m, blk) for blk in (ours, theirs) for ln in blk[:3] if (m := _HEADERLINE.match(ln))
        ]
        if inside:  # a whole record on one side or both: deleted on one, changed on the other
            h, blk = inside[0]
            rid = next((m.group(2).strip().strip('"') for ln in blk
                        if (m := _KEYLINE.match(ln)) and m.group(1) == "id"), None)
            gone = "our" if not any(ln.strip() for ln in ours) else (
                "their" if not any(ln.strip() for ln in theirs) else None)
            how = (
                f": deleted on {gone} side, changed on the other" if gone else ": both sides differ"
            )
            out.append(
                (
                    i + 1,
                    f"unresolved git conflict in {h.group(1)}"
                    + (f" {rid}" if rid else "")
                    + how
                    + " — keep one version and delete the marker lines",
                )
            )
            i = end + 1
            continue
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
            vals = [
                f"{m.group(1)} = {m.group(2).strip()}" for ln in block if (m := _KEYLINE.match(ln))
            ]
            return "; ".join(vals) or "(nothing)"

        what = f", field {', '.join(sorted(fields))}" if fields else ""
        out.append((i + 1, f"unresolved git conflict {where}{what}: ours {side(ours)} | theirs "
                           f"{side(theirs)} — keep one and delete the marker lines"))
        i = end + 1
    return out


class Checker:
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

    def add(
        self, path: PathKey, msg: str, severity: str = "error", token: str | None = None
    ) -> None:
        line, col = self.loc.find(path, token)
        self.problems.append(Problem(self.name, line, col, severity, msg))  # type: ignore[arg-type]

    def _get(self, d: dict, path: PathKey, key: str, required: bool) -> Any:
        if key not in d:
            if required:
                self.add(path, f"missing `{key}`")
            return None
        return d[key]

    def str_(
        self, d: dict, path: PathKey, key: str, required: bool = False, enum: tuple = ()
    ) -> str | None:
        v = self._get(d, path, key, required)
        if v is None:
            return None
        if not isinstance(v, str):
            self.add(path + (key,), f"`{key}` must be text, not {kind_of(v)}")
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
        self.add(path + (key,), f"`{key}` must be a date like 2026-01-14, not {kind_of(v)} {v!r}")
        return None

    def bool_(self, d: dict, path: PathKey, key: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.add(path + (key,), f"`{key}` must be true or false, not {kind_of(v)}")
            return default
        return v

    def opt_bool(self, d: dict, path: PathKey, key: str) -> bool | None:
        """An optional yes/no where missing means "not recorded" (None)."""
        v = d.get(key)
        if v is not None and not isinstance(v, bool):
            self.add(path + (key,), f"`{key}` must be true or false, not {kind_of(v)}")
            return None
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


def _at(d: dict) -> datetime | None:
    """The time of day, when a record's `date` is a local date-time (docs/format.md#order)."""
    return d["date"] if isinstance(d.get("date"), datetime) else None


def kind_of(v: Any) -> str:
    """A value's type in the words a problem uses: "text", "a number", "a table"."""
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


# (field, check, required, enum, default, or_id) for each field a file may give.
FieldPlan = tuple[str, str, bool, tuple, Any, bool]


@lru_cache(maxsize=None)
def _plan(cls: type) -> tuple[tuple[FieldPlan, ...], bool]:
    """What build_record checks for each field of ``cls``, read once from its
    declaration (not per record), and whether it takes a time of day (``at``)."""
    plan = tuple((name, check, bool(f.metadata.get("required")), f.metadata.get("enum") or (),
                  f.default, bool(f.metadata.get("or_id"))) for name, check, f in _checks(cls))
    return plan, "at" in {f.name for f in fields(cls)}


def _checks(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """(field, check, dataclass field) for each field the file gives, from the type hints
    (read once per class, through ``_plan``)."""
    hints = get_type_hints(cls)
    out = []
    for f in fields(cls):
        if f.name == "id" or f.metadata.get("derived"):
            continue
        hint = hints[f.name]
        inner = [a for a in get_args(hint) if a is not type(None)]
        base = inner[0] if inner and get_origin(hint) is not list else hint
        if hint is bool:
            check = "bool"
        elif base is bool:
            check = "opt_bool"
        elif base is date:
            check = "date"
        elif get_origin(base) is list:
            check = "ids"
        elif base is str:
            check = "str"
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: no check for {hint}")
        out.append((f.name, check, f))
    return tuple(out)


def build_record(checker: Checker, cls: type, d: dict, p: PathKey) -> Any:
    """One record from its table, every field checked as its declaration says.

    Returns None when a required field is missing or unusable (the problem
    is recorded); a name may fall back to the id (``or_id``).
    """
    values: dict[str, Any] = {"id": d["id"]}
    usable = True
    plan, has_at = _plan(cls)
    for name, check, required, enum, default, or_id in plan:
        if name not in d:
            if not required:
                continue  # not given: the declared default, as every check below would give
        else:  # the usual case, a value of the right type, without a checker call
            v = d[name]
            t = type(v)
            if (t is str and check == "str" and (not enum or v in enum)) or (
                    t is date and check == "date") or (
                    t is bool and (check == "bool" or check == "opt_bool")):
                values[name] = v
                continue
        if check == "str":
            v: Any = checker.str_(d, p, name, required=required, enum=enum)
        elif check == "date":
            v = checker.date_(d, p, name, required=required)
        elif check == "bool":
            v = checker.bool_(d, p, name, default)
        elif check == "opt_bool":
            v = checker.opt_bool(d, p, name)
        else:
            v = checker.ids(d, p, name)
        if v is None and required:
            if not or_id:
                usable = False
                continue
            v = d["id"]
        if v is not None:
            values[name] = v
    if not usable:
        return None
    if has_at:
        values["at"] = _at(d)
    return cls(**values)


def build_case(
    path: Path, data: dict[str, Any], text: str, name: str
) -> tuple[Case | None, list[Problem]]:
    """Validate a parsed case file and build the model (None if unusable)."""
    checker = Checker(name, text)
    root: PathKey = ()
    schema = data.get("schema")
    if schema is None:
        checker.add(root, "missing `schema` (add `schema = 1` at the top)")
    elif not isinstance(schema, int) or isinstance(schema, bool):
        checker.add(("schema",), "`schema` must be a whole number")
    elif schema > SCHEMA:
        checker.add(
            ("schema",),
            f"schema {schema} is newer than this cptui understands ({SCHEMA}); "
            "the file is left untouched (read-only): upgrade cptui to use it",
        )
        return None, checker.problems
    cid = checker.str_(data, root, "id", required=True)
    if cid is not None and not CASE_ID.match(cid):
        checker.add(("id",), f"id {cid!r} may use only letters, digits, '-' and '_'")
    elif cid is not None and cid != path.stem:
        checker.add(("id",), f"id {cid!r} does not match the file name {path.name!r}")

    case = Case(
        id=cid or path.stem, path=path, schema=schema if isinstance(schema, int) else SCHEMA
    )
    case.procedure = checker.str_(data, root, "procedure")
    case.lead_social_worker = checker.str_(data, root, "lead_social_worker")
    case.team_manager = checker.str_(data, root, "team_manager")
    case.closed = checker.date_(data, root, "closed")
    case.interpreter = checker.str_(data, root, "interpreter")

    plan = data.get("plan", {})
    if not isinstance(plan, dict):
        checker.add(("plan",), "`plan` must be a table ([plan])")
        plan = {}
    for kind in KINDS.values():
        table, where = (plan, ("plan",)) if kind.array[0] == "plan" else (data, root)
        if kind.name == "outcome":  # the plan's own text comes before its records
            case.plan = Plan(*(checker.str_(plan, ("plan",), k) or "" for k in
                               ("contingency", "child_views", "parent_views", "disagreements")))
        known = file_keys(kind.cls)
        for p, d in checker.table_array(table, where, kind.array[-1]):
            rec = build_record(checker, kind.cls, d, p)
            if rec is not None:
                AFTER.get(kind.name, nothing)(checker, rec, d, p)
                records_of(case, kind).append(rec)
            extra = d.keys() - known  # a set difference in C: most records have none
            if extra:
                marker_warnings(checker, extra, p)
    for table, where, what, cls in ((data, root, "the case itself", Case),
                                    (plan, ("plan",), "[plan]", Plan)):
        if "confidential" in table:
            checker.add(where + ("confidential",), f"`confidential` on {what} hides nothing: "
                        "mark each record to leave out of parent's copies with "
                        "`confidential = true` on it", "warning")
        extra = table.keys() - file_keys(cls) - {"confidential"}
        if extra:
            marker_warnings(checker, extra, where)

    _check_refs(checker, case)
    return case, checker.problems


def _check_refs(checker: Checker, case: Case) -> None:
    """Every field the record declarations mark as a reference names a record that exists."""
    known = {"member": {m.id for m in case.members}, "child": {c.id for c in case.children},
             "outcome": {o.id for o in case.plan.outcomes}}
    for (table, key), target in ROOT_REFS.items():
        checker.ref(table, key, getattr(case, key), known[target], target)
    for kind in KINDS.values():
        for i, rec in enumerate(records_of(case, kind)):
            p: PathKey = kind.array + (i,)
            for key, target in kind.refs.items():
                value = getattr(rec, key)
                if isinstance(value, list):
                    checker.refs(p, key, value, known[target], target)
                else:
                    checker.ref(p, key, value, known[target], target)


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
