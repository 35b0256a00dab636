"""Messages of the roster import: sheets, column mapping, rows skipped, and one sentence per problem of a row."""

_FIX_TEXT = ("Di Excel: pilih kolomnya, Format Cells → Text, lalu ketik ulang angkanya (atau awali dengan tanda "
             "petik ', misalnya '{example}).")
_FIX_TEXT_EN = ("In Excel: select the column, Format Cells → Text, then type the numbers again (or start them with "
                "an apostrophe, e.g. '{example}).")

MESSAGES = {
    # sheets
    "roster.import.sheet_hidden": {"id": "sheet tersembunyi", "en": "hidden sheet"},
    "roster.import.sheet_empty": {"id": "kosong", "en": "empty"},
    "roster.import.sheet_no_header": {"id": "tidak ada baris judul dengan NAMA dan NIK",
                                      "en": "no header row with NAMA and NIK"},
    "roster.import.sheet_missing": {"id": "kolom {columns} tidak ada", "en": "no {columns} column"},
    "roster.import.sheet_read": {"id": "Sheet \"{sheet}\" dibaca (judul kolom di baris {line}{pillar}).",
                                 "en": "Sheet \"{sheet}\" read (headers on row {line}{pillar})."},
    "roster.import.sheet_skipped": {"id": "Sheet \"{sheet}\" dilewati: {reason}.",
                                    "en": "Sheet \"{sheet}\" skipped: {reason}."},
    "roster.import.no_sheet": {
        "id": "Tidak ada sheet berisi daftar anggota di {path} ({sheets}). Pastikan satu sheet punya judul kolom NAMA dan NIK.",
        "en": "No sheet of {path} holds a member list ({sheets}). Make sure a sheet has the headers NAMA and NIK.",
    },
    "roster.import.hidden_cols": {"id": "Kolom tersembunyi tidak dibaca: {columns}.",
                                  "en": "Hidden columns not read: {columns}."},
    "roster.import.hidden_rows": {"id": "{count} baris tersembunyi (atau tersaring) tidak dibaca.",
                                  "en": "{count} hidden (or filtered-out) rows not read."},
    "roster.import.skipped": {"id": "{count} baris bukan anggota dilewati: {parts}.",
                              "en": "{count} rows that are not members skipped: {parts}."},
    "roster.import.skip.numbering": {"id": "nomor kolom", "en": "column numbers"},
    "roster.import.skip.total": {"id": "jumlah/total", "en": "totals"},
    "roster.import.skip.signature": {"id": "tanda tangan", "en": "signature lines"},
    "roster.import.skip.heading": {"id": "judul bagian", "en": "section headings"},
    "roster.import.skip.blank": {"id": "kosong", "en": "blank"},
    "roster.import.legacy_note": {
        "id": "Berkas .{kind}: baris dan kolom tersembunyi tidak bisa dikenali; semua baris dibaca.",
        "en": ".{kind} file: hidden rows and columns cannot be told apart; every row is read.",
    },
    "roster.import.map_hint": {
        "id": "Kolom salah dibaca? Ubah dengan KOLOM=bidang (di baris perintah: --map KOLOM=bidang), misalnya KETERANGAN=status atau F=- (abaikan kolom F).",
        "en": "A column read wrongly? Change it with COLUMN=field (on the command line: --map COLUMN=field), e.g. KETERANGAN=status or F=- (ignore column F).",
    },
    "roster.import.bad_map": {
        "id": "\"{item}\" tidak bisa dipakai. Tulis KOLOM=bidang (judul kolom atau hurufnya); bidang: {fields}, atau - untuk mengabaikan.",
        "en": "\"{item}\" cannot be used. Write COLUMN=field (header or column letter); fields: {fields}, or - to ignore.",
    },
    "roster.import.map_label": {"id": "Ubah kolom (KOLOM=bidang, pisahkan dengan koma)",
                                "en": "Change columns (COLUMN=field, comma-separated)"},
    "roster.import.field.status": {"id": "Status/keterangan", "en": "Status/note"},
    "roster.import.field.sex_l": {"id": "Centang L", "en": "Tick L"},
    "roster.import.field.sex_p": {"id": "Centang P", "en": "Tick P"},
    "roster.import.field.number": {"id": "No. anggota", "en": "Member no."},
    "roster.import.field.level": {"id": "Jenjang", "en": "Level"},
    "roster.import.field.sk": {"id": "No. SK", "en": "Decree no."},
    "roster.import.field.inactive_reason": {"id": "Alasan tidak aktif", "en": "Reason inactive"},
    "roster.import.field.status_value": {"id": "Status", "en": "Status"},
    "roster.import.fate.hold": {"id": "ditahan", "en": "held"},
    # one sentence per problem
    "roster.import.nik_number": {
        "id": "NIK \"{value}\" rusak oleh Excel: kolom NIK tersimpan sebagai angka, sehingga angka ke-16 menjadi 0 atau tertulis seperti 3,50713E+15. " + _FIX_TEXT.format(example="3507131209680001"),
        "en": "NIK \"{value}\" was damaged by Excel: the NIK column is stored as numbers, so the 16th digit became 0 or shows like 3.50713E+15. " + _FIX_TEXT_EN.format(example="3507131209680001"),
    },
    "roster.import.account_number": {
        "id": "No. rekening \"{value}\" tersimpan sebagai angka: nol di depan hilang dan angka lewat 15 digit berubah. " + _FIX_TEXT.format(example="0012345678"),
        "en": "Account number \"{value}\" is stored as a number: leading zeros are lost and digits past 15 change. " + _FIX_TEXT_EN.format(example="0012345678"),
    },
    "roster.import.birth_no_date": {
        "id": "TEMPAT/TGL LAHIR \"{value}\" hanya berisi tempat; tambahkan tanggalnya, mis. {value}, 16-09-1968.",
        "en": "TEMPAT/TGL LAHIR \"{value}\" holds only the place; add the date, e.g. {value}, 16-09-1968.",
    },
    "roster.import.bad_date": {
        "id": "{what} \"{value}\" tidak terbaca sebagai tanggal; tulis seperti 16-09-1968 atau 16 September 1968.",
        "en": "{what} \"{value}\" is not a readable date; write it like 16-09-1968 or 16 September 1968.",
    },
    "roster.import.bad_kab": {
        "id": "Kab/kota \"{value}\" tidak ada di Jawa Timur; tulis seperti Kab. Jember atau Kota Surabaya.",
        "en": "Kab/kota \"{value}\" is not in East Java; write it like Kab. Jember or Kota Surabaya.",
    },
    "roster.import.bad_kec": {
        "id": "{what} \"{value}\" tidak ada di Jawa Timur; periksa ejaannya.",
        "en": "{what} \"{value}\" does not exist in East Java; check the spelling.",
    },
    "roster.import.kec_elsewhere": {
        "id": "{what} \"{value}\" ada di {kabs}, bukan di {kab}; perbaiki kecamatan atau kab/kota-nya.",
        "en": "{what} \"{value}\" is in {kabs}, not in {kab}; correct the kecamatan or the kab/kota.",
    },
    "roster.import.kec_ambiguous": {
        "id": "{what} \"{value}\" ada di beberapa kab/kota ({kabs}); isi kolom KAB/KOTA.",
        "en": "{what} \"{value}\" exists in several kab/kota ({kabs}); fill in the KAB/KOTA column.",
    },
    "roster.import.sex_both": {"id": "Jenis kelamin dicentang di L dan P; centang salah satu.",
                               "en": "Sex is ticked under both L and P; tick one."},
    "roster.import.bad_pillar": {
        "id": "Pilar \"{value}\" tidak dikenal; tulis salah satu: {known}.",
        "en": "Pillar \"{value}\" is not known; write one of: {known}.",
    },
    "roster.import.no_pillar": {
        "id": "Pilar tidak diketahui: beri kolom PILAR, tulis pilarnya di JABATAN (mis. \"Anggota Tagana\"), atau beri nama sheet seperti TKSK ({known}).",
        "en": "The pillar is not known: add a PILAR column, write it in JABATAN (e.g. \"Anggota Tagana\"), or name the sheet like TKSK ({known}).",
    },
    "roster.import.bad_position": {
        "id": "Jabatan \"{value}\" tidak dikenal; tulis salah satu: {known} (boleh dengan pilarnya, mis. \"Pendamping PKH\").",
        "en": "Position \"{value}\" is not known; write one of: {known} (the pillar may follow, e.g. \"Pendamping PKH\").",
    },
    "roster.import.pillar_clash": {
        "id": "Pilar \"{pillar}\" tidak cocok dengan jabatan \"{position}\"; perbaiki salah satunya.",
        "en": "Pillar \"{pillar}\" does not match position \"{position}\"; correct one of them.",
    },
    "roster.import.bad_level": {"id": "Jenjang \"{value}\" tidak dikenal; tulis Muda, Madya atau Utama.",
                                "en": "Level \"{value}\" is not known; write Muda, Madya or Utama."},
    "roster.import.bad_status": {
        "id": "Status \"{value}\" tidak dikenal; tulis Aktif, atau alasannya berhenti: Meninggal dunia, Mengundurkan diri, Diberhentikan, Pindah, Tidak aktif.",
        "en": "Status \"{value}\" is not known; write Aktif, or why the member stopped: Meninggal dunia, Mengundurkan diri, Diberhentikan, Pindah, Tidak aktif.",
    },
    "roster.import.aktif_blank": {
        "id": "Kolom {column} kosong di baris ini, padahal baris lain dicentang; centang bila aktif, atau tulis alasannya tidak aktif.",
        "en": "The {column} column is blank on this row while other rows are ticked; tick it if active, or write why not.",
    },
    # an AKTIF column with no tick anywhere: a blank is asked about, never read as active unasked
    "roster.import.aktif_all_blank": {
        "id": "Kolom {column}{sheet} kosong di semua {count} baris anggota: tidak ada yang dicentang, jadi belum jelas apakah mereka aktif, dan mereka belum diimpor. Bila semuanya aktif, tulis {yes} di isian pemetaan (baris perintah: --map \"{yes}\"); bila semuanya tidak aktif, {no}; atau centang yang aktif di file.",
        "en": "The {column} column{sheet} is blank on all {count} member rows: nothing is ticked, so it is not clear whether they are active, and they are not imported yet. If all are active, type {yes} in the mapping box (command line: --map \"{yes}\"); if none is, {no}; or tick the active ones in the file.",
    },
    "roster.import.aktif_some_blank": {
        "id": "Kolom {column}{sheet} kosong di {count} baris dan tidak ada yang dicentang: kosong berarti aktif atau tidak? Baris itu belum diimpor. Bila kosong berarti aktif, tulis {yes} di isian pemetaan (baris perintah: --map \"{yes}\"); bila tidak aktif, {no}; atau isi kolomnya di file.",
        "en": "The {column} column{sheet} is blank on {count} rows and nothing is ticked: does blank mean active or not? Those rows are not imported yet. If blank means active, type {yes} in the mapping box (command line: --map \"{yes}\"); if inactive, {no}; or fill the column in the file.",
    },
    "roster.import.aktif_answered": {
        "id": "Kolom {column}{sheet} kosong di {count} baris: dibaca {read}, sesuai jawaban di pemetaan.",
        "en": "The {column} column{sheet} is blank on {count} rows: read as {read}, as answered in the mapping.",
    },
    "roster.import.aktif_read_active": {"id": "aktif", "en": "active"},
    "roster.import.aktif_read_inactive": {"id": "tidak aktif", "en": "inactive"},
    "roster.import.aktif_unanswered": {
        "id": "{column} kosong, tak ada yang dicentang: aktif atau tidak? Tulis {column}=semua-aktif atau {column}=semua-nonaktif di pemetaan, atau isi di file.",
        "en": "{column} blank, nothing ticked: active or not? Type {column}=semua-aktif or {column}=semua-nonaktif in the mapping, or fill it in the file.",
    },
    "roster.import.in_sheet": {"id": " (lembar {sheet})", "en": " (sheet {sheet})"},
    "roster.import.office_unknown": {
        "id": "UPT \"{value}\" tidak ada di daftar kantor; tulis kodenya (mis. UPT-PSTW-JEMBER) atau nama UPT-nya.",
        "en": "UPT \"{value}\" is not in the office list; write its code (e.g. UPT-PSTW-JEMBER) or its name.",
    },
    "roster.import.office_other": {
        "id": "Baris ini untuk {other}; kantor ini ({office}) hanya mengimpor anggotanya sendiri. Impor baris itu di {other} atau di Dinsos provinsi.",
        "en": "This row is for {other}; this office ({office}) imports only its own members. Import the row at {other} or at the province.",
    },
    "roster.import.held": {
        "id": "Ditahan: NIK ini milik \"{known}\" (lahir {born}) di data, baris ini menulis \"{name}\" (lahir {row_born}). Periksa NIK-nya; bila memang orang yang sama, terima baris ini (tombol t di layar impor, atau --accept-held BARIS).",
        "en": "Held: this NIK belongs to \"{known}\" (born {born}) in the data, this row says \"{name}\" (born {row_born}). Check the NIK; if it is the same person, accept the row (key t on the import screen, or --accept-held ROW).",
    },
    "roster.import.held_accepted": {
        "id": "Diterima sebagai orang yang sama atas keputusan petugas; lihat perubahan namanya.",
        "en": "Accepted as the same person by the operator's decision; see the change of name.",
    },
    "roster.import.held_hint": {
        "id": "Baris ditahan tidak diimpor. Bila memang orang yang sama, ulangi dengan --accept-held BARIS (mis. --accept-held 12).",
        "en": "Held rows are not imported. If it is the same person, run again with --accept-held ROW (e.g. --accept-held 12).",
    },
    "ui.key.import.accept_held": {"id": "Terima baris ditahan", "en": "Accept held row"},
    "ui.tip.import.accept_held": {"id": "Baris yang disorot memang orang yang sama: impor sebagai perubahan",
                                  "en": "The highlighted row is the same person: import it as an update"},
    "roster.import.lands_inactive": {"id": "Diimpor TIDAK AKTIF: {reason} ({date}).",
                                     "en": "Imported INACTIVE: {reason} ({date})."},
    "roster.import.no_date": {"id": "tanggal tidak ditulis", "en": "no date given"},
    "roster.import.not_reactivated": {
        "id": "Di data anggota ini sudah tidak aktif; impor tidak mengaktifkannya lagi (aktifkan lewat formulir anggota bila benar).",
        "en": "This member is inactive in the data; an import does not make them active again (use the member form if that is right).",
    },
    "roster.import.note_kept": {"id": "Keterangan \"{value}\" bukan status: disimpan sebagai catatan anggota.",
                                "en": "Note \"{value}\" is not a status: kept in the member's Note."},
    "roster.import.col.field": {"id": "Kolom", "en": "Field"},
    "roster.import.col.before": {"id": "Sebelum", "en": "Before"},
    "roster.import.col.after": {"id": "Sesudah", "en": "After"},
    "roster.import.updates": {"id": "Perubahan pada anggota yang sudah ada (sebelum → sesudah):",
                              "en": "Changes to existing members (before → after):"},
}
