"""Where the bundled demo cases and templates live, installed or not.

A wheel ships them inside the package (``cptui/demo_cases``,
``cptui/templates``); a source checkout has them at the top of the repo.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _bundled(inside: str, top: str) -> Path:
    installed = _PKG / inside
    return installed if installed.is_dir() else _PKG.parent / top


def demo_cases() -> Path:
    return _bundled("demo_cases", "cases")


def bundled_templates() -> Path:
    return _bundled("templates", "templates")


def default_cases(cwd: Path | None = None) -> Path:
    """``./cases`` when it holds case files, else the bundled demo."""
    here = (cwd or Path.cwd()) / "cases"
    if here.is_dir() and any(p.name != "cptui.toml" for p in here.glob("*.toml")):
        return here
    return demo_cases()
