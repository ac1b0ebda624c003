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
import tomllib
from dataclasses import dataclass, field
from typing import Any

import tomlkit

from cptui.storage import ARRAYS, Chunk, _apply, _toml_value, chunks, insert_block

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


class _Doc:
    """Our text, cut into chunks we can find by record id and rewrite."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.nl = "\r\n" if "\r\n" in text else "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def chunk(self, key: tuple[str, ...]) -> Chunk | None:
        data = tomllib.loads(self.text())
        if key == ("",):
            return next(c for c in chunks(self.lines) if c.path == ())
        if key == ("plan",):
            return next((c for c in chunks(self.lines) if c.path == ("plan",)), None)
        array, rid = key[:-1], key[-1]
        node: Any = data
        for part in array:
            node = node.get(part, {})
        idx = next(i for i, r in enumerate(node) if r.get("id") == rid)
        return next((c for c in chunks(self.lines) if c.path == array + (idx,)), None)

    def edit(self, key: tuple[str, ...], values: dict[str, Any]) -> None:
        c = self.chunk(key)
        if c is None:
            if key != ("plan",):
                raise ValueError(f"cannot find {key}")
            self.lines += [self.nl, f"[plan]{self.nl}"]
            c = self.chunk(key)
            assert c is not None
        doc = tomlkit.parse("".join(self.lines[c.start:c.end]))
        node: Any = doc
        if key == ("plan",):
            node = doc["plan"]
        elif key != ("",):
            for part in key[:-1]:
                node = node[part]
            node = node[0]
        _apply(node, values)
        self.lines[c.start:c.end] = tomlkit.dumps(doc).splitlines(keepends=True)

    def conflict(self, key: tuple[str, ...], name: str, ours: Any, theirs: Any) -> None:
        """Replace our line for ``name`` with markers around both values."""
        c = self.chunk(key)
        assert c is not None
        pat = re.compile(rf"^\s*{re.escape(name)}\s*=")
        at = next((i for i in range(c.start, c.end) if pat.match(self.lines[i])), None)
        def line(v: Any) -> str:
            return "" if v is None else tomlkit.dumps({name: _toml_value(v)})
        block = (f"<<<<<<< ours{self.nl}{line(ours)}======={self.nl}{line(theirs)}"
                 f">>>>>>> theirs{self.nl}")
        block_lines = block.splitlines(keepends=True)
        if at is None:
            self.lines[c.end:c.end] = block_lines
        else:
            end = at + 1
            while end < c.end and self.lines[end].startswith((" ", "\t", "]")):
                end += 1  # a value that spans lines
            self.lines[at:end] = block_lines

    def delete(self, key: tuple[str, ...]) -> None:
        c = self.chunk(key)
        if c is not None:
            del self.lines[c.start:c.end]

    def append(self, array: tuple[str, ...], body: str) -> None:
        same = [c for c in chunks(self.lines) if c.path[:len(array)] == array
                and len(c.path) == len(array) + 1]
        insert_block(self.lines, same[-1].end if same else len(self.lines), body, self.nl)


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


def _fresh(prefix: str, taken: set[str]) -> str:
    nums = [int(t[len(prefix):]) for t in taken if t.startswith(prefix) and t[len(prefix):].isdigit()]
    n = max(nums, default=0) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


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
    doc = _Doc(ours)
    conflicts: list[str] = []
    prefixes = {a: p for a, p in ARRAYS.values()}

    # Ids both sides added for different records: renumber theirs.
    renames: dict[str, dict[str, str]] = {}
    for key in T:
        if len(key) > 1 and key not in B and key in O and O[key] != T[key]:
            array = key[:-1]
            taken = {k[-1] for k in list(O) + list(T) if k[:-1] == array}
            taken |= set(renames.get(array[-1], {}).values())
            renames.setdefault(array[-1], {})[key[-1]] = _fresh(prefixes[array], taken)

    for key in sorted(set(B) | set(O) | set(T), key=lambda k: (len(k) > 1, k)):
        b, o, t = B.get(key), O.get(key), T.get(key)
        if len(key) > 1 and key[-1] in renames.get(key[-2], {}) and b is None:
            t = None  # handled below as a renamed addition
        if t is not None and len(key) > 1:
            t = _rename(t, renames)
        if b is None and o is None and t is not None:  # added by them
            doc.append(key[:-1], _table(key[:-1], t))
            continue
        if t is None and b is not None and o is not None:  # deleted by them
            if o == b:
                doc.delete(key)
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
                doc.conflict(key, name, ov, tv)
        if changes:
            doc.edit(key, changes)

    for array_name, table in renames.items():
        array = next(a for a in ARRAY_OF.values() if a[-1] == array_name)
        for old, new in table.items():
            rec = _rename(dict(T[array + (old,)], id=new), renames)
            doc.append(array, _table(array, rec))
    return MergeResult(doc.text(), conflicts)


def _table(array: tuple[str, ...], rec: dict[str, Any]) -> str:
    t = tomlkit.document()
    t["id"] = rec["id"]
    for k, v in rec.items():
        if k != "id":
            t[k] = _toml_value(v)
    return f"[[{'.'.join(array)}]]\n" + tomlkit.dumps(t)
