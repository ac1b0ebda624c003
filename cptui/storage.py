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

import hashlib
import os
import re
import tempfile
from cptui import tomlread as tomllib  # one reader: compiled tomli where installed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import tomlkit

from cptui.loader import build_case
from cptui.locate import header_path
from cptui.problems import Problem

# Where each record kind lives, and the prefix of the ids cptui makes for it.
ARRAYS: dict[str, tuple[tuple[str, ...], str]] = {
    "child": (("children",), "c"),
    "member": (("members",), "m"),
    "event": (("events",), "e"),
    "conference": (("conferences",), "k"),
    "core_group": (("core_groups",), "g"),
    "visit": (("visits",), "v"),
    "outcome": (("plan", "outcomes"), "o"),
    "action": (("plan", "actions"), "a"),
}
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def explain_os_error(e: OSError) -> str:
    import errno

    words = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "your disk quota is used up",
             errno.EIO: "the disk reported a read/write error", errno.EACCES: "permission denied",
             errno.EPERM: "permission denied", errno.EROFS: "the folder is read-only"}
    return words.get(e.errno or 0, e.strerror or str(e))


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
    """Cut a TOML text into its root part and one part per table header."""
    out: list[Chunk] = []
    counts: dict[tuple[str, ...], int] = {}
    cur_start, cur_path = 0, ()
    closing: str | None = None
    for i, line in enumerate(lines):
        if closing:
            if closing in line:
                closing = None
            continue
        h = _HEADER.match(line) if line.lstrip().startswith("[") else None
        if h:
            start = i
            while start > cur_start and lines[start - 1].lstrip().startswith("#"):
                start -= 1  # a comment right above a header belongs to it
            out.append(Chunk(cur_start, start, cur_path))
            cur_path = header_path(h.group(1), h.group(2), counts)
            cur_start = start
            continue
        for q in ('"""', "'''"):
            if line.count(q) == 1:
                closing = q
    out.append(Chunk(cur_start, len(lines), cur_path))
    return out


def insert_block(lines: list[str], at: int, body: str, nl: str) -> None:
    """Insert a table at ``at`` with exactly one blank line either side of it."""
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += nl
    block = body.splitlines(keepends=True)
    if at > 0 and lines[at - 1].strip():
        block.insert(0, nl)
    if at < len(lines) and lines[at].strip():
        block.append(nl)
    lines[at:at] = block


def next_id(prefix: str, taken: set[str]) -> str:
    """The next unused id like "v7": one past the highest number with that prefix."""
    nums = [int(t[len(prefix):]) for t in taken if t.startswith(prefix) and t[len(prefix):].isdigit()]
    n = max(nums, default=0) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def table_text(header: str, values: Mapping[str, Any], nl: str = "\n") -> str:
    """A table as TOML text: the header, then the keys in order, those set to None left out."""
    doc = tomlkit.document()
    for k, v in values.items():
        if v is not None:
            doc[k] = _toml_value(v)
    body = tomlkit.dumps(doc)
    return f"{header}{nl}" + (body.replace("\n", nl) if nl != "\n" else body)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask is process-wide, not thread-safe


def private_mode(base: int = 0o600) -> int:
    """Owner-only, or stricter if the user's umask says so."""
    return base & ~_UMASK


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder.

    A crash at any moment leaves either the old file or the new one, never a
    mixture; the temp file is removed on any error.
    """
    mode = (path.stat().st_mode & 0o777) if path.exists() else private_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename durable; the save itself has already happened
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temp files left by a save that was killed (its process is gone).

    Temp names carry the writer's pid, so a save still running in another
    cptui is never touched.
    """
    removed = []
    for tmp in folder.glob(".*.tmp"):
        parts = tmp.name.split(".")  # .NAME.toml.PID.RANDOM.tmp
        if len(parts) < 4 or not parts[-3].isdigit():
            continue
        pid = int(parts[-3])
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # someone else's live process
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def _plain(v: Any) -> Any:
    """tomlkit values -> plain Python, for comparing with what the form gives."""
    if hasattr(v, "unwrap"):
        return v.unwrap()
    return v


def _toml_value(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        arr = tomlkit.array()
        arr.extend(v)
        return arr
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
        table[key] = _toml_value(value)


class CaseFile:
    """One case file as text, edited chunk by chunk, saved atomically."""

    def __init__(self, path: Path, expected_digest: str | None = None, raw: bytes | None = None) -> None:
        self.path = path
        raw = path.read_bytes() if raw is None else raw
        if expected_digest is not None and _digest(raw) != expected_digest:
            raise ExternalChange(
                f"{path.name} was changed on disk since it was loaded (perhaps by git or a "
                "colleague). Nothing was saved: reload (ctrl+r) and make the edit again.")
        self.original = raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SaveError(f"{path.name} is not valid UTF-8; it is never written over") from e
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.lines = text.splitlines(keepends=True)

    # --- locating ---------------------------------------------------------
    def chunk_at(self, path: tuple[str | int, ...]) -> Chunk | None:
        """The chunk for a table path: () root, ("plan",), ("visits", 3)."""
        return next((c for c in chunks(self.lines) if c.path == path), None)

    def _array(self, array: tuple[str, ...]) -> list[Any]:
        node: Any = tomllib.loads("".join(self.lines))
        for part in array:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, list) else []

    def record_chunk(self, array: tuple[str, ...], rid: str) -> Chunk:
        """The [[array]] table holding record ``rid``, or a SaveError saying why not."""
        idx = next((i for i, e in enumerate(self._array(array))
                    if isinstance(e, dict) and e.get("id") == rid), None)
        if idx is None:
            raise SaveError(f"no record {rid!r} in {'.'.join(array)}")
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
    def _edit_chunk(self, chunk: Chunk, keys: tuple[str | int, ...], values: Mapping[str, Any]) -> None:
        text = "".join(self.lines[chunk.start:chunk.end])
        doc = tomlkit.parse(text)
        node: Any = doc
        for k in keys:
            node = node[k]
        _apply(node, values)
        new = tomlkit.dumps(doc)
        if new and not new.endswith("\n"):
            new += self.newline
        self.lines[chunk.start:chunk.end] = new.splitlines(keepends=True)

    def set_root(self, values: Mapping[str, Any]) -> None:
        chunk = self.chunk_at(())
        assert chunk is not None
        self._edit_chunk(chunk, (), values)

    def set_table(self, name: str, values: Mapping[str, Any]) -> None:
        """Keys of a plain table such as [plan], creating it at the end if absent."""
        chunk = self.chunk_at((name,))
        if chunk is None:
            self._append_text(f"[{name}]{self.newline}", at=len(self.lines))
            chunk = self.chunk_at((name,))
            assert chunk is not None
        self._edit_chunk(chunk, (name,), values)

    def update_record(self, array: tuple[str, ...], rid: str, values: Mapping[str, Any]) -> None:
        self._edit_chunk(self.record_chunk(array, rid), array + (0,), values)

    def append_record(self, array: tuple[str, ...], values: Mapping[str, Any]) -> None:
        """A new [[array]] table (``values`` includes its id) after the last of its kind."""
        same = [c for c in chunks(self.lines) if c.path[:len(array)] == array and len(c.path) == len(array) + 1]
        at = same[-1].end if same else len(self.lines)
        self._append_text(table_text(f"[[{'.'.join(array)}]]", values, self.newline), at)

    def delete_record(self, array: tuple[str, ...], rid: str) -> None:
        chunk = self.record_chunk(array, rid)
        del self.lines[chunk.start:chunk.end]
        # keep one blank line between neighbours, not two
        s = chunk.start
        if 0 < s < len(self.lines) and not self.lines[s - 1].strip() and not self.lines[s].strip():
            del self.lines[s]

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
            return [Problem(self.path.name, None, None, "error", f"the edit would make invalid TOML: {e}")]
        _, probs = build_case(self.path, data, text, self.path.name)
        return [p for p in probs if p.severity == "error"]

    def save(self) -> str:
        """Validate, then write atomically; returns the new content hash."""
        errors = self.check()
        if errors:
            raise SaveError("Not saved: the edit would leave the file with errors:\n"
                            + "\n".join(f"  {p.message}" for p in errors))
        data = self.text().encode("utf-8")
        if data != self.original:
            current = self.path.read_bytes()
            if current != self.original:
                raise ExternalChange(f"{self.path.name} changed on disk while you were editing; "
                                     "nothing was saved: reload and make the edit again")
            if not self.path.stat().st_mode & 0o222:
                raise SaveError(f"{self.path.name} is read-only; nothing was saved")
            try:
                write_atomic(self.path, data)
            except OSError as e:
                raise SaveError(f"could not save {self.path.name}: {explain_os_error(e)}. "
                                "The file on disk is unchanged.") from e
        return _digest(data)


def new_case_text(case_id: str, procedure: str, child: Mapping[str, Any],
                  worker: Mapping[str, Any]) -> str:
    """A fresh case file: schema, id, procedure, one child, the lead worker."""
    root = {"schema": 1, "id": case_id, "procedure": procedure, "lead_social_worker": "m1"}
    return (table_text("", root).lstrip("\n")
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

