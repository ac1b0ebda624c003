"""Attendance at a core group: one row per member, one key cycles each.

Everyone starts as attended (the common case); the digit of a member's row
cycles attended → apologies → apologies with a written report → absent.
Space does the same for the highlighted row. States are words and symbols.
"""

from __future__ import annotations

from rich.markup import escape
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

STATES = ["attended", "apologies", "apologies_written", "absent"]
SHOWN = {"attended": "✓ attended", "apologies": "A apologies",
         "apologies_written": "W apologies, report", "absent": "– absent"}
DIGITS = "123456789"


def states_from(members: list[str], attendees: list[str], apologies: list[str],
                written: list[str], fresh: bool) -> dict[str, str]:
    """Each member's state from the record's three lists (fresh: all attended)."""
    out = {}
    for m in members:
        if fresh or m in attendees:
            out[m] = "attended"
        elif m in apologies:
            out[m] = "apologies_written" if m in written else "apologies"
        else:
            out[m] = "absent"
    return out


class AttendanceGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    AttendanceGrid { height: auto; padding: 0 1; border: round $primary 50%;
                     text-wrap: nowrap; text-overflow: ellipsis; }
    AttendanceGrid:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("space", "cycle_current", "Cycle attendance", show=False),
    ] + [Binding(d, f"cycle({i})", f"Cycle member {d}", show=False) for i, d in enumerate(DIGITS)]
    cursor = reactive(0)

    def __init__(self, people: list[tuple[str, str]], states: dict[str, str], **kwargs) -> None:
        """``people``: (member id, label) in record order."""
        super().__init__(**kwargs)
        self.people = people
        self.states = dict(states)

    def render(self) -> str:
        lines = []
        for i, (mid, label) in enumerate(self.people):
            key = DIGITS[i] if i < len(DIGITS) else " "
            pointer = "▶" if i == self.cursor and self.has_focus else " "
            lines.append(f"{pointer} [b]{key}[/b]  {SHOWN[self.states[mid]]:<20} {escape(label)}")
        return "\n".join(lines) or "No core group members: add people first (m on the new menu)."

    def action_move(self, step: int) -> None:
        if self.people:
            self.cursor = (self.cursor + step) % len(self.people)

    def action_cycle(self, i: int) -> None:
        if i < len(self.people):
            mid = self.people[i][0]
            self.states[mid] = STATES[(STATES.index(self.states[mid]) + 1) % len(STATES)]
            self.cursor = i
            self.refresh(layout=True)

    def action_cycle_current(self) -> None:
        self.action_cycle(self.cursor)

    def lists(self) -> tuple[list[str], list[str], list[str]]:
        """(attendees, apologies, written_reports) in record order."""
        ids = [m for m, _ in self.people]
        return ([m for m in ids if self.states[m] == "attended"],
                [m for m in ids if self.states[m] in ("apologies", "apologies_written")],
                [m for m in ids if self.states[m] == "apologies_written"])
