"""Checks a record's type hints cannot say, run as a case file is loaded.

A child needs a date of birth or an expected date; an action's `due` may be words
("ASAP"); and a key that looks meant to hide a record but hides nothing is said.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cptui.locate import PathKey
from cptui.model import Action, Child

if TYPE_CHECKING:
    from cptui.loader import Checker


def child_checks(checker: Checker, ch: Child, d: dict, p: PathKey) -> None:
    if ch.date_of_birth is None and ch.expected_date is None:
        checker.add(
            p, f"child {ch.id!r} has neither `date_of_birth` nor `expected_date`", "warning"
        )
    if ch.plan_start and ch.plan_end and ch.plan_end < ch.plan_start:
        checker.add(p + ("plan_end",), "`plan_end` is before `plan_start`")


def action_due(checker: Checker, a: Action, d: dict, p: PathKey) -> None:
    """``due`` is a date, or words such as "ASAP" that load but are flagged."""
    due_raw = d.get("due")
    due_text = due_raw.strip() if isinstance(due_raw, str) else None
    if due_text is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", due_text):
        due_text = None  # a quoted date: date_ says so rather than treat it as text
    a.due = checker.date_(d, p, "due") if due_text is None else None
    a.due_text = due_text


def nothing(checker: Checker, rec: Any, d: dict, p: PathKey) -> None:
    pass


# Checks a type hint cannot say, run after a record of that kind is built.
AFTER = {"child": child_checks, "action": action_due}


@lru_cache(maxsize=None)
def file_keys(cls: type) -> frozenset[str]:
    """Keys a record of ``cls`` may have in the file (every declared field)."""
    return frozenset(f.name for f in fields(cls))


def marker_warnings(checker: Checker, keys: set[str], path: PathKey) -> None:
    """Say when a key looks meant to hide a record but does not: a misspelt or
    capitalised ``confidential``, or a word cptui does not read for it. Other keys
    of a team's own are kept and never questioned."""
    from difflib import SequenceMatcher

    for k in sorted(keys):
        low = k.lower()
        if low == "confidential" or SequenceMatcher(None, low, "confidential").ratio() >= 0.8:
            msg = (f"`{k}` is not `confidential`: this record is NOT left out of parent's "
                   "copies (write `confidential = true`)")
        elif low in ("restricted", "private", "secret", "hidden", "hide", "redact", "redacted"):
            msg = (f"`{k}` does nothing: only `confidential = true` leaves a record out of "
                   "parent's copies")
        else:
            continue
        checker.add(path + (k,), msg, "warning")
