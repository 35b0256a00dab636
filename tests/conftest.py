"""Shared test set-up: every test starts, and ends, in Bahasa Indonesia (the product's default), with
an operator named (``PILAR_OPERATOR``: every write needs one)."""

from __future__ import annotations

import pytest

from storage.i18n import set_lang


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch):
    monkeypatch.delenv("PILAR_LANG", raising=False)
    # Every write needs an operator (issue 12); tests that are about a missing one remove it.
    monkeypatch.setenv("PILAR_OPERATOR", "Penguji")
    set_lang("id")
    yield
    set_lang("id")
