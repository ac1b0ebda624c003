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


def status_text(status: str) -> Text:
    return Text(STATUS_TEXT[status], style=STYLE[status])
