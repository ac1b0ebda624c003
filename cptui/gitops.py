"""The cases folder as a git repository: merge driver setup, status, commits.

Only local git commands are run (status, config, add, commit, merge-file);
cptui never fetches, pulls or pushes: the network is the team's business.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable

ATTRIBUTES = ("# cptui: merge case files record by record (cptui git-setup)\n"
              "*.toml merge=cptui\n"
              "cptui.toml merge=text\n")


TOPLEVEL = ("rev-parse", "--show-toplevel")  # the repository's root folder


class GitError(RuntimeError):
    pass


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    if not folder.is_dir():
        raise GitError(f"{folder} is not a folder")
    try:
        r = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
    except FileNotFoundError as e:
        raise GitError("git is not installed") from e
    if check and r.returncode != 0:
        raise GitError(r.stderr.strip() or f"git {' '.join(args)} failed")
    return r


def repo_root(folder: Path) -> Path | None:
    r = _git(folder, *TOPLEVEL, check=False)
    return Path(r.stdout.strip()) if r.returncode == 0 else None


def setup(folder: Path) -> list[str]:
    """Write .gitattributes in the cases folder and register the driver."""
    if repo_root(folder) is None:
        raise GitError(f"{folder} is not inside a git repository (run `git init` there first)")
    done = []
    attrs = folder / ".gitattributes"
    current = attrs.read_text(encoding="utf-8") if attrs.exists() else ""
    if "merge=cptui" not in current:
        from cptui.fsio import write_atomic

        text = current + ("\n" if current and not current.endswith("\n") else "") + ATTRIBUTES
        write_atomic(attrs, text.encode("utf-8"), mode=0o644)  # shared through git: readable by all
        done.append(f"wrote {attrs} (commit it so the whole team merges by record)")
    driver = f"{shlex.quote(sys.executable)} -m cptui merge-driver %O %A %B %P"
    _git(folder, "config", "merge.cptui.name", "cptui: merge case files by record id")
    _git(folder, "config", "merge.cptui.driver", driver)
    done.append(
        "registered the merge driver in this clone's git config (each clone runs git-setup once)"
    )
    return done


def status(folder: Path) -> dict[str, str]:
    """File name -> "modified" | "untracked" | "conflicted" | "added", for this folder."""
    return status_started(folder)()


def status_started(folder: Path) -> Callable[[], dict[str, str]]:
    """Start git's status of ``folder`` now; the returned call waits for it and reads it.

    git runs in processes of its own, so the app starts it before reading the case
    files and collects it after: in a repository of 10,000 files its ~30 ms overlap
    the load instead of following it.
    """
    if not folder.is_dir():
        return dict
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."]
    try:
        procs = [subprocess.Popen(["git", *a], cwd=folder, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for a in (args, TOPLEVEL)]
    except FileNotFoundError:  # git is not installed
        return dict

    def finish() -> dict[str, str]:
        (out, _), (top, _) = (p.communicate() for p in procs)
        if procs[0].returncode != 0:
            return {}
        root = Path(top.strip()) if procs[1].returncode == 0 else None
        return _parse_status(out, folder, root)

    return finish


def _parse_status(stdout: str, folder: Path, root: Path | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in stdout.split("\0"):
        if len(entry) < 4:
            continue
        xy, rel = entry[:2], entry[3:]
        path = (root / rel) if root else folder / rel
        try:
            name = str(path.resolve().relative_to(folder.resolve()))
        except ValueError:
            continue
        if xy in ("DD", "AU", "UD", "UA", "DU", "AA", "UU"):
            out[name] = "conflicted"
        elif xy == "??":
            out[name] = "untracked"
        elif "A" in xy:
            out[name] = "added"
        elif xy.strip():
            out[name] = "modified"
    return out


def commit(folder: Path, path: Path, message: str) -> None:
    """Commit one file; author and identity come from the user's git config."""
    _git(folder, "add", "--", str(path))
    _git(folder, "commit", "-q", "-m", message, "--", str(path))
