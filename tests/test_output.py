"""Documents are written only where they may go (issue 12.4), and a full disk is a message.

cptui.toml is shared through git, so its ``output_dir`` is a colleague's
choice: it may not put full copies into the shared cases folder, pick an
absolute folder, or follow a symlink. ``render -o`` has the same limits.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from conftest import DEMO
from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.documents import OutputError, write_document
from tui_helpers import TODAY


def folder_with(tmp_path: Path, settings: str | None = None) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    if settings is not None:
        with open(folder / "cptui.toml", "a", encoding="utf-8") as f:
            f.write(settings)
    return folder


def write(folder: Path) -> Path:
    load = load_caseload(folder, TODAY, use_cache=False)
    return write_document("plan", load.get("CP-2026-0001"), load, "full", "md")


def test_default_is_out_beside_the_cases_folder(tmp_path: Path) -> None:
    path = write(folder_with(tmp_path))
    assert path.parent == (tmp_path / "out").resolve() and path.is_file()


def test_output_dir_dot_would_write_into_the_shared_folder_and_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, 'output_dir = "."\n')
    with pytest.raises(OutputError) as refused:
        write(folder)
    assert str(refused.value).endswith(
        f"is inside the cases folder {folder.resolve()}, which is shared; "
        "choose a folder outside it")
    with pytest.raises(OutputError, match="inside the cases folder"):
        write(folder_with(tmp_path / "b", 'output_dir = "sub/../docs"\n'))
    assert not list(folder.glob("*-plan-*"))


def test_absolute_output_dir_is_a_settings_error(tmp_path: Path, today) -> None:
    folder = folder_with(tmp_path, f'output_dir = "{tmp_path / "elsewhere"}"\n')
    load = load_caseload(folder, today, use_cache=False)
    assert any("output_dir" in p.message and p.severity == "error" for p in load.problems)
    path = write_document("plan", load.get("CP-2026-0001"), load, "full", "md")
    assert path.parent == (tmp_path / "out").resolve()  # the setting is ignored, not followed
    assert not (tmp_path / "elsewhere").exists()


def test_output_through_a_symlink_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    target = tmp_path / "somewhere-else"
    target.mkdir()
    (tmp_path / "out").symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        write(folder)
    assert not list(target.iterdir())


def test_render_o_refuses_the_cases_folder_and_symlinks(tmp_path: Path, capsys) -> None:
    folder = folder_with(tmp_path)
    inside = folder / "plan.md"
    assert main(["render", "plan", "CP-2026-0001", "--cases", str(folder), "-o", str(inside)]) == 1
    assert "inside the cases folder" in capsys.readouterr().err and not inside.exists()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real").mkdir()
    assert main(["render", "plan", "CP-2026-0001", "--cases", str(folder),
                 "-o", str(tmp_path / "link" / "plan.md")]) == 1
    assert "symbolic link" in capsys.readouterr().err and not list((tmp_path / "real").iterdir())
    ok = tmp_path / "plan.md"
    assert main(["render", "plan", "CP-2026-0001", "--cases", str(folder), "-o", str(ok)]) == 0
    assert ok.read_text().startswith("# Child protection plan")


def test_render_o_on_a_full_disk_says_so(tmp_path: Path, capsys, monkeypatch) -> None:
    folder = folder_with(tmp_path)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cptui.fsio.os.fsync", full)
    out = tmp_path / "plan.md"
    assert main(["render", "plan", "CP-2026-0001", "--cases", str(folder), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the disk is full" in err and "nothing was written" in err and "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".plan.md")]


def test_a_symlink_inside_the_shared_folder_is_never_followed(tmp_path: Path) -> None:
    """A link committed to git (cases/docs -> a folder of the user's) with output_dir = "docs"."""
    folder = folder_with(tmp_path, 'output_dir = "docs"\n')
    victim = tmp_path / "victim"
    victim.mkdir()
    (folder / "docs").symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        write(folder)
    assert not list(victim.iterdir())


def test_a_linked_folder_above_the_cases_folder_is_the_users_own_and_allowed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "home").symlink_to(real)
    folder = folder_with(tmp_path / "home")
    path = write(folder)
    assert path == (real / "out" / path.name) and path.is_file()


def symlink_checks(monkeypatch, out: Path, cases: Path | None) -> list[Path]:
    """The folders (and the file) check_output_path asks "is this a link?" about, in order."""
    from cptui.documents import check_output_path
    asked: list[Path] = []
    real = Path.is_symlink
    monkeypatch.setattr(Path, "is_symlink", lambda self: asked.append(self) or real(self))
    check_output_path(out, cases)
    monkeypatch.setattr(Path, "is_symlink", real)
    return asked


def test_every_folder_below_the_cases_folders_parent_is_checked_for_links(
        tmp_path: Path, monkeypatch) -> None:
    """The user's own setup above the cases folder is trusted; every step after it is checked.

    A link one folder too early (``out`` beside the cases) is exactly what a shared
    ``output_dir`` could aim at someone's files, so the first checked folder matters.
    """
    cases = tmp_path / "team" / "cases"
    out = tmp_path / "team" / "out" / "x" / "plan.md"
    assert symlink_checks(monkeypatch, out, cases) == [
        tmp_path / "team" / "out", tmp_path / "team" / "out" / "x", out]


def test_paths_that_part_and_meet_again_are_checked_from_where_they_part(
        tmp_path: Path, monkeypatch) -> None:
    cases = tmp_path / "a" / "same" / "cases"
    out = tmp_path / "b" / "same" / "plan.md"
    assert symlink_checks(monkeypatch, out, cases) == [
        tmp_path / "b", tmp_path / "b" / "same", out]


def test_without_a_cases_folder_only_top_level_system_folders_are_trusted(
        tmp_path: Path, monkeypatch) -> None:
    """``/tmp`` is a link on macOS; ``/tmp/anything`` is not the system's and is checked."""
    out = tmp_path / "x" / "plan.md"
    asked = symlink_checks(monkeypatch, out, None)
    assert asked == [Path(*out.parts[:i]) for i in range(3, len(out.parts) + 1)]
    assert Path(out.parts[0], out.parts[1]) not in asked  # e.g. /tmp itself


def test_a_configured_output_folder_is_made_with_its_parents_private(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, 'output_dir = "../docs/2026/november"\n')
    path = write(folder)
    assert path.parent == (tmp_path / "docs" / "2026" / "november").resolve() and path.is_file()
    assert (path.parent.stat().st_mode & 0o777) & ~0o700 == 0
