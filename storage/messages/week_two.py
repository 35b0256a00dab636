"""Messages of issue 24 (the second week at 80x24): changing clerks, the UPT's letterhead, account rules
by the member's bank, forms that agree."""

MESSAGES = {
    # Ganti petugas (F9)
    "ui.operator.change_title": {"id": "Ganti petugas", "en": "Change operator"},
    "ui.operator.change_body": {
        "id": "Sekarang bertugas: {operator}. Ketik nama petugas berikutnya; perubahan data sesudah ini dicatat atas namanya.",
        "en": "On duty now: {operator}. Type the next operator's name; changes from now on are recorded under it.",
    },
    "ui.operator.changed": {"id": "Petugas sekarang: {operator}.", "en": "Operator now: {operator}."},
    "ui.palette.operator": {"id": "Ganti petugas", "en": "Change operator"},
    "ui.palette.operator.detail": {"id": "Serahkan komputer ke petugas lain tanpa menutup Pilar (F9)",
                                   "en": "Hand the PC to another operator without closing Pilar (F9)"},
    "ui.key.dialog.save": {"id": "Simpan", "en": "Save"},
    "ui.key.app.operator": {"id": "Ganti petugas", "en": "Change operator"},
    # the UPT's own letterhead city, carried by the enrolment file
    "sync.enrol_bad_kab": {
        "id": "Kab/kota '{value}' tidak dikenal. Tulis nama (mis. Jember, Kota Malang) atau kodenya (35.09).",
        "en": "Kab/kota '{value}' is not known. Write its name (e.g. Jember, Kota Malang) or its code (35.09).",
    },
    "cli.help.office.add.kab": {"id": "kab/kota kantor itu (kode atau nama): kota kop suratnya",
                                "en": "the office's kab/kota (code or name): its letterhead city"},
    "ui.sync.enrol_kab": {"id": "Kab/kota kantor (kota kop suratnya; kosong: dari data kantor)",
                          "en": "Office's kab/kota (its letterhead city; blank: from the office record)"},
    # the account by the member's own bank
    "validate.bank.length_bank": {
        "id": "Nomor rekening {bank} harus {need} angka; yang diketik {count} angka. Periksa lagi di buku tabungan.",
        "en": "A {bank} account number has {need} digits; this one has {count}. Check it against the passbook.",
    },
    # the rate form
    "payout.ui.rate_end_blank": {"id": "kosong: berlaku terus", "en": "blank: no end"},
    # the command line in the user's language
    "cli.conflicts.columns": {"id": "Kode|Jenis|Data|NIK|Versi|Kantor|Terakhir",
                              "en": "Id|Kind|Record|NIK|Versions|Offices|Latest"},
    "sync.mode.full": {"id": "lengkap", "en": "Full"},
    "sync.mode.delta": {"id": "perubahan", "en": "Delta"},
    # the conflict a coordinator can decide at 80 columns
    "ui.conflicts.version": {"id": "Versi", "en": "Version"},
    "ui.conflicts.value": {"id": "Nilai", "en": "Value"},
    "ui.conflicts.same": {"id": "sama", "en": "same"},
    "ui.conflicts.empty": {"id": "(kosong)", "en": "(empty)"},
    "ui.key.conflicts.reveal": {"id": "Tampilkan nomor", "en": "Show numbers"},
    "ui.conflicts.revealed": {
        "id": "NIK, rekening dan no. HP ditampilkan lengkap untuk memutuskan; tercatat di log audit.",
        "en": "NIK, account and phone shown in full to decide; recorded in the audit log.",
    },
    "ui.conflicts.merge_title": {"id": "Gabung {label}", "en": "Merge {label}"},
    "ui.conflicts.merge_body": {
        "id": "Untuk tiap isian yang berbeda, pilih versi yang benar. Isian lain tetap seperti versi {base}.",
        "en": "For each field that differs, choose the right version. Other fields stay as in version {base}.",
    },
    "ui.conflicts.nothing_to_merge": {
        "id": "Tidak ada isian untuk digabung: pakai salah satu versi (a atau b).",
        "en": "Nothing to merge field by field: keep one version (a or b).",
    },
    # the event form
    "events.ui.time_example": {"id": "contoh {time}", "en": "e.g. {time}"},
    # plurals and currency words in English
    "ui.summary.pillars.one": {"id": "{n} pilar", "en": "{n} pillar"},
    "ui.summary.pillars.other": {"id": "{n} pilar", "en": "{n} pillars"},
    "ui.summary.money_million": {"id": "Rp{value} jt", "en": "Rp{value} m"},
    "ui.summary.money_billion": {"id": "Rp{value} M", "en": "Rp{value} bn"},
    # NIP of the signers (F10, pilar payout signers)
    "validate.nip.shape": {
        "id": "{what} \"{value}\" tidak sah: NIP terdiri dari 18 angka, mis. 19700505 199503 1 004.",
        "en": "{what} \"{value}\" is not valid: an NIP has 18 digits, e.g. 19700505 199503 1 004.",
    },
    "validate.nip.birth": {
        "id": "{what} \"{value}\" tidak sah: 8 angka pertama adalah tanggal lahir (TTTTBBHH). Periksa lagi.",
        "en": "{what} \"{value}\" is not valid: its first 8 digits are a birth date (YYYYMMDD). Check it.",
    },
    "validate.nip.tmt_sex": {
        "id": "{what} \"{value}\" tidak sah: angka 9-14 adalah TMT (TTTTBB) dan angka ke-15 jenis kelamin (1 atau 2). Periksa lagi.",
        "en": "{what} \"{value}\" is not valid: digits 9-14 are the TMT (YYYYMM) and digit 15 the sex (1 or 2). Check it.",
    },
    "events.report.signer_nip": {"id": "NIP. .............................", "en": "NIP. ............................."},
    # the kop: address and telephone (F10, pilar settings)
    "pdf.kop_contact": {"id": "{address} · Telp. {phone}", "en": "{address} · Tel. {phone}"},
    "pdf.kop_phone": {"id": "Telp. {phone}", "en": "Tel. {phone}"},
    "ui.settings.address": {"id": "Alamat kantor (kop surat)", "en": "Office address (letterhead)"},
    "ui.settings.phone": {"id": "Telepon kantor (kop surat)", "en": "Office telephone (letterhead)"},
    "cli.settings.address": {"id": "Alamat kantor", "en": "Office address"},
    "cli.settings.phone": {"id": "Telepon kantor", "en": "Office telephone"},
    "cli.help.settings.address": {"id": "alamat kantor pada kop surat", "en": "office address on letterheads"},
    "cli.help.settings.phone": {"id": "telepon kantor pada kop surat", "en": "office telephone on letterheads"},
    # the documents Dinsos files: "Mengetahui, Kepala Dinas / KPA" (F10, pilar payout signers)
    "payout.doc.known_line": {"id": "Mengetahui,", "en": "Acknowledged,"},
    "payout.doc.head": {"id": "Kepala Dinas / KPA", "en": "Head of the Dinas / KPA"},
    "ui.settings.head": {"id": "Nama Kepala Dinas / KPA (blok \"Mengetahui\")",
                         "en": "Name of the Head of the Dinas / KPA (\"Mengetahui\" block)"},
    "ui.settings.head_nip": {"id": "NIP Kepala Dinas / KPA", "en": "NIP of the Head / KPA"},
    "ui.settings.head_title": {"id": "Jabatan pada blok Mengetahui (kosong: Kepala Dinas / KPA)",
                               "en": "Title in the Mengetahui block (blank: Kepala Dinas / KPA)"},
    "cli.help.payout.signers.head": {"id": "nama Kepala Dinas / KPA pada blok \"Mengetahui\"",
                                     "en": "name of the Head of the Dinas / KPA in the \"Mengetahui\" block"},
    "cli.help.payout.signers.head_nip": {"id": "NIP Kepala Dinas / KPA", "en": "NIP of the Head of the Dinas / KPA"},
    "cli.help.payout.signers.head_title": {"id": "jabatannya pada blok Mengetahui (bawaan: Kepala Dinas / KPA)",
                                           "en": "their title in the Mengetahui block (default: Kepala Dinas / KPA)"},
    # the rate form: a fixed tax beside the PPh 21 percentage
    "payout.ui.tax_fixed": {"id": "PPh 21 tetap per triwulan (Rp; diabaikan bila % di bawah diisi)",
                            "en": "Fixed PPh 21 per quarter (Rp; ignored when the % below is given)"},
}
