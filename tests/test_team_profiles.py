"""Team profiles: <cases>/profiles/NAME.toml, loaded, extended and checked like case files."""

from __future__ import annotations

import textwrap
from datetime import date as D
from pathlib import Path

import pytest

from conftest import by_rule, write_folder
from cptui.caseload import load_caseload
from cptui.cli import main
from cptui.profile_check import TIMESCALES
from cptui.profiles import get_profile, load_library

CASE = """\
schema = 1
id = "CP-T-1"
procedure = "{procedure}"
[[children]]
id = "c1"
name = "Ava Example"
date_of_birth = 2019-04-02
plan_start = 2026-09-14
[[conferences]]
id = "k1"
kind = "initial"
date = 2026-09-14
[[core_groups]]
id = "g1"
date = 2026-09-25
[[core_groups]]
id = "g2"
date = 2026-10-22
"""
# A valid team profile built on Darlington, changing only the core group rhythm.
GOOD = """\
title = "Example Town team"
extends = "darlington"

[timescales]
core_group = { value = "4 weeks", cite = "Example Town 3.2, 'Core groups': every four weeks after the first" }
"""


def folder_with(tmp_path: Path, profiles: dict[str, str], procedure: str = "example-town",
                settings: str | None = None) -> Path:
    folder = write_folder(tmp_path / "cases", {"CP-T-1": CASE.format(procedure=procedure)}, settings)
    (folder / "profiles").mkdir(exist_ok=True)
    for name, text in profiles.items():
        (folder / "profiles" / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_team_profile_extends_shipped_and_drives_deadlines(tmp_path: Path, today: D) -> None:
    cl = load_caseload(folder_with(tmp_path, {"example-town": GOOD}), today)
    assert not cl.has_errors, [str(p) for p in cl.problems]
    prof = cl.cases[0].profile
    assert prof.name == "example-town" and prof.extends == "darlington"
    assert prof.path is not None and prof.path.endswith("example-town.toml")
    cg = prof.timescales["core_group"]
    assert (cg.text, cg.origin, cg.team, cg.overrides) == ("4 weeks", "example-town", True,
                                                           ("darlington", "20 working days"))
    assert prof.timescales["first_review"].origin == "darlington"  # inherited, not copied
    # g1 Fri 25 Sep + 4 weeks = Fri 23 Oct (g2 22 Oct met); g2 Thu 22 Oct + 4 weeks = Thu 19 Nov,
    # open on Mon 23 Nov: overdue. Darlington's own 20 working days would give 23 Oct / 19 Nov
    # too, so also check the basis chain uses weeks: 19 Nov is exactly 28 days after 22 Oct.
    assert by_rule(cl, "core_group") == [
        (None, D(2026, 10, 23), D(2026, 10, 22), "met", D(2026, 9, 25), "g1"),
        (None, D(2026, 11, 19), None, "overdue", D(2026, 10, 22), "g2"),
    ]


def test_team_profile_value_differs_from_base(tmp_path: Path, today: D) -> None:
    text = GOOD.replace('"4 weeks"', '"3 weeks"')
    cl = load_caseload(folder_with(tmp_path, {"example-town": text}), today)
    # g1 Fri 25 Sep + 3 weeks = Fri 16 Oct; g2 on 22 Oct is late. g2 + 3 weeks = Thu 12 Nov, overdue.
    assert by_rule(cl, "core_group") == [
        (None, D(2026, 10, 16), D(2026, 10, 22), "late", D(2026, 9, 25), "g1"),
        (None, D(2026, 11, 12), None, "overdue", D(2026, 10, 22), "g2"),
    ]


def test_procedure_in_settings_and_team_chain(tmp_path: Path, today: D) -> None:
    """cptui.toml may name a team profile; a team profile may extend another team profile."""
    child = """\
        extends = "example-town"
        core_group_plan_scope = "first"
        [flags]
        first_core_group_chair = { value = "team_manager", cite = "Example Town 3.1: the team manager chairs the first core group" }
        [timescales]
        core_group_plan = { value = "5 days", cite = "Example Town 3.4, 'Plans': the plan goes out within five days" }
        [terms]
        plan = "family safety plan"
        """
    folder = folder_with(tmp_path, {"example-town": GOOD, "example-east": child}, procedure="example-east",
                         settings='procedure = "example-east"\n')
    case = folder / "CP-T-1.toml"
    case.write_text(case.read_text().replace('procedure = "example-east"\n', ""))
    cl = load_caseload(folder, today)
    assert not cl.has_errors, [str(p) for p in cl.problems]
    prof = cl.cases[0].profile
    assert prof.name == "example-east" and prof.timescales["core_group"].origin == "example-town"
    assert prof.timescales["icpc"].origin == "darlington"
    assert (prof.core_group_plan_scope, prof.flags["first_core_group_chair"].value) == ("first", "team_manager")
    assert prof.term("plan") == "family safety plan"
    assert prof.term("core_group") == "core group"  # inherited from the baseline's [terms]


# One row per kind of problem: (files, the problem's file, line, col, severity, words in message).
PROBLEMS = [
    ("unknown key in timescales", {"example-town": GOOD + 'colour = "blue"\n'}, "example-town", 6, 10, "error",
     "unknown timescale `colour`"),
    ("unknown top-level key", {"example-town": 'colour = "blue"\n' + GOOD}, "example-town", 1, 10,
     "error", "unknown key `colour`"),
    ("unknown timescale", {"example-town": GOOD.replace("core_group =", "core_grup =")},
     "example-town", 5, 13, "error", "unknown timescale `core_grup`"),
    ("bad timescale", {"example-town": GOOD.replace('"4 weeks"', '"four weeks"')},
     "example-town", 5, 14, "error", "not a whole number and a unit"),
    ("missing citation", {"example-town": GOOD.replace(', cite = "Example Town 3.2, \'Core groups\': every four weeks after the first"', "")},
     "example-town", 5, 14, "error", "has no `cite`"),
    ("citation without section", {"example-town": GOOD.replace("Example Town 3.2, 'Core groups': ", "Example Town says ")},
     "example-town", 5, 14, "warning", "names no section"),
    ("cycle in extends", {"example-town": GOOD.replace('"darlington"', '"example-east"'),
                          "example-east": 'extends = "example-town"\n'},
     "example-east", 1, 11, "error", "circle: "),
    ("name clash with shipped", {"darlington": GOOD.replace('extends = "darlington"', 'extends = "berkshire"')},
     "darlington", None, None, "error", "already a shipped profile"),
    ("unknown extends", {"example-town": GOOD.replace('"darlington"', '"nowhere"')},
     "example-town", 2, 11, "error", "names 'nowhere'"),
    ("unknown entry key", {"example-town": GOOD.replace("cite =", "cit =")},
     "example-town", 5, 14, "error", "unknown key `cit`"),
    ("bad scope", {"example-town": 'core_group_notes_scope = "some"\n' + GOOD}, "example-town", 1, 26,
     "error", "expected one of: all, first"),
    ("unknown term", {"example-town": GOOD + '[terms]\nplann = "plan"\n'}, "example-town", 7, 9,
     "error", "unknown term `plann`"),
    ("agenda item without citation", {"example-town": GOOD + '[documents]\nagenda_later = [{ item = "Views" }]\n'},
     "example-town", 7, 16, "error", "needs `cite`"),
    ("invalid TOML", {"example-town": 'title = "x\n'}, "example-town", 1, 11, "error", "invalid TOML"),
]


@pytest.mark.parametrize("kind,files,bad,line,col,severity,words", PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_check_reports_profile_problems(tmp_path: Path, capsys, kind, files, bad, line, col,
                                        severity, words) -> None:
    folder = folder_with(tmp_path, files, procedure="darlington")
    code = main(["check", str(folder)])
    out = capsys.readouterr().out.splitlines()
    path = str(folder / "profiles" / f"{bad}.toml")
    where = path + (f":{line}:{col}" if line is not None else "")
    hits = [o for o in out if o.startswith(f"{where}: {severity}: ") and words in o]
    assert hits, out
    assert code == (1 if severity == "error" else 0)


def test_cycle_marks_every_member(tmp_path: Path) -> None:
    files = {"example-town": GOOD.replace('"darlington"', '"example-east"'),
             "example-east": 'extends = "example-town"\n'}
    lib = load_library(folder_with(tmp_path, files))
    assert set(lib.broken) == {"example-town", "example-east"}
    assert sum("circle" in p.message for p in lib.problems) == 2


def test_case_naming_a_broken_team_profile_is_an_error_on_its_line(tmp_path: Path, today: D) -> None:
    folder = folder_with(tmp_path, {"example-town": GOOD.replace('"4 weeks"', '"soon"')})
    cl = load_caseload(folder, today)
    assert not cl.cases and len(cl.broken) == 1
    msg = [p for p in cl.broken[0].problems if p.severity == "error"][0]
    assert msg.line == 3 and "cannot be used" in msg.message and "cptui check" in msg.message


def test_clash_keeps_shipped_profile(tmp_path: Path, today: D) -> None:
    folder = folder_with(tmp_path, {"darlington": GOOD.replace('extends = "darlington"', "")},
                         procedure="darlington")
    cl = load_caseload(folder, today)
    assert cl.cases[0].profile.path is None  # the shipped one, untouched
    assert cl.cases[0].profile.timescales["core_group"].text == "20 working days"


def test_editing_a_team_profile_invalidates_the_cache(tmp_path: Path, today: D) -> None:
    folder = folder_with(tmp_path, {"example-town": GOOD})
    first = by_rule(load_caseload(folder, today), "core_group")
    assert by_rule(load_caseload(folder, today), "core_group") == first
    (folder / "profiles" / "example-town.toml").write_text(GOOD.replace('"4 weeks"', '"3 weeks"'))
    again = by_rule(load_caseload(folder, today), "core_group")
    # 25 Sep + 3 weeks = 16 Oct (was 23 Oct with 4 weeks): a stale cache would keep 23 Oct.
    assert again[0][1] == D(2026, 10, 16) and first[0][1] == D(2026, 10, 23)


def test_cases_on_a_team_profile_are_served_from_the_cache(
        tmp_path: Path, today: D, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team that adopts its own profile keeps a warm start: its cases are cached like
    any other, keyed on the team's profile files (edited, they are worked out again)."""
    import cptui.caseload as caseload

    monkeypatch.setenv("CPTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = folder_with(tmp_path, {"example-town": GOOD})
    first = load_caseload(folder, today)
    parsed: list[str] = []
    real = caseload.read_toml
    monkeypatch.setattr(caseload, "read_toml", lambda p, *a: parsed.append(p.name) or real(p, *a))
    warm = load_caseload(folder, today)
    assert parsed == [] and [cv.profile for cv in warm.cases] == [cv.profile for cv in first.cases]
    assert by_rule(warm, "core_group") == by_rule(first, "core_group")
    assert warm.cases[0].profile.name == "example-town"
    (folder / "profiles" / "example-town.toml").write_text(GOOD.replace('"4 weeks"', '"3 weeks"'))
    assert by_rule(load_caseload(folder, today), "core_group")[0][1] == D(2026, 10, 16)
    assert parsed == ["CP-T-1.toml"]  # read again once the team's profile changed


def test_profiles_new_writes_a_valid_starter(tmp_path: Path, capsys, today: D) -> None:
    folder = write_folder(tmp_path / "cases", {"CP-T-1": CASE.format(procedure="my-team")})
    assert main(["profiles", "new", "my-team", "--extends", "darlington", "--cases", str(folder)]) == 0
    path = folder / "profiles" / "my-team.toml"
    text = path.read_text()
    for rule in TIMESCALES:
        assert f"# {rule} = " in text, rule
    assert "Darlington, 'Seeing the Child'" in text  # the base's citations, ready to edit
    lib = load_library(folder)
    assert not lib.problems, [str(p) for p in lib.problems]
    mine, base = lib.get("my-team"), get_profile("darlington")
    assert {k: s.text for k, s in mine.timescales.items()} == {k: s.text for k, s in base.timescales.items()}
    assert not load_caseload(folder, today).has_errors
    # Never overwrites; a shipped name is refused.
    assert main(["profiles", "new", "my-team", "--cases", str(folder)]) == 1
    assert main(["profiles", "new", "berkshire", "--cases", str(folder)]) == 1
    assert "already a shipped profile" in capsys.readouterr().err


def test_profiles_shows_where_each_value_comes_from(tmp_path: Path, capsys) -> None:
    folder = folder_with(tmp_path, {"example-town": GOOD})
    assert main(["profiles", "example-town", "--cases", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("(extends darlington)")
    assert "from: team file " in out and "example-town.toml" in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("core_group "))
    assert "[overrides darlington: 20 working days] (team file)" in line
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("bedroom_seen "))
    assert line.endswith("[from darlington]")
    assert "plan = 'child protection plan'" in out


def test_plan_document_uses_the_partnerships_words(tmp_path: Path, today: D) -> None:
    from cptui.documents import render

    for procedure, title, lead in [
        ("wales", "# Care and support protection plan — CP-T-1",
         "**Care and support protection plan co-ordinator:**"),
        ("darlington", "# Child protection plan — CP-T-1", "**Lead social worker:**"),
    ]:
        folder = write_folder(tmp_path / procedure, {"CP-T-1": CASE.format(procedure=procedure)})
        cl = load_caseload(folder, today)
        md = render("plan", cl.get("CP-T-1"), cl)
        assert md.splitlines()[0] == title and lead in md, md[:300]


def test_check_counts_team_profiles(tmp_path: Path, capsys) -> None:
    folder = folder_with(tmp_path, {"example-town": GOOD})
    assert main(["check", str(folder)]) == 0
    assert "1 case files and 1 team profile checked (0 broken)" in capsys.readouterr().err


def test_team_profile_agenda_items_reach_the_agenda(tmp_path: Path, demo: Path) -> None:
    """A team's [documents] items, on top of the shipped profile it extends, print on the agenda."""
    import shutil

    from cptui.caseload import load_caseload
    from cptui.documents import render

    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    (folder / "profiles").mkdir()
    (folder / "profiles" / "example-town.toml").write_text(
        'extends = "darlington"\n[documents]\nagenda_later = [{ item = "Example Town: the family '
        'support plan", cite = "Example Town 4.1, \'Core groups\'" }]\n', encoding="utf-8")
    text = (folder / "CP-2026-0001.toml").read_text(encoding="utf-8")
    (folder / "CP-2026-0001.toml").write_text(text.replace('procedure = "darlington"',
                                                           'procedure = "example-town"'), encoding="utf-8")
    load = load_caseload(folder, D(2026, 11, 23), use_cache=False)
    agenda = render("agenda", load.get("CP-2026-0001"), load, "full", "md", None, None)
    assert "Example Town: the family support plan" in agenda
    assert "Areas of disagreement" in agenda  # Darlington's own item is inherited
