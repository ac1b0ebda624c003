"""docs/format.md stays true: its worked example is what cptui computes.

The worked example was done by hand; these tests run the files printed in
the page through ``cptui deadlines --format json`` and compare every row of
the page's table (and its full JSON lines) with the program's output, so a
change to the rules or the date arithmetic cannot leave the page stale. The
links into the page must land on a heading, and the docs never send readers
to files outside the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from cptui.cli import main

ROOT = Path(__file__).resolve().parent.parent
FORMAT = ROOT / "docs" / "format.md"
EXAMPLE_TODAY = "2027-05-26"


def _toml_block_after(text: str, marker: str) -> str:
    start = text.index("```toml\n", text.index(marker)) + len("```toml\n")
    return text[start:text.index("```\n", start)]


def _example_output(tmp_path: Path, capsys) -> list[dict]:
    text = FORMAT.read_text(encoding="utf-8")
    (tmp_path / "cptui.toml").write_text(_toml_block_after(text, "`example/cptui.toml`:"))
    (tmp_path / "CP-2027-0007.toml").write_text(
        _toml_block_after(text, "`example/CP-2027-0007.toml`:"))
    code = main(["deadlines", "--cases", str(tmp_path), "--today", EXAMPLE_TODAY,
                 "--format", "json"])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def _table_rows(text: str) -> list[list[str]]:
    """The worked example's table: rule, child, basis, due, done, status, source."""
    lines = text[text.index("| rule | child | basis |"):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_worked_example_table_is_what_cptui_computes(tmp_path: Path, capsys) -> None:
    got = _example_output(tmp_path, capsys)
    table = _table_rows(FORMAT.read_text(encoding="utf-8"))
    computed = [[d["rule"], d["child"] or "null", d["basis"], d["due"], d["done"] or "null",
                 d["status"], d["source"]] for d in got]
    assert len(table) == 11  # the page works out eleven instances by hand
    assert table == computed


def test_worked_example_json_lines_appear_verbatim(tmp_path: Path, capsys) -> None:
    got = _example_output(tmp_path, capsys)
    text = FORMAT.read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    shown = [json.loads(line) for line in block.splitlines() if line.strip()]
    assert shown and all(obj in got for obj in shown)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors, fenced = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#+ (.*)", line)):
            anchors.add(_slug(m.group(1)))
    return anchors


def test_links_into_format_md_land_on_a_heading() -> None:
    format_anchors = _anchors(FORMAT)
    checked = 0
    for doc in (ROOT / "README.md", ROOT / "docs" / "README.md", FORMAT):
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)",
                                         doc.read_text(encoding="utf-8")):
            if target == "" and doc != FORMAT:
                continue  # in-page links of other files are not this test's business
            if target in ("", "format.md", "docs/format.md"):
                assert anchor in format_anchors, f"{doc.name}: #{anchor} is not a heading"
                checked += 1
    assert checked > 20


def test_docs_point_only_inside_the_repository() -> None:
    for doc in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, doc.name
        assert not re.search(r"\bSPEC\b", text), f"{doc.name} still cites the SPEC"


def test_code_points_only_inside_the_repository() -> None:
    """Docstrings and comments cite docs/ pages a clone has, never a SPEC it does not."""
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "cptui").rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bSPEC\b|\.\./shared", line)]
    assert offenders == []
    anchors = {m.group(1) for p in sorted((ROOT / "cptui").rglob("*.py"))
               for m in re.finditer(r"docs/format\.md#([a-z0-9-]+)", p.read_text(encoding="utf-8"))}
    headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", (ROOT / "docs" / "format.md").read_text(encoding="utf-8"), re.M)}
    assert anchors and anchors <= headings, anchors - headings
