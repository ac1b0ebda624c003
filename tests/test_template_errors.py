"""A team template that fails says so in one line, never with the case in it.

Found by trying a one-character typo in a team template: the app crashed, and
Textual's crash report printed every local variable of every frame, so the whole
case (hidden children, confidential notes, phone numbers) went to the terminal,
the place people copy from into bug reports. The command line ended in a raw
traceback. Now every template failure is a DocumentError naming the template, its
line and what went wrong, with no value from the case.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.documents import DocumentError, render
from cptui.tui.app import make_app
from tui_helpers import ready

CASE = "CP-2026-0001"
BAD = {
    # template text -> what the message must say
    "# Agenda\n\n{{ case.id }}\n{{ nosuchvar }}\n": ("agenda.md.j2", "line 4", "nosuchvar"),
    "# Agenda\n{% for c in children_on_plan %}{{ c.name }}{% endfor %}\n{{ 1 // 0 }}\n":
        ("agenda.md.j2", "line 3", "ZeroDivisionError"),
    "# Agenda\n{{ case.__class__ }}\n": ("agenda.md.j2", "line 2", "unsafe"),
    "# Agenda\n{% if %}\n": ("agenda.md.j2", "line 2", "syntax"),
    "# Agenda\n{{ children_on_plan[0].name.nosuch }}\n": ("agenda.md.j2", "line 2", "nosuch"),
}


@pytest.fixture
def folder(tmp_path: Path, demo: Path) -> Path:
    shutil.copytree(demo, tmp_path / "cases")
    (tmp_path / "cases" / "templates").mkdir()
    return tmp_path / "cases"


def names_in(load) -> list[str]:
    """Words from the case a message must never carry."""
    case = load.get(CASE).case
    return [c.name for c in case.children] + [m.name for m in case.members]


@pytest.mark.parametrize("text", list(BAD))
def test_a_failing_team_template_is_one_line_naming_where(folder: Path, today: date,
                                                          text: str) -> None:
    (folder / "templates" / "agenda.md.j2").write_text(text, encoding="utf-8")
    load = load_caseload(folder, today)
    with pytest.raises(DocumentError) as got:
        render("agenda", load.get(CASE), load)
    msg = str(got.value)
    assert "\n" not in msg
    for part in BAD[text]:
        assert part in msg, msg
    assert not any(name in msg for name in names_in(load)), msg


def test_the_command_line_says_it_in_one_line(folder: Path, today: date, capsys) -> None:
    (folder / "templates" / "agenda.md.j2").write_text("# A\n{{ nosuchvar }}\n", encoding="utf-8")
    assert main(["render", "agenda", CASE, "--cases", str(folder), "--today", "2026-11-23"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cptui: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "agenda.md.j2" in err and "nosuchvar" in err


async def test_the_app_says_it_and_keeps_running(folder: Path, today: date) -> None:
    (folder / "templates" / "agenda.md.j2").write_text("# A\n{{ nosuchvar }}\n", encoding="utf-8")
    app = make_app(folder, today=today, case_id=CASE)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("r", "a", "f")
        await pilot.pause()
        msgs = [n.message for n in app._notifications]  # noqa: SLF001
        assert any(m.startswith("Not written.") and "nosuchvar" in m for m in msgs), msgs
        assert app.is_running and app.return_code is None
    assert not (folder.parent / "out").exists() or not list((folder.parent / "out").iterdir())


def test_the_app_exit_code_is_its_own(monkeypatch, demo: Path) -> None:
    """After a crash Textual sets the app's return code to 1; `cptui` exited 0 regardless."""
    import cptui.tui.app as tui_app

    class Crashed:
        return_code = 1

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui_app, "make_app", lambda *a, **k: Crashed())
    assert main(["--cases", str(demo), "--today", "2026-11-23"]) == 1
    Crashed.return_code = None
    assert main(["--cases", str(demo), "--today", "2026-11-23"]) == 0


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_team_template_that_is_a_link_out_of_its_folder_is_refused(
        folder: Path, today: date, target: str) -> None:
    """Git carries symbolic links: a shared template folder could point a template at
    any file the user can read (another team's cases, ~/.ssh) and print it into a
    parent's copy. A link within the templates folder is fine."""
    secret = folder.parent / "secret.txt"
    secret.write_text("NOT FOR THE DOCUMENT\n", encoding="utf-8")
    (folder / "templates" / "part.md.j2").write_text("a team's part\n", encoding="utf-8")
    link = folder / "templates" / "leak.md.j2"
    link.symlink_to(secret if target == "outside" else folder / "templates" / "part.md.j2")
    (folder / "templates" / "agenda.md.j2").write_text('# A\n{% include "leak.md.j2" %}\n',
                                                       encoding="utf-8")
    load = load_caseload(folder, today)
    if target == "inside":
        assert "a team's part" in render("agenda", load.get(CASE), load, "parent")
        return
    with pytest.raises(DocumentError, match="leak.md.j2.*outside"):
        render("agenda", load.get(CASE), load, "parent")
    (folder / "templates" / "agenda.md.j2").unlink()
    link.unlink()
    (folder / "templates" / "agenda.md.j2").symlink_to(secret)  # the template itself
    with pytest.raises(DocumentError, match="agenda.md.j2.*outside"):
        render("agenda", load.get(CASE), load, "parent")


def test_documents_written_beside_a_shared_cases_folder_stay_out_of_git(
        tmp_path: Path, demo: Path, today: date) -> None:
    """With the repository's root above the cases folder (a layout git-setup supports),
    `out/` sat untracked in the shared repository, one `git add -A` from being pushed."""
    import subprocess

    from cptui.documents import write_document

    root = tmp_path / "team"
    shutil.copytree(demo, root / "cases")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    load = load_caseload(root / "cases", today)
    path = write_document("plan", load.get(CASE), load, "parent", "html")
    assert path.parent == root / "out" and path.exists()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    assert "out/" not in status and "cases/" in status
    ignore = (root / "out" / ".gitignore").read_text()
    (root / "out" / ".gitignore").write_text(ignore + "# ours\n")  # a team's own is kept
    write_document("plan", load.get(CASE), load, "full", "md")
    assert (root / "out" / ".gitignore").read_text().endswith("# ours\n")


@pytest.mark.parametrize("body, says", [
    ("{% autoescape false %}{{ r.what }}{% endautoescape %}", "autoescape"),
    ("{{ r.what|safe }}", "safe"),
    ("{% filter safe %}{{ r.what }}{% endfilter %}", "safe"),
])
def test_a_team_html_template_cannot_turn_escaping_off(folder: Path, today: date, body: str,
                                                       says: str) -> None:
    """Everything a team's .html.j2 prints is escaped, as the README says: a case note
    holding markup would otherwise run in the page someone opens in a browser."""
    path = folder / f"{CASE}.toml"
    path.write_text(path.read_text().replace(
        "Home found without food; children's beds unusable.", "<script>alert(1)</script>"))
    (folder / "templates" / "chronology.html.j2").write_text(
        "<ul>{% for r in timeline %}<li>" + body + "</li>{% endfor %}</ul>\n", encoding="utf-8")
    load = load_caseload(folder, today)
    with pytest.raises(DocumentError, match=f"chronology.html.j2 line 1 failed: .*{says}"):
        render("chronology", load.get(CASE), load, fmt="html")
