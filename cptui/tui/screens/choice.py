"""Pick one of a few options by its key (used for "new what?")."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ChoiceScreen(ModalScreen[str | None]):
    CSS_PATH = "choice.tcss"
    BINDINGS = [Binding("escape", "pick('')", "Cancel")]

    def __init__(self, question: str, options: list[tuple[str, str, str]]) -> None:
        """``options``: (key, label, value) triples."""
        super().__init__()
        self.question, self.options = question, options

    def on_key(self, event) -> None:
        for key, _, value in self.options:
            if event.key == key:
                event.stop()
                self.dismiss(value)

    def compose(self) -> ComposeResult:
        lines = [f"[b]{self.question}[/b]", ""] + [
            f"  [b]{k}[/b]  {label}" for k, label, _ in self.options
        ]
        with Vertical(id="choice-box"):
            yield Static("\n".join(lines + ["", "[dim]escape cancels[/dim]"]))

    def action_pick(self, value: str) -> None:
        self.dismiss(value or None)
