"""Documents: content per template, parent copies leak nothing, templates are sandboxed."""

from __future__ import annotations

import errno
import os
import re
from datetime import date
import shutil
from pathlib import Path

import pytest

from conftest import DEMO, shared_load
from cptui.caseload import Caseload, load_caseload
from cptui.cli import main
from cptui.documents import DOCUMENTS, DocumentError, md_to_html, render
from cptui.paths import bundled_templates
from cptui.tui.app import make_app
from tui_helpers import TODAY, ready


def demo_load() -> Caseload:
    return shared_load(DEMO, TODAY)


CASES = sorted(cv.case.id for cv in demo_load().cases)


def doc(name: str, case: str, **kw) -> str:
    load = demo_load()
    return render(name, load.get(case), load, **kw)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_renders_for_every_demo_case(name: str, case: str) -> None:
    for copy in ("full", "parent"):
        md = doc(name, case, copy=copy)
        assert md.startswith("# ") and case in md
        page = doc(name, case, copy=copy, fmt="html")
        assert page.startswith("<!doctype html>") and "<h1>" in page and "{{" not in page


def secrets(case_id: str) -> list[str]:
    """Text that only confidential records and contact details hold."""
    case = demo_load().get(case_id).case
    out = [m.contact for m in case.members if m.contact]
    out += [m.name for m in case.members if m.confidential]
    out += [e.summary for e in case.events if e.confidential]
    for arr in (case.conferences, case.core_groups, case.visits):
        out += [getattr(r, "notes", None) or r.id for r in arr if r.confidential]
    return [s for s in out if s]


@pytest.mark.parametrize("case", CASES)
def test_parent_copy_never_contains_confidential_text(case: str) -> None:
    leaks = secrets(case)
    for name in DOCUMENTS:
        for fmt in ("md", "html"):
            text = doc(name, case, copy="parent", fmt=fmt)
            for s in leaks:
                assert s not in text, (name, fmt, s)
            assert "Parent's copy" in text


def test_demo_has_secrets_to_protect_and_full_copy_counts_them() -> None:
    assert secrets("CP-2026-0001") and secrets("CP-2026-0009")
    full = doc("chronology", "CP-2026-0001")
    assert "Leo taken to the walk-in centre" in full and "07700 900001" in doc("plan", "CP-2026-0001")
    # Per document: the chronology loses the incident, the plan the mother's phone number,
    # the notes nothing (issue 14.6: the count was case-wide).
    assert "A parent's copy of this document would leave out 1 item." in full
    assert "would leave out 1 item." in doc("plan", "CP-2026-0001")
    assert "would leave out 0 items." in doc("notes", "CP-2026-0001")


def test_parent_copy_marked_top_and_bottom_and_every_printed_page() -> None:
    md = doc("plan", "CP-2026-0001", copy="parent").strip().splitlines()
    assert "Parent's copy" in " ".join(md[:4]) and "Parent's copy" in md[-1]
    page = doc("plan", "CP-2026-0001", copy="parent", fmt="html")
    assert '@top-center { content: "Parent\'s copy' in page  # a page margin box: every printed page
    assert '@bottom-center { content: "Parent\'s copy"' in page


def test_full_copy_page_says_full_copy_everywhere_and_never_parents_copy() -> None:
    """A full copy mislabelled "Parent's copy" is how confidential text reaches a family."""
    page = doc("plan", "CP-2026-0001", fmt="html")
    assert "<title>Child protection plan — CP-2026-0001</title>" in page
    assert '<div class="banner">Full copy — confidential</div>' in page
    assert ('@top-center { content: "Full copy — confidential · Child protection plan — '
            'CP-2026-0001";') in page
    assert '@bottom-center { content: "Full copy — confidential";' in page
    assert "Parent's copy" not in page
    parent = doc("plan", "CP-2026-0001", copy="parent", fmt="html")
    assert '<div class="banner">Parent&#39;s copy</div>' in parent  # escaped, as HTML
    assert "<title>Child protection plan — CP-2026-0001</title>" in parent
    assert "Full copy" not in parent


def test_a_named_conference_is_recorded_not_the_latest() -> None:
    latest = doc("record", "CP-2026-0009")
    assert "**Conference:** review child protection conference, Thu 15 Oct 2026" in latest
    for copy in ("full", "parent"):
        first = doc("record", "CP-2026-0009", conference="k1", copy=copy)
        assert "**Conference:** initial child protection conference, Mon 19 Jan 2026" in first


def test_wrong_document_format_or_copy_is_named_with_the_choices() -> None:
    with pytest.raises(DocumentError) as e:
        doc("minutes", "CP-2026-0001")
    assert str(e.value) == ("unknown document 'minutes'; choose from: agenda, notes, plan, "
                            "plan-child, chronology, record")
    with pytest.raises(DocumentError) as e:
        doc("plan", "CP-2026-0001", fmt="pdf")
    assert str(e.value) == "--format is md or html"
    with pytest.raises(DocumentError) as e:
        doc("plan", "CP-2026-0001", copy="draft")
    assert str(e.value) == "--copy is full or parent"


def test_agenda_first_meeting_and_later_variants() -> None:
    first = doc("agenda", "CP-2026-0003")
    for item in ("Develop the outline plan", "Plan the assessment", "written agreement",
                 "Agree a chair and a vice-chair", "Set the date of every core group up to the review"):
        assert item in first
    later = doc("agenda", "CP-2026-0001")
    assert "Agree a chair" not in later
    assert "Wed 25 Nov 2026 at 10:00, Example Primary, meeting room" in later
    assert ("Tell the social worker each week whether Ava arrives hungry. (Priya Sample, due Fri 20 Nov 2026, "
            "✗ OVERDUE)") in later  # the app's words for an action past its date
    assert "Mon 14 Dec 2026" in later  # the booked review


def test_notes_default_latest_and_named_meeting() -> None:
    notes = doc("notes", "CP-2026-0001")
    assert "**Meeting:** Thu 22 Oct 2026 at 14:00, Family home" in notes
    assert "- Chris Demo (sent a written report)" in notes
    assert "| Priya Sample | Tell the social worker each week whether Ava arrives hungry. | Fri 20 Nov 2026 | ✗ OVERDUE |" in notes
    assert "Wed 25 Nov 2026" in notes  # next meeting
    assert "Thu 24 Sep 2026" in doc("notes", "CP-2026-0001", meeting="g1")
    with pytest.raises(DocumentError, match="no held core group meeting 'g3'"):
        doc("notes", "CP-2026-0001", meeting="g3")  # booked, not held


def test_plan_and_plan_child() -> None:
    plan = doc("plan", "CP-2026-0006")
    assert "| Charlie Fictional | Attend the Freedom Programme. |" not in plan  # owner is Jess
    assert "| Jess Sample | Attend the Freedom Programme. | ASAP | ○ open |" in plan
    assert "| NO OWNER | Safety planning sessions with Jacob. | Fri 18 Dec 2026 | ○ open |" in plan
    assert "If the father returns to the home" in plan
    child = doc("plan-child", "CP-2026-0006")
    assert "This plan is for Jacob, Ella and Theo." in child
    assert "Jess Sample will do this: Attend the Freedom Programme." in child


def test_plan_child_template_has_no_jargon() -> None:
    text = (bundled_templates() / "plan-child.md.j2").read_text()
    words = re.sub(r"\{[{%#].*?[}%#]\}", " ", text, flags=re.S).lower()
    for jargon in ("conference", "core group", "contingency", "icpc", "s47", "section 47",
                   "category", "smart", "lado", "csc"):
        assert jargon not in words, jargon
    assert max(len(s.split()) for s in re.split(r"[.!?:]\s|\n", words) if s.strip()) <= 16  # short sentences


def test_chronology_in_date_order_with_four_columns() -> None:
    chron = doc("chronology", "CP-2026-0005")
    rows = [l for l in chron.splitlines() if re.match(r"\| \w{3} \d", l)]
    assert "| Date | What happened | Source | Action taken |" in chron
    dates = [r.split("|")[1].strip() for r in rows]
    from datetime import datetime
    parsed = [datetime.strptime(d, "%a %d %b %Y") for d in dates]
    assert parsed == sorted(parsed) and len(rows) >= 5
    assert "| Thu 29 Oct 2026 | Statutory visit | Nat Example | no child seen; NOT seen: " in chron


def test_conference_record() -> None:
    rec = doc("record", "CP-2026-0001", conference="k1")
    assert "**Conference:** initial child protection conference, Mon 14 Sep 2026" in rec
    assert "**Outcome:** a child protection plan is needed" in rec
    assert "| Ava Example | neglect | Mon 14 Sep 2026 |" in rec
    assert "**First core group:** Thu 24 Sep 2026" in rec and "**Next conference:** Mon 14 Dec 2026" in rec
    inquorate = doc("record", "CP-2026-0005")
    assert "**Quorate:** NO" in inquorate and "## Apologies\n\n- Dr Sam Madeup\n- PC Lou Sample" in inquorate


def test_interpreter_on_every_document() -> None:
    for name in DOCUMENTS:
        for copy in ("full", "parent"):
            text = doc(name, "CP-2026-0004", copy=copy)
            assert "Interpreter needed: Polish." in text and "must never be used to interpret" in text
    assert "Interpreter needed" not in doc("plan", "CP-2026-0001")


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    p = folder / "CP-2026-0008.toml"
    p.write_text(p.read_text().replace("Oliver arrived at school with a facial injury.",
                                       "{{7*7}} <script>alert(1)</script> {% raw %}"))
    text = (folder / "CP-2026-0008.toml").read_text()
    (folder / "CP-2026-0008.toml").write_text(text.replace(
        'summary = "Joint visit with police; Oliver seen alone."',
        'summary = "Joint visit with police; Oliver seen alone. ![x](http://evil.example/p.png)"'))
    return folder


def test_record_text_is_data_never_template(tmp_path: Path, today: date) -> None:
    load = load_caseload(hostile_folder(tmp_path), today)
    md = render("chronology", load.get("CP-2026-0008"), load)
    assert "{{7*7}} \\<script>alert(1)\\</script> {% raw %}" in md and "49" not in md
    assert not re.search(r"(?<!\\)<", md)  # every < escaped: a .md previewer runs nothing (issue 12.6)
    page = render("chronology", load.get("CP-2026-0008"), load, fmt="html").replace("<wbr>", "")
    assert "[image: x](http://evil.example/p.png)" in md and "![" not in md  # a plain link: loads nothing
    assert "<img" not in page and "<a " not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page


def test_a_team_html_template_escapes_record_text(tmp_path: Path, today: date) -> None:
    """A team's own ``<name>.html.j2`` is HTML: every value is escaped, so a case note
    can never become markup in a page someone opens in a browser."""
    folder = hostile_folder(tmp_path)
    (folder / "templates").mkdir()
    (folder / "templates" / "chronology.html.j2").write_text(
        "<ul>{% for r in timeline %}<li>{{ r.what }}</li>{% endfor %}</ul>\n")
    load = load_caseload(folder, today, use_cache=False)
    page = render("chronology", load.get("CP-2026-0008"), load, fmt="html")
    assert page.startswith("<ul><li>")  # the team's template, not the bundled page
    assert "{{7*7}} &lt;script&gt;alert(1)&lt;/script&gt; {% raw %}" in page
    assert "<script>" not in page
    md = render("chronology", load.get("CP-2026-0008"), load, fmt="md")
    assert "&lt;" not in md  # Markdown templates are not HTML-escaped


def test_team_template_overrides_and_is_sandboxed(tmp_path: Path, today: date, demo: Path) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    (folder / "templates").mkdir()
    (folder / "templates" / "agenda.md.j2").write_text("# Our agenda for {{ case.id }}\n")
    load = load_caseload(folder, today)
    assert render("agenda", load.get("CP-2026-0001"), load) == "# Our agenda for CP-2026-0001\n"
    assert render("plan", load.get("CP-2026-0001"), load).startswith("# Child protection plan")
    (folder / "templates" / "agenda.md.j2").write_text("{{ case.__class__.__mro__ }}\n")
    with pytest.raises(DocumentError, match=r"agenda.md.j2 line 1 failed: .*unsafe"):
        render("agenda", load.get("CP-2026-0001"), load)


def test_markdown_to_html_escapes_nests_and_drops_links() -> None:
    html = md_to_html("# T <b>\n\n- a & b\n  - nested\n\n| x | y |\n| --- | --- |\n| 1 | **2** |\n\n"
                      "> note\n\n[x](javascript:alert(1)) ![](http://evil.example/p.png)\n")
    assert "<wbr>" in html  # the address may break when printed: the text is the same without
    html = html.replace("<wbr>", "")
    assert "<h1>T &lt;b&gt;</h1>" in html and "<li>a &amp; b\n<ul>\n<li>nested</li>" in html  # 14.2
    assert "<td><strong>2</strong></td>" in html and "<blockquote>" in html
    assert "<a " not in html and "<img" not in html and "evil.example" in html


def test_cli_render(tmp_path: Path, capsys, demo: Path) -> None:
    out = tmp_path / "plan.html"
    assert main(["render", "plan", "CP-2026-0004", "--cases", str(demo), "--copy", "parent",
                 "--format", "html", "-o", str(out)]) == 0
    assert "Interpreter needed: Polish" in out.read_text()
    assert main(["render", "agenda", "CP-2026-0001", "--cases", str(demo)]) == 0
    assert capsys.readouterr().out.startswith("# Core group agenda — CP-2026-0001")
    assert main(["render", "agenda", "CP-0000", "--cases", str(demo)]) == 1
    assert main(["render", "menu", "CP-2026-0001", "--cases", str(demo)]) == 2


async def test_tui_writes_documents_to_out(tmp_path: Path, today: date, demo: Path) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    app = make_app(folder, today=today, case_id="CP-2026-0001")
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await pilot.press("r", "p", "p")  # documents -> plan -> parent's copy
        await pilot.pause()
        msgs = [n.message for n in app._notifications]
    html = tmp_path / "out" / "CP-2026-0001-plan-parent-2026-11-23.html"
    assert html.is_file() and (tmp_path / "out" / "CP-2026-0001-plan-parent-2026-11-23.md").is_file()
    assert "07700 900001" not in html.read_text() and any(str(html) in m for m in msgs)
    assert html.stat().st_mode & 0o777 == 0o600


def test_agenda_covers_what_the_procedures_ask_of_a_core_group() -> None:
    """Issue 14.3: role and purpose, each child seen, incidents, assessment, views, disagreements."""
    later = doc("agenda", "CP-2026-0001")
    for item in ("role and purpose of the core group", "Seeing each child on statutory visits since the last meeting",
                 "Significant incidents since the last meeting", "Progress of the assessment",
                 "The child's views: Ava says", "The parents' views: Kim agrees",
                 "Disagreements, and how each is being resolved"):
        assert item in later, item
    # The burn (confidential) is in the full copy's incidents, never in the parent's.
    assert "Fri 30 Oct 2026: Leo taken to the walk-in centre with a burn" in later
    assert "burn" not in doc("agenda", "CP-2026-0001", copy="parent")
    # Seen / seen alone / bedroom seen per child since the last meeting (22 Oct).
    assert "Leo Example: seen Tue 27 Oct 2026; seen alone none; bedroom seen none" in later
    assert "✗ OVERDUE: Statutory visit — Leo, due Tue 10 Nov 2026" in later  # the app's words


def test_agenda_items_differ_by_procedure_from_profile_data() -> None:
    hill = doc("agenda", "CP-2026-0002")
    assert "Is the Assessment being written within timescales? _(Hillingdon" in hill
    berks = doc("agenda", "CP-2025-0107")
    assert "role and purpose of the core group agreed at the first meeting _(Berkshire" in berks
    dar = doc("agenda", "CP-2026-0001")
    assert "Assessment being written within timescales" not in dar and "_(Darlington, 'Seeing the Child')_" in dar


def test_pre_birth_documents_read_naturally() -> None:
    agenda = doc("agenda", "CP-2026-0004")
    assert "**Children:** Baby Testwell (unborn, due Sat 20 Feb 2027), Ruby Testwell" in agenda
    child = doc("plan-child", "CP-2026-0004")
    assert "This plan is for the baby due on Sat 20 Feb 2027 and Ruby." in child
    assert "for ." not in child


def test_chronology_has_every_contact_and_who_was_not_seen() -> None:
    chron = doc("chronology", "CP-2026-0001")
    assert "| Mon 9 Nov 2026 | Statutory visit | Sam Patel | seen: Ava Example; NOT seen: Leo Example;" in chron
    assert "| Thu 12 Nov 2026 | Contact (not a statutory visit) | Chris Demo | seen: Leo Example;" in chron


def test_notes_say_when_the_plan_was_sent(tmp_path: Path) -> None:
    """CoreGroup.plan_sent comes from another branch; the notes read it when it is there."""
    from dataclasses import replace as dc_replace

    from cptui.caseload import CaseView
    load = demo_load()
    cv = load.get("CP-2026-0001")
    groups = []
    for g in cv.case.core_groups:
        g2 = dc_replace(g)
        object.__setattr__(g2, "plan_sent", date(2026, 10, 27) if g.id == "g2" else None)
        groups.append(g2)
    cv2 = CaseView(dc_replace(cv.case, core_groups=groups), cv.profile, cv.deadlines, cv.problems)
    assert "- Plan sent on Tue 27 Oct 2026" in render("notes", cv2, load)


def test_write_document_names_each_copy_and_keeps_its_folder_private(
        tmp_path: Path, today: date) -> None:
    """The file name says the case, document, copy and date; the parent's copy is marked
    so it is never mistaken for the full one; the folder made for it is the user's own."""
    import shutil
    import stat

    from cptui.documents import write_document

    folder = tmp_path / "team" / "cases"
    shutil.copytree(DEMO, folder)
    load = load_caseload(folder, today, use_cache=False)
    cv = load.get("CP-2026-0001")
    full = write_document("agenda", cv, load, "full", "md")
    parent = write_document("agenda", cv, load, "parent", "html")
    stamp = today.isoformat()
    assert full == (tmp_path / "team" / "out" / f"CP-2026-0001-agenda-{stamp}.md").resolve()
    assert parent.name == f"CP-2026-0001-agenda-parent-{stamp}.html"
    assert stat.S_IMODE(full.parent.stat().st_mode) & 0o077 == 0
    assert full.read_text(encoding="utf-8") == render("agenda", cv, load, "full", "md")
    assert parent.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_markdown_shows_record_text_as_typed(tmp_path: Path, today: date) -> None:
    from cptui.documents import md_text

    assert md_text("Mum wrote ![x] and <b>") == "Mum wrote !\\[x] and \\<b>"
    assert md_text(5) == 5


def test_a_css_string_keeps_words_and_drops_anything_that_could_end_it() -> None:
    """The print banner's text goes into a CSS string: a case id or title carrying quotes,
    backslashes, braces or semicolons must not close it (or start a rule)."""
    from cptui.documents import _css_string

    assert _css_string("Parent's copy · Plan — CP-2026-0001") == \
        '"Parent\'s copy · Plan — CP-2026-0001"'
    assert _css_string('x"; } body { display: none } /* \\') == '"x  body  display none   "'


@pytest.mark.parametrize("err, why", [
    (errno.ENOSPC, "the disk is full"), (errno.EDQUOT, "the disk is full"),
    (errno.EACCES, "Permission denied"), (None, "no reason given"),
])
def test_a_document_that_cannot_be_written_says_why_in_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int | None, why: str) -> None:
    from cptui import fsio
    from cptui.documents import OutputError, write_text

    def refuse(path: Path, data: bytes) -> None:
        raise OSError(err, os.strerror(err)) if err else OSError("no reason given")

    monkeypatch.setattr(fsio, "write_atomic", refuse)
    target = tmp_path / "x.md"
    with pytest.raises(OutputError) as e:
        write_text(target, "text")
    assert str(e.value) == f"could not write {target}: {why}; nothing was written"


def test_long_words_get_break_chances_and_nothing_else_changes() -> None:
    """A pasted address may wrap when printed (test_print checks the page); short words,
    entities and tags are untouched, and without the <wbr> the text is the same."""
    url = "https://example.invalid/sites/a%20b/Shared%20Documents/report.docx?x=1&y=2"
    src = f"| a | b |\n| --- | --- |\n| Fri 30 Oct 2026 | see {url} & <tag> |\n\nshort words\n"
    from cptui.documents import _MD

    html = md_to_html(src)
    assert "<wbr>" in html and "&amp;y=" in html.replace("<wbr>", "")
    assert html.replace("<wbr>", "") == _MD.render(src)  # the converter's own output
    assert "Fri 30 Oct 2026" in html and "<p>short words</p>" in html
    assert "&lt;tag&gt;" in html and "&<wbr>" not in html and ";<wbr>" not in html.split("docx")[0]
    longest = max(len(run) for run in re.split(r"<wbr>|\s|<[^>]+>", html))
    assert longest <= 25
