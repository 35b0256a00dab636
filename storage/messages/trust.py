"""Messages of the limits on reading spreadsheets, of formula-safe values, and of a failure after a
change was already saved (issue 22)."""

MESSAGES = {
    # ------------------------------------------------------------------ a failure after the commit
    "saved.but": {
        "id": "Perubahan SUDAH TERSIMPAN ({records} catatan); jangan ulangi perubahan itu. "
              "Pekerjaan sesudahnya gagal: {problem} Yang masih perlu: kosongkan ruang disk (atau perbaiki "
              "masalah itu) lalu buka aplikasi Pilar lagi; saat dibuka Pilar melengkapi log audit dan berkas "
              "data dari jurnalnya.",
        "en": "The change IS SAVED ({records} records); do not repeat it. The work after "
              "it failed: {problem} Still to do: free disk space (or fix that problem), then open the Pilar app "
              "again; on opening, Pilar completes the audit log and the data files from its journal.",
    },
    "saved.problem.fs.disk_full": {"id": "disk penuh saat menulis {path}.", "en": "the disk is full while writing {path}."},
    "saved.problem.fs.permission": {"id": "tidak ada izin menulis {path}.", "en": "no permission to write {path}."},
    "saved.problem.fs.read_only": {"id": "{path} hanya-baca.", "en": "{path} is read-only."},
    "saved.problem.fs.io_error": {"id": "gagal menulis {path} ({detail}).", "en": "could not write {path} ({detail})."},
    "saved.problem.fs.missing": {"id": "{path} tidak ditemukan.", "en": "{path} was not found."},
    # ------------------------------------------------------------------ formula-safe values
    "validate.text.formula": {
        "id": "{what} tidak boleh diawali \"{first}\" (Excel akan membacanya sebagai rumus); hapus tanda itu lalu simpan.",
        "en": "{what} may not start with \"{first}\" (Excel would read it as a formula); remove that sign and save.",
    },
    # ------------------------------------------------------------------ reading a spreadsheet, bounded
    "sheet.beyond_excel": {
        "id": "{path}: sel {cell} di lembar {sheet} berada di luar batas Excel (kolom XFD, baris 1.048.576); "
              "berkas ini tidak dibuat oleh Excel. Buka di Excel lalu simpan ulang hanya dengan daftar anggota.",
        "en": "{path}: cell {cell} on sheet {sheet} is beyond what Excel allows (column XFD, row 1,048,576); "
              "Excel did not write this file. Open it in Excel and save it again with only the roster.",
    },
    "sheet.cell_too_long": {
        "id": "{path}: sel di lembar {sheet} baris {line} berisi lebih dari {limit} karakter (batas satu sel Excel). "
              "Perbaiki sel itu di Excel lalu ulangi.",
        "en": "{path}: a cell on sheet {sheet} row {line} holds more than {limit} characters (the most an Excel cell "
              "holds). Fix that cell in Excel and try again.",
    },
    "sheet.doctype": {
        "id": "{path}: bagian {part} memuat deklarasi DOCTYPE/ENTITY yang tidak pernah ditulis Excel; berkas ditolak. "
              "Buka di Excel lalu simpan ulang.",
        "en": "{path}: the part {part} holds a DOCTYPE/ENTITY declaration Excel never writes; the file is refused. "
              "Open it in Excel and save it again.",
    },
    "sheet.too_many_cells": {
        "id": "{path} merentang lebih dari {limit} sel (baris × kolom yang terpakai). Hapus sel yang jauh dari "
              "daftar atau pecah menjadi beberapa berkas.",
        "en": "{path} spans more than {limit} cells (rows × columns in use). Delete cells far from the list or "
              "split it into several files.",
    },
    "sheet.csv_damaged": {
        "id": "{path} baris {line} tidak bisa dibaca sebagai CSV ({detail}). Simpan ulang dari Excel sebagai CSV.",
        "en": "{path} line {line} cannot be read as CSV ({detail}). Save it again from Excel as CSV.",
    },
    # ------------------------------------------------------------------ audit log anchors
    "audit.anchor.rewritten": {
        "id": "PERINGATAN: log audit kantor {office} telah DITULIS ULANG: baris {n} tidak lagi sama dengan yang "
              "tercatat dalam bundelnya tanggal {created}. Data bundel ini tetap diterima; jangkar lama disimpan. "
              "Minta kantor itu menjalankan pilar check dan laporkan ke pemeriksa.",
        "en": "WARNING: the audit log of office {office} was REWRITTEN: line {n} no longer matches what its bundle "
              "of {created} recorded. This bundle's data is accepted; the old anchor is kept. Ask that office to "
              "run pilar check and tell the auditor.",
    },
    "audit.anchor.shorter": {
        "id": "PERINGATAN: log audit kantor {office} lebih pendek dari {n} baris yang tercatat dalam bundelnya "
              "tanggal {created}: ada baris yang dihapus. Data bundel ini tetap diterima; jangkar lama disimpan.",
        "en": "WARNING: the audit log of office {office} is shorter than the {n} lines its bundle of {created} "
              "recorded: lines were deleted. This bundle's data is accepted; the old anchor is kept.",
    },
    "audit.anchor.missing": {
        "id": "PERINGATAN: bundel kantor {office} tidak menyatakan isi log auditnya pada baris {n} (tercatat dalam "
              "bundelnya tanggal {created}); log itu tidak dapat diperiksa. Jangkar lama disimpan.",
        "en": "WARNING: the bundle of office {office} does not state its audit log at line {n} (recorded by its "
              "bundle of {created}); the log cannot be checked. The old anchor is kept.",
    },
    "audit.anchor.restored": {
        "id": "Kantor {office} memulihkan cadangan pada {restored}: baris log audit sesudah cadangan itu (jangkar "
              "baris {n}, bundel {created}) ikut mundur bersama datanya. Dicatat; jangkar baru dipakai.",
        "en": "Office {office} restored a backup on {restored}: the audit log lines after that backup (anchor line "
              "{n}, bundle of {created}) were rolled back with its data. Recorded; the new anchor is used.",
    },
    "audit.anchor.where_told": {"id": "jangkar yang dipegang {office} (bundel {created})",
                                "en": "the anchor {office} holds (bundle of {created})"},
    "audit.anchor.where_export": {"id": "bundel ke {office} tanggal {created}", "en": "the bundle to {office} of {created}"},
    "audit.anchor.where_backup": {"id": "cadangan {name}", "en": "backup {name}"},
    "audit.anchor.check_rewritten": {
        "id": "Log audit ditulis ulang: baris {n} berbeda dari yang tercatat di {where}.",
        "en": "The audit log was rewritten: line {n} differs from what {where} recorded.",
    },
    "audit.anchor.check_shorter": {
        "id": "Log audit lebih pendek dari yang tercatat di {where} ({n} baris): ada baris yang dihapus.",
        "en": "The audit log is shorter than {where} recorded ({n} lines): lines were deleted.",
    },
    "audit.anchor.office_alarm": {
        "id": "Log audit kantor {office} tidak cocok dengan jangkarnya (baris {n}, bundel {created}); {count} kali sejak itu. "
              "Minta kantor itu menjalankan pilar check dan laporkan ke pemeriksa.",
        "en": "The audit log of office {office} does not match its anchor (line {n}, bundle of {created}); {count} "
              "times since. Ask that office to run pilar check and tell the auditor.",
    },
    "db.damaged_audit": {
        "id": "Berkas {file} rusak: {problem}. Data anggota dan pembayaran tidak terkena; jangan pulihkan cadangan "
              "(itu memundurkan data).",
        "en": "The file {file} is damaged: {problem}. The member and payment data is not affected; do not restore a "
              "backup (that would roll the data back).",
    },
    "check.audit_only_hint": {
        "id": "Data anggota dan pembayaran UTUH; yang bermasalah hanya log audit. JANGAN pulihkan cadangan (itu "
              "akan memundurkan data). Biarkan folder apa adanya, salin untuk pemeriksa, dan laporkan ke provinsi; "
              "provinsi menyimpan jangkar log audit kantor ini dari tiap bundel.",
        "en": "The member and payment data is INTACT; only the audit log has a problem. Do NOT restore a backup "
              "(that would roll the data back). Leave the folder as it is, copy it for the auditor and tell the "
              "province; the province keeps this office's audit log anchors from every bundle.",
    },
    # ------------------------------------------------------------------ check while another Pilar writes
    "check.busy": {
        "id": "Folder data {path} sedang ditulis oleh Pilar lain ({operator}, PID {pid}) selama {tries} kali "
              "pembacaan, jadi pemeriksaan tidak mendapat keadaan yang tenang. Tidak ada yang dinyatakan rusak; "
              "JANGAN pulihkan cadangan. Jalankan pilar check lagi setelah pekerjaan itu selesai (atau saat "
              "aplikasi ditutup).",
        "en": "The data folder {path} was being written by another Pilar ({operator}, PID {pid}) through "
              "{tries} readings, so the check found no quiet moment. Nothing is reported as damaged; do NOT "
              "restore a backup. Run pilar check again once that work has finished (or with the app closed).",
    },
}
