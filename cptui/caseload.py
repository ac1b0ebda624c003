"""A cases folder loaded as one caseload: cases, deadlines, flags, problems.

This is the single entry point the command line and the TUI share. A broken
file is kept as a ``BrokenFile`` so every screen can show it; it is never
silently missing and never used for deadlines.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from cptui.bulk import no_cyclic_gc
from cptui.dates import HOLIDAY_SPAN, WorkCalendar, fmt_date
from cptui.flags import practice_flags
from cptui.jsonrows import json_lines
from cptui.loader import build_case, read_toml
from cptui.locate import Locator
from cptui.model import Case
from cptui.problems import Problem, display_path, has_errors
from cptui.profiles import Profile, ProfileError, get_profile, library_for
from cptui.rules import Deadline, compute
from cptui.settings import SETTINGS_FILE, Settings, load_settings
from cptui.summaries import DeadlineRows, Strings, Summary, decode, encode

if TYPE_CHECKING:
    from cptui.changes import Change, Saved


class CaseGone(LookupError):
    """A case shown from its summary no longer loads (the file changed and is broken)."""


class CaseView:
    """One usable case with everything computed for it.

    ``case`` may be loaded lazily: a view built from the cache holds its summary,
    deadlines and problems, and reads the file again (``loader``) the first time
    the whole case is asked for. If the file changed meanwhile, the view takes
    on everything the new read computed, so case and deadlines always agree.
    """

    def __init__(self, case: Case | None, profile: Profile, deadlines: list[Deadline] | None,
                 problems: list[Problem], summary: Summary | None = None,
                 loader: "Callable[[], tuple[CaseView | None, list[Problem]]] | None" = None,
                 rows: DeadlineRows | None = None) -> None:
        if case is None and (summary is None or loader is None):
            raise ValueError("a view without its case needs a summary and a loader")
        if deadlines is None and rows is None:
            raise ValueError("a view needs its deadlines, or their cached rows")
        self._case = case
        self.profile = profile
        self._rows = rows  # decoded into Deadlines only when all of them are asked for
        self.deadlines = deadlines  # type: ignore[assignment]
        self.problems = problems  # warnings only (a file with errors is broken)
        self.summary = summary if summary is not None else Summary.of(case, profile.name)
        self._loader = loader

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def loaded(self) -> bool:
        """True once the whole case is in memory."""
        return self._case is not None

    @property
    def case(self) -> Case:
        if self._case is None:
            self._read_again()
        assert self._case is not None
        return self._case

    def _read_again(self, force: bool = False) -> None:
        """Read the whole case from its file; take on what it computes if the file
        changed (or, ``force``, whatever it computes)."""
        assert self._loader is not None
        full, probs = self._loader()
        if full is None:
            first = next((p for p in probs if p.severity == "error"), None)
            raise CaseGone(f"{self.summary.path.name} no longer loads"
                           + (f": {first.message}" if first else ""))
        if force or full.summary.digest != self.summary.digest:
            self.profile, self.deadlines = full.profile, full.deadlines
            self.problems, self.summary = full.problems, full.summary
        self._case = full.case

    @case.setter
    def case(self, case: Case) -> None:
        self._case = case

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseView):
            return NotImplemented
        return (self.case, self.profile, self.deadlines, self.problems) == (
            other.case, other.profile, other.deadlines, other.problems)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        state = "loaded" if self.loaded else "summary only"
        return f"CaseView({self.id!r}, {self.profile.name!r}, {state})"

    @property
    def open_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.open]

    @property
    def deadlines(self) -> list[Deadline]:
        if self._deadlines is None:
            assert self._rows is not None
            try:
                self._deadlines = self._rows.all()
            except ValueError:  # damaged in the cache: work them out from the file
                self._read_again(force=True)  # sets them (or raises CaseGone: never [])
        assert self._deadlines is not None
        return self._deadlines

    @deadlines.setter
    def deadlines(self, value: list[Deadline] | None) -> None:
        self._deadlines = value
        if value is not None:
            self._rows = None
        self._counts: dict[str, int] | None = None  # the caseload sorts by these, often
        self._next: tuple[Deadline | None] | None = None

    def count(self, status: str) -> int:
        if self._counts is None:
            self._counts = (self._rows.counts() if self._deadlines is None and self._rows
                            else Counter(d.status for d in self.deadlines))
        return self._counts.get(status, 0)

    def having(self, statuses: tuple[str, ...]) -> list[Deadline]:
        """The deadlines with one of these statuses, in order (without decoding the rest)."""
        if self._deadlines is None and self._rows is not None:
            return self._rows.having(statuses)
        return [d for d in self.deadlines if d.status in statuses]

    @property
    def next_deadline(self) -> Deadline | None:
        if self._next is None:
            if self._deadlines is None and self._rows is not None:
                self._next = (self._rows.next_open(),)
            else:
                self._next = (min(self.open_deadlines, key=lambda d: d.due, default=None),)
        return self._next[0]


@dataclass
class BrokenFile:
    path: Path
    problems: list[Problem]

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def first_error(self) -> Problem:
        return next(p for p in self.problems if p.severity == "error")


@dataclass
class Caseload:
    folder: Path
    today: date
    today_source: str  # "machine", "--today", or the settings file that pins it
    settings: Settings
    calendar: WorkCalendar
    soon_until: date
    cases: list[CaseView] = field(default_factory=list)
    broken: list[BrokenFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # every problem, all files
    # JSON output rows (docs/format.md#json-output), per case, in order: only for a
    # load without case views (``models=False``); with views, ``json_lines(view.deadlines)``
    json_lines: list[str] = field(default_factory=list)

    @property
    def pinned(self) -> bool:
        return self.today_source != "machine"

    def clock_note(self) -> str:
        if self.today_source == "machine":
            return f"Today is {fmt_date(self.today)}"
        return f"Clock pinned to {fmt_date(self.today)} by {self.today_source}"

    @property
    def has_errors(self) -> bool:
        return has_errors(self.problems)

    def deadlines(self) -> list[Deadline]:
        return [d for view in self.cases for d in view.deadlines]

    def get(self, case_id: str) -> CaseView | None:
        return next((view for view in self.cases if view.id == case_id), None)

    def reload_file(self, path: Path) -> CaseView | None:
        """Re-read one file after a save: its deadlines and flags recompute now.

        Touches only that file's entries (a save with 10,000 cases loaded
        must stay instant): a case's id is its file stem, so no paths compare.
        """
        import bisect

        path = Path(path)
        stem = path.stem
        at = next((i for i, view in enumerate(self.cases) if view.id == stem), None)
        if at is not None:
            del self.cases[at]
        self.broken = [b for b in self.broken if b.path.name != path.name]
        name = display_path(path)
        self.problems = [p for p in self.problems if p.path != name]
        view, probs = load_one(path, self.settings, self.calendar, self.today, self.soon_until)
        self.problems.extend(probs)
        if view is None:
            self.broken.append(BrokenFile(path, probs))
        else:
            if at is None:
                at = bisect.bisect_left([c.id for c in self.cases], stem)
            self.cases.insert(at, view)
        return view

    def apply(self, view: CaseView, change: "Change") -> "Saved":
        """Save one change to a case (the sequence is in ``cptui.changes``), then reload that file.

        The file is reloaded even when the save is refused for an external
        change, so what the screens show is what is on disk.
        """
        from cptui.changes import apply_change

        try:
            return apply_change(
                view.summary.path, view.case.digest, change, self.settings.commit_on_save
            )
        finally:
            self.reload_file(view.summary.path)


def case_files(folder: Path) -> list[Path]:
    """Every case file: ``*.toml`` in the folder itself, except the settings."""
    return [folder / e.name for e in case_entries(folder)]


def case_entries(folder: Path) -> list[os.DirEntry]:
    """The same files as directory entries, from one listing: whether each is a
    regular file or a link comes with the listing, so no stat call is needed."""
    try:
        with os.scandir(folder) as it:
            entries = [e for e in it if e.name.endswith(".toml") and e.name != SETTINGS_FILE]
    except OSError:
        return []
    entries.sort(key=lambda e: e.name[:-5])  # by stem, which is the case id
    return entries


def load_caseload(folder: Path, today: date | None = None, use_cache: bool = True,
                  progress: Callable[[int, int, Caseload], None] | None = None,
                  every: int = 500, models: bool = True, workers: int | None = None) -> Caseload:
    """Load every case file in ``folder``.

    Results are cached per file, keyed by a hash of the file's bytes (never
    its modification time) plus everything else a deadline depends on, so an
    unchanged file is not parsed again and a changed one always is.
    ``progress(done, total, caseload_so_far)`` is called every ``every`` files.
    With ``models=False`` (the JSON output) no case models are kept (cached
    ones are not even rebuilt): deadlines come back as JSON lines in
    ``json_lines``, and ``cases`` stays empty.
    ``workers``: processes for changed files (see cptui.pool); None decides
    from the number of CPUs and of changed files, 0 or 1 loads serially.
    """
    from cptui import pool

    settings, problems = load_settings(folder)
    if today is not None:
        source = "--today"
    elif settings.today is not None:
        today, source = settings.today, display_path(folder / SETTINGS_FILE)
    else:
        today, source = date.today(), "machine"
    cal = WorkCalendar(settings.non_working_days)
    soon_until = cal.add(today, settings.warn)
    load = Caseload(folder, today, source, settings, cal, soon_until, problems=list(problems))
    if not folder.is_dir():
        load.problems.append(Problem(display_path(folder), None, None, "error", "no such folder"))
        return load
    from cptui.cache import Cache
    from cptui.fsio import clean_stale_temps

    clean_stale_temps(folder)  # a save killed mid-way leaves only a temp file; tidy it
    # Many long-lived objects (10,000 paths, names, summaries): cyclic GC passes only
    # slow loading down. Frozen after, so later collections do not rescan the caseload.
    with no_cyclic_gc(freeze=True):
        cache = Cache.open(folder, today, settings, models) if use_cache else None
        entries = case_entries(folder)
        files = [folder / e.name for e in entries]
        strings = cache.strings if cache is not None and cache.usable else Strings()
        profiles: dict[str, Profile] = {}  # one object per procedure, not one per case
        names = display_names(folder, [e.name for e in entries])
        # Read and hash everything first: how many files changed decides the pool.
        todo: list[tuple[bytes | None, int | None, str | None, tuple | None]] = []
        for entry, path, name in zip(entries, files, names):
            raw, mode = _read(entry)
            digest = hashlib.sha256(raw).hexdigest() if raw is not None else None
            hit = (cache.get(path, digest, name, mode) if cache is not None and digest is not None
                   else None)
            todo.append((None, None, digest, hit) if hit is not None else (raw, mode, digest, None))
        stale = [(files[i], raw, mode, digest, names[i]) for i, (raw, mode, digest, hit)
                 in enumerate(todo) if hit is None and raw is not None]
        n = pool.workers_for(len(stale), workers)
        if n >= 2 and stale:  # workers encode summaries with the strings numbered now
            if cache is not None and cache.usable:
                strings = cache.shared_strings()
            strings.seed(p.with_overrides(settings.timescales, SETTINGS_FILE)
                         for p in library_for(folder).profiles.values())
        done = _pool_results(stale, n, settings, cal, today, soon_until, strings)
        for i, (path, name, (raw, mode, digest, hit)) in enumerate(zip(files, names, todo), 1):
            if hit is not None:
                blob, probs, lines = hit
                view = None
                if models and blob:
                    try:
                        view = cache.restore(blob, path, partial(
                            load_one, path, settings, cal, today, soon_until))
                    except (ValueError, TypeError, KeyError, IndexError):
                        hit = None  # a damaged entry: the file is read instead, as if changed
            if hit is None:
                got = next(done, None) if raw is not None else None
                if got is None:
                    view, probs = load_one(
                        path, settings, cal, today, soon_until, raw, mode, digest, name
                    )
                    lines = json_lines(view.deadlines) if view is not None else ""
                    kept = view
                else:  # from a worker: its profile and encoded summary, or None
                    encoded, probs, lines = got
                    view = kept = None
                data = None
                if cache is not None and digest is not None:
                    data = cache.put(path, digest, kept, probs, lines, name, mode,
                                     None if got is None else encoded)
                loader = partial(load_one, path, settings, cal, today, soon_until)
                if not models:
                    view = None  # as for cached files: the JSON output needs no models
                elif view is not None:  # kept as a warm load keeps it: summary and deadlines
                    view = _summarised(data or encode(view.summary, view.deadlines, strings),
                                       path, digest, view.profile, view.problems, strings,
                                       profiles, loader)
                elif got is not None and encoded is not None:
                    view = _summarised(data or encoded[1], path, digest, encoded[0], probs,
                                       strings, profiles, loader)
            load.problems.extend(probs)
            if lines and not models:
                load.json_lines.append(lines)
            if view is None and has_errors(probs):
                load.broken.append(BrokenFile(path, probs))
            elif view is not None:
                load.cases.append(view)
            if progress is not None and (i % every == 0 or i == len(files)):
                progress(i, len(files), load)
        if cache is not None:
            cache.save()
    return load


def _summarised(data: list, path: Path, digest: str, profile: Profile,
                problems: list[Problem], strings: Strings, profiles: dict[str, Profile],
                loader: Callable) -> CaseView:
    """A freshly loaded case (here or by a worker) as the caseload keeps it, the same
    as from the cache: its encoded summary and packed deadlines decoded, the whole
    case read again when asked for. So a first (cold) start holds 10,000 summaries,
    not 10,000 whole cases."""
    summary, rows = decode(data, path, digest, strings.table)
    profile = profiles.setdefault(profile.name, profile)
    return CaseView(None, profile, None, problems, summary, loader, rows)


def _pool_results(stale: list, n: int, settings: Settings, cal: WorkCalendar, today: date,
                  soon_until: date, strings: Strings) -> Iterator[tuple]:
    """The pool's results for ``stale`` in order; stops early (the rest load
    serially, in order) if there is no pool or a worker dies."""
    if n < 2 or not stale:
        return iter(())
    return _pooled(stale, n, settings, cal, today, soon_until, strings)


def _pooled(stale: list, n: int, settings: Settings, cal: WorkCalendar, today: date,
            soon_until: date, strings: Strings) -> Iterator[tuple]:
    from cptui import pool

    results = pool.load_stale(stale, n, settings, cal, today, soon_until, strings.index)
    if results is None:
        return
    try:
        yield from results
    except Exception:  # a worker died or failed: the serial path redoes the rest (and
        return  # raises there, with a real traceback, if the failure was the file's)


def display_names(folder: Path, names: list[str]) -> list[str]:
    """``display_path(folder / name)`` for each name, with the folder's part
    worked out once (display_path asks for the working directory every call)."""
    base = display_path(folder / "x")[:-1]  # the folder as shown, with its separator
    if display_path(folder / "x") != base + "x":  # pragma: no cover - defensive
        return [display_path(folder / n) for n in names]
    return [base + (n if n.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1]
                                                      for c in n)) for n in names]


def _read(entry: os.DirEntry) -> tuple[bytes | None, int | None]:
    """(bytes, st_mode) of a regular file from one open; (None, None) leaves
    links, folders and unreadable files to read_toml, which says what is wrong."""
    try:
        if entry.is_symlink() or not entry.is_file():
            return None, None
        fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            chunks = [os.read(fd, st.st_size + 1)]
            while chunks[-1]:  # the file grew since fstat, or a short read
                chunks.append(os.read(fd, 1 << 20))
        finally:
            os.close(fd)
        return b"".join(chunks), st.st_mode
    except OSError:
        return None, None


def load_one(path: Path, settings: Settings, cal: WorkCalendar, today: date,
             soon_until: date, raw: bytes | None = None, mode: int | None = None,
             digest: str | None = None, name: str | None = None
             ) -> tuple[CaseView | None, list[Problem]]:
    """One file, end to end. ``raw``/``mode``/``digest``: already read, stat-ed
    and hashed by the caller, so the file is opened once; ``name`` as shown.

    Whatever goes wrong inside cptui while reading this file is this file's
    problem, said in words: one file never stops the others loading.
    """
    name = name or display_path(path)
    try:
        return _load_one(path, settings, cal, today, soon_until, raw, mode, digest, name)
    except Exception as e:  # a bug in cptui, met by this file
        # The kind of error only: its text may quote the file, and this line may be
        # pasted into a bug report.
        return None, [Problem(name, None, None, "error",
                              f"cptui could not read this file ({type(e).__name__}); it is "
                              "unchanged. Please report this.")]


def _load_one(path: Path, settings: Settings, cal: WorkCalendar, today: date,
              soon_until: date, raw: bytes | None, mode: int | None, digest: str | None,
              name: str) -> tuple[CaseView | None, list[Problem]]:
    res = read_toml(path, name, raw, digest)
    probs = list(res.problems)
    if res.data is None:
        return None, probs
    case, more = build_case(path, res.data, res.text, name)
    probs += more
    if case is None or has_errors(probs):
        return None, probs
    case.digest, case.source = res.digest, res.text
    try:
        if case.procedure is None and not settings.procedure_ok:
            raise ProfileError(f"{SETTINGS_FILE} names an unknown procedure profile; "
                               "fix it or set `procedure` in this case")
        profile = get_profile(case.procedure or settings.procedure, path.parent)
    except ProfileError as e:
        line, col = Locator(res.text).find(("procedure",))
        probs.append(Problem(name, line, col, "error", str(e)))
        return None, probs
    profile = profile.with_overrides(settings.timescales, SETTINGS_FILE)
    deadlines = compute(case, profile, cal, today, soon_until)
    if not (path.stat().st_mode if mode is None else mode) & 0o222:
        probs.append(
            Problem(
                name,
                None,
                None,
                "warning",
                "the file is read-only: cptui shows it but " "cannot save changes to it",
                "read_only",
            )
        )
    probs += practice_flags(case, res.text, name, cal, today, profile)
    probs += _span_warnings(case, name, cal)
    return CaseView(case, profile, deadlines, probs), probs


def _span_warnings(case: Case, name: str, cal: WorkCalendar) -> list[Problem]:
    """Say when a date lies beyond the bank-holiday table (often a typo)."""
    dates = [d for c in case.children for d in (c.plan_start, c.plan_end, c.date_of_birth,
                                               c.expected_date) if d]
    dates += [r.date for arr in (case.events, case.conferences, case.core_groups, case.visits)
              for r in arr]
    bad = sorted({d for d in dates if cal.outside(d)})
    return [Problem(name, None, None, "warning",
                    f"date {d.isoformat()} is outside the bank-holiday table "
                    f"({HOLIDAY_SPAN[0]}–{HOLIDAY_SPAN[1]}): working days near it ignore bank "
                    "holidays; check for a typing slip", "outside_calendar") for d in bad]
