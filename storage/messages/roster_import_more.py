"""Messages of the roster import's second round (issue 23): tables on a sheet, what the NIK says, the same
person twice, one person in two pillars, what offices write."""

MESSAGES = {
    "roster.import.table_label": {"id": "{sheet} (tabel {table})", "en": "{sheet} (table {table})"},
    "roster.import.also_matches": {"id": " (juga cocok: {fields})", "en": " (also matches: {fields})"},
    "roster.import.skip.example": {"id": "contoh pengisian", "en": "template examples"},
    # what the NIK says
    "roster.import.from_nik": {
        "id": "{what} diambil dari NIK di {count} baris (berkas tidak mengisinya); isian yang ada di berkas tetap "
              "dicocokkan dengan NIK.",
        "en": "{what} taken from the NIK on {count} rows (the file leaves it out); a value the file gives is still "
              "checked against the NIK.",
    },
    "roster.import.duty_as_home": {
        "id": "Tidak ada kolom KECAMATAN: kecamatan tempat tinggal diambil dari {column} di {count} baris. "
              "Bila salah, petakan kolom lain dengan KOLOM=kec.",
        "en": "No KECAMATAN column: the home kecamatan is taken from {column} on {count} rows. If that is "
              "wrong, map another column with COLUMN=kec.",
    },
    # the same person twice
    "roster.import.twin_in_file": {
        "id": "Orang yang sama dengan baris {other} ({name}, lahir {born}) tetapi NIK beda {diff}: {nik} / "
              "{other_nik}. Periksa NIK di KTP dan perbaiki salah satunya; bila memang dua orang, putuskan "
              "dengan --accept-held {where} (t di layar impor).",
        "en": "The same person as row {other} ({name}, born {born}) but the NIK differs {diff}: {nik} / "
              "{other_nik}. Check the NIK on the ID card and correct one of them; if they really are two "
              "people, decide with --accept-held {where} (t on the import screen).",
    },
    "roster.import.twin_member": {
        "id": "Sudah ada anggota {name} (lahir {born}) dengan NIK beda {diff}: di berkas {nik}, di daftar "
              "{other_nik}. Salah ketik? Perbaiki NIK di berkas (atau di data anggota); bila memang dua orang, "
              "putuskan dengan --accept-held {where} (t di layar impor).",
        "en": "Member {name} (born {born}) already exists with a NIK that differs {diff}: {nik} in the file, "
              "{other_nik} in the roster. A typo? Correct the NIK in the file (or on the member); if they "
              "really are two people, decide with --accept-held {where} (t on the import screen).",
    },
    "roster.import.twin_one_digit": {"id": "satu angka (angka ke-{position})",
                                     "en": "by one digit (digit {position})"},
    "roster.import.twin_swapped": {"id": "dua angka tertukar (angka ke-{position} dan ke-{next})",
                                   "en": "by two swapped digits (digits {position} and {next})"},
    "roster.import.twin_accepted": {
        "id": "Diimpor sebagai orang lain atas keputusan petugas (NIK mirip dengan {other}).",
        "en": "Imported as another person, as the operator decided (NIK close to {other}).",
    },
    # one person in two pillars
    "roster.import.second_pillar": {
        "id": "Penugasan {pillar} ditambahkan ke {name} dari baris {line} (satu anggota, dua pilar).",
        "en": "{pillar} assignment added to {name} from row {line} (one member, two pillars).",
    },
    "roster.import.joined_count": {
        "id": "{count} baris menambah pilar kedua ke anggota di baris atasnya (satu NIK, dua pilar: satu anggota).",
        "en": "{count} rows add a second pillar to the member of a row above (one NIK, two pillars: one member).",
    },
    "roster.import.fate.join": {"id": "digabung", "en": "joined"},
    "roster.import.same_pillar_twice": {
        "id": "NIK yang sama sudah ada di baris {line} berkas ini, dengan pilar yang sama.",
        "en": "The same NIK is already on row {line} of this file, with the same pillar.",
    },
    # what offices write
    "roster.import.more_phones": {
        "id": "Yang pertama disimpan sebagai No. HP; nomor lain di sel ini disimpan di Catatan anggota: {phones}.",
        "en": "The first is saved as the phone; the other numbers in this cell are kept in the member's Note: {phones}.",
    },
    "roster.import.note_phones": {"id": "No. HP lain: {phones}", "en": "Other phone: {phones}"},
    "roster.import.strict_resave": {
        "id": "{path} disimpan sebagai \"Strict Open XML Spreadsheet\" dan bagian ini tidak terbaca. Buka di Excel, "
              "File → Save As → \"Excel Workbook (*.xlsx)\", lalu impor lagi.",
        "en": "{path} was saved as \"Strict Open XML Spreadsheet\" and a part of it cannot be read. Open it in Excel, "
              "File → Save As → \"Excel Workbook (*.xlsx)\", then import again.",
    },
    "roster.import.html_note": {
        "id": "Berkas .xls ini halaman web (HTML) hasil ekspor aplikasi; tabelnya dibaca sebagai sheet.",
        "en": "This .xls file is a web page (HTML) exported by an application; its table is read as a sheet.",
    },
    "roster.import.refused_where": {"id": "BARIS ASAL", "en": "SOURCE ROW"},
    "roster.import.refused_why": {"id": "ALASAN DITOLAK", "en": "WHY REFUSED"},
    "roster.import.refused_sheet": {"id": "Ditolak", "en": "Refused"},
    "roster.import.refused_written": {
        "id": "{count} baris ditolak/ditahan ditulis ke {path}: perbaiki lalu impor lagi (kolom ALASAN DITOLAK "
              "tidak dibaca).",
        "en": "{count} refused/held rows written to {path}: correct them and import again (the WHY REFUSED "
              "column is not read).",
    },
    "cli.help.roster.import.refused": {
        "id": "tulis baris yang ditolak atau ditahan ke berkas ini (.xlsx/.csv) untuk diperbaiki lalu diimpor lagi",
        "en": "write the refused or held rows to this file (.xlsx/.csv) to correct and import again",
    },
    # the wizard
    "ui.key.import.filter": {"id": "Saring baris", "en": "Filter rows"},
    "ui.tip.import.filter": {"id": "Tampilkan semua baris, yang ditolak/ditahan, yang baru, atau yang diperbarui",
                             "en": "Show all rows, the refused/held, the new, or the updated"},
    "ui.key.import.save_refused": {"id": "Simpan yang ditolak", "en": "Save refused"},
    "ui.tip.import.save_refused": {"id": "Tulis baris yang ditolak/ditahan ke Excel: perbaiki lalu impor lagi",
                                   "en": "Write the refused/held rows to Excel: correct them and import again"},
    "roster.import.filter_line": {
        "id": "Tampil {shown}: {count} · f saring · s simpan yang ditolak",
        "en": "Showing {shown}: {count} · f filter · s save the refused",
    },
    "roster.import.map_placeholder": {"id": "Ubah kolom (KOLOM=bidang): mis. KETERANGAN=status, F=-",
                                      "en": "Change columns (COLUMN=field): e.g. KETERANGAN=status, F=-"},
    "roster.import.filter.all": {"id": "semua", "en": "all"},
    "roster.import.filter.refuse": {"id": "ditolak/ditahan", "en": "refused/held"},
    "roster.import.filter.add": {"id": "baru", "en": "new"},
    "roster.import.filter.update": {"id": "diperbarui", "en": "updated"},
    "roster.import.refused_suffix": {"id": "perbaiki", "en": "to-fix"},
    "roster.import.done_left": {
        "id": "Impor selesai: {add} baru, {update} diperbarui. {count} baris tidak diimpor (di bawah): tekan s untuk "
              "menulisnya ke Excel, perbaiki lalu impor lagi.",
        "en": "Import done: {add} new, {update} updated. {count} rows not imported (below): press s to write "
              "them to Excel, correct them and import again.",
    },
    "roster.import.close": {"id": "Tutup", "en": "Close"},
    "roster.import.xml_note": {
        "id": "Berkas ini \"XML Spreadsheet 2003\" (ekspor aplikasi atau Excel lama); dibaca seperti buku kerja Excel.",
        "en": "This file is an \"XML Spreadsheet 2003\" (an application's export or old Excel); read like an Excel "
              "workbook.",
    },
    "roster.import.kab_from_kec": {
        "id": "Kab/kota \"{value}\" dibaca {kab} (kecamatan {kec} ada di sana).",
        "en": "Kab/kota \"{value}\" read as {kab} (kecamatan {kec} is there).",
    },
}
