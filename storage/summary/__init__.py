"""Ringkasan: the province's figures and their report."""

from storage.summary.figures import (
    CACHE_FILE,
    DEFAULT_SILENT_DAYS,
    STANDING,
    TKSK_KEC_POSITIONS,
    area_kabs,
    cached,
    compute,
    keep,
    members,
    open_conflicts,
    payouts,
    rekap_rows,
    set_silent_days,
    silent_days,
    state_key,
    tksk_gaps,
)

__all__ = [
    "TKSK_KEC_POSITIONS",
    "STANDING",
    "DEFAULT_SILENT_DAYS",
    "CACHE_FILE",
    "silent_days",
    "set_silent_days",
    "area_kabs",
    "members",
    "open_conflicts",
    "tksk_gaps",
    "payouts",
    "compute",
    "rekap_rows",
    "state_key",
    "cached",
    "keep",
]
