"""Writing case files: atomic, minimal, and never over someone else's change.

Edits work on one table at a time. The file is cut into chunks at its table
headers; only the chunk being edited is parsed and re-dumped with tomlkit and
spliced back. tomlkit alone would regroup an array of tables that a person
wrote in two places, so a whole-document round trip could move lines nobody
edited. This way comments, key order, unknown keys and layout survive and a
git diff shows only what was edited.

Every write is checked first: the new text must parse and validate with no
errors, or nothing is written. Files changed on disk since they were loaded
(by content hash) are refused.
"""

from __future__ import annotations

import copy
import hashlib
import re
from cptui import tomlread as tomllib  # one reader: compiled tomli where installed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import tomlkit

from cptui.fsio import explain_os_error, folder_lock, write_atomic
from cptui.loader import build_case
from cptui.locate import table_path
from cptui.problems import Problem
from cptui.records import KINDS
from cptui.tomlscan import scan

# Where each record kind lives, and the prefix of the ids cptui makes for it.
ARRAYS: dict[str, tuple[tuple[str, ...], str]] = {
    k.name: (k.array, k.prefix) for k in KINDS.values()
}


class SaveError(Exception):
    """A save that was refused; the message says why, for the user."""


class ExternalChange(SaveError):
    pass


@dataclass
class Chunk:
    start: int  # index of the header line (0 for the root chunk)
    end: int  # one past the last line
    path: tuple[str | int, ...]  # () root, ("plan",), ("visits", 0), ("plan", "actions", 1)


def chunks(lines: list[str]) -> list[Chunk]:
    """Cut a TOML text into its root part and one part per table header.

    Headers come from the scanner in ``cptui.tomlscan``, which knows strings,
    comments and multi-line values, so text inside a string never starts a
    chunk. A comment block right above a header belongs to that header.
    """
    found = scan("".join(lines))
    out: list[Chunk] = []
    counts: dict[tuple[str, ...], int] = {}
    cur_start, cur_path = 0, ()
    for h in found.headers:
        start = h.line
        while (start > cur_start and start - 1 in found.plain_lines
               and lines[start - 1].lstrip().startswith("#")):
            start -= 1
        out.append(Chunk(cur_start, start, cur_path))
        cur_path = table_path(h.double, h.key, counts)
        cur_start = start
    out.append(Chunk(cur_start, len(lines), cur_path))
    return out


def insert_block(lines: list[str], at: int, body: str, nl: str) -> None:
    """Insert a table at ``at`` with exactly one blank line either side of it."""
    if at > 0 and not lines[at - 1].endswith("\n"):  # a lone "\r" is not TOML
        lines[at - 1] += nl
    block = body.splitlines(keepends=True)
    if at > 0 and lines[at - 1].strip():
        block.insert(0, nl)
    if at < len(lines) and lines[at].strip():
        block.append(nl)
    lines[at:at] = block


def next_id(prefix: str, taken: set[str]) -> str:
    """The next unused id like "v7": one past the highest number with that prefix."""
    nums = [
        int(t[len(prefix) :]) for t in taken if t.startswith(prefix) and t[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(nums, default=0) + 1}"


def table_text(header: str, values: Mapping[str, Any], nl: str = "\n") -> str:
    """A table as TOML text: the header, then the keys in order, those set to None left out."""
    doc = tomlkit.document()
    for k, v in values.items():
        if v is not None:
            doc[k] = toml_value(v)
    return f"{header}{nl}" + in_newline(tomlkit.dumps(doc), nl)


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_LONE_LF = re.compile(r"(?<!\r)\n")


def in_newline(text: str, nl: str) -> str:
    """Text tomlkit wrote in the file's own line ending: tomlkit ends the lines it writes
    with "\n" alone, beside any "\r\n" lines of the file it was given."""
    return _LONE_LF.sub(nl, text) if nl != "\n" else text


def _plain(v: Any) -> Any:
    """tomlkit values -> plain Python, for comparing with what the form gives."""
    if hasattr(v, "unwrap"):
        return v.unwrap()
    return v


def _apply(table: Any, values: Mapping[str, Any]) -> None:
    """Set changed keys in order, drop keys set to None; leave the rest alone."""
    for key, value in values.items():
        if value is None:
            if key in table:
                del table[key]
            continue
        if key in table and _plain(table[key]) == value and type(_plain(table[key])) is type(value):
            continue
        table[key] = toml_value(value)


def plain_value(v: Any) -> Any:
    """A value as tomllib would read it back: tuples become lists, tables plain dicts."""
    if isinstance(v, (list, tuple)):
        return [plain_value(x) for x in v]
    if isinstance(v, Mapping):
        return {k: plain_value(x) for k, x in v.items()}
    return v


def toml_value(v: Any) -> Any:
    """A Python value ready for tomlkit: lists and tuples become TOML arrays."""
    if isinstance(v, (list, tuple)):
        arr = tomlkit.array()
        arr.extend(v)
        return arr
    return v


def _set_keys(table: dict[str, Any], values: Mapping[str, Any]) -> None:
    """What an edit means for plain data: keys set, keys given as None removed."""
    for k, v in values.items():
        if v is None:
            table.pop(k, None)
        else:
            table[k] = plain_value(v)


def records_at(data: dict[str, Any], array: tuple[str, ...], create: bool = False) -> list[Any]:
    """The list of records at ``array`` ([] for any other shape); ``create`` makes it."""
    node: Any = data
    for part in array[:-1]:
        if not isinstance(node, dict):
            return []
        node = node.setdefault(part, {}) if create else node.get(part)
    if not isinstance(node, dict):
        return []
    if create:
        return node.setdefault(array[-1], [])
    found = node.get(array[-1])
    return found if isinstance(found, list) else []


class CaseFile:
    """One case file as text, edited chunk by chunk, saved atomically.

    Every edit is checked as it is made: the text is parsed again and must
    equal the data as it was with exactly that edit applied, so an edit can
    never land on a neighbouring record, whatever the locator did.
    """

    def __init__(
        self, path: Path, expected_digest: str | None = None, raw: bytes | None = None
    ) -> None:
        self.path = path
        raw = path.read_bytes() if raw is None else raw
        if expected_digest is not None and content_digest(raw) != expected_digest:
            raise ExternalChange(
                f"{path.name} was changed on disk since it was loaded (perhaps by git or a "
                "colleague). Nothing was saved: reload (ctrl+r) and make the edit again.")
        self.original = raw
        self.digest = content_digest(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SaveError(f"{path.name} is not valid UTF-8; it is never written over") from e
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.splitlines(keepends=True)
        try:
            self.data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise SaveError(f"{path.name} is not valid TOML ({e}); fix it by hand first") from e

    # --- locating ---------------------------------------------------------
    def chunk_at(self, path: tuple[str | int, ...]) -> Chunk | None:
        """The chunk for a table path: () root, ("plan",), ("visits", 3)."""
        return next((c for c in chunks(self.lines) if c.path == path), None)

    def _array(self, array: tuple[str, ...]) -> list[Any]:
        return records_at(self.data, array)

    def _index(self, array: tuple[str, ...], rid: str) -> int:
        idx = next((i for i, e in enumerate(self._array(array))
                    if isinstance(e, dict) and e.get("id") == rid), None)
        if idx is None:
            raise SaveError(f"no record {rid!r} in {'.'.join(array)}")
        return idx

    def record(self, kind: str, rid: str | None) -> dict[str, Any] | None:
        """The record as the file has it now (all keys, exact types), or None.

        ``kind`` "plan" gives the [plan] table's keys and "case" the top-level
        ones, so a form for either reads them the same way.
        """
        if kind == "plan":
            return dict(self.data.get("plan", {}))
        if kind == "case":
            return {k: v for k, v in self.data.items() if not isinstance(v, (dict, list))}
        if rid is None:
            return None
        array = ARRAYS[kind][0]
        return next((dict(e) for e in self._array(array)
                     if isinstance(e, dict) and e.get("id") == rid), None)

    def record_chunk(self, array: tuple[str, ...], rid: str) -> Chunk:
        """The [[array]] table holding record ``rid``, or a SaveError saying why not."""
        idx = self._index(array, rid)
        chunk = self.chunk_at(array + (idx,))
        if chunk is None:
            raise SaveError(f"record {rid!r} is not written as a [[{'.'.join(array)}]] table; "
                            "edit it by hand")
        return chunk

    def ids(self, kind: str) -> list[str]:
        return [e.get("id") for e in self._array(ARRAYS[kind][0]) if isinstance(e, dict)]

    def new_id(self, kind: str) -> str:
        return next_id(ARRAYS[kind][1], set(self.ids(kind)))

    # --- editing ------------------------------------------------------------
    def _verified(self, before: list[str], expected: dict[str, Any], what: str) -> None:
        """Keep the edit only if the text now reads as exactly ``expected``."""
        try:
            now = tomllib.loads("".join(self.lines))
        except tomllib.TOMLDecodeError as e:
            self.lines = before
            raise SaveError(f"Edit refused: {what} would make the file invalid TOML ({e}). "
                            "Nothing was changed.") from e
        if now != expected:
            self.lines = before
            raise SaveError(f"Edit refused: {what} would have changed other records in "
                            f"{self.path.name}. Nothing was changed; please report this.")
        self.data = now

    def _edit_chunk(
        self, chunk: Chunk, keys: tuple[str | int, ...], values: Mapping[str, Any]
    ) -> None:
        text = "".join(self.lines[chunk.start:chunk.end])
        doc = tomlkit.parse(text)
        node: Any = doc
        for k in keys:
            node = node[k]
        _apply(node, values)
        new = in_newline(tomlkit.dumps(doc), self.newline)
        if new and not new.endswith("\n"):
            new += self.newline
        self.lines[chunk.start:chunk.end] = new.splitlines(keepends=True)

    def set_root(self, values: Mapping[str, Any]) -> None:
        before, expected = list(self.lines), copy.deepcopy(self.data)
        _set_keys(expected, values)
        chunk = self.chunk_at(())
        assert chunk is not None
        self._edit_chunk(chunk, (), values)
        self._verified(before, expected, "changing the case details")

    def set_table(self, name: str, values: Mapping[str, Any]) -> None:
        """Keys of a plain table such as [plan], creating it at the end if absent."""
        before, expected = list(self.lines), copy.deepcopy(self.data)
        _set_keys(expected.setdefault(name, {}), values)
        chunk = self.chunk_at((name,))
        if chunk is None:
            self._append_text(f"[{name}]{self.newline}", at=len(self.lines))
            chunk = self.chunk_at((name,))
            assert chunk is not None
        self._edit_chunk(chunk, (name,), values)
        self._verified(before, expected, f"changing [{name}]")

    def update_record(self, array: tuple[str, ...], rid: str, values: Mapping[str, Any]) -> None:
        before, expected = list(self.lines), copy.deepcopy(self.data)
        _set_keys(records_at(expected, array)[self._index(array, rid)], values)
        self._edit_chunk(self.record_chunk(array, rid), array + (0,), values)
        self._verified(before, expected, f"editing {rid}")

    def append_record(self, array: tuple[str, ...], values: Mapping[str, Any]) -> None:
        """A new [[array]] table (``values`` includes its id) after the last of its kind."""
        before, expected = list(self.lines), copy.deepcopy(self.data)
        records_at(expected, array, create=True).append(
            {k: plain_value(v) for k, v in values.items() if v is not None})
        same = [
            c
            for c in chunks(self.lines)
            if c.path[: len(array)] == array and len(c.path) == len(array) + 1
        ]
        at = same[-1].end if same else len(self.lines)
        self._append_text(table_text(f"[[{'.'.join(array)}]]", values, self.newline), at)
        self._verified(before, expected, f"adding {values['id']}")

    def delete_record(self, array: tuple[str, ...], rid: str) -> None:
        before, expected = list(self.lines), copy.deepcopy(self.data)
        del records_at(expected, array)[self._index(array, rid)]
        if not records_at(expected, array):  # the last one: the key goes too
            parent: Any = expected
            for part in array[:-1]:
                parent = parent[part]
            del parent[array[-1]]
        chunk = self.record_chunk(array, rid)
        last = chunk.end == len(self.lines)
        # A chunk runs from its header (or the comments right above it) to the next one,
        # its own blank lines included, so the neighbours keep one blank line between them.
        del self.lines[chunk.start:chunk.end]
        while last and self.lines and not self.lines[-1].strip():
            self.lines.pop()  # the blank line above it: adding, then deleting, is no change
        self._verified(before, expected, f"deleting {rid}")

    def update(self, kind: str, rid: str, values: Mapping[str, Any]) -> None:
        self.update_record(ARRAYS[kind][0], rid, values)

    def add(self, kind: str, values: Mapping[str, Any]) -> str:
        """Append a new record after the last one of its kind; returns its id."""
        array = ARRAYS[kind][0]
        rid = values.get("id") or self.new_id(kind)
        if rid in self.ids(kind):
            raise SaveError(f"id {rid!r} is already used in {'.'.join(array)}")
        self.append_record(array, {"id": rid, **{k: v for k, v in values.items() if k != "id"}})
        return rid

    def delete(self, kind: str, rid: str) -> None:
        self.delete_record(ARRAYS[kind][0], rid)

    def _append_text(self, body: str, at: int) -> None:
        insert_block(self.lines, at, body, self.newline)

    # --- saving -------------------------------------------------------------
    def text(self) -> str:
        return "".join(self.lines)

    def check(self) -> list[Problem]:
        text = self.text()
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            return [
                Problem(
                    self.path.name, None, None, "error", f"the edit would make invalid TOML: {e}"
                )
            ]
        _, probs = build_case(self.path, data, text, self.path.name)
        return [p for p in probs if p.severity == "error"]

    def save(self) -> str:
        """Validate, then write atomically under the folder's lock; returns the new content hash.

        Under the lock the file is read again and must still be exactly what
        this edit started from: two cptui processes saving at once, or a git
        pull landing meanwhile, make the later save fail loudly instead of
        writing over the other change.
        """
        errors = self.check()
        if errors:
            raise SaveError("Not saved: the edit would leave the file with errors:\n"
                            + "\n".join(f"  {p.message}" for p in errors))
        data = self.text().encode("utf-8")
        if data == self.original:
            return content_digest(data)
        try:
            with folder_lock(self.path.parent):
                self.write_locked(data)
        except OSError as e:
            raise SaveError(f"could not save {self.path.name}: {explain_os_error(e)}. "
                            "The file on disk is unchanged.") from e
        return content_digest(data)

    def write_locked(self, data: bytes) -> None:
        """The compare-and-write step; the caller holds ``folder_lock``."""
        if self.path.read_bytes() != self.original:
            raise ExternalChange(f"{self.path.name} changed on disk while you were editing; "
                                 "nothing was saved: reload and make the edit again")
        if not self.path.stat().st_mode & 0o222:
            raise SaveError(f"{self.path.name} is read-only; nothing was saved")
        target = self.path
        if target.is_symlink():  # saved through the link, which stays a link
            target = self.path.resolve()
            if self.path.parent.resolve() not in target.parents:
                raise SaveError(f"{self.path.name} is a link to a file outside the cases "
                                "folder; nothing was saved")
        write_atomic(target, data)


def new_case_text(
    root: Mapping[str, Any], child: Mapping[str, Any], worker: Mapping[str, Any]
) -> str:
    """A fresh case file: the root keys given, one child (c1), the lead worker (m1)."""
    return (table_text("", root).lstrip()
            + "\n" + table_text("[[children]]", {"id": "c1", **child})
            + "\n" + table_text("[[members]]", {"id": "m1", **worker}))


def create_case(folder: Path, case_id: str, text: str) -> Path:
    path = folder / f"{case_id}.toml"
    if path.exists():
        raise SaveError(f"{path.name} already exists")
    data = tomllib.loads(text)
    _, probs = build_case(path, data, text, path.name)
    errors = [p for p in probs if p.severity == "error"]
    if errors:
        raise SaveError("Not created: " + "; ".join(p.message for p in errors))
    write_atomic(path, text.encode("utf-8"))
    return path
