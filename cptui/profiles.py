"""Procedure profiles: timescales are data (TOML), never code.

A profile names what it extends and, for each timescale, a value and a short
paraphrased citation (partnership and section), so a manager can always see
why the tool expects a date when it does. Profiles ship with the package
(``cptui/profile_data``) and a team may add its own in ``<cases>/profiles``;
both are checked by ``cptui.profile_check`` and resolved here the same way.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from cptui.dates import Timescale
from cptui.problems import Problem, display_path
from cptui.profile_check import SCOPES, TERMS, TIMESCALES, Checked, check_profile

__all__ = ["DEFAULT_PROFILE", "TIMESCALES", "TERMS", "NOTES_SCOPES", "Setting", "Profile",
           "ProfileError", "Library", "all_profiles", "get_profile", "load_library",
           "library_for", "team_dir"]

DEFAULT_PROFILE = "working-together-2023"
NOTES_SCOPES = SCOPES
TEAM_DIR = "profiles"


@dataclass(frozen=True)
class FlagSetting:
    """A practice flag the profile turns on: its setting and citation."""

    value: str
    cite: str
    origin: str


@dataclass(frozen=True)
class Setting:
    """One timescale as resolved: value, citation, and where it came from."""

    text: str
    timescale: Timescale
    cite: str
    origin: str  # the profile that set it, or "cptui.toml"
    url: str = ""
    team: bool = False  # set by a team's own profile file, not a shipped one
    overrides: tuple[str, str] | None = None  # (profile, value) this one replaced


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    extends: str | None
    timescales: Mapping[str, Setting] = field(default_factory=dict)
    core_group_notes_scope: str = "all"
    quoracy: Mapping[str, object] | None = None  # {lead_agency, other_agencies, cite}
    core_group_plan_scope: str = "all"
    flags: Mapping[str, FlagSetting] = field(default_factory=dict)  # profile-driven practice flags
    terms: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None  # the team file it was read from; None when shipped
    # extra agenda items, parent profile's first: {"first": (...), "later": (...)}
    agenda: Mapping[str, tuple[Mapping[str, str], ...]] = field(default_factory=dict)

    def get(self, rule: str) -> Setting | None:
        return self.timescales.get(rule)

    def term(self, key: str) -> str:
        """The partnership's own word for ``key`` (one of TERMS), e.g. "plan"."""
        if key not in TERMS:
            raise KeyError(f"unknown term {key!r}; known: {', '.join(TERMS)}")
        return self.terms.get(key) or all_profiles()[DEFAULT_PROFILE].terms[key]

    @property
    def team(self) -> bool:
        return self.path is not None

    def with_overrides(self, overrides: Mapping[str, str], origin: str) -> "Profile":
        """Local ``[timescales]`` from cptui.toml; values already validated."""
        if not overrides:
            return self
        merged = dict(self.timescales)
        for rule, text in overrides.items():
            old = merged.get(rule)
            merged[rule] = Setting(
                text,
                Timescale.parse(text),
                f"Local override in {origin}",
                origin,
                overrides=(old.origin, old.text) if old else None,
            )
        return replace(self, timescales=merged)


class ProfileError(ValueError):
    pass


@dataclass
class _Raw:
    checked: Checked
    data: dict[str, Any]  # checked.data, the usable parts


def _build(
    raws: dict[str, _Raw], known: dict[str, Profile]
) -> tuple[dict[str, Profile], list[Problem], dict[str, str]]:
    """Resolve ``raws`` through ``extends`` on top of the ``known`` profiles.

    Returns the profiles that resolved, a problem for each that did not, and
    for each broken one a sentence saying why (shown when a case names it).
    """
    resolved = dict(known)
    problems: list[Problem] = []
    broken: dict[str, str] = {}

    def fail(name: str, key: tuple, msg: str) -> None:
        if name not in broken:
            broken[name] = msg
            problems.append(raws[name].checked.problem(key, msg))

    def resolve(name: str, chain: tuple[str, ...]) -> Profile | None:
        if name in resolved:
            return resolved[name]
        if name in broken:
            return None
        raw = raws[name]
        ext = raw.data.get("extends")
        parent = None
        if ext:
            if ext in chain or ext == name:
                cycle = (chain[chain.index(ext):] if ext in chain else ()) + (name, ext)
                for member in set(cycle):
                    fail(
                        member,
                        ("extends",),
                        f"`extends` goes round in a circle: {' -> '.join(cycle)}",
                    )
                return None
            if ext not in resolved and ext not in raws:
                fail(name, ("extends",), f"`extends` names {ext!r}, which is neither a shipped "
                     f"profile nor a file in {TEAM_DIR}/")
                return None
            parent = resolve(ext, chain + (name,))
            if parent is None:
                fail(name, ("extends",), f"it extends {ext!r}, which cannot be used until its own "
                     "problems are fixed")
                return None
        prof = _make(name, raw, parent)
        resolved[name] = prof
        return prof

    for name in sorted(raws):
        resolve(name, ())
    return {n: p for n, p in resolved.items() if n in raws}, problems, broken


def _make(name: str, raw: _Raw, parent: Profile | None) -> Profile:
    d, team = raw.data, raw.checked.team
    timescales = dict(parent.timescales) if parent else {}
    for rule, spec in d["timescales"].items():
        old = timescales.get(rule)
        timescales[rule] = Setting(
            spec["value"],
            Timescale.parse(spec["value"]),
            spec["cite"],
            name,
            spec["url"],
            team,
            (old.origin, old.text) if old else None,
        )
    inherit = lambda key, default: d.get(
        key, getattr(parent, key) if parent else default
    )  # noqa: E731
    terms = {**(parent.terms if parent else {}), **d["terms"]}
    agenda = {
        when: tuple(parent.agenda.get(when, ()) if parent else ())
        + tuple(d.get("documents", {}).get(f"agenda_{when}", ()))
        for when in ("first", "later")
    }
    return Profile(
        name=name,
        title=d.get("title", name),
        extends=d.get("extends"),
        timescales=timescales,
        core_group_notes_scope=inherit("core_group_notes_scope", "all"),
        quoracy=d.get("quoracy", parent.quoracy if parent else None),
        core_group_plan_scope=inherit("core_group_plan_scope", "all"),
        flags={
            **(parent.flags if parent else {}),
            **{k: FlagSetting(v["value"], v["cite"], name) for k, v in d.get("flags", {}).items()},
        },
        terms=terms,
        path=raw.checked.shown if team else None,
        agenda=agenda,
    )


def _read(
    text: str, shown: str, stem: str, team: bool, shipped: frozenset[str]
) -> _Raw | list[Problem]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        from cptui.loader import decode_error  # the same position parsing as case files

        line, col, msg = decode_error(e)
        return [Problem(shown, line, col, "error", f"invalid TOML: {msg}")]
    checked = check_profile(data, text, shown, stem, team, shipped)
    return _Raw(checked, checked.data)


@lru_cache(maxsize=1)
def all_profiles() -> dict[str, Profile]:
    """Every shipped profile, resolved through ``extends``. A fault here is a packaging bug."""
    raws: dict[str, _Raw] = {}
    for entry in resources.files("cptui").joinpath("profile_data").iterdir():
        if entry.name.endswith(".toml"):
            stem = entry.name[:-5]
            got = _read(
                entry.read_text(encoding="utf-8"),
                f"profile_data/{entry.name}",
                stem,
                False,
                frozenset(),
            )
            errors = (
                got
                if isinstance(got, list)
                else [p for p in got.checked.problems if p.severity == "error"]
            )
            if errors:
                raise ProfileError(f"shipped profile {stem!r} is broken: {errors[0]}")
            raws[stem] = got  # type: ignore[assignment]
    profiles, problems, _ = _build(raws, {})
    if problems:
        raise ProfileError(f"shipped profiles are broken: {problems[0]}")
    return profiles


@dataclass
class Library:
    """The profiles one cases folder can use: shipped ones plus its team's own."""

    profiles: dict[str, Profile]
    problems: list[Problem] = field(default_factory=list)  # from the team's files
    broken: dict[str, str] = field(default_factory=dict)  # team profile -> why unusable
    digest: str = ""  # of the team's files; "" when it has none
    files: dict[str, str] = field(default_factory=dict)  # team profile -> path as shown

    def get(self, name: str) -> Profile:
        if name in self.profiles:
            return self.profiles[name]
        if name in self.broken:
            raise ProfileError(f"procedure profile {name!r} ({self.files[name]}) cannot be used: "
                               f"{self.broken[name]}; run `cptui check` for the details")
        raise ProfileError(f"unknown procedure profile {name!r}; known profiles: "
                           f"{', '.join(sorted(self.profiles))}")


_LIBS: dict[str, Library] = {}


def team_dir(folder: Path) -> Path:
    return Path(folder) / TEAM_DIR


def load_library(folder: Path | None) -> Library:
    """Read the team's profile files afresh (cheap: a few small files).

    Rebuilt only when their bytes change; the result is remembered for
    ``library_for``, which every case of the folder then uses without
    touching the disk again.
    """
    shipped = all_profiles()
    if folder is None:
        return Library(dict(shipped))
    key = os.path.abspath(folder)
    try:
        paths = sorted(p for p in team_dir(folder).glob("*.toml") if p.is_file())
    except OSError:
        paths = []
    blobs: list[tuple[Path, bytes]] = []
    for p in paths:
        try:
            blobs.append((p, p.read_bytes()))
        except OSError:
            blobs.append((p, b""))
    h = hashlib.sha256()
    for p, raw in blobs:
        h.update(p.name.encode() + b"\0" + hashlib.sha256(raw).digest())
    digest = h.hexdigest() if blobs else ""
    old = _LIBS.get(key)
    if old is not None and old.digest == digest:
        return old
    lib = _team_library(blobs, shipped, digest)
    _LIBS[key] = lib
    return lib


def _team_library(
    blobs: list[tuple[Path, bytes]], shipped: dict[str, Profile], digest: str
) -> Library:
    names = frozenset(shipped)
    raws: dict[str, _Raw] = {}
    problems: list[Problem] = []
    broken: dict[str, str] = {}
    files: dict[str, str] = {}
    for p, raw in blobs:
        stem, shown = p.stem, display_path(p)
        files[stem] = shown
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                Problem(shown, None, None, "error", "is not valid UTF-8 text (save it as UTF-8)")
            )
            broken[stem] = "the file is not UTF-8 text"
            continue
        got = _read(text, shown, stem, True, names)
        if isinstance(got, list):
            problems += got
            broken[stem] = "the file is not valid TOML"
            continue
        problems += got.checked.problems
        if stem in names:
            continue  # a clash never replaces the shipped profile of that name
        if not got.checked.ok:
            broken[stem] = "the file has errors"
            continue
        raws[stem] = got
    team, more, unresolved = _build(raws, shipped)
    return Library({**shipped, **team}, problems + more, {**broken, **unresolved}, digest, files)


def library_for(folder: Path | None) -> Library:
    """The folder's library as last loaded (loading it now if never loaded)."""
    if folder is None:
        return Library(dict(all_profiles()))
    lib = _LIBS.get(os.path.abspath(folder))
    return lib if lib is not None else load_library(folder)


def get_profile(name: str, folder: Path | None = None) -> Profile:
    """A profile by name: shipped, or (given the cases ``folder``) the team's own."""
    if folder is None:
        profiles = all_profiles()
        if name not in profiles:
            raise ProfileError(
                f"unknown procedure profile {name!r}; known profiles: {', '.join(sorted(profiles))}"
            )
        return profiles[name]
    return library_for(folder).get(name)
