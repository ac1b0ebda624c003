"""Textual's Footer, recomposed only when what it would show has changed."""

from __future__ import annotations

from typing import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """A Footer that skips a rebuild when the keys it shows are the same as last time.

    Textual's Footer rebuilds all of its key widgets whenever the screen says its
    bindings changed, which happens several times while a screen starts (mount,
    focus settling, the first data): three rebuilds of identical keys cost about a
    third of the caseload's start-up before any case is read.
    """

    _shown: Hashable = None

    def _keys(self, screen: Screen) -> Hashable:
        """What compose() would draw: every shown binding, its label, state and tooltip."""
        return tuple(
            (binding.key, self.app.get_key_display(binding), binding.description,
             binding.action, binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        keys = self._keys(screen)
        if keys == self._shown:
            return
        self._shown = keys
        super().bindings_changed(screen)
