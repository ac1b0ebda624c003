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


def _holds_cases(folder: Path) -> bool:
    """A folder with cptui.toml, or with a TOML file that reads like a case
    (``schema =`` near the top)."""
    if (folder / "cptui.toml").is_file():
        return True
    for p in sorted(folder.glob("*.toml"))[:20]:
        try:
            head = p.read_bytes()[:2048].decode("utf-8", errors="replace")
        except OSError:
            continue
        if any(line.startswith("schema") and "=" in line for line in head.splitlines()):
            return True
    return False


def user_cases(cwd: Path | None = None) -> Path | None:
    """The team's cases folder from here: ``./cases``, or this folder itself when it holds cases.

    A repository whose root is the cases folder is common, so ``.`` counts
    too. None when neither does (the caller then uses the demo, or says so).
    """
    here = cwd or Path.cwd()
    sub = here / "cases"
    if sub.is_dir() and _holds_cases(sub):
        return sub
    if _holds_cases(here):
        return here
    return None


def default_cases(cwd: Path | None = None) -> Path:
    """The team's cases folder (see ``user_cases``), else the bundled demo."""
    return user_cases(cwd) or demo_cases()


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
        shutil.copytree(
            demo_cases(), dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__")
        )
    return dest
