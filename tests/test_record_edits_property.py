"""Property: a single-record edit changes that record and nothing else (issue #10).

Case files are generated with adversarial strings in every text field
(quote runs, ''' and \"\"\", #, [, =, newlines, CRLF, unicode), written both
as plain TOML and with multi-line strings; then one random edit (update,
delete or add) is made and the file read back.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from cptui.storage import CaseFile

TOKENS = list("ab '\"#[]=.\\{},\n\r\t") + ["'''", '"""', "é", "😀", "[[events]]", "\n[x]\n"]
NASTY = st.lists(st.sampled_from(TOKENS), max_size=20).map("".join)


def toml_str(s: str, multiline: bool) -> str:
    """A TOML basic string, multi-line when asked (escapes keep it valid either way)."""
    body = s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\t", "\\t")
    if multiline:
        return '"""' + body + '"""'
    return '"' + body.replace("\n", "\\n") + '"'


def build(summaries: list[tuple[str, bool]], nl: str) -> str:
    out = ['schema = 1', 'id = "CP-P-1"', 'lead_social_worker = "m1"', '',
           '[[children]]', 'id = "c1"', 'name = "Ava Example"', 'date_of_birth = 2019-04-02',
           'plan_start = 2026-09-14', '', '[[members]]', 'id = "m1"', 'name = "Sam Patel"', '']
    for i, (s, ml) in enumerate(summaries, 1):
        out += ['# a comment above ' + str(i), '[[events]]', f'id = "e{i}"', f'date = 2026-10-{i:02d}',
                'kind = "note"', f'summary = {toml_str(s, ml)}', '']
    text = "\n".join(out)
    return text.replace("\n", "\r\n") if nl == "\r\n" else text


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(summaries=st.lists(st.tuples(NASTY, st.booleans()), min_size=1, max_size=6),
       op=st.sampled_from(["update", "delete", "add"]), pick=st.integers(min_value=0, max_value=5),
       new=NASTY, nl=st.sampled_from(["\n", "\r\n"]))
def test_one_edit_changes_one_record(summaries, op, pick, new, nl) -> None:
    text = build(summaries, nl)
    before = tomllib.loads(text)
    cf = CaseFile(Path("CP-P-1.toml"), raw=text.encode("utf-8"))
    target = f"e{pick % len(summaries) + 1}"
    expected = copy.deepcopy(before)
    events = expected["events"]
    if op == "update":
        cf.update("event", target, {"summary": new})
        next(e for e in events if e["id"] == target)["summary"] = new
    elif op == "delete":
        cf.delete("event", target)
        events[:] = [e for e in events if e["id"] != target]
        if not events:
            del expected["events"]
    else:
        rid = cf.add("event", {"date": __import__("datetime").date(2026, 11, 1), "kind": "note",
                               "summary": new})
        events.append({"id": rid, "date": __import__("datetime").date(2026, 11, 1), "kind": "note",
                       "summary": new})
    after = tomllib.loads(cf.text())
    assert after == expected
    # each remaining original record keeps the comment written above it
    kept = len(summaries) - (op == "delete")
    assert cf.text().count("# a comment above") == kept
