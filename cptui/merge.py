"""Three-way merge of case files by record id, for git's merge driver.

Two workers recording visits on the same family both add a ``[[visits]]``
table; a text merge conflicts on the adjacent lines, this does not. Rules:

- records added on either side are kept (an id both sides added for
  different records is renumbered on their side, and every field the record
  declarations mark as a reference follows, root keys included);
- different fields of one record merge;
- the same field changed to different values is a conflict, written as
  git-style markers around exactly that field's lines, so keeping either
  side leaves valid TOML and ``cptui check`` names record, field and values;
- a record deleted on one side and changed on the other is a conflict with
  the whole record on the side that kept it.

The result starts from our text, so our layout, comments and line endings
are kept. Before anything is written the result is checked: it must parse
(each side of every conflict kept in turn), and every record of base, ours
and theirs must be accounted for. Whatever the merge cannot key (inline
arrays, a record without an id, tables it does not know) raises
``Unsupported``; the driver then falls back to a visible conflict, never a
silent pick.
"""

from __future__ import annotations

from cptui import tomlread as tomllib  # one reader: compiled tomli where installed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from cptui.locate import table_path
from cptui.records import BY_ARRAY, ROOT_REFS
from cptui.storage import (CaseFile, SaveError, chunks, in_newline, next_id, records_at,
                           table_text, toml_value)
from cptui.tomlscan import scan

Key = tuple[str, ...]  # ("",) root keys, ("plan",) plan keys, array + (id,) a record
ROOT, PLAN = ("",), ("plan",)


@dataclass
class MergeResult:
    text: str
    conflicts: list[str] = field(default_factory=list)


class Unsupported(ValueError):
    """A file shape the record merge cannot key; the driver makes a visible conflict."""


def _records(text: str) -> dict[Key, dict[str, Any]]:
    """Key -> data; raises Unsupported for anything it cannot key."""
    data = tomllib.loads(text)
    arrays = {a[0] for a in BY_ARRAY}
    for k, v in data.items():
        if isinstance(v, dict) and k != "plan":
            raise Unsupported(f"table [{k}]")
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and k not in arrays:
            raise Unsupported(f"array [[{k}]]")
    for k, v in data.get("plan", {}).items():
        if isinstance(v, (dict, list)) and ("plan", k) not in BY_ARRAY:
            raise Unsupported(f"plan.{k}")
    out: dict[Key, dict[str, Any]] = {
        ROOT: {k: v for k, v in data.items() if not isinstance(v, dict) and k not in arrays},
        PLAN: {k: v for k, v in data.get("plan", {}).items() if not isinstance(v, list)}}
    for array in BY_ARRAY:
        for rec in records_at(data, array):
            rid = rec.get("id") if isinstance(rec, dict) else None
            if not isinstance(rid, str):
                raise Unsupported(f"a record in {'.'.join(array)} has no id")
            if array + (rid,) in out:
                raise Unsupported(f"id {rid} is used twice in {'.'.join(array)}")
            out[array + (rid,)] = rec
    return out


def _inline(text: str) -> str | None:
    """The first record array written inline (``visits = [{...}]``), which cannot be edited
    by table."""
    tables = {h.key for h in scan(text).headers if h.double}
    data = tomllib.loads(text)
    for array in BY_ARRAY:
        if records_at(data, array) and array not in tables:
            return ".".join(array)
    return None


def _rename(rec: dict[str, Any], table: Key, renames: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Their record with references to renumbered ids following the renumbering."""
    fields: dict[str, str] = {}
    if table == ROOT:
        fields = {f: t for (tbl, f), t in ROOT_REFS.items() if tbl == ()}
    elif table[:-1] in BY_ARRAY:
        fields = BY_ARRAY[table[:-1]].refs
    out = dict(rec)
    for f, target in fields.items():
        mapping = renames.get(target, {})
        v = out.get(f)
        if isinstance(v, str) and v in mapping:
            out[f] = mapping[v]
        elif isinstance(v, list):
            out[f] = [mapping.get(x, x) if isinstance(x, str) else x for x in v]
    return out


def _field_line(name: str, value: Any, nl: str) -> str:
    return "" if value is None else in_newline(tomlkit.dumps({name: toml_value(value)}), nl)


@dataclass
class _Pending:
    """A conflict to write once every clean edit is in (markers stop the text parsing)."""
    key: Key
    name: str | None  # a field, or None for a whole record
    ours: Any
    theirs: Any


def _spans(
    cf: CaseFile,
) -> tuple[dict[Key, tuple[int, int]], dict[tuple[Key, str], tuple[int, int]]]:
    """Line spans of each record chunk and of each field, keyed like the merge."""
    found = scan(cf.text())
    by_path = {c.path: (c.start, c.end) for c in chunks(cf.lines)}
    recs: dict[Key, tuple[int, int]] = {ROOT: by_path[()]}
    if ("plan",) in by_path:
        recs[PLAN] = by_path[("plan",)]
    counts: dict[tuple[str, ...], int] = {}
    fields: dict[tuple[Key, str], tuple[int, int]] = {}
    table_keys: dict[int, Key] = {-1: ROOT}
    for i, h in enumerate(found.headers):
        path = table_path(h.double, h.key, counts)
        if h.key in BY_ARRAY:  # always [[...]]: a single table there cannot be keyed
            rec = cf._array(h.key)[path[-1]]
            key = h.key + (rec["id"],)
            recs[key] = by_path[path]
            table_keys[i] = key
        elif path == ("plan",):
            table_keys[i] = PLAN
    for t, kvs in found.keys.items():
        if t in table_keys:
            for kv in kvs:
                fields[(table_keys[t], kv.key[0])] = (kv.start, kv.end)
    return recs, fields


def _write_conflicts(cf: CaseFile, pending: list[_Pending]) -> None:
    recs, fields = _spans(cf)
    nl = cf.newline
    edits: list[tuple[int, int, list[str]]] = []  # replace lines[start:end] with these
    for p in pending:
        if p.name is None:
            if p.ours is None:  # we deleted it, they changed it: their record on their side
                array = p.key[:-1]
                ends = [span[1] for k, span in recs.items() if k[:-1] == array]
                at = max(ends) if ends else len(cf.lines)
                body = table_text(f"[[{'.'.join(array)}]]", p.theirs, nl)
                if at > 0 and not cf.lines[at - 1].endswith("\n"):
                    cf.lines[at - 1] += nl  # our last line had none: the marker needs its own
                # blank lines only inside their side, so keeping ours is exactly our file
                lead = nl if at > 0 and cf.lines[at - 1].strip() else ""
                trail = nl if at < len(cf.lines) and cf.lines[at].strip() else ""
                block = f"<<<<<<< ours{nl}======={nl}{lead}{body}{trail}>>>>>>> theirs{nl}"
                edits.append((at, at, block.splitlines(keepends=True)))
            else:  # we changed it, they deleted it: our record on our side
                start, end = recs[p.key]  # its blank lines too, so either side is exact
                ours = cf.lines[start:end]
                if ours and not ours[-1].endswith("\n"):
                    ours[-1] += nl
                block = [f"<<<<<<< ours{nl}", *ours, f"======={nl}", f">>>>>>> theirs{nl}"]
                edits.append((start, end, block))
            continue
        block = [f"<<<<<<< ours{nl}",
                 *_field_line(p.name, p.ours, nl).splitlines(keepends=True),
                 f"======={nl}",
                 *_field_line(p.name, p.theirs, nl).splitlines(keepends=True),
                 f">>>>>>> theirs{nl}"]
        span = fields.get((p.key, p.name))
        if span is None:  # we have no such field: add the block at the end of the record
            start, end = recs[p.key]
            while end > start and not cf.lines[end - 1].strip():
                end -= 1
            if end > 0 and not cf.lines[end - 1].endswith("\n"):
                cf.lines[end - 1] += nl
            edits.append((end, end, block))
        else:
            edits.append((span[0], span[1], block))
    for start, end, block in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        cf.lines[start:end] = block


def _keep(text: str, side: str) -> str:
    """The text with every conflict resolved to one side, as a person following our advice would."""
    out, mode = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            mode = "ours"
        elif line.startswith("=======") and mode:
            mode = "theirs"
        elif line.startswith(">>>>>>>") and mode:
            mode = None
        elif mode is None or mode == side:
            out.append(line)
    return "".join(out)


def _account(B: dict, O: dict, T: dict, result: str, renamed: dict[Key, Key],
             conflicted: set[Key]) -> None:
    """Every record of base, ours and theirs is kept, deleted by a side, or in a conflict."""
    R = _records(_keep(result, "ours")) if conflicted else _records(result)
    lost = []
    for key in sorted(set(B) | set(O) | set(T)):
        if len(key) == 1 or key in conflicted:
            continue
        b, o, t = key in B, key in O, key in T
        if key in renamed:  # both added it: ours stays, theirs under its new id
            if key not in R or renamed[key] not in R:
                lost.append(key)
            continue
        deleted = (b and not o) or (b and not t)
        if not deleted and key not in R:
            lost.append(key)
        if deleted and key in R:
            lost.append(key)
    if lost:
        raise Unsupported(
            "the merge could not account for " + ", ".join(".".join(k) for k in lost)
        )


def merge(base: str, ours: str, theirs: str) -> MergeResult:
    B, O, T = _records(base), _records(ours), _records(theirs)
    where = _inline(ours) or _inline(theirs) or _inline(base)
    if where:
        raise Unsupported(f"{where} is written inline, not as [[{where}]] tables")
    doc = CaseFile(Path("merge.toml"), raw=ours.encode("utf-8"))
    conflicts: list[str] = []
    pending: list[_Pending] = []

    # Ids both sides added for different records: renumber theirs.
    renames: dict[str, dict[str, str]] = {}
    renamed: dict[Key, Key] = {}
    for key in T:
        if key not in B and key in O and O[key] != T[key]:  # the top level and plan always are
            kind = BY_ARRAY[key[:-1]]
            taken = {k[-1] for k in list(O) + list(T) if k[:-1] == key[:-1]}
            taken |= set(renames.get(kind.name, {}).values())
            new = next_id(kind.prefix, taken)
            renames.setdefault(kind.name, {})[key[-1]] = new
            renamed[key] = key[:-1] + (new,)
    T = {k: _rename(v, k, renames) for k, v in T.items()}

    try:
        # in key order: the top level first, and [plan] before its arrays
        for key in sorted(set(B) | set(O) | set(T)):
            b, o, t = B.get(key), O.get(key), T.get(key)
            if key in renamed:
                continue  # handled below as a renamed addition
            label = "top level" if key == ROOT else ".".join(key)
            if b is None and o is None and t is not None:  # added by them
                doc.append_record(key[:-1], t)
                continue
            if t is None and b is not None and o is not None:  # deleted by them
                if o == b:
                    doc.delete_record(key[:-1], key[-1])
                else:
                    conflicts.append(f"{label}: we changed it, they deleted it")
                    pending.append(_Pending(key, None, o, None))
                continue
            if o is None and b is not None and t is not None:
                if t != b:
                    conflicts.append(f"{label}: they changed it, we deleted it")
                    pending.append(_Pending(key, None, None, t))
                continue
            if o is None or t is None:
                continue  # deleted by us, or added by us only
            b = b or {}
            changes: dict[str, Any] = {}
            for name in sorted(set(o) | set(t)):  # one only in base was deleted by both
                bv, ov, tv = b.get(name), o.get(name), t.get(name)
                if ov == tv or tv == bv:
                    continue
                if ov == bv:
                    changes[name] = tv
                else:
                    conflicts.append(f"{label}, field {name}: ours {ov!r}, theirs {tv!r}")
                    pending.append(_Pending(key, name, ov, tv))
            if changes:
                if key == ROOT:
                    doc.set_root(changes)
                elif key == PLAN:
                    doc.set_table("plan", changes)
                else:
                    doc.update_record(key[:-1], key[-1], changes)
        for old, new in renamed.items():
            doc.append_record(
                old[:-1], {"id": new[-1], **{k: v for k, v in T[old].items() if k != "id"}}
            )
    except SaveError as e:
        raise Unsupported(str(e)) from e

    if pending:
        _write_conflicts(doc, pending)
    text = doc.text()
    for side in ("ours", "theirs"):
        try:
            tomllib.loads(_keep(text, side))
        except tomllib.TOMLDecodeError as e:
            raise Unsupported(f"keeping {side} would not be valid TOML: {e}") from e
    _account(B, O, T, text, renamed, {p.key for p in pending})
    return MergeResult(text, conflicts)


def whole_file_conflict(ours: str, theirs: str) -> str:
    """Both versions whole, between markers: nothing is picked for the worker."""
    nl = "\r\n" if "\r\n" in ours else "\n"
    o = ours if ours.endswith("\n") or not ours else ours + nl
    t = theirs if theirs.endswith("\n") or not theirs else theirs + nl
    return f"<<<<<<< ours{nl}{o}======={nl}{t}>>>>>>> theirs{nl}"


def _text_merge(base: Path, ours: Path, theirs: Path) -> tuple[str, bool]:
    """git's own line merge, into a string: (text, clean)."""
    import subprocess

    r = subprocess.run(["git", "merge-file", "-p", str(ours), str(base), str(theirs)],
                       capture_output=True)  # a conflicted result is never used: no labels
    if r.returncode < 0 or r.returncode > 127:
        raise OSError(f"git merge-file failed: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout.decode("utf-8"), r.returncode == 0


def run_driver(base: Path, ours: Path, theirs: Path) -> tuple[int, list[str]]:
    """Git's merge-driver contract: the result goes into OURS; 0 if clean, 1 if conflicted.

    Returns the exit code and lines to tell the worker. Whatever happens,
    the result written either parses and keeps every record, or carries
    conflict markers git will report.
    """
    from cptui.fsio import write_atomic

    raw = [p.read_bytes() for p in (base, ours, theirs)]
    texts = [r.decode("utf-8", errors="strict") for r in raw]
    try:
        result = merge(*texts)
        write_atomic(ours, result.text.encode("utf-8"))
        return (1 if result.conflicts else 0), [f"CONFLICT {c}" for c in result.conflicts]
    except (Unsupported, tomllib.TOMLDecodeError) as e:
        why = str(e)
    notes = [f"the record merge cannot key this file ({why}); trying git's line merge"]
    try:
        text, clean = _text_merge(base, ours, theirs)
        if clean:
            B, O, T = (_records(t) for t in texts)
            _account(B, O, T, text, {}, set())
            write_atomic(ours, text.encode("utf-8"))
            return 0, notes
    except (Unsupported, tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        notes.append(f"the line merge is not safe here ({e})")
    write_atomic(ours, whole_file_conflict(texts[1], texts[2]).encode("utf-8"))
    notes.append("CONFLICT the whole file: both versions are in it between markers; keep one, "
                 "copy over what the other adds, and delete the marker lines")
    return 1, notes
