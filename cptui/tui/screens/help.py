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
          ("↑ ↓ PgUp PgDn", "Move in a table (Home, End: first and last row)")]
# A table's own cursor keys: summed up in GLOBAL rather than listed one by one.
MOVES = {"cursor_up", "cursor_down", "page_up", "page_down", "first", "last", "scroll_up",
         "scroll_down", "scroll_home", "scroll_end", "page_left", "page_right"}


def textual_keys(node: DOMNode) -> set[tuple[str, str]]:
    """(key, action) of the bindings a node inherits from Textual's own classes: the
    App's copy, quit and palette keys, a Screen's focus keys, a widget's cursor keys."""
    return {(b.key, b.action) if isinstance(b, Binding) else (b[0], b[1])
            for cls in type(node).__mro__ if cls.__module__.startswith("textual.")
            for b in getattr(cls, "BINDINGS", [])}


def key_lines(screen: Screen) -> list[tuple[str, str]]:
    """The keys cptui itself binds on this screen, each once; Textual's own (copy,
    focus, palette, cursor movement) are summed up in GLOBAL instead."""
    seen: dict[str, str] = {}
    ours = {k for k, _ in GLOBAL}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.description or b.action in MOVES:
            continue
        if any(key in k.split(",") and b.action == a for k, a in textual_keys(active.node)):
            continue
        shown = b.key_display or key
        if shown not in ours:
            seen.setdefault(shown, b.description)
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
