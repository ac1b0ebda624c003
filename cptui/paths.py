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


def writable_demo() -> Path:
    """A private copy of the bundled demo, so the app can edit it.

    The installed demo sits inside the package (often read-only, and replaced
    on upgrade); the app works on a copy in the user's data folder instead.
    """
    import os
    import shutil

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    dest = Path(base) / "cptui" / "demo-cases"
    if not dest.is_dir():
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copytree(demo_cases(), dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return dest
