"""Bad-file corpus for roster import (CSV and XLSX): every file is either refused with one sentence or
each row's fate is reported; nothing partial is ever written (one transaction or none)."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from storage.check import run_checks
from storage.core import i18n
from storage.core.db import Database, read_journal
from storage.core.errors import PilarError
from storage.roster import Roster
from storage.roster.importing.plan import commit, preview
from tests.support.roster import make_folder, nik

TODAY = dt.date(2024, 4, 4)
HEADERS = ["NO", "NAMA", "NIK", "JENIS KELAMIN", "TEMPAT/TGL LAHIR", "KAB/KOTA", "KECAMATAN", "NO HP", "PILAR",
           "JABATAN", "TMT"]
KEC = [("35.78.01", "Karang Pilang"), ("35.78.02", "Wonocolo"), ("35.78.03", "Rungkut")]


def row(i: int, name: str, serial: int | None = None) -> list:
    kec, kec_name = KEC[i % len(KEC)]
    return [i, name, nik(kec, "L", "1980-01-01", 700 + (i if serial is None else serial)), "L",
            "Surabaya, 01-01-1980", "Kota Surabaya", kec_name, "", "PSM", "Anggota", "01-01-2023"]


def csv_file(path: Path, rows: list[list], sep: str = ";", encoding: str = "utf-8",
             headers: list[str] = HEADERS) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows([headers, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def xlsx_file(path: Path, rows: list[list], headers: list[str] = HEADERS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def db(tmp_path):
    db = make_folder(tmp_path / "data")
    db.compact()
    yield db
    db.close()


def snapshot(db: Database) -> tuple[int, dict]:
    entries, _ = read_journal(db.journal_path)
    return len(entries), {v["id"]: v["name"] for v in db.values("members")}


def assert_refused(db: Database, path: Path, key: str) -> PilarError:
    before = snapshot(db)
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path, today=TODAY)
    assert err.value.key == key, str(err.value)
    text = str(err.value)
    assert path.name in text and "\n" not in text
    assert i18n.t(err.value.key, lang="en", **err.value.params) != text  # both languages exist
    assert snapshot(db) == before  # nothing written
    return err.value


def import_and_check(db: Database, path: Path) -> tuple[dict[int, object], dict]:
    """Preview and commit; every row has a fate; exactly the accepted rows land, in one transaction."""
    roster = Roster(db)
    plan = preview(roster, path, today=TODAY)
    fates = {r.line: r for r in plan.rows}
    for r in plan.rows:
        assert r.fate in ("add", "update", "same", "refuse")
        if r.fate == "refuse":
            assert r.reasons, f"line {r.line} refused without a reason"
    journal_before, names_before = snapshot(db)
    accepted = plan.accepted
    if accepted:
        commit(roster, plan)
        journal_after, names_after = snapshot(db)
        assert journal_after == journal_before + 1  # one transaction
        from storage.backup import list_backups

        taken = [b for b in list_backups(db.path) if b.reason == "before-roster-import"]
        assert taken and taken[0].good  # a backup of the state before the import
        assert len(names_after) == len(names_before) + sum(1 for r in accepted if r.fate == "add")
        stored_niks = {v.get("nik") for v in db.values("members")}
        for r in plan.rows:
            if r.fate == "refuse" and r.nik:
                dup = any(a.nik == r.nik for a in accepted)
                assert dup or r.nik not in stored_niks, f"refused line {r.line} was written"
    assert run_checks(db.path) == []
    return fates, plan.counts


# ---------------------------------------------------------------------- files refused whole

def test_renamed_binary_as_csv(db, tmp_path):
    path = tmp_path / "anggota.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    assert_refused(db, path, "roster.import.binary")


def test_renamed_binary_as_xlsx(db, tmp_path):
    path = tmp_path / "anggota.xlsx"
    path.write_bytes(b"MZ\x90\x00" + os.urandom(4000))
    assert_refused(db, path, "roster.import.not_xlsx")


def test_plain_zip_renamed_xlsx(db, tmp_path):
    path = tmp_path / "anggota.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("foto.jpg", b"x" * 100)
    assert_refused(db, path, "roster.import.not_xlsx")


def test_zip_bomb_disguised_as_xlsx_is_refused_in_bounded_memory(db, tmp_path):
    path = tmp_path / "anggota.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(210):  # 210 MB unpacked, ~200 KB on disk
                f.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        assert_refused(db, path, "roster.import.unpacked_too_big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_oversized_csv_is_refused_before_reading(db, tmp_path):
    path = tmp_path / "anggota.csv"
    with open(path, "wb") as f:
        f.write(b"NAMA;NIK\r\n")
        f.truncate(51 * 1024 * 1024)  # sparse: 51 MB without using the disk
    tracemalloc.start()
    try:
        assert_refused(db, path, "roster.import.too_big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_missing_columns(db, tmp_path, kind):
    headers = ["NO", "NAMA", "ALAMAT"]
    rows = [[1, "Siti", "Jl. Mawar"]]
    path = csv_file(tmp_path / "a.csv", rows, headers=headers) if kind == "csv" else \
        xlsx_file(tmp_path / "a.xlsx", rows, headers=headers)
    err = assert_refused(db, path, "roster.import.need_columns")
    assert "NIK" in str(err)


def test_unknown_separator_is_refused(db, tmp_path):
    path = csv_file(tmp_path / "a.csv", [row(1, "Siti Aminah")], sep=":")
    assert_refused(db, path, "roster.import.no_header")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_empty_file(db, tmp_path, kind):
    if kind == "csv":
        path = tmp_path / "a.csv"
        path.write_bytes(b"")
    else:
        path = xlsx_file(tmp_path / "a.xlsx", [], headers=[])
    assert_refused(db, path, "roster.import.empty")


# ---------------------------------------------------------------------- row by row

@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators_are_recognised(db, tmp_path, sep):
    path = csv_file(tmp_path / "a.csv", [row(1, "Siti Aminah"), row(2, "Budi Santoso")], sep=sep)
    fates, counts = import_and_check(db, path)
    assert counts["add"] == 2


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_encodings_from_excel(db, tmp_path, encoding):
    path = csv_file(tmp_path / "a.csv", [row(1, "Andrés Pérez"), row(2, "Budi Santoso")], encoding=encoding)
    fates, counts = import_and_check(db, path)
    assert counts["add"] == 2
    assert "Andrés Pérez" in {v["name"] for v in db.values("members")}


def test_utf8_read_as_if_it_were_cp1252_does_not_garble(db, tmp_path):
    path = csv_file(tmp_path / "a.csv", [row(1, "Ni Luh Ayu Dé")], encoding="utf-8")
    import_and_check(db, path)
    assert "Ni Luh Ayu Dé" in {v["name"] for v in db.values("members")}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_mixed_bad_rows_each_fate_reported_one_transaction(db, tmp_path, kind):
    long_name = "A" * 200
    rows = [
        row(1, "Siti Aminah"),                      # line 2: add
        row(2, long_name),                          # line 3: refused, 200 characters
        ["", "", "", "", "", "", "", "", "", "", ""],  # empty row: skipped, not a fate
        row(3, "Budi 😀 Santoso"),                  # line 5: emoji
        row(4, "Dewi Kurniasih", serial=50),        # line 6: add
        [5, "Dewi Lain", *row(4, "x", serial=50)[2:]],  # line 7: same NIK as line 6 -> refused
        row(6, "=HYPERLINK(\"http://x\",\"klik\")"),  # line 8: a formula as a name
        [7, "Tanpa NIK", "", "L", "Surabaya, 01-01-1980", "Kota Surabaya", "Rungkut", "", "PSM", "Anggota",
         "01-01-2023"],                             # line 9: no NIK
        row(8, "Agus Salim", serial=999999),        # line 10: a NIK with too many digits
    ]
    path = csv_file(tmp_path / "a.csv", rows) if kind == "csv" else xlsx_file(tmp_path / "a.xlsx", rows)
    fates, counts = import_and_check(db, path)
    assert set(fates) == {2, 3, 5, 6, 7, 8, 9, 10}  # the empty row (line 4) is not a row
    assert fates[2].fate == "add" and fates[6].fate == "add"
    assert fates[3].fate == "refuse" and "200" in " ".join(fates[3].reasons)
    assert fates[7].fate == "refuse" and any("6" in r for r in fates[7].reasons)  # names the first line
    assert fates[9].fate == "refuse" and fates[10].fate == "refuse"
    names = {v["name"] for v in db.values("members")}
    assert long_name not in names and "Dewi Lain" not in names
    # emoji and formula rows: whatever their fate, a stored value is the exact text, never evaluated,
    # and it leaves in an export neutralised
    for line, text in ((5, "Budi 😀 Santoso"), (8, "=HYPERLINK(\"http://x\",\"klik\")")):
        if fates[line].fate == "add":
            assert text in names
    from storage.printing.tables import csv_bytes

    out = csv_bytes(["Nama"], [[n] for n in sorted(names)]).decode("utf-8-sig")
    assert "\n=" not in out and "\r\n=" not in out


def test_xlsx_real_formula_cells_are_not_run(db, tmp_path):
    path = tmp_path / "a.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(row(1, "Siti Aminah"))
    r = row(2, "x")
    ws.append(r)
    ws["B3"] = '=CONCATENATE("Bu","di")'  # a live formula (no cached value: never computed by us)
    wb.save(path)
    fates, _ = import_and_check(db, path)
    assert fates[2].fate == "add"
    assert fates[3].fate == "refuse"  # its name is empty: we read values, never formulas
    assert not any("CONCATENATE" in v["name"] for v in db.values("members"))


def test_backup_before_roster_import_undoes_it(db, tmp_path):
    from storage.backup import list_backups, restore

    before = snapshot(db)[1]
    path = csv_file(tmp_path / "a.csv", [row(i, f"Anggota Impor {i}") for i in range(1, 6)])
    import_and_check(db, path)
    assert len(snapshot(db)[1]) == len(before) + 5
    [b] = [b for b in list_backups(db.path) if b.reason == "before-roster-import"]
    data = db.path
    db.close()
    restore(data, b.name)
    db._acquire_lock()  # (the fixture closes it again)
    reopened = Database.open(data, read_only=True)
    try:
        assert {v["id"]: v["name"] for v in reopened.values("members")} == before
    finally:
        reopened.close()


def test_all_rows_refused_writes_nothing(db, tmp_path):
    path = csv_file(tmp_path / "a.csv", [row(1, "A" * 200), row(2, "B" * 201)])
    before = snapshot(db)
    plan = preview(Roster(db), path, today=TODAY)
    assert [r.fate for r in plan.rows] == ["refuse", "refuse"]
    with pytest.raises(PilarError):
        commit(Roster(db), plan)
    assert snapshot(db) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_disk_full_during_import_commit_writes_nothing(db, tmp_path, code):
    path = csv_file(tmp_path / "a.csv", [row(i, f"Anggota Impor {i}") for i in range(1, 40)])
    roster = Roster(db)
    plan = preview(roster, path, today=TODAY)
    assert len(plan.accepted) == 39
    before = snapshot(db)
    real = os.write
    journal = str(db.journal_path)

    def failing(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}") == journal:
            real(fd, bytes(data)[: len(data) // 2])
            raise OSError(code, os.strerror(code))
        return real(fd, data)

    os.write = failing
    try:
        with pytest.raises(PilarError) as err:
            commit(roster, plan)
    finally:
        os.write = real
    assert err.value.key in ("fs.disk_full", "fs.io_error")
    assert snapshot(db) == before
    path_ = db.path
    db._release_lock()  # as if the app died right there
    reopened = Database.open(path_, read_only=True)
    try:
        assert len(list(reopened.values("members"))) == len(before[1])
    finally:
        reopened.close()
    db._acquire_lock()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_stick_pulled_out_while_reading_the_file(db, tmp_path, kind, monkeypatch):
    rows = [row(1, "Siti Aminah")]
    path = csv_file(tmp_path / "a.csv", rows) if kind == "csv" else xlsx_file(tmp_path / "a.xlsx", rows)
    real_open = Path.open
    real_read = Path.read_bytes

    def gone(self, *args, **kwargs):
        if self == path:
            raise OSError(errno.EIO, "Input/output error")
        return real_open(self, *args, **kwargs)

    def gone_bytes(self):
        if self == path:
            raise OSError(errno.EIO, "Input/output error")
        return real_read(self)

    monkeypatch.setattr(Path, "open", gone)
    monkeypatch.setattr(Path, "read_bytes", gone_bytes)
    before = snapshot(db)
    with pytest.raises(PilarError) as err:
        preview(Roster(db), path, today=TODAY)
    assert err.value.key == "fs.io_error" and str(path) in str(err.value)
    assert snapshot(db) == before
