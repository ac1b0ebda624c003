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
    from cptui.tui.app import CptuiApp


class CaseloadChanged(Message):
    """The caseload was (re)loaded or a case file saved: redraw from ``app.caseload``."""


def cptui_app(node: DOMNode) -> CptuiApp:
    return cast("CptuiApp", node.app)
