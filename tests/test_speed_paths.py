"""The fast paths (compiled parser, shipped holiday table, lean load, process pool)
give exactly what the plain paths give: same dicts, same problems, same bytes."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from conftest import DEMO
from cptui import loader, tomlread
from cptui.demo import generate
from test_reliability import corpus

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "cases"
    generate(folder, 500, TODAY, seed=7)
    return folder


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    (root / "cases").mkdir()
    (root / "outside").mkdir()
    corpus(root / "cases", root / "outside")
    return root / "cases"


def _files(*folders: Path) -> list[Path]:
    return [p for f in folders for p in sorted(f.iterdir()) if p.suffix == ".toml"]


# --- 1. the parser ----------------------------------------------------------------------------


def test_case_files_are_read_with_the_shared_reader(tmp_path: Path, monkeypatch) -> None:
    """read_toml must go through cptui.tomlread (compiled tomli where installed)."""
    seen: list[str] = []
    real = tomlread.loads

    def spy(text: str):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(tomlread, "loads", spy)
    path = DEMO / "CP-2026-0003.toml"
    res = loader.read_toml(path, "x.toml")
    assert res.data is not None and seen == [path.read_text(encoding="utf-8")]
    try:
        import tomli  # noqa: F401
    except ImportError:
        assert tomlread.BACKEND == "tomllib"
    else:
        assert tomlread.BACKEND == "tomli"


def test_tomli_and_tomllib_agree_on_every_file(generated: Path, bad: Path, monkeypatch) -> None:
    """Identical dicts and identical problems (messages and positions) from both parsers."""
    files = _files(DEMO, generated, bad)
    fast = [loader.read_toml(p, p.name) for p in files]
    monkeypatch.setattr(tomlread, "loads", tomllib.loads)
    monkeypatch.setattr(tomlread, "TOMLDecodeError", tomllib.TOMLDecodeError)
    slow = [loader.read_toml(p, p.name) for p in files]
    for p, a, b in zip(files, fast, slow):
        assert (a.data, a.problems, a.text, a.digest) == (b.data, b.problems, b.text, b.digest), p.name
    assert sum(r.data is None for r in fast) >= 10  # the corpus really exercised the error paths


# --- 2. a quick start ---------------------------------------------------------------------------


def test_shipped_bank_holidays_match_the_holidays_library() -> None:
    """The table shipped in the package is what `holidays` says for the whole span."""
    import holidays

    from cptui import dates

    lib = holidays.country_holidays("GB", subdiv="ENG",
                                    years=range(dates.HOLIDAY_SPAN[0], dates.HOLIDAY_SPAN[1] + 1))
    shipped = dates.shipped_bank_holidays()
    assert shipped is not None, "cptui/bank_holidays.json is missing or unreadable"
    assert shipped == frozenset(lib.keys())
    assert dates.bank_holidays() == shipped
    assert all(dates.HOLIDAY_SPAN[0] <= d.year <= dates.HOLIDAY_SPAN[1] for d in shipped)


def test_missing_table_falls_back_to_the_library(tmp_path: Path, monkeypatch) -> None:
    from cptui import dates

    expected = dates.shipped_bank_holidays()
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(dates, "BANK_HOLIDAY_FILE", tmp_path / "broken.json")
    monkeypatch.setattr(dates, "_BANK_HOLIDAYS", None)
    assert dates.shipped_bank_holidays() is None
    assert dates.bank_holidays() == expected


def _fresh(code: str) -> str:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return r.stdout.strip()


HEAVY = ("holidays", "tomlkit", "jinja2", "cptui.storage", "pendulum", "textual")


def test_version_imports_nothing_heavy() -> None:
    """`cptui --version` needs none of the heavy libraries: they load when used."""
    out = _fresh(
        "import sys, contextlib, io\n"
        "import cptui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: cptui.cli.main(['--version'])\n"
        "    except SystemExit: pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    assert out == "[]"


def test_deadlines_never_needs_the_holidays_library() -> None:
    """With the shipped table, even a full load never imports `holidays`."""
    out = _fresh(
        "import sys, contextlib, io\n"
        "import cptui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = cptui.cli.main(['deadlines', '--cases', {str(DEMO)!r}, '--format', 'json'])\n"
        "print(rc, 'holidays' in sys.modules, 'jinja2' in sys.modules)\n")
    assert out == "0 False False"
