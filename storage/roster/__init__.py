"""The roster: members and their pillar assignments (save, search, history, cards, import)."""

from storage.roster.service import (
    ANY_AREA,
    COLUMNS,
    STATUS_FILTERS,
    Query,
    Roster,
    Row,
    blank_member,
    detail_text,
    empty_assignment,
    export_rows,
    make_row,
    matcher,
    normalise,
    rows_for_export,
    without_restricted,
)

__all__ = [
    "COLUMNS",
    "STATUS_FILTERS",
    "Row",
    "matcher",
    "make_row",
    "ANY_AREA",
    "Query",
    "Roster",
    "normalise",
    "blank_member",
    "empty_assignment",
    "rows_for_export",
    "export_rows",
    "detail_text",
    "without_restricted",
]
