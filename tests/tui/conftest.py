"""Fixtures of the screens' tests."""

from __future__ import annotations

import pytest

from storage import payouts, sample
from storage.core.db import Database


@pytest.fixture
def folder(tmp_path):
    """The province's demo folder, separation of duties off: one operator plays the whole quarter
    (tests/tui/test_payouts_controls_app.py plays it with the duties on)."""
    path = tmp_path / "data"
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Siti")
    sample.load(db)
    payouts.set_separate_duties(db, False)
    db.close()
    return path
