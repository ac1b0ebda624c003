"""A one-line bar saying what day the app thinks it is, and whether pinned."""

from __future__ import annotations

from textual.widgets import Static

from cptui.caseload import Caseload
from cptui.dates import fmt_date


class ClockBar(Static):
    """Pinned clocks (training, --today) get a visible, worded banner."""

    def show(self, load: Caseload, extra: str = "") -> None:
        if load.pinned:
            text = f"⏸ PINNED CLOCK: today is {fmt_date(load.today)} ({load.today_source})"
            self.add_class("pinned")
        else:
            text = load.clock_note()
            self.remove_class("pinned")
        self.update(f"{text}   {extra}".rstrip())
