"""Status cells: always a symbol and words, colour only as a second cue."""

from __future__ import annotations

from rich.text import Text

from cptui.rules import STATUS_TEXT

STYLE = {
    "overdue": "bold red",
    "due_soon": "bold yellow",
    "upcoming": "",
    "late": "magenta",
    "met": "green",
}


_CELLS = {status: Text(STATUS_TEXT[status], style=STYLE[status]) for status in STYLE}


def status_text(status: str) -> Text:
    """The status cell. One shared Text per status (tables copy a cell before
    changing it), so 10,000 rows do not build 10,000 equal Texts."""
    return _CELLS[status]
