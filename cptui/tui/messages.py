"""What screens hear from the app, and the app as its own type.

The app posts ``CaseloadChanged`` to every screen after a load, a save or a
reload; screens handle it with ``@on`` and redraw from ``app.caseload``.
``cptui_app`` gives widgets the app with its real type, so its attributes
are checked rather than silenced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode
from textual.message import Message

if TYPE_CHECKING:
    from cptui.caseload import Caseload
    from cptui.tui.app import CptuiApp


class CaseloadChanged(Message):
    """The caseload was (re)loaded or a case file saved: redraw from ``app.caseload``."""


class LoadProgress(Message):
    """From the loading thread: ``done`` of ``total`` files read so far; ``first`` is the
    caseload so far, sent once, for the screen to show while the rest load."""

    def __init__(self, done: int, total: int, first: "Caseload | None") -> None:
        super().__init__()
        self.done, self.total, self.first = done, total, first


class LoadDone(Message):
    """From the loading thread: the complete caseload and the files' git states. A
    message like ``LoadProgress``, so it is handled after every progress sent before it."""

    def __init__(self, load: "Caseload", git: dict[str, str] | None) -> None:
        super().__init__()
        self.load, self.git = load, git


def cptui_app(node: DOMNode) -> CptuiApp:
    return cast("CptuiApp", node.app)
