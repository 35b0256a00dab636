"""Message catalogue: every sentence a user reads, in Bahasa Indonesia first and English.

Catalogue entries live in ``storage/messages/<area>.py`` as ``MESSAGES = {key: {"id": ..., "en": ...}}``
so that each area of the product owns its own file.
"""

from __future__ import annotations

import importlib
import pkgutil

LANGS = ("id", "en")
_lang = "id"
_catalogue: dict[str, dict[str, str]] | None = None


def _load() -> dict[str, dict[str, str]]:
    global _catalogue
    if _catalogue is None:
        import storage.messages as pkg

        merged: dict[str, dict[str, str]] = {}
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"storage.messages.{info.name}")
            for key, entry in getattr(module, "MESSAGES", {}).items():
                if key in merged:
                    raise RuntimeError(f"message key {key!r} defined twice (storage/messages/{info.name}.py)")
                merged[key] = entry
        _catalogue = merged
    return _catalogue


def set_lang(lang: str) -> None:
    """Choose the language of every later message ("id" or "en")."""
    global _lang
    if lang not in LANGS:
        raise ValueError(lang)
    _lang = lang


def get_lang() -> str:
    return _lang


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The sentence for ``key`` in the current language, with ``{params}`` filled in."""
    entry = _load().get(key)
    if entry is None:
        return key
    text = entry.get(lang or _lang) or entry["id"]
    return text.format(**params) if params else text


def tn(key: str, n: int, lang: str | None = None, **params: object) -> str:
    """``key.one`` when ``n`` is 1, else ``key.other`` ("1 pillar", "6 pillars"), with ``n`` and ``params``."""
    return t(f"{key}.one" if n == 1 else f"{key}.other", lang, n=n, **params)


def keys() -> dict[str, dict[str, str]]:
    return dict(_load())
