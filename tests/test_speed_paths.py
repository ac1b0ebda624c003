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
