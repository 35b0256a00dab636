"""The rows an import refused or held, written back as a spreadsheet to correct and import again ("perbaiki
lalu impor lagi", issue 23): each table's columns under headers the importer maps back to the same
fields, the rows as the file had them, and why each was refused in a last column the importer ignores.
Written through storage.export (every cell formula-safe)."""

from __future__ import annotations

from pathlib import Path

from storage.core.i18n import t
from storage.printing import tables as export
from storage.roster.importing import words as header_words
from storage.roster.importing.read import PaddedNumber, column_letter

# A header the importer maps to the field again (the file's own header may have been a two-row one).
_HEADER = {name: aliases[0].upper() for name, aliases in header_words.HEADERS.items()}
_HEADER.update({"birth": "TEMPAT, TGL LAHIR", "kab": "KAB/KOTA", "phone": "NO HP", "bank.account": "NO REKENING",
                "bank.name": "NAMA BANK", "bank.holder": "ATAS NAMA", "number": "NO ANGGOTA", "sk": "NO SK",
                "start": "TMT", "area_kec": "KECAMATAN TUGAS", "inactive_date": "TGL BERHENTI", "office": "UPT",
                "sex_l": "L", "sex_p": "P"})
FATES_OUT = ("refuse", "hold", "conflict")


def refused_sheets(plan) -> list[tuple[str, list[str], list[list[object]]]]:
    """(sheet title, headers, rows) for every table with refused or held rows."""
    out = []
    by_table: dict[int, list] = {}
    for row in plan.rows:
        if row.fate in FATES_OUT and row.table is not None and row.cells is not None:
            by_table.setdefault(id(row.table), []).append(row)
    for table in plan.read_sheets:
        rows = by_table.get(id(table))
        if not rows:
            continue
        width = max(len(table.headers), *(len(r.cells) for r in rows))
        headers = []
        for i in range(width):
            field = table.mapping.get(i)
            original = table.headers[i] if i < len(table.headers) else ""
            if field == "status" or (field and header_words.header_field(original) == field):
                headers.append(original)  # KETERANGAN and AKTIF mean different things: kept as written
            elif field:
                headers.append(_HEADER.get(field, original))
            else:
                headers.append(original or column_letter(i))
        headers += [t("roster.import.refused_where"), t("roster.import.refused_why")]
        body = []
        for r in rows:
            cells = [_cell(c) for c in r.cells] + [None] * (width - len(r.cells))
            body.append([*cells, r.where, " ".join(r.reasons)])
        out.append((table.label[:31], headers, body))
    return out


def _cell(value: object) -> object:
    """A cell as the importer will read it again: text stays text (a NIK its 16 digits), a number whose
    zeros were shown by its format keeps them."""
    if isinstance(value, PaddedNumber):
        return str(value)
    return value


def write_refused(plan, path: Path) -> int:
    """Write the refused and held rows of ``plan`` to ``path`` (.xlsx, or .csv for a one-table file);
    the number of rows written."""
    sheets = refused_sheets(plan)
    path = Path(path)
    if path.suffix.lower() == ".csv" and len(sheets) == 1:
        _title, headers, rows = sheets[0]
        export.write_csv(path, headers, rows)
    else:
        export.write_xlsx(path, sheets or [(t("roster.import.refused_sheet"), [], [])])
    return sum(len(rows) for _t, _h, rows in sheets)
