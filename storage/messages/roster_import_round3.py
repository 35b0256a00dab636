"""Messages of the roster import's third round (issue 23): UMUR against the NIK's birth date, .xlsb files."""

MESSAGES = {
    "roster.import.field.age": {"id": "Umur", "en": "Age"},
    "roster.import.field.note": {"id": "Catatan", "en": "Note"},
    "roster.import.age_checked": {
        "id": "{column} dicocokkan dengan tanggal lahir dari NIK di {count} baris (selisih lebih dari 1 tahun: "
              "baris ditahan).",
        "en": "{column} checked against the birth date from the NIK on {count} rows (more than a year apart: "
              "the row is held).",
    },
    "roster.import.age_years_back": {
        "id": "{column} di berkas ini tampak dihitung {years} tahun lalu (sekitar {year}): umur dicocokkan "
              "dengan tahun itu.",
        "en": "{column} in this file looks counted {years} years ago (around {year}): ages are checked "
              "against that year.",
    },
    "roster.import.age_century": {
        "id": "Tahun lahir {year} (bukan {other}) menurut UMUR {age}: NIK hanya menulis dua angka tahun.",
        "en": "Born in {year} (not {other}) as UMUR {age} says: a NIK writes only two digits of the year.",
    },
    "roster.import.age_clash": {
        "id": "UMUR {age} tidak cocok dengan NIK (lahir {born}, umur {nik_age}). Cek NIK di KTP dan perbaiki "
              "berkasnya; bila NIK benar: t di layar impor atau --accept-held {where}.",
        "en": "UMUR {age} does not match the NIK (born {born}, aged {nik_age}). Check the NIK on the ID card and "
              "correct the file; if the NIK is right: t on the import screen or --accept-held {where}.",
    },
    "roster.import.age_accepted": {
        "id": "UMUR {age} diabaikan atas keputusan petugas; tanggal lahir diambil dari NIK ({born}).",
        "en": "UMUR {age} set aside as the operator decided; the birth date is taken from the NIK ({born}).",
    },
    "roster.import.xlsb_short": {
        "id": "{path} adalah Excel Binary (.xlsb) yang ditulis program selain Excel dengan bentuk sel yang tidak "
              "terbaca utuh. Buka di Excel, File → Save As → simpan ulang sebagai \"Excel Workbook (*.xlsx)\", "
              "lalu impor lagi.",
        "en": "{path} is an Excel Binary (.xlsb) written by a program other than Excel, with a cell form that "
              "cannot be read whole. Open it in Excel, File → Save As → save it again as \"Excel Workbook "
              "(*.xlsx)\", then import again.",
    },
}
