"""Team settings from ``cptui.toml``: profile, warning window, closures, clock.

``today`` is an extension of the format (docs/format.md#team-settings): a training folder
pins its clock so a demo looks the same on any day. Every output says when the clock is pinned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cptui.dates import Timescale
from cptui.loader import Checker, read_toml
from cptui.problems import Problem, display_path
from cptui.profiles import DEFAULT_PROFILE, TIMESCALES, ProfileError, get_profile, load_library

SETTINGS_FILE = "cptui.toml"
DEFAULT_WARN = "5 working days"


@dataclass
class Settings:
    path: Path | None = None
    procedure: str = DEFAULT_PROFILE
    procedure_ok: bool = True
    warn: Timescale = field(default_factory=lambda: Timescale.parse(DEFAULT_WARN))
    non_working_days: list[date] = field(default_factory=list)
    timescales: dict[str, str] = field(default_factory=dict)
    today: date | None = None
    output_dir: str | None = None  # where the app writes documents, relative to the folder
    commit_on_save: bool = False  # commit each save to the cases repository (local only)
    profiles_digest: str = (
        ""  # of <folder>/profiles/*.toml: in the cache key, so an edit recomputes
    )


def load_settings(folder: Path) -> tuple[Settings, list[Problem]]:
    path = folder / SETTINGS_FILE
    s = Settings()
    lib = load_library(folder)  # the team's own profiles, checked like case files
    s.profiles_digest = lib.digest
    if not path.exists():
        return s, list(lib.problems)
    s.path = path
    name = display_path(path)
    res = read_toml(path, name)
    if res.data is None:
        s.procedure_ok = False
        return s, lib.problems + res.problems
    data = res.data
    checker = Checker(name, res.text)
    proc = checker.str_(data, (), "procedure")
    if proc is not None:
        try:
            get_profile(proc, folder)
            s.procedure = proc
        except ProfileError as e:
            checker.add(("procedure",), str(e))
            s.procedure_ok = False
    warn = checker.str_(data, (), "warn")
    if warn is not None:
        try:
            s.warn = Timescale.parse(warn)
        except ValueError as e:
            checker.add(("warn",), str(e))
    days = data.get("non_working_days", [])
    if isinstance(days, list) and all(isinstance(d, date) for d in days):
        s.non_working_days = list(days)
    else:
        checker.add(
            ("non_working_days",), "`non_working_days` must be a list of dates like [2026-12-24]"
        )
    s.today = checker.date_(data, (), "today")
    s.output_dir = checker.str_(data, (), "output_dir")
    if s.output_dir is not None and (
        Path(s.output_dir).is_absolute() or s.output_dir.startswith("~")
    ):
        # This file is shared through git: a colleague's setting must not pick a folder anywhere.
        checker.add(
            ("output_dir",),
            "`output_dir` must be relative to the cases folder and outside it, " "like \"../out\"",
        )
        s.output_dir = None
    s.commit_on_save = checker.bool_(data, (), "commit_on_save", False)
    ts = data.get("timescales", {})
    if not isinstance(ts, dict):
        checker.add(("timescales",), "`timescales` must be a table")
        ts = {}
    for rule, text in ts.items():
        p = ("timescales", rule)
        if rule not in TIMESCALES:
            checker.add(p, f"unknown timescale {rule!r}; known: {', '.join(TIMESCALES)}")
            continue
        try:
            Timescale.parse(text)
            s.timescales[rule] = text
        except ValueError as e:
            checker.add(p, str(e))
    return s, lib.problems + res.problems + checker.problems
