"""A private cache of loaded cases, so a large caseload opens instantly.

Keyed per file by a SHA-256 of its bytes (a stale deadline is a safety
problem, so modification times are never trusted), its name as shown in
problems and whether it is writable (the read-only warning), and as a whole
by everything else a deadline depends on: today, the bank-holiday table, the
team settings, the profiles and this version of cptui.

The files are JSON of plain values (strings, numbers, lists), rebuilt into
cptui's own classes field by field: loading them can never run code, unlike
pickle. What is stored is what the caseload shows (cptui.summaries) and the
JSON output, never a whole case: an opened case is read from its file.
Profiles are not stored at all; they are looked up by name. The
cache lives in the user's own cache folder (never the shared cases folder,
never git), created 0700 with files 0600, and is not used at all (neither
read nor written) if that folder or file belongs to someone else or others
may write to it. Entries for deleted cases folders are pruned; the cache is
rebuilt silently when missing, corrupt or from another version; ``cptui
cache clear`` empties it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import operator
import os
import re
import stat
import types
import typing
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from cptui import __version__
from cptui import linesfile
from cptui.bulk import no_cyclic_gc
from cptui.fsio import private_mode, write_atomic
from cptui.summaries import Strings, decode, encode

FORMAT = 5
SUFFIX = ".json"
INDEX = "folders.json"  # cache file name -> the cases folder it is for (for pruning)
OLD_SUFFIXES = (".pickle",)  # older cptui; never read, removed on clear and save
VIEWS = ".summaries.json"  # a side file: case summaries and deadlines (see Cache)


def cache_dir() -> Path:
    base = os.environ.get("CPTUI_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "cptui" if not os.environ.get("CPTUI_CACHE_DIR") else root


def cache_file(folder: Path) -> Path:
    """Where the cache for one cases folder lives."""
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / f"{key}{SUFFIX}"


def _uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def private(path: Path, kind: str) -> bool:
    """True if ``path`` is a ``kind`` ("dir"/"file") of this user that nobody else may write.

    A cache others can write is a cache others can forge deadlines into.
    On systems without POSIX owners and modes only the kind is checked.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not (stat.S_ISDIR(st.st_mode) if kind == "dir" else stat.S_ISREG(st.st_mode)):
        return False  # a symlink (or anything else) is refused
    uid = _uid()
    if uid is None:
        return True
    return st.st_uid == uid and not st.st_mode & 0o022


_CODE: str | None = None


def _code_hash() -> str:
    """The core's own source: a changed rule must never be answered from cache."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        for p in sorted(Path(__file__).parent.glob("*.py")):
            h.update(p.read_bytes())
        for p in sorted((Path(__file__).parent / "profile_data").glob("*.toml")):
            h.update(p.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _holiday_key() -> str:
    """The bank-holiday table in use, and where it came from: a changed table
    (a new cptui, or the ``holidays`` library when the shipped one is missing)
    must never leave old deadlines in place."""
    from cptui.dates import bank_holidays, shipped_bank_holidays

    days = ",".join(sorted(d.isoformat() for d in bank_holidays()))
    if shipped_bank_holidays() is not None:
        source = "shipped"
    else:  # the library fills in: its version is part of what the deadlines depend on
        import holidays

        source = f"holidays {getattr(holidays, '__version__', '?')}"
    return f"{source}:{hashlib.sha256(days.encode()).hexdigest()}"


def _context_key(today: date, settings: Any, folder: Path) -> str:
    """Everything but the file a case's deadlines depend on, the team's own profile
    files included (their digest: edited, every case is worked out again)."""
    from cptui.profiles import all_profiles, load_library

    parts = [__version__, str(FORMAT), _code_hash(), today.isoformat(), _holiday_key(),
             repr(asdict(settings)),
             repr(sorted((n, sorted((k, v.text) for k, v in p.timescales.items()))
                         for n, p in all_profiles().items())),
             load_library(folder).digest]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# -- plain data <-> cptui's dataclasses, driven by their type hints -------------

Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
_CODECS: dict[Any, Codec] = {}


def _same(v: Any) -> Any:
    return v


def codec(tp: Any) -> Codec:
    """(encode, decode) for a type hint. Unknown types raise TypeError: such a
    value is not cached rather than stored in a form that cannot come back."""
    if tp in _CODECS:
        return _CODECS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    out: Codec
    if tp in (str, int, float, bool, type(None), typing.Any) or origin is typing.Literal:
        out = (_same, _same)
    elif tp is date:
        out = (date.isoformat, date.fromisoformat)
    elif tp is datetime:
        out = (datetime.isoformat, datetime.fromisoformat)
    elif tp is Path:
        out = (str, Path)
    elif origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot cache {tp}")
        enc, dec = codec(inner[0])
        out = (_same, _same) if dec is _same else (
            lambda v: None if v is None else enc(v), lambda v: None if v is None else dec(v))
    elif origin is list:
        enc, dec = codec(args[0])
        out = (lambda v: [enc(x) for x in v], lambda v: [dec(x) for x in v])
    elif dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        names = [f.name for f in dataclasses.fields(tp) if f.init]
        pairs = [codec(hints[n]) for n in names]
        encs, decs = [p[0] for p in pairs], [p[1] for p in pairs]

        convert = [
            (i, d) for i, d in enumerate(decs) if d is not _same
        ]  # the rest pass as they are
        # All fields at once in C; only those that need it are converted, here and below.
        get_all = operator.attrgetter(*names) if len(names) > 1 else (
            lambda v: (getattr(v, names[0]),) if names else ())
        to_plain = [(i, e) for i, e in enumerate(encs) if e is not _same]

        def enc_dc(v: Any) -> list:
            row = list(get_all(v))
            for i, e in to_plain:
                row[i] = e(row[i])
            return row

        width = len(decs)
        # Plain dataclasses are filled in directly (several times faster than
        # calling __init__ field by field); ones with their own set-up are built.
        direct = (not hasattr(tp, "__post_init__") and not hasattr(tp, "__slots__")
                  and all(f.init for f in dataclasses.fields(tp)))
        new = object.__new__

        def dec_dc(row: list) -> Any:
            if len(row) != width:
                raise ValueError("cached record has another shape")
            row = row[:]  # the cached data stays as it is (it may be saved again)
            for i, d in convert:
                row[i] = d(row[i])
            if direct:
                obj = new(tp)
                obj.__dict__.update(zip(names, row))
                return obj
            return tp(*row)

        out = (enc_dc, dec_dc)
    else:
        raise TypeError(f"cannot cache {tp}")
    _CODECS[tp] = out
    return out


def _classes() -> tuple[Any, Any, Any]:
    from cptui.model import Case
    from cptui.problems import Problem
    from cptui.rules import Deadline

    return Case, Deadline, Problem


def _load(path: Path, context: str) -> dict[str, Any] | None:
    """One cache file's contents, or None if it is missing, corrupt, from
    another context, or not private to this user."""
    if not os.path.lexists(path) or not private(path, "file"):
        return None
    try:
        with no_cyclic_gc():  # many small lists: the cyclic GC only slows parsing down
            data = json.loads(path.read_bytes())
        if (
            isinstance(data, dict)
            and data.get("context") == context
            and isinstance(data["entries"], dict)
            and isinstance(data.get("strings", []), list)
        ):
            return data
    except Exception:  # corrupt, another version: start again
        pass
    return None


# The two side files, each read only by the loads that need it:
# "lines": each file's deadlines as JSON output lines (``cptui deadlines --format json``);
# "views": each case's summary (cptui.summaries), for everything that shows cases.
SIDES = {"lines": ".lines", "views": VIEWS}  # full suffixes, replacing the main file's


@functools.cache  # built on first use: importing the model is what costs
def _problem_decoder() -> Callable[[list], Any]:
    return codec(_classes()[2])[1]


class Cache:
    """Three files per cases folder. The main one (per file: digest, shown
    name, writability, problems) every load reads; beside it, the JSON output
    lines and the case summaries, each read only by the loads that use it.

    Whole case records are never cached: a view opens from its summary and
    reads its file again when the whole case is first asked for (see
    ``cptui.caseload.CaseView``), so an opened case is always what is on disk.
    """

    def __init__(
        self,
        path: Path,
        context: str,
        entries: dict[str, list],
        folder: Path | None = None,
        settings: Any = None,
        usable: bool = True,
        models: bool = True,
    ) -> None:
        self.path, self.context, self.entries = path, context, entries
        self.folder, self.settings, self.usable = folder, settings, usable
        self.wanted = "views" if models else "lines"
        # side -> name -> [digest, data]; a side not read yet is None
        self.side: dict[str, dict[str, list] | None] = {k: None for k in SIDES}
        self.new: dict[str, dict[str, list | None]] = {k: {} for k in SIDES}
        self.strings = Strings()  # the views file's shared strings
        self._blob = b""  # the lines file's text, which its entries point into
        self.dirty = False
        self.seen: set[str] = set()
        self._profiles: dict[str, Any] = {}
        self._equal: dict[str, Any] = {}  # profiles found equal to the lookup's

    def side_path(self, side: str) -> Path:
        return self.path.with_suffix(SIDES[side])

    def _read_side(self, side: str) -> dict[str, list]:
        """A side file's entries, read on first use (like ``_load``: only if private)."""
        if self.side[side] is None:
            where = self.side_path(side)
            if side == "lines":
                mine = os.path.lexists(where) and private(where, "file")
                self.side[side], self._blob = (linesfile.load(where, self.context) if mine
                                               else ({}, b""))
            else:
                data = _load(where, self.context) or {}
                self.side[side] = data.get("entries", {})
                self.strings = Strings(data.get("strings", []))
        return self.side[side]  # type: ignore[return-value]

    @classmethod
    def open(cls, folder: Path, today: date, settings: Any, models: bool = True) -> "Cache":
        """``models=False``: the caller wants JSON output lines, not case views."""
        path = cache_file(folder)
        context = _context_key(today, settings, folder)
        usable = usable_folder(path.parent)
        ours = [path] + [path.with_suffix(ext) for ext in SIDES.values()]
        if usable and any(os.path.lexists(f) and not private(f, "file") for f in ours):
            usable = False  # someone else's file: neither read nor overwritten
        main = (_load(path, context) or {}) if usable else {}
        cache = cls(path, context, main.get("entries", {}), folder, settings, usable, models)
        if usable:
            cache._read_side(cache.wanted)
        return cache

    def get(self, path: Path, digest: str, shown: str | None = None, mode: int | None = None
            ) -> tuple[Any, Any, str | None] | None:
        """(summary data for ``restore`` or None, problems, JSON output lines
        or None) if the file's SHA-256 ``digest``, shown name and writability
        are the ones cached; else None. Views are given when the cache was
        opened for them, lines otherwise. ``shown``, ``mode``: the name as shown
        and the file's st_mode, if the caller has them (saves a stat per file)."""
        if not self.usable:
            return None
        if shown is None:
            from cptui.problems import display_path

            shown = display_path(path)
        name = path.name
        self.seen.add(name)
        hit = self.entries.get(name)
        if hit is None or hit[0] != digest:
            return None
        try:
            writable = _writable(path) if mode is None else bool(mode & 0o222)
            if hit[1] != shown or hit[2] != writable:
                return None
            side = (self.side[self.wanted] or self._read_side(self.wanted)).get(name)
            if self.wanted == "views":
                if hit[3] and (side is None or side[0] != digest):
                    return None
            elif side is None or side[0] != digest:
                return None
            probs = [_problem_decoder()(p) for p in hit[4]] if hit[4] else []
            lines = self._text(side) if self.wanted == "lines" else None
        except Exception:  # an entry of another shape: read the file again
            return None
        if lines is not None:
            return None, probs, lines
        return ((side[1], digest, probs) if hit[3] else None), probs, None

    def restore(self, blob: Any, path: Path, loader: Callable[[], Any]) -> Any:
        """The CaseView that ``get`` found: its summary and deadline rows;
        ``loader`` reads the whole case when it is asked for."""
        from cptui.caseload import CaseView

        data, digest, probs = blob
        summary, rows = decode(data, path, digest, self.strings.table)
        return CaseView(None, self._profile(summary.profile), None, probs, summary, loader, rows)

    def _text(self, entry: list) -> str:
        """An entry's JSON output lines: new ones hold the text, read ones where it lies."""
        if len(entry) == 2:
            return entry[1]
        _, start, end = entry
        if not 0 <= start <= end <= len(self._blob):
            raise ValueError("cached lines outside the file")
        return self._blob[start:end].decode("utf-8")

    def _kept_lines(self, body: dict[str, list]) -> dict[str, list]:
        """The entries read from the lines file that are still good, as texts."""
        kept: dict[str, list] = {}
        for name, m in body.items():
            if name in self.new["lines"]:
                continue  # replaced below
            try:
                kept[name] = [m[0], self._text(m)]
            except (ValueError, TypeError):
                pass  # damaged: that file's lines are worked out again next time
        return kept

    def _profile(self, name: str) -> Any:
        """Profiles are derived from the settings (in the key), so never stored."""
        if name not in self._profiles:
            from cptui.profiles import get_profile
            from cptui.settings import SETTINGS_FILE

            self._profiles[name] = get_profile(name, self.folder).with_overrides(
                self.settings.timescales, SETTINGS_FILE
            )
        return self._profiles[name]

    def shared_strings(self) -> Strings:
        """The table the views file numbers its shared strings in (read first if need be)."""
        if self.usable:
            self._read_side("views")
        return self.strings

    def put(self, path: Path, digest: str, cv: Any, probs: Any, json_lines: str,
            name: str | None = None, mode: int | None = None,
            encoded: tuple[Any, list] | None = None) -> list | None:
        """Store one file's results; gives back the view's summary data (for
        ``restore``) when it was stored, else None. ``name``, ``mode``: as for ``get``.
        ``encoded``: instead of ``cv``, a worker's (profile, encoded summary),
        numbered in ``shared_strings()``."""
        if not self.usable:
            return None
        from cptui.problems import display_path

        self.seen.add(path.name)
        Problem = _classes()[2]
        try:
            view = None
            profile = (cv.profile if cv is not None
                       else encoded[0] if encoded is not None else None)
            if profile is not None:
                known = self._profile(profile.name)
                if profile is not known and profile is not self._equal.get(profile.name):
                    if profile != known:
                        raise ValueError("not the profile a lookup gives back: not cached")
                    self._equal[profile.name] = profile  # a worker's copy: compared once
                self._read_side("views")  # the table new strings are numbered in
                view = (encode(cv.summary, cv.deadlines, self.strings) if cv is not None
                        else encoded[1])  # type: ignore[index]
            penc = codec(Problem)[0]
            writable = _writable(path) if mode is None else bool(mode & 0o222)
            entry = [digest, name or display_path(path), writable, view is not None,
                     [penc(p) for p in probs]]
        except (TypeError, ValueError, AttributeError, OSError):
            self.entries.pop(path.name, None)
            self.dirty = True
            return None
        self.entries[path.name] = entry
        self.new["views"][path.name] = [digest, view] if view is not None else None
        self.new["lines"][path.name] = [digest, json_lines]
        self.dirty = True
        return view

    def save(self) -> None:
        if not self.usable:
            return
        gone = set(self.entries) - self.seen
        for name in gone:
            del self.entries[name]
        try:
            if self.dirty or gone:
                # Side files first: the main file never names entries not written yet.
                for side in SIDES:
                    body = self._read_side(side)
                    if side == "lines":
                        body = self._kept_lines(body)
                    for name, m in self.new[side].items():
                        if m is None:
                            body.pop(name, None)
                        else:
                            body[name] = m
                    for name in set(body) - set(self.entries):
                        del body[name]
                    out: dict[str, Any] = {"context": self.context, "entries": body}
                    if side == "views":
                        out["strings"] = self.strings.table
                        _write(self.side_path(side), out)
                    else:
                        linesfile.write(self.side_path(side), out)
                _write(self.path, {"context": self.context, "entries": self.entries})
                self.dirty, self.new = False, {k: {} for k in SIDES}
                self.path.with_suffix(".models" + SUFFIX).unlink(missing_ok=True)  # cptui < 4
            if self.folder is not None:
                _index(self.path.parent, self.path.name, self.folder)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def _write(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def _writable(path: Path) -> bool:
    return bool(os.stat(path).st_mode & 0o222)


def usable_folder(folder: Path) -> bool:
    """Create the cache folder (0700) if needed; True if it is safe to use."""
    if not os.path.lexists(folder):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=private_mode(0o700))
        except OSError:
            return False
    return private(folder, "dir")


def _index(folder: Path, name: str, cases: Path) -> None:
    """Record which cases folder a cache file is for; delete the caches of
    folders that are gone (and any left by an older cptui)."""
    idx_path = folder / INDEX
    try:
        idx = json.loads(idx_path.read_bytes()) if private(idx_path, "file") else {}
        if not isinstance(idx, dict):
            idx = {}
    except (OSError, ValueError):
        idx = {}
    before = dict(idx)
    idx[name] = str(cases.resolve())
    for other, where in list(idx.items()):
        if not re.fullmatch(r"[0-9a-f]{24}\.json", other):
            del idx[other]  # not a name this module writes: never delete by it
        elif other != name and not Path(where).is_dir():
            (folder / other).unlink(missing_ok=True)
            for side in (".models.json", *SIDES.values()):  # .models: cptui before 4
                (folder / other).with_suffix(side).unlink(missing_ok=True)
            del idx[other]
    if idx != before:
        for old in folder.iterdir():
            if old.suffix in OLD_SUFFIXES:
                old.unlink(missing_ok=True)
        write_atomic(idx_path, json.dumps(idx, indent=1).encode("utf-8"))


def clear() -> tuple[Path, int]:
    """Remove every cache file cptui wrote (nothing else in the folder; the
    calendar SEQUENCE history stays, or calendars would ignore updates)."""
    folder = cache_dir()
    n = 0
    if folder.is_dir() and not folder.is_symlink():
        for p in folder.iterdir():
            ours = r"[0-9a-f]{24}(\.models\.json|\.summaries\.json|\.lines|\.json)"
            if p.is_file() and (re.fullmatch(ours, p.name)
                                or p.suffix in OLD_SUFFIXES or p.name == INDEX
                                or (p.name.startswith(".") and p.name.endswith(".tmp"))):
                p.unlink(missing_ok=True)
                n += 1
    return folder, n
