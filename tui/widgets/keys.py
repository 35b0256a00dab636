"""Key binding labels from the message catalogue.

Bindings are declared with an ``id`` (as posting does, so keys can be remapped) and no text; each
instance then takes its description and tooltip from the catalogue (``ui.key.<id>`` and
``ui.tip.<id>``) in the language chosen at start, which is only known after the classes are built.
"""

from __future__ import annotations

import dataclasses

from textual.dom import DOMNode

from storage.core.i18n import keys as catalogue
from storage.core.i18n import t


def key_label(binding_id: str) -> str:
    return t(f"ui.key.{binding_id}")


def localize_bindings(node: DOMNode) -> None:
    """Fill the description and tooltip of every binding of ``node`` that has an id."""
    known = catalogue()
    bindings = node._bindings.key_to_bindings
    for key, items in list(bindings.items()):
        new = []
        for b in items:
            if b.id and f"ui.key.{b.id}" in known:
                tip = f"ui.tip.{b.id}"
                b = dataclasses.replace(b, description=t(f"ui.key.{b.id}"),
                                        tooltip=t(tip) if tip in known else b.tooltip)
            new.append(b)
        bindings[key] = new


# Textual's own widgets whose key descriptions show in the footer: (widget class, action) -> catalogue key
_TEXTUAL_KEYS = (("SelectOverlay", "dismiss", "ui.textual.dismiss_menu"),
                 ("CommandPalette", "escape", "ui.textual.palette_close"))


def localize_textual() -> None:
    """Textual's own footer words ("Dismiss menu" of an open pick list, the palette's Esc) in the language
    chosen: their classes' bindings are rewritten once, before any instance copies them."""
    from textual.command import CommandPalette
    from textual.widgets._select import SelectOverlay

    classes = {"SelectOverlay": SelectOverlay, "CommandPalette": CommandPalette}
    for name, action, key in _TEXTUAL_KEYS:
        merged = classes[name]._merged_bindings
        if merged is None:
            continue
        for k, items in list(merged.key_to_bindings.items()):
            merged.key_to_bindings[k] = [dataclasses.replace(b, description=t(key)) if b.action == action else b
                                         for b in items]
