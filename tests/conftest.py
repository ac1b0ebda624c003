"""Shared helpers: build a throwaway cases folder from TOML text."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from datetime import date
from pathlib import Path

import pytest

from cptui.caseload import Caseload, load_caseload

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "cases"
# The fixed "today" of the demo folder and most tests: a Monday. Import it from here (for
# module-level uses such as parametrize); inside a test body ask for the ``today`` fixture.
TODAY = date(2026, 11, 23)


@pytest.fixture
def today() -> date:
    """The tests' fixed today (``TODAY``)."""
    return TODAY


@pytest.fixture
def demo() -> Path:
    """The bundled demo cases folder (read-only: copy it before writing)."""
    return DEMO


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo cases folder."""
    dest = tmp_path / "cases"
    shutil.copytree(DEMO, dest)
    return dest


def write_folder(folder: Path, cases: dict[str, str], settings: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if settings is not None:
        (folder / "cptui.toml").write_text(textwrap.dedent(settings), encoding="utf-8")
    for stem, text in cases.items():
        (folder / f"{stem}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the demo in a git repository with one commit, so ``diff`` shows an edit."""
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit",
                    "-qm", "x"], cwd=folder, check=True)
    return folder


def diff(folder: Path) -> list[str]:
    """The lines ``git diff`` shows removed and added in ``folder``, without headers."""
    out = subprocess.run(["git", "diff", "-U0"], cwd=folder, capture_output=True, text=True,
                         check=True).stdout
    return [l for l in out.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]


@pytest.fixture
def load(tmp_path: Path):
    """load(case_body, today, procedure=..., settings=...) -> Caseload.

    ``case_body`` is the case file without `schema`/`id`/`procedure`, which
    the helper adds, so each test reads as the records that matter.
    """

    def _load(body: str, today: date, procedure: str = "darlington",
              settings: str | None = None, stem: str = "CP-T-1") -> Caseload:
        head = f'schema = 1\nid = "{stem}"\nprocedure = "{procedure}"\n'
        folder = write_folder(tmp_path / "cases", {stem: head + textwrap.dedent(body)}, settings)
        result = load_caseload(folder, today)
        assert not result.has_errors, [str(p) for p in result.problems]
        return result

    return _load


def by_rule(load: Caseload, rule: str) -> list[tuple]:
    """(child, due, done, status, basis, source) for one rule, in due order."""
    return [(d.child, d.due, d.done, d.status, d.basis, d.source)
            for d in load.deadlines() if d.rule == rule]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests with asyncio.run: no extra plugin to install."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {n: pyfuncitem.funcargs[n] for n in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


FIGURES: list[str] = []  # reliability figures, printed at the end of the run


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures (see README)")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests never read or write the user's real cache."""
    import os

    old = os.environ.get("CPTUI_CACHE_DIR")
    os.environ["CPTUI_CACHE_DIR"] = str(tmp_path_factory.mktemp("cptui-cache"))
    yield
    if old is None:
        os.environ.pop("CPTUI_CACHE_DIR", None)
    else:
        os.environ["CPTUI_CACHE_DIR"] = old


def mutating() -> bool:
    """True inside a mutmut run (benchmarks/mutation.py), never in CI."""
    import os
    import sys

    return "mutmut" in sys.modules or "MUTANT_UNDER_TEST" in os.environ


_SHARED: dict[tuple, Caseload] = {}


def shared_load(folder: Path, today: date | None = None, **kwargs: object) -> Caseload:
    """A caseload that many tests read and none change: loaded once per run.

    Under mutmut it is loaded afresh inside each test that asks, never at import
    or once for all: mutmut runs a mutant only against the tests it saw calling
    the mutated function, and a caseload loaded while the module was imported
    was seen by no test at all (the golden documents never met a loader mutant).
    """
    key = (folder, today, tuple(sorted(kwargs.items())))
    if mutating():
        return load_caseload(folder, today, **kwargs)  # type: ignore[arg-type]
    if key not in _SHARED:
        _SHARED[key] = load_caseload(folder, today, **kwargs)  # type: ignore[arg-type]
    return _SHARED[key]


@pytest.fixture(autouse=True)
def _own_cache_when_mutating(tmp_path_factory: pytest.TempPathFactory,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Under mutmut, every test starts with an empty cache of its own.

    mutmut runs a mutant only against the tests that called its function when it
    recorded coverage. With the session's one cache, only the first test to load a
    file parsed it: every later test read the cache, so mutmut thought the golden
    documents never touched the loader, and ran none of them against its mutants.
    """
    if mutating():
        monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path_factory.mktemp("cptui-cache")))
