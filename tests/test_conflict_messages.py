"""What `cptui check` says about each shape of unresolved git conflict.

A merge that leaves markers in a case file stops that file loading; the message is
how a worker finds and mends it without a developer. Each row is a conflict as git
writes it and the exact message (line, words) a person would need.
"""

from __future__ import annotations

import pytest

from cptui.loader import describe_conflicts

KEEP = " — keep one and delete the marker lines"
KEEP_RECORD = " — keep one version and delete the marker lines"
STRAY = "unresolved git conflict: a stray conflict marker; remove it"
BROKEN = "unresolved git conflict: markers are incomplete; fix by hand"

CASES = {
    "a field in a record with an id": (
        """[[visits]]
id = "v1"
<<<<<<< HEAD
summary = "Seen at home"
=======
summary = "Seen at school"
>>>>>>> theirs
date = 2026-01-05""",
        [(3, 'unresolved git conflict in visits v1, field summary: ours summary = "Seen at home"'
             ' | theirs summary = "Seen at school"' + KEEP)]),
    "the record header just above the markers": (
        """[[visits]]
id = "v1"
[[visits]]
<<<<<<< HEAD
id = "v2"
=======
id = "v3"
>>>>>>> theirs""",
        [(4, "unresolved git conflict in visits, field id: ours id = \"v2\" | theirs id = \"v3\""
             + KEEP)]),
    "the id is the next record's, never the one before": (
        """[[visits]]
date = 2026-01-01
id = "v1"
[[visits]]
id = "v2"
<<<<<<< HEAD
date = 2026-02-01
=======
date = 2026-02-02
>>>>>>> theirs""",
        [(6, "unresolved git conflict in visits v2, field date: ours date = 2026-02-01"
             " | theirs date = 2026-02-02" + KEEP)]),
    "diff3 style: the base section is neither side": (
        """[plan]
<<<<<<< ours
review = 1
||||||| base
review = 0
=======
review = 2
>>>>>>> theirs""",
        [(2, "unresolved git conflict in plan, field review: ours review = 1 | theirs review = 2"
             + KEEP)]),
    "before any table": (
        """<<<<<<< HEAD
schema = 1
=======
schema = 2
>>>>>>> theirs
[plan]""",
        [(1, "unresolved git conflict at the top of the file, field schema: ours schema = 1"
             " | theirs schema = 2" + KEEP)]),
    "one side has no value left": (
        """[plan]
<<<<<<< HEAD
# removed
=======
review = 2
>>>>>>> theirs""",
        [(2, "unresolved git conflict in plan, field review: ours (nothing) | theirs review = 2"
             + KEEP)]),
    "two values on one side": (
        """[plan]
<<<<<<< HEAD
a = 1
b = 2
=======
a = 3
>>>>>>> theirs""",
        [(2, "unresolved git conflict in plan, field a, b: ours a = 1; b = 2 | theirs a = 3"
             + KEEP)]),
    "a record deleted on our side, changed on theirs": (
        """id = "CP-1"
<<<<<<< HEAD
=======
[[visits]]
id = "v2"
date = 2026-01-02
>>>>>>> theirs
[plan]""",
        [(2, "unresolved git conflict in visits v2: deleted on our side, changed on the other"
             + KEEP_RECORD)]),
    "a record deleted on their side": (
        """<<<<<<< HEAD
[[core_groups]]
id = "g4"
date = 2026-03-01
=======

>>>>>>> theirs""",
        [(1, "unresolved git conflict in core_groups g4: deleted on their side, changed on the"
             " other" + KEEP_RECORD)]),
    "a record changed on both sides": (
        """<<<<<<< HEAD
[[visits]]
date = 2026-03-01
=======
[[visits]]
date = 2026-03-02
>>>>>>> theirs""",
        [(1, "unresolved git conflict in visits: both sides differ" + KEEP_RECORD)]),
    "two conflicts back to back": (
        """[plan]
<<<<<<< HEAD
a = 1
=======
a = 2
>>>>>>> theirs
<<<<<<< HEAD
b = 1
=======
b = 2
>>>>>>> theirs""",
        [(2, "unresolved git conflict in plan, field a: ours a = 1 | theirs a = 2" + KEEP),
         (7, "unresolved git conflict in plan, field b: ours b = 1 | theirs b = 2" + KEEP)]),
    "a lone separator": ("[plan]\n=======\nreview = 1", [(2, STRAY)]),
    "a lone end marker, then a lone base marker": (
        "a = 1\n>>>>>>> theirs\n||||||| base", [(2, STRAY), (3, STRAY)]),
    "a start marker with no end": (
        "<<<<<<< HEAD\na = 1\n=======\na = 2", [(1, BROKEN), (3, STRAY)]),
    "a start marker with nothing after": ("[plan]\n<<<<<<< HEAD\na = 1", [(2, BROKEN)]),
    "markers must start the line": ("a = \"<<<<<<< not a marker\"\n  =======", []),
    # Markers out of order (an end before the separator) once crashed the whole load.
    "an end marker before the separator": (
        "<<<<<<< HEAD\n>>>>>>> theirs\n=======\na = 1",
        [(1, BROKEN), (2, STRAY), (3, STRAY)]),
    "an end marker straight after the start, then a whole conflict": (
        "<<<<<<< HEAD\n>>>>>>> theirs\n<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> theirs",
        [(1, BROKEN), (2, STRAY),
         (3, "unresolved git conflict at the top of the file, field a: ours a = 1 | theirs a = 2"
             + KEEP)]),
    "diff3 with no separator: the base runs to the end marker": (
        "[plan]\n<<<<<<< ours\nreview = 1\n||||||| base\nreview = 0\n>>>>>>> theirs",
        [(2, "unresolved git conflict in plan, field review: ours review = 1 | theirs (nothing)"
             + KEEP)]),
    "comments only on both sides": (
        "[plan]\n<<<<<<< HEAD\n# ours\n=======\n# theirs\n>>>>>>> theirs",
        [(2, "unresolved git conflict in plan: ours (nothing) | theirs (nothing)" + KEEP)]),
    "an id that starts or ends with X is kept whole": (
        '[[visits]]\nid = "X1X"\n<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> theirs\n'
        '<<<<<<< HEAD\n[[events]]\nid = "X2"\n=======\n>>>>>>> theirs',
        [(3, "unresolved git conflict in visits X1X, field a: ours a = 1 | theirs a = 2" + KEEP),
         (8, "unresolved git conflict in events X2: deleted on their side, changed on the other"
             + KEEP_RECORD)]),
    "two record conflicts back to back": (
        "<<<<<<< HEAD\n[[visits]]\nid = \"v1\"\n=======\n>>>>>>> theirs\n"
        "<<<<<<< HEAD\n=======\n[[visits]]\nid = \"v2\"\n>>>>>>> theirs",
        [(1, "unresolved git conflict in visits v1: deleted on their side, changed on the other"
             + KEEP_RECORD),
         (6, "unresolved git conflict in visits v2: deleted on our side, changed on the other"
             + KEEP_RECORD)]),
    "a stray separator just before a conflict": (
        "=======\n<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> theirs",
        [(1, STRAY), (2, "unresolved git conflict at the top of the file, field a: ours a = 1"
                         " | theirs a = 2" + KEEP)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_conflict_shape_is_described_where_it_is(name: str) -> None:
    text, want = CASES[name]
    assert describe_conflicts(text.split("\n")) == want
