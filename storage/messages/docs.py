"""Messages of the PDF documents, member cards, the SPJ package and opening printed files."""

MESSAGES = {
    # ---- PDF page furniture
    "pdf.page": {"id": "Halaman {n} dari {total}", "en": "Page {n} of {total}"},
    "pdf.carried_in": {"id": "Pindahan dari halaman sebelumnya", "en": "Carried over from the previous page"},
    "pdf.page_total": {"id": "Jumlah halaman ini", "en": "Total of this page"},
    "pdf.carried_out": {"id": "Jumlah s.d. halaman ini (dipindahkan)", "en": "Total to date (carried over)"},
    "pdf.grand_total": {"id": "JUMLAH SELURUHNYA", "en": "GRAND TOTAL"},
    "pdf.total": {"id": "Jumlah", "en": "Total"},
    "pdf.words": {"id": "Terbilang", "en": "In words"},
    "pdf.in_words": {"id": "Terbilang (neto): {words}", "en": "In words (net): {words}"},
    "pdf.nominatif_total": {
        "id": "Jumlah {count} penerima: bruto {gross}, PPh 21 {tax}, neto {net}",
        "en": "{count} recipients: gross {gross}, PPh 21 {tax}, net {net}",
    },
    "pdf.kwitansi_title": {"id": "KWITANSI", "en": "KWITANSI (RECEIPT OF PAYMENT)"},
    "pdf.kwitansi_for": {
        "id": "{kind} {pillar} {quarter} untuk {count} penerima sesuai daftar nominatif terlampir, sumber dana "
              "{funding}",
        "en": "{kind} {pillar} {quarter} for {count} recipients as in the attached daftar nominatif, funded by "
              "{funding}",
    },
    "pdf.recipients_attached": {"id": "Para penerima (daftar terlampir)", "en": "The recipients (list attached)"},
    "pdf.rekap_title": {"id": "REKAPITULASI PEMBAYARAN PILAR SOSIAL", "en": "PILAR SOSIAL PAYMENT RECAP"},
    "pdf.rekap_by_kab": {"id": "Per kabupaten/kota", "en": "Per district/city"},
    "pdf.rekap_by_pillar": {"id": "Per pilar", "en": "Per pillar"},

    # ---- member cards
    "cards.title": {"id": "KARTU ANGGOTA PILAR SOSIAL", "en": "PILAR SOSIAL MEMBER CARD"},
    "cards.sheet_title": {"id": "Kartu anggota", "en": "Member cards"},
    "cards.number": {"id": "No. anggota", "en": "Member no."},
    "cards.none": {
        "id": "Tidak ada anggota aktif yang cocok dengan saringan ini. Ubah saringan (pilar, kab/kota, tanggal) lalu "
              "coba lagi.",
        "en": "No active member matches these filters. Change the filters (pillar, district, date) and try again.",
    },
    "cards.written": {"id": "{count} kartu ditulis ke {path}", "en": "{count} cards written to {path}"},
    "cards.bad_per_page": {
        "id": "Kartu per halaman harus 8 atau 10 (bukan {value}).",
        "en": "Cards per page must be 8 or 10 (not {value}).",
    },
    "cards.bad_since": {
        "id": "Tanggal \"{value}\" tidak dikenali. Tulis seperti 2024-01-01 (tahun-bulan-tanggal).",
        "en": "The date \"{value}\" is not understood. Write it like 2024-01-01 (year-month-day).",
    },
    "cards.ui.title": {"id": "Cetak kartu anggota (anggota yang tampil di tabel)",
                       "en": "Print member cards (the members shown in the table)"},
    "cards.ui.path": {"id": "Simpan ke berkas PDF", "en": "Save to PDF file"},
    "cards.ui.bad_type": {"id": "Nama berkas harus berakhiran .pdf.", "en": "The file name must end in .pdf."},
    "cards.ui.printing": {"id": "Mencetak kartu…", "en": "Printing cards…"},

    # ---- SPJ package
    "spj.written": {
        "id": "Paket SPJ {quarter}: {count} berkas dan manifest ditulis ke {path}",
        "en": "SPJ package {quarter}: {count} files and the manifest written to {path}",
    },
    "spj.skipped": {"id": "Tidak disertakan: {doc} ({reason})", "en": "Not included: {doc} ({reason})"},
    "spj.verified": {
        "id": "Paket SPJ utuh: {count} berkas sesuai manifest (triwulan {quarter}, kantor {office}, audit n={n}).",
        "en": "SPJ package intact: {count} files match the manifest (quarter {quarter}, office {office}, "
              "audit n={n}).",
    },
    "spj.changed": {"id": "BERUBAH: {name} (SHA-256 tidak sama)", "en": "CHANGED: {name} (SHA-256 differs)"},
    "spj.missing": {"id": "HILANG: {name}", "en": "MISSING: {name}"},
    "spj.extra": {"id": "TAMBAHAN (tidak ada di manifest): {name}", "en": "EXTRA (not in the manifest): {name}"},
    "spj.failed": {
        "id": "Paket SPJ TIDAK utuh: {count} masalah. Berkas di atas telah diubah setelah paket dibuat.",
        "en": "SPJ package NOT intact: {count} problem(s). The files above were changed after the package was made.",
    },
    "spj.no_manifest": {
        "id": "{path} bukan paket SPJ: manifest.json tidak ditemukan atau rusak. Tunjuk folder atau berkas .zip "
              "yang dibuat oleh 'pilar payout spj'.",
        "en": "{path} is not an SPJ package: manifest.json is missing or damaged. Point to the folder or .zip made "
              "by 'pilar payout spj'.",
    },
    "spj.out_exists": {
        "id": "{path} sudah ada dan tidak kosong. Pilih folder baru atau nama .zip baru agar paket lama tidak tertimpa.",
        "en": "{path} already exists and is not empty. Choose a new folder or .zip name so the old package is kept.",
    },
    "spj.audit_holds": {"id": "Log audit folder ini masih memuat kepala n={n} yang dicatat paket: data sumbernya tidak ditulis ulang.",
                        "en": "This folder's audit log still holds the head n={n} the package recorded: its source data was not rewritten."},
    "spj.audit_changed": {"id": "Log audit folder ini tidak memuat kepala n={n} yang dicatat paket: data sumbernya berubah atau log dipotong.",
                          "en": "This folder's audit log does not hold the head n={n} the package recorded: its source data changed or the log was cut."},
    "spj.audit_other_office": {"id": "Paket ini dibuat kantor {office}; folder ini milik {here}. Periksa log audit di kantor {office}.",
                               "en": "This package was made by office {office}; this folder is {here}'s. Check the audit log at {office}."},
    "spj.signed": {"id": "Manifest ditandatangani kunci kantor, sidik jari", "en": "Manifest signed by the office key, fingerprint"},
    "spj.ui.title": {"id": "Paket SPJ {quarter}", "en": "SPJ package, {quarter}"},
    "spj.ui.path": {"id": "Folder atau berkas .zip tujuan", "en": "Target folder or .zip file"},
    "spj.ui.event": {"id": "ID kegiatan tempat dana diserahkan (boleh kosong)",
                     "en": "Id of the event where money was handed out (may be empty)"},
    "spj.ui.making": {"id": "Menyusun paket SPJ…", "en": "Making the SPJ package…"},
    "spj.doc.nominatif": {"id": "Daftar nominatif", "en": "Daftar nominatif"},
    "spj.doc.receipts": {"id": "Tanda terima", "en": "Receipts"},
    "spj.doc.kwitansi": {"id": "Kwitansi", "en": "Kwitansi"},
    "spj.doc.rekap": {"id": "Rekap per kab/kota dan pilar", "en": "Recap per district and pillar"},
    "spj.doc.bank": {"id": "Berkas transfer bank", "en": "Bank transfer file"},
    "spj.doc.rates": {"id": "Dasar tarif (SK)", "en": "Rate basis (SK)"},
    "spj.doc.attendance": {"id": "Daftar hadir {day}", "en": "Attendance list {day}"},
    "spj.doc.xlsx": {"id": "Daftar nominatif (XLSX)", "en": "Daftar nominatif (XLSX)"},
    "spj.rates_title": {"id": "DASAR TARIF BANTUAN OPERASIONAL DAN TALI ASIH", "en": "RATE BASIS"},

    # ---- tax per rate
    "payout.tax_rule.PPH21_BP": {"id": "PPh 21 bukan pegawai {percent}% x 50% bruto",
                                 "en": "PPh 21 (non-employee) {percent}% of 50% of gross"},
    "payout.tax_rule.fixed": {"id": "Potongan tetap", "en": "Fixed deduction"},
    "payout.tax_rule.none": {"id": "Tanpa potongan pajak", "en": "No tax withheld"},
    "payout.tax_rule_line": {"id": "Pajak: {rule} = {tax} per triwulan; neto {net}.",
                             "en": "Tax: {rule} = {tax} per quarter; net {net}."},
    "payout.bad_tax_percent": {
        "id": "Tarif pajak \"{value}\" tidak dapat dipakai. Tulis persen 0 sampai 100, misalnya 5 atau 2,5.",
        "en": "The tax rate \"{value}\" cannot be used. Write a percent from 0 to 100, e.g. 5 or 2.5.",
    },
    "payout.unknown_tax_rule": {
        "id": "Aturan pajak \"{value}\" tidak dikenal. Pilih salah satu: {choices}, atau kosong (tanpa aturan).",
        "en": "Unknown tax rule \"{value}\". Choose one of: {choices}, or empty (no rule).",
    },
    "spj.h.tax_rule": {"id": "Dasar pajak", "en": "Tax basis"},
    "pdf.h.tax_base": {"id": "DPP (50%)", "en": "Tax base (50%)"},
    "pdf.tax_title": {"id": "REKAPITULASI POTONGAN PAJAK", "en": "TAX WITHHOLDING RECAP"},
    "payout.no_tax": {"id": "Tidak ada pajak yang dipotong pada {quarter}.", "en": "No tax was withheld in {quarter}."},
    "spj.doc.tax": {"id": "Rekap potongan pajak", "en": "Tax withholding recap"},

    # ---- keys and choices on the screens
    "events.ui.fmt.pdf": {"id": "PDF (A4, siap cetak)", "en": "PDF (A4, ready to print)"},
    "ui.key.roster.cards": {"id": "Cetak kartu", "en": "Print cards"},
    "ui.key.payouts.spj": {"id": "Paket SPJ", "en": "SPJ package"},
    "payout.ui.spj_written": {"id": "Paket SPJ {quarter} ditulis ke {path}", "en": "SPJ package {quarter} written to {path}"},

    # ---- opening what was printed
    "viewer.opened": {"id": "Dibuka dengan penampil sistem: {path}", "en": "Opened with the system viewer: {path}"},
    "viewer.failed": {
        "id": "Berkas sudah ditulis di {path}, tetapi penampil tidak dapat dibuka ({detail}). Buka berkas itu sendiri.",
        "en": "The file is written at {path}, but no viewer could be opened ({detail}). Open the file yourself.",
    },
    "viewer.state": {"id": "Buka berkas setelah Cetak: {state}", "en": "Open files after printing: {state}"},
    "viewer.on": {"id": "aktif", "en": "on"},
    "viewer.off": {"id": "mati", "en": "off"},
    "viewer.ui.setting": {
        "id": "Buka berkas setelah Cetak (komputer ini)",
        "en": "Open files after printing (this computer)",
    },
}
