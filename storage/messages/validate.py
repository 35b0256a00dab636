"""Messages of member validation: NIK, phone, bank account, roster rules."""

MESSAGES = {
    # Field names used inside other sentences.
    "validate.field.nik": {"id": "NIK", "en": "NIK"},
    "validate.field.name": {"id": "Nama", "en": "Name"},
    "validate.field.sex": {"id": "Jenis kelamin", "en": "Sex"},
    "validate.field.birth_place": {"id": "Tempat lahir", "en": "Place of birth"},
    "validate.field.birth_date": {"id": "Tanggal lahir", "en": "Date of birth"},
    "validate.field.kab": {"id": "Kabupaten/kota", "en": "Kabupaten/kota"},
    "validate.field.kec": {"id": "Kecamatan", "en": "Kecamatan"},
    "validate.field.pillar": {"id": "Pilar", "en": "Pillar"},
    "validate.field.position": {"id": "Jabatan", "en": "Position"},
    "validate.field.office": {"id": "Kantor (UPT)", "en": "Office (UPT)"},
    "validate.field.start": {"id": "Tanggal mulai tugas", "en": "Start date"},
    "validate.field.end": {"id": "Tanggal selesai tugas", "en": "End date"},
    "validate.field.inactive_date": {"id": "Tanggal nonaktif", "en": "Date made inactive"},
    "validate.field.area_kab": {"id": "Kabupaten/kota tugas", "en": "Kabupaten/kota of duty"},
    "validate.field.area_kec": {"id": "Kecamatan tugas", "en": "Kecamatan of duty"},
    "validate.field.bank.name": {"id": "Nama bank", "en": "Bank name"},
    "validate.field.bank.account": {"id": "Nomor rekening", "en": "Account number"},
    "validate.field.bank.holder": {"id": "Nama pemilik rekening", "en": "Account holder name"},
    # General.
    "validate.required": {"id": "{what} wajib diisi.", "en": "{what} is required."},
    "validate.assignments.required": {
        "id": "Isi paling sedikit satu penugasan (pilar, jabatan, kantor, tanggal mulai).",
        "en": "Add at least one assignment (pillar, position, office, start date).",
    },
    "validate.name.length": {
        "id": "Nama harus 2 sampai 100 huruf; yang diketik {count} huruf.",
        "en": "A name must be 2 to 100 characters long; you typed {count}.",
    },
    "validate.text.control": {
        "id": "{what} berisi karakter tersembunyi (mis. tab atau baris baru); ketik ulang isinya.",
        "en": "{what} contains hidden characters (such as a tab or line break); type it again.",
    },
    "validate.sex.invalid": {
        "id": "Jenis kelamin harus L (laki-laki) atau P (perempuan); yang diisi \"{value}\".",
        "en": "Sex must be L (male) or P (female); you entered \"{value}\".",
    },
    "validate.date.invalid": {
        "id": "{what} harus tanggal yang ada, ditulis TTTT-BB-HH (mis. 1985-03-12); yang diisi \"{value}\".",
        "en": "{what} must be a real date written YYYY-MM-DD (e.g. 1985-03-12); you entered \"{value}\".",
    },
    "validate.birth_date.future": {
        "id": "Tanggal lahir ({date}) belum lewat; periksa tahunnya.",
        "en": "The date of birth ({date}) is in the future; check the year.",
    },
    "validate.birth_date.age": {
        "id": "Umur {age} tahun di luar kebiasaan pilar sosial (17–80 tahun); periksa tanggal lahir.",
        "en": "Age {age} is outside the usual range for pilar sosial (17–80); check the date of birth.",
    },
    "validate.kab.unknown": {
        "id": "Kode kabupaten/kota \"{code}\" tidak ada di Jawa Timur; pilih dari daftar.",
        "en": "Kabupaten/kota code \"{code}\" does not exist in Jawa Timur; choose one from the list.",
    },
    "validate.kec.unknown": {
        "id": "Kode kecamatan \"{code}\" tidak ada di Jawa Timur; pilih dari daftar.",
        "en": "Kecamatan code \"{code}\" does not exist in Jawa Timur; choose one from the list.",
    },
    "validate.kec.wrong_kab": {
        "id": "Kecamatan {kec} ada di {kec_kab}, bukan di {kab}; pilih kecamatan yang sesuai.",
        "en": "Kecamatan {kec} is in {kec_kab}, not in {kab}; choose a matching kecamatan.",
    },
    # NIK.
    "validate.nik.not_digits": {
        "id": "NIK hanya boleh berisi angka; hapus \"{chars}\".",
        "en": "A NIK has digits only; remove \"{chars}\".",
    },
    "validate.nik.length": {
        "id": "NIK harus 16 angka; yang diketik {count} angka.",
        "en": "A NIK must be 16 digits; you typed {count}.",
    },
    "validate.nik.province_unknown": {
        "id": "Dua angka pertama NIK ({code}) bukan kode provinsi di Indonesia; periksa NIK di KTP.",
        "en": "The first two digits of the NIK ({code}) are not an Indonesian province code; check the NIK on the ID card.",
    },
    "validate.nik.province_other": {
        "id": "NIK ini terdaftar di {province} (kode {code}), bukan di Jawa Timur (35); pastikan NIK sudah benar.",
        "en": "This NIK was registered in {province} (code {code}), not in Jawa Timur (35); make sure the NIK is right.",
    },
    "validate.nik.kab_unknown": {
        "id": "Angka ke-3 dan ke-4 NIK ({code}) bukan kode kabupaten/kota di Jawa Timur; periksa NIK di KTP.",
        "en": "Digits 3-4 of the NIK ({code}) are not a kabupaten/kota code in Jawa Timur; check the NIK on the ID card.",
    },
    "validate.nik.kec_unknown": {
        "id": "Angka ke-5 dan ke-6 NIK ({code}) bukan kode kecamatan di {kab} saat ini; periksa NIK di KTP.",
        "en": "Digits 5-6 of the NIK ({code}) are not a current kecamatan code in {kab}; check the NIK on the ID card.",
    },
    "validate.nik.day": {
        "id": "Angka ke-7 dan ke-8 NIK ({value}) bukan tanggal lahir: harus 01–31, atau 41–71 untuk perempuan.",
        "en": "Digits 7-8 of the NIK ({value}) are not a day of birth: they must be 01–31, or 41–71 for women.",
    },
    "validate.nik.month": {
        "id": "Angka ke-9 dan ke-10 NIK ({value}) bukan bulan lahir: harus 01–12.",
        "en": "Digits 9-10 of the NIK ({value}) are not a month of birth: they must be 01–12.",
    },
    "validate.nik.date_missing": {
        "id": "Tanggal lahir di NIK ({day} {month} {year}) tidak ada di kalender; periksa angka ke-7 sampai ke-12.",
        "en": "The date of birth in the NIK ({day} {month} {year}) does not exist; check digits 7 to 12.",
    },
    "validate.nik.serial": {
        "id": "Empat angka terakhir NIK tidak boleh 0000; periksa NIK di KTP.",
        "en": "The last four digits of a NIK cannot be 0000; check the NIK on the ID card.",
    },
    "validate.nik.sex_female": {
        "id": "NIK ini milik perempuan (tanggal lahir ditambah 40: {value}), tetapi jenis kelamin diisi laki-laki; "
              "periksa NIK atau jenis kelamin.",
        "en": "This NIK belongs to a woman (day of birth plus 40: {value}), but sex is set to male; "
              "check the NIK or the sex.",
    },
    "validate.nik.sex_male": {
        "id": "Untuk perempuan, tanggal lahir di NIK ditambah 40 (tanggal 1 ditulis 41), tetapi NIK ini memuat tanggal {value}; "
              "periksa NIK atau jenis kelamin.",
        "en": "For women the NIK adds 40 to the day of birth (the 1st is written 41), but this NIK has day {value}; "
              "check the NIK or the sex.",
    },
    "validate.nik.birth_date": {
        "id": "Tanggal lahir di NIK ({nik_date}) tidak sama dengan tanggal lahir yang diisi ({birth_date}).",
        "en": "The date of birth in the NIK ({nik_date}) differs from the date of birth entered ({birth_date}).",
    },
    "validate.nik.duplicate": {
        "id": "NIK {nik} sudah dipakai oleh {name}; buka data orang itu, jangan buat data baru.",
        "en": "NIK {nik} already belongs to {name}; open that person's record instead of adding a new one.",
    },
    # Phone.
    "validate.phone.unreadable": {
        "id": "Nomor telepon \"{value}\" tidak terbaca; tulis seperti 0812-3456-7890 atau (031) 8290794.",
        "en": "The phone number \"{value}\" cannot be read; write it like 0812-3456-7890 or (031) 8290794.",
    },
    "validate.phone.invalid": {
        "id": "Nomor telepon \"{value}\" tidak lengkap atau salah; periksa jumlah angkanya (mis. 0812-3456-7890).",
        "en": "The phone number \"{value}\" is incomplete or wrong; check its digits (e.g. 0812-3456-7890).",
    },
    "validate.phone.foreign": {
        "id": "Nomor telepon {value} bukan nomor Indonesia; pastikan memang benar.",
        "en": "The phone number {value} is not an Indonesian number; make sure it is right.",
    },
    "validate.phone.not_e164": {
        "id": "Simpan nomor telepon dalam bentuk internasional: {e164}.",
        "en": "Store the phone number in international form: {e164}.",
    },
    # Bank account.
    "validate.bank.incomplete": {
        "id": "{what} wajib diisi bila data rekening bank diisi.",
        "en": "{what} is required when bank details are given.",
    },
    "validate.bank.not_digits": {
        "id": "Nomor rekening hanya boleh berisi angka; hapus \"{chars}\".",
        "en": "An account number has digits only; remove \"{chars}\".",
    },
    "validate.bank.length": {
        "id": "Nomor rekening harus 6 sampai 20 angka; yang diketik {count} angka.",
        "en": "An account number must be 6 to 20 digits; you typed {count}.",
    },
    "validate.bank.holder": {
        "id": "Nama pemilik rekening ({holder}) berbeda dengan nama anggota ({name}); pastikan rekening milik orang ini.",
        "en": "The account holder ({holder}) differs from the member's name ({name}); make sure the account is theirs.",
    },
    # Assignments and roster rules.
    "validate.pillar.unknown": {
        "id": "Pilar \"{value}\" tidak dikenal; pilih dari daftar.",
        "en": "Unknown pillar \"{value}\"; choose one from the list.",
    },
    "validate.position.unknown": {
        "id": "Jabatan \"{value}\" tidak dikenal; pilih dari daftar.",
        "en": "Unknown position \"{value}\"; choose one from the list.",
    },
    "validate.status.unknown": {
        "id": "Status \"{value}\" tidak dikenal; pilih Aktif atau Tidak aktif.",
        "en": "Unknown status \"{value}\"; choose Active or Inactive.",
    },
    "validate.level.unknown": {
        "id": "Jenjang Tagana \"{value}\" tidak dikenal; pilih Muda, Madya atau Utama.",
        "en": "Unknown Tagana level \"{value}\"; choose Muda, Madya or Utama.",
    },
    "validate.level.missing": {
        "id": "Jenjang Tagana belum diisi; pilih Muda, Madya atau Utama.",
        "en": "The Tagana level is empty; choose Muda, Madya or Utama.",
    },
    "validate.level.not_tagana": {
        "id": "Tingkat Muda/Madya/Utama hanya untuk Tagana; kosongkan untuk pilar {pillar}.",
        "en": "Levels Muda/Madya/Utama are for Tagana only; leave it empty for {pillar}.",
    },
    "validate.assignment.dates": {
        "id": "Tanggal selesai ({end}) lebih awal dari tanggal mulai ({start}); periksa kedua tanggal.",
        "en": "The end date ({end}) is before the start date ({start}); check both dates.",
    },
    "validate.tksk.area_required": {
        "id": "TKSK bertugas di satu kecamatan; pilih kecamatan tugasnya.",
        "en": "A TKSK serves one kecamatan; choose the kecamatan of duty.",
    },
    "validate.korkab.area_required": {
        "id": "Korkab/Korkot bertugas di satu kabupaten/kota; pilih kabupaten/kota tugasnya.",
        "en": "A Korkab/Korkot serves one kabupaten/kota; choose the kabupaten/kota of duty.",
    },
    "validate.tksk.taken": {
        "id": "Kecamatan {kec} sudah punya TKSK aktif: {name} (NIK {nik}). Satu kecamatan hanya satu TKSK; "
              "nonaktifkan dulu penugasan itu atau pilih kecamatan lain.",
        "en": "Kecamatan {kec} already has an active TKSK: {name} (NIK {nik}). One kecamatan has one TKSK; "
              "make that assignment inactive first or choose another kecamatan.",
    },
    "validate.tksk.lives_elsewhere": {
        "id": "TKSK sebaiknya tinggal di kecamatan tugasnya ({area}), tetapi tinggal di Kecamatan {home}; "
              "pastikan ini benar.",
        "en": "A TKSK should live in the kecamatan served ({area}), but this one lives in Kecamatan {home}; "
              "make sure this is right.",
    },
    "validate.korkab.taken": {
        "id": "{kab} sudah punya Korkab/Korkot {pillar} yang aktif: {name} (NIK {nik}); nonaktifkan dulu penugasan itu.",
        "en": "{kab} already has an active {pillar} Korkab/Korkot: {name} (NIK {nik}); make that assignment inactive first.",
    },
}
