"""A Select that never drops a key while its list is opening.

Textual focuses the opened list a moment later; a key typed in between
reaches the Select, which ignores it. Here such keys go to the list.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Select
from textual.widgets._select import SelectOverlay


class FormSelect(Select):
    BINDINGS = [
        Binding("enter,space", "open_or_pick", "Show menu", show=False),
        Binding("down", "step(1)", "Next", show=False),
        Binding("up", "step(-1)", "Previous", show=False),
    ]

    @property
    def overlay(self) -> SelectOverlay:
        return self.query_one(SelectOverlay)

    def action_open_or_pick(self) -> None:
        if self.expanded:
            self.overlay.action_select()
        else:
            self.action_show_overlay()

    def action_step(self, n: int) -> None:
        if not self.expanded:
            self.action_show_overlay()
        elif n > 0:
            self.overlay.action_cursor_down()
        else:
            self.overlay.action_cursor_up()
