"""Shared test set-up: every test starts, and ends, in Bahasa Indonesia (the product's default)."""

from __future__ import annotations

import pytest

from storage.i18n import set_lang


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch):
    monkeypatch.delenv("PILAR_LANG", raising=False)
    set_lang("id")
    yield
    set_lang("id")
