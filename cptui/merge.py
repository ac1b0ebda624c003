"""Three-way merge of case files by record id, for git's merge driver.

Two workers recording visits on the same family both add a ``[[visits]]``
table; a text merge conflicts on the adjacent lines, this does not. Rules:

- records added on either side are kept (an id both sides added for
  different records is renumbered on their side, with references in their
  new records updated);
- different fields of one record merge;
- the same field changed to different values is a conflict, written as
  git-style markers around just that field, so ``cptui check`` can name the
  file, record, field and both values, and git reports the file conflicted.

The result starts from our text, so our layout and comments are kept and
only what came from their side changes.
"""

from __future__ import annotations

import re
from cptui import tomlread as tomllib  # one reader: compiled tomli where installed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from cptui.storage import ARRAYS, CaseFile, Chunk, _toml_value, next_id

REF_FIELDS = {  # keys that name other records, by the array they point into
    "members": ("lead_social_worker", "team_manager", "by", "owner", "chair", "attendees",
                "apologies", "written_reports"),
    "children": ("seen", "seen_alone", "bedroom_seen", "children"),
    "outcomes": ("outcome",),
}
ARRAY_OF = {".".join(a): a for a, _ in ARRAYS.values()}


@dataclass
class MergeResult:
    text: str
    conflicts: list[str] = field(default_factory=list)


def _records(text: str) -> dict[tuple[str, ...], dict[str, Any]]:
    """(array..., id) -> record data; ("",) -> root keys; ("plan",) -> plan keys."""
    data = tomllib.loads(text)
    out: dict[tuple[str, ...], dict[str, Any]] = {
        ("",): {k: v for k, v in data.items() if not isinstance(v, (dict, list))
                or (isinstance(v, list) and not all(isinstance(x, dict) for x in v))}}
    plan = data.get("plan", {})
    out[("plan",)] = {k: v for k, v in plan.items() if not isinstance(v, list)}
    for array in ARRAY_OF.values():
        node: Any = data
        for part in array:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        for rec in node if isinstance(node, list) else []:
            if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                out[array + (rec["id"],)] = rec
    return out


def _chunk(cf: CaseFile, key: tuple[str, ...]) -> Chunk:
    """Our chunk for a merge key: ("",) the top, ("plan",), or array + (id,)."""
    if key in (("",), ("plan",)):
        chunk = cf.chunk_at(() if key == ("",) else key)
        assert chunk is not None
        return chunk
    return cf.record_chunk(key[:-1], key[-1])


def _edit(cf: CaseFile, key: tuple[str, ...], values: dict[str, Any]) -> None:
    if key == ("",):
        cf.set_root(values)
    elif key == ("plan",):
        cf.set_table("plan", values)
    else:
        cf.update_record(key[:-1], key[-1], values)


def _conflict(cf: CaseFile, key: tuple[str, ...], name: str, ours: Any, theirs: Any) -> None:
    """Replace our line for ``name`` with git-style markers around both values."""
    c = _chunk(cf, key)
    nl = cf.newline
    pat = re.compile(rf"^\s*{re.escape(name)}\s*=")
    at = next((i for i in range(c.start, c.end) if pat.match(cf.lines[i])), None)

    def line(v: Any) -> str:
        return "" if v is None else tomlkit.dumps({name: _toml_value(v)})

    block = f"<<<<<<< ours{nl}{line(ours)}======={nl}{line(theirs)}>>>>>>> theirs{nl}"
    block_lines = block.splitlines(keepends=True)
    if at is None:
        cf.lines[c.end:c.end] = block_lines
    else:
        end = at + 1
        while end < c.end and cf.lines[end].startswith((" ", "\t", "]")):
            end += 1  # a value that spans lines
        cf.lines[at:end] = block_lines


def _rename(rec: dict[str, Any], renames: dict[str, dict[str, str]]) -> dict[str, Any]:
    out = dict(rec)
    for target, keys in REF_FIELDS.items():
        table = renames.get(target, {})
        for k in keys:
            v = out.get(k)
            if isinstance(v, str) and v in table:
                out[k] = table[v]
            elif isinstance(v, list):
                out[k] = [table.get(x, x) if isinstance(x, str) else x for x in v]
    return out


class Unsupported(ValueError):
    """A file shape the record merge does not cover; git's text merge is used."""


def _check_shape(text: str) -> None:
    data = tomllib.loads(text)
    arrays = {a[0] for a in ARRAY_OF.values()}
    for k, v in data.items():
        if isinstance(v, dict) and k != "plan":
            raise Unsupported(f"table [{k}]")
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and k not in arrays:
            raise Unsupported(f"array [[{k}]]")
    for k, v in data.get("plan", {}).items():
        if isinstance(v, (dict, list)) and k not in ("outcomes", "actions"):
            raise Unsupported(f"plan.{k}")


def merge(base: str, ours: str, theirs: str) -> MergeResult:
    for text in (base, ours, theirs):
        _check_shape(text)
    B, O, T = _records(base), _records(ours), _records(theirs)
    doc = CaseFile(Path("merge.toml"), raw=ours.encode("utf-8"))
    conflicts: list[str] = []
    prefixes = {a: p for a, p in ARRAYS.values()}

    # Ids both sides added for different records: renumber theirs.
    renames: dict[str, dict[str, str]] = {}
    for key in T:
        if len(key) > 1 and key not in B and key in O and O[key] != T[key]:
            array = key[:-1]
            taken = {k[-1] for k in list(O) + list(T) if k[:-1] == array}
            taken |= set(renames.get(array[-1], {}).values())
            renames.setdefault(array[-1], {})[key[-1]] = next_id(prefixes[array], taken)

    for key in sorted(set(B) | set(O) | set(T), key=lambda k: (len(k) > 1, k)):
        b, o, t = B.get(key), O.get(key), T.get(key)
        if len(key) > 1 and key[-1] in renames.get(key[-2], {}) and b is None:
            t = None  # handled below as a renamed addition
        if t is not None and len(key) > 1:
            t = _rename(t, renames)
        if b is None and o is None and t is not None:  # added by them
            doc.append_record(key[:-1], t)
            continue
        if t is None and b is not None and o is not None:  # deleted by them
            if o == b:
                doc.delete_record(key[:-1], key[-1])
            else:
                conflicts.append(f"{'.'.join(key)}: we changed it, they deleted it (kept ours)")
            continue
        if o is None and b is not None and t is not None and t != b:
            conflicts.append(f"{'.'.join(key)}: they changed it, we deleted it (left deleted)")
            continue
        if o is None or t is None:
            continue  # deleted by us, or added by us only
        b = b or {}
        changes: dict[str, Any] = {}
        for name in sorted(set(b) | set(o) | set(t)):
            bv, ov, tv = b.get(name), o.get(name), t.get(name)
            if ov == tv or tv == bv:
                continue
            if ov == bv:
                changes[name] = tv
            else:
                where = "top level" if key == ("",) else ".".join(key)
                conflicts.append(f"{where}, field {name}: ours {ov!r}, theirs {tv!r}")
                _conflict(doc, key, name, ov, tv)
        if changes:
            _edit(doc, key, changes)

    for array_name, table in renames.items():
        array = next(a for a in ARRAY_OF.values() if a[-1] == array_name)
        for old, new in table.items():
            rec = _rename(T[array + (old,)], renames)
            doc.append_record(array, {"id": new, **{k: v for k, v in rec.items() if k != "id"}})
    return MergeResult(doc.text(), conflicts)

