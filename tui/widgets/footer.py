"""Textual's footer, composed again only when the keys it shows change.

Textual's ``Footer`` throws its keys away and composes them again whenever its screen's bindings may
have changed: every focus change, every return from a dialog, every ``refresh_bindings``. Each time that
is a dozen new widgets styled twice (0.05-0.15 s of the UI thread on the clerk's PC, issue 25: after a
saved member form, before the next key is read). This one compares what it would show (key, label,
group, enabled, tooltip) with what it shows and keeps its keys when nothing differs.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _shown: tuple | None = None

    def _keys(self, screen: Screen) -> tuple:
        app = self.app
        shown = tuple((binding.key, binding.action, binding.description, binding.group, enabled, tooltip,
                       app.get_key_display(binding))
                      for (_, binding, enabled, tooltip) in screen.active_bindings.values() if binding.show)
        palette = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        return shown, palette[2] if palette else None, self.show_command_palette, app.ENABLE_COMMAND_PALETTE

    def bindings_changed(self, screen: Screen) -> None:
        current = screen.app.app_focus and self.is_attached and screen is self.screen
        keys = self._keys(screen) if current else None
        if current and self._bindings_ready and keys == self._shown:
            return
        self._shown = keys
        super().bindings_changed(screen)
