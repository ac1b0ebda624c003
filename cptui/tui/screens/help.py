"""Help: every key that works on the screen underneath, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GLOBAL = [("ctrl+p", "Command palette: every action, and jump to any case"),
          ("tab / shift+tab", "Move between panels"),
          ("↑ ↓ PgUp PgDn", "Move in a table")]


def textual_actions(node: DOMNode) -> set[str]:
    """Actions a widget inherits from Textual's own classes (cursor, page, home...)."""
    return {b.action if isinstance(b, Binding) else b[1]
            for cls in type(node).__mro__ if cls.__module__.startswith("textual.")
            for b in getattr(cls, "BINDINGS", [])}


def key_lines(screen: Screen) -> list[tuple[str, str]]:
    """The screen's, the app's and our own widgets' keys; a Textual widget's own
    navigation keys (cursor, page, home) are summed up in GLOBAL instead."""
    seen: dict[str, str] = {}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if active.node is not screen and active.node is not screen.app \
                and b.action in textual_actions(active.node):
            continue
        if b.description:
            seen.setdefault(b.key_display or key, b.description)
    return sorted(seen.items(), key=lambda kv: kv[0].lower())


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.lines = key_lines(under) + GLOBAL

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            body = "\n".join(f"[b]{k:>16}[/b]  {d}" for k, d in self.lines)
            yield Static(body + "\n\n[dim]Status is always written out: ✗ OVERDUE, ! due soon, "
                         "· upcoming, ✓ met. escape closes.[/dim]", id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Keys on this screen"
