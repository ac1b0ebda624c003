"""The JSON output's rows (docs/format.md#json-output), encoded fast.

A cold load encodes one row per deadline: 200,000 for 10,000 cases.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from cptui.rules import Deadline


def _row_encoder() -> Callable[[dict], str]:
    """json.dumps(row, ensure_ascii=False), from one C encoder built once.

    ``JSONEncoder.encode`` builds a new C encoder on every call; a cold load
    encodes one row per deadline, so building it once halves the cost.
    """
    from json import encoder as e

    if e.c_make_encoder is None:  # a Python without the C accelerator
        return json.JSONEncoder(ensure_ascii=False).encode

    def default(o: object) -> object:
        raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    c = e.c_make_encoder(None, default, e.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda row: "".join(c(row, 0))


encode_row = _row_encoder()


def json_lines(deadlines: list[Deadline]) -> str:
    """One case's deadlines as JSON objects (docs/format.md#json-output), one a line, in order."""
    rows = sorted(deadlines, key=lambda d: (d.due, d.rule, d.child or "", d.source))
    return ",\n  ".join([encode_row(d.as_json()) for d in rows])
