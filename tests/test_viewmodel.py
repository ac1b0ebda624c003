"""Templates see plain data only; parent's copies leave out every confidential record.

Issue 12 (items 1 and 3) and the document mutants of issue 19: a confidential
record of every kind, every parent's-copy document in md and html; team
templates cannot reach files; the sandbox is bounded.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from conftest import DEMO, TODAY, write_folder, shared_load
from cptui.caseload import Caseload, load_caseload
from cptui.documents import DOCUMENTS, DocumentError, context, render
from cptui.viewmodel import plain_violations


# One confidential record of every kind, each carrying a marker word that
# appears nowhere else; hidden people and children have ids m9 / c9.
SECRET_CASE = '''
schema = 1
id = "CP-S-1"
procedure = "darlington"
lead_social_worker = "m1"

[[children]]
id = "c1"
name = "Ava Example"
date_of_birth = 2019-04-02
category = "neglect"
plan_start = 2026-09-14

[[children]]
id = "c9"
name = "Hidden Childname"
date_of_birth = 2020-01-01
category = "neglect"
plan_start = 2026-09-14
confidential = true

[[members]]
id = "m1"
name = "Sam Patel"
role = "Lead social worker"
agency = "Children's Social Care"
core_group = true

[[members]]
id = "m5"
name = "Kim Example"
role = "Mother"
kind = "family"
core_group = true
contact = "07700 900555"

[[members]]
id = "m9"
name = "Secret Membername"
role = "Refuge worker"
agency = "Safe Place"
core_group = true
contact = "07700 900999"
confidential = true

[[events]]
id = "e1"
date = 2026-08-25
kind = "strategy_discussion"
s47 = true
summary = "Strategy discussion about Ava."

[[events]]
id = "e9"
date = 2026-11-10
kind = "incident"
summary = "SECRETEVENT disclosure"
confidential = true

[[conferences]]
id = "k1"
kind = "initial"
date = 2026-09-14
outcome = "plan"
children = ["c1", "c9"]
attendees = ["m1", "m5", "m9"]
report_to_parents = 2026-09-10
report_to_chair = 2026-09-09
decisions_circulated = 2026-09-16
record_circulated = 2026-10-01

[[conferences]]
id = "k9"
kind = "review"
date = 2026-11-18
outcome = "continue"
children = ["c1"]
attendees = ["m1", "m9"]
exceptional_reason = "SECRETCONFERENCE reason"
confidential = true

[[core_groups]]
id = "g1"
date = 2026-09-24
chair = "m9"
attendees = ["m1", "m5", "m9"]
notes = "First meeting."
notes_circulated = 2026-09-25

[[core_groups]]
id = "g9"
date = 2026-11-19
chair = "m1"
attendees = ["m1", "m9"]
notes = "SECRETMEETING notes"
notes_circulated = 2026-11-20
confidential = true

[[visits]]
id = "v1"
date = 2026-11-02
by = "m9"
seen = ["c1", "c9"]
seen_alone = ["c9"]

[[visits]]
id = "v9"
date = 2026-11-12
by = "m1"
seen = ["c1"]
notes = "SECRETVISIT notes"
confidential = true

[plan]
contingency = "Legal advice."

[[plan.outcomes]]
id = "o1"
concern = "Hunger."
outcome = "Food every day."
evidence = "Food seen."

[[plan.outcomes]]
id = "o9"
concern = "SECRETOUTCOME concern"
outcome = "SECRETOUTCOME outcome"
evidence = "SECRETOUTCOME evidence"
confidential = true

[[plan.actions]]
id = "a1"
outcome = "o1"
action = "Refer to the food bank."
owner = "m9"
due = 2026-12-01

[[plan.actions]]
id = "a9"
outcome = "o1"
action = "SECRETACTION call the refuge"
owner = "m1"
due = 2026-12-02
confidential = true
'''

SECRETS = ["Hidden Childname", "Secret Membername", "Refuge worker", "Safe Place", "07700 900999",
           "07700 900555", "SECRETEVENT", "SECRETCONFERENCE", "SECRETMEETING", "SECRETVISIT",
           "SECRETOUTCOME", "SECRETACTION", "m9", "c9",
           "Wed 18 Nov 2026",  # the confidential review conference's date
           "Thu 19 Nov 2026",  # the confidential core group's date
           ]


@pytest.fixture
def secret_load(tmp_path: Path):
    folder = write_folder(tmp_path / "cases", {"CP-S-1": SECRET_CASE})
    load = load_caseload(folder, TODAY, use_cache=False)
    assert not load.has_errors, [str(p) for p in load.problems]
    return load


def test_every_full_document_shows_the_secrets_so_the_parent_test_means_something(secret_load) -> None:
    cv = secret_load.get("CP-S-1")
    text = "".join(render(n, cv, secret_load, "full", "md") for n in DOCUMENTS)
    text += render("notes", cv, secret_load, "full", "md", meeting="g9")
    text += render("record", cv, secret_load, "full", "md", conference="k9")
    for s in SECRETS[:-4]:
        assert s in text, s


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_parent_copy_leaves_out_a_confidential_record_of_every_kind(secret_load, name: str, fmt: str) -> None:
    cv = secret_load.get("CP-S-1")
    text = render(name, cv, secret_load, "parent", fmt)
    for s in SECRETS:
        assert s not in text, (name, fmt, s)
    assert "Parent's copy" in text or "Parent&#39;s copy" in text


def test_parent_copy_cannot_be_pointed_at_a_hidden_meeting(secret_load) -> None:
    cv = secret_load.get("CP-S-1")
    with pytest.raises(DocumentError, match="g9"):
        render("notes", cv, secret_load, "parent", meeting="g9")
    with pytest.raises(DocumentError, match="k9"):
        render("record", cv, secret_load, "parent", conference="k9")


def test_derived_dates_never_come_from_hidden_records(secret_load) -> None:
    """Next core group due runs from g1 in the parent copy (g9 is hidden)."""
    cv = secret_load.get("CP-S-1")
    full = context(cv, secret_load, "full", name="agenda")
    parent = context(cv, secret_load, "parent", name="agenda")
    assert parent["next_meeting_due"] != full["next_meeting_due"]
    assert parent["since"] == date(2026, 9, 24) and full["since"] == date(2026, 11, 19)


def test_team_template_printing_contact_gets_nothing_in_a_parent_copy(secret_load, tmp_path: Path, today: date) -> None:
    folder = secret_load.folder
    (folder / "templates").mkdir()
    (folder / "templates" / "plan.md.j2").write_text(
        "# x\n{% for m in core_members %}[{{ m.contact }}]{% endfor %}\n")
    load = load_caseload(folder, today, use_cache=False)
    cv = load.get("CP-S-1")
    assert "07700 900555" in render("plan", cv, load, "full")
    parent = render("plan", cv, load, "parent")
    assert "0770" not in parent and "[]" in parent


# -- plain data only ------------------------------------------------------


def demo_load() -> Caseload:
    return shared_load(DEMO, TODAY)


@pytest.mark.parametrize("case", sorted(cv.case.id for cv in demo_load().cases))
def test_template_context_is_plain_data_only(case: str) -> None:
    load = demo_load()
    cv = load.get(case)
    for name in DOCUMENTS:
        for copy in ("full", "parent"):
            ctx = context(cv, load, copy, name=name)
            assert plain_violations(ctx) == [], (name, copy)


def test_walker_catches_what_it_should() -> None:
    assert plain_violations({"a": [1, "x", date(2026, 1, 1)]}) == []
    assert plain_violations({"p": Path("/")}) and plain_violations({"f": len}) \
        and plain_violations({"o": object()})


def team(tmp_path: Path, template: str) -> tuple:
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    (folder / "templates").mkdir()
    (folder / "templates" / "agenda.md.j2").write_text(template)
    load = load_caseload(folder, TODAY, use_cache=False)
    return load, load.get("CP-2026-0001")


def test_team_template_cannot_read_files(tmp_path: Path) -> None:
    load, cv = team(tmp_path, "{{ case.path.joinpath('/etc/hostname').read_text() }}\n")
    with pytest.raises(DocumentError, match="agenda.md.j2 line 1 failed: .*(no attribute|unsafe)"):
        render("agenda", cv, load)


def test_team_template_cannot_write_files(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    for tpl in (f"{{{{ case.path.joinpath('{target}').write_text('x') }}}}\n",
                f"{{{{ self.__init__.__globals__ }}}}\n",
                "{{ range.__self__ }}\n"):
        load, cv = team(tmp_path / str(len(tpl)), tpl)
        with pytest.raises(DocumentError, match="line 1 failed: .*(undefined|no attribute|unsafe)"):
            render("agenda", cv, load)
    assert not target.exists()


@pytest.mark.parametrize("tpl", ["{{ 10 ** 1000 ** 1000 ** 1000 }}", "{{ 7 ** 99999999 }}", "{{ 'x' * 2000000000 }}", "{{ [1] * 10**9 }}",
                                 "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                                 "{% for i in range(9000) %}{{ range(9000)|list|length }}{% endfor %}"])
def test_sandbox_is_bounded(tmp_path: Path, tpl: str) -> None:
    load, cv = team(tmp_path, tpl + "\n")
    t0 = time.monotonic()
    with pytest.raises((DocumentError, SecurityError, OverflowError)):
        render("agenda", cv, load)
    assert time.monotonic() - t0 < 30  # generous: the point is it stops at all


def test_full_copy_counts_what_that_documents_parent_copy_leaves_out(secret_load) -> None:
    """Per document (issue 14.6): the chronology loses c9, e9, k9, g9 and v9; the plan
    loses c9, m9, both phone numbers, o9 and a9."""
    cv = secret_load.get("CP-S-1")
    assert context(cv, secret_load, "full", name="chronology")["omitted"] == 5
    assert context(cv, secret_load, "full", name="plan")["omitted"] == 6
    assert "would leave out 5 items." in render("chronology", cv, secret_load)


@pytest.mark.parametrize("tpl, want", [
    ("{{ 2 ** 10 }}|{{ (-3) ** 3 }}|{{ 1 ** 1000000 }}|{{ 0 ** 5 }}|{{ 2.0 ** 3 }}",
     "1024|-27|1|0|8.0"),
    ("{{ 2 ** 50000 % 1000003 }}", str(pow(2, 50000, 1000003))),  # 2 bits x 50000: the limit
    ("{{ 'ab' * 3 }}|{{ 3 * 'ab' }}|{{ [1, 2] * 2 }}|{{ 6 * 7 }}", "ababab|ababab|[1, 2, 1, 2]|42"),
    ("{{ ('x' * 100000) | length }}|{{ ([0] * 100000) | length }}|"
     "{{ range(10000) | list | length }}",
     "100000|100000|10000"),
])
def test_sandbox_arithmetic_within_its_bounds_is_ordinary(tmp_path: Path, tpl: str,
                                                          want: str) -> None:
    """The bounds stop runaway templates; everything under them must work as Jinja does,
    up to and including each limit exactly."""
    load, cv = team(tmp_path, tpl + "\n")
    out = render("agenda", cv, load)
    assert want in out


@pytest.mark.parametrize("tpl, want", [
    ("{{ 'Ava Example'|first_word }}|{{ '  Ava  Example'|first_word }}|{{ ''|first_word }}"
     "|{{ none|first_word }}", "Ava|Ava||"),
    ("{{ ['Ava', 'Ben', 'Cal']|and_list }}|{{ ['Ava', 'Ben']|and_list }}|{{ ['Ava']|and_list }}"
     "|{{ []|and_list }}", "Ava, Ben and Cal|Ava and Ben|Ava|"),
    ("{{ ' a |  b\n c '|cell }}|{{ none|cell }}", "a / b c|"),
    ("{{ []|dates }}", "none"),
])
def test_the_filters_a_team_template_may_use(tmp_path: Path, tpl: str, want: str) -> None:
    """``first_word``, ``and_list``, ``cell`` and ``dates`` are offered to team templates
    (the README lists them); the bundled ones use only some, so each is held here."""
    load, cv = team(tmp_path, "[" + tpl + "]\n")
    assert "[" + want + "]" in render("agenda", cv, load)


def test_a_team_template_may_indent_its_tags(tmp_path: Path) -> None:
    """Tags on lines of their own leave no blank lines or stray spaces behind."""
    load, cv = team(tmp_path, "Items:\n  {% for x in [1, 2] %}\n  - {{ x }}\n  {% endfor %}\nEnd\n")
    assert "Items:\n  - 1\n  - 2\nEnd\n" in render("agenda", cv, load)


def test_a_team_template_knows_which_document_it_is(tmp_path: Path) -> None:
    """``document`` and ``omitted`` (what the parent's copy of this document leaves out:
    one item on this agenda, none in a parent's copy itself)."""
    load, cv = team(tmp_path, "[{{ document.name }}|{{ document.title }}|{{ omitted }}]\n")
    assert "[agenda|Core group agenda|1]" in render("agenda", cv, load)
    assert "[agenda|Core group agenda|0]" in render("agenda", cv, load, copy="parent")


@pytest.mark.parametrize("extra, stops", [("", False), ("y", True)])
def test_a_document_may_be_as_long_as_the_limit_and_no_longer(tmp_path: Path, extra: str,
                                                              stops: bool) -> None:
    """Exactly 5,000,000 characters is allowed; one more stops the template."""
    load, cv = team(tmp_path, "{% for i in range(50) %}{{ 'x' * 100000 }}{% endfor %}" + extra)
    if stops:
        with pytest.raises(DocumentError) as err:
            render("agenda", cv, load)
        assert str(err.value) == "document longer than 5000000 characters: template stopped"
    else:
        assert len(render("agenda", cv, load)) == 5_000_000


@pytest.mark.parametrize("tpl, msg", [
    ("{{ 2 ** 100001 }}", "template power over 100000 bits"),
    ("{{ 'x' * 100001 }}", "template repeat over 100000 items"),
    ("{{ 100001 * [0] }}", "template repeat over 100000 items"),
    ("{{ range(10001) | list | length }}", "template asked for more than 10000 range() items"),
])
def test_sandbox_says_which_bound_a_template_crossed(tmp_path: Path, tpl: str,
                                                     msg: str) -> None:
    load, cv = team(tmp_path, tpl + "\n")
    with pytest.raises(DocumentError) as err:
        render("agenda", cv, load)
    assert msg in str(err.value)
