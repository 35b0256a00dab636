"""Messages of the encrypted backup archives (``pilar backup --to``, ``pilar restore FILE``)."""

_UNCHANGED_ID = "tidak dipakai; data tidak berubah."
_UNCHANGED_EN = "it was not used; the data is unchanged."

MESSAGES = {
    "archive.written": {
        "id": "Arsip cadangan terenkripsi ditulis: {path} ({size}, {seconds} detik). Kunci rahasia kantor tidak ikut di dalamnya.",
        "en": "Encrypted backup archive written: {path} ({size}, {seconds} s). The office's private key is not in it.",
    },
    "archive.opens_with_passphrase": {
        "id": "Arsip ini dibuka dengan kata sandi: simpan kata sandinya terpisah dari flashdisk (tanpa kata sandi, arsip tidak dapat dipulihkan).",
        "en": "This archive opens with the passphrase: keep the passphrase apart from the stick (without it the archive cannot be restored).",
    },
    "archive.opens_at_province": {
        "id": "Arsip ini juga dapat dibuka oleh provinsi {code} dengan kuncinya (sidik kunci {fp}).",
        "en": "The province {code} can also open this archive with its key (key fingerprint {fp}).",
    },
    "archive.need_secret": {
        "id": "Cadangan yang keluar dari kantor harus dienkripsi: berikan kata sandi dengan --passphrase-file BERKAS atau variabel PILAR_BACKUP_PASSPHRASE, jalankan di terminal untuk mengetiknya, atau pakai --to-province. Tidak ada yang ditulis ke {path}.",
        "en": "A backup that leaves the office must be encrypted: give a passphrase with --passphrase-file FILE or the PILAR_BACKUP_PASSPHRASE variable, run at a terminal to type it, or use --to-province. Nothing was written to {path}.",
    },
    "archive.need_to": {
        "id": "--to-province dan --passphrase-file hanya dipakai bersama --to FOLDER (arsip di flashdisk atau disk lain).",
        "en": "--to-province and --passphrase-file only go with --to DIR (an archive on a stick or another disk).",
    },
    "archive.passphrase_prompt": {
        "id": "Kata sandi arsip cadangan: ",
        "en": "Backup archive passphrase: ",
    },
    "archive.passphrase_again": {
        "id": "Ketik kata sandi sekali lagi: ",
        "en": "Type the passphrase again: ",
    },
    "archive.passphrase_mismatch": {
        "id": "Kedua kata sandi tidak sama. Tidak ada yang ditulis; ulangi perintahnya.",
        "en": "The two passphrases differ. Nothing was written; run the command again.",
    },
    "archive.passphrase_short": {
        "id": "Kata sandi terlalu pendek: minimal {min} karakter (sebuah kalimat pendek mudah diingat). Tidak ada yang ditulis.",
        "en": "The passphrase is too short: at least {min} characters (a short sentence is easy to remember). Nothing was written.",
    },
    "archive.passphrase_file_empty": {
        "id": "Berkas kata sandi {path} kosong (kata sandi adalah baris pertamanya).",
        "en": "The passphrase file {path} is empty (the passphrase is its first line).",
    },
    "archive.passphrase_file_bad": {
        "id": "Berkas kata sandi {path} bukan teks UTF-8.",
        "en": "The passphrase file {path} is not UTF-8 text.",
    },
    "archive.no_province": {
        "id": "Kunci provinsi belum tercatat di folder ini ({path} tidak ada atau tanpa kunci provinsi): --to-province butuh kantor yang sudah didaftarkan provinsi (pilar init --from BERKAS_PENDAFTARAN). Tidak ada yang ditulis.",
        "en": "The province key is not recorded in this folder ({path} is missing or has no province key): --to-province needs an office enrolled by the province (pilar init --from ENROLMENT_FILE). Nothing was written.",
    },
    "archive.not_archive": {
        "id": "{path} bukan arsip cadangan Pilar; " + _UNCHANGED_ID,
        "en": "{path} is not a Pilar backup archive; " + _UNCHANGED_EN,
    },
    "archive.damaged": {
        "id": "Arsip cadangan {path} rusak atau telah diubah (bagian {where} gagal diperiksa); " + _UNCHANGED_ID
              + " Pakai salinan lain.",
        "en": "The backup archive {path} is damaged or was altered (part {where} failed its check); " + _UNCHANGED_EN
              + " Use another copy.",
    },
    "archive.truncated": {
        "id": "Arsip cadangan {path} terpotong (tidak lengkap; flashdisk mungkin dicabut saat menyalin); " + _UNCHANGED_ID
              + " Pakai salinan lain.",
        "en": "The backup archive {path} is cut short (incomplete; the stick may have been pulled out while copying); "
              + _UNCHANGED_EN + " Use another copy.",
    },
    "archive.newer": {
        "id": "Arsip cadangan {path} dibuat oleh Pilar yang lebih baru; perbarui Pilar lalu ulangi. Data tidak berubah.",
        "en": "The backup archive {path} was made by a newer Pilar; update Pilar and try again. The data is unchanged.",
    },
    "archive.wrong_passphrase": {
        "id": "Kata sandi salah untuk arsip cadangan {path}; data tidak berubah.",
        "en": "Wrong passphrase for the backup archive {path}; the data is unchanged.",
    },
    "archive.need_passphrase": {
        "id": "Arsip cadangan {path} dikunci dengan kata sandi: berikan dengan --passphrase-file BERKAS atau variabel PILAR_BACKUP_PASSPHRASE, atau jalankan di terminal untuk mengetiknya. Data tidak berubah.",
        "en": "The backup archive {path} is locked with a passphrase: give it with --passphrase-file FILE or the PILAR_BACKUP_PASSPHRASE variable, or run at a terminal to type it. The data is unchanged.",
    },
    "archive.need_province_key": {
        "id": "Arsip cadangan {path} hanya dapat dibuka dengan kunci provinsi {province}: pulihkan di provinsi dengan --province-data FOLDER_DATA_PROVINSI. Data tidak berubah.",
        "en": "The backup archive {path} opens only with the key of the province {province}: restore it at the province with --province-data PROVINCE_DATA_FOLDER. The data is unchanged.",
    },
    "archive.wrong_key": {
        "id": "Kunci kantor {code} tidak dapat membuka arsip cadangan {path} (arsip ini untuk {to}); data tidak berubah.",
        "en": "The key of office {code} cannot open the backup archive {path} (it is for {to}); the data is unchanged.",
    },
    "archive.province_keys_missing": {
        "id": "Folder {path} tidak punya kunci kantor (keys/office.key): --province-data harus menunjuk folder data provinsi.",
        "en": "The folder {path} has no office key (keys/office.key): --province-data must name the province's data folder.",
    },
    "archive.no_keys": {
        "id": "Folder ini tidak punya kunci kantor (arsip cadangan tidak membawa kunci rahasia). Untuk sinkron lagi, daftar ulang lewat provinsi: provinsi menjalankan pilar office add {code} dan memberi berkas pendaftarannya, lalu di sini: pilar restore --enrol BERKAS.",
        "en": "This folder has no office key (a backup archive never carries the private key). To sync again, enrol once more through the province: the province runs pilar office add {code} and gives you the enrolment file, then here: pilar restore --enrol FILE.",
    },
    "archive.no_keys_province": {
        "id": "Folder provinsi ini tidak punya kunci (arsip cadangan tidak membawa kunci rahasia). Kunci baru dibuat saat pertama dipakai (pilar keys show), tetapi UPT mengenal kunci yang lama: setiap UPT perlu didaftarkan ulang dengan berkas pendaftaran baru (pilar office add KODE). Bila cadangan lokal di folder data lama masih ada, pulihkan dari sana agar kunci lama kembali.",
        "en": "This province folder has no keys (a backup archive never carries the private key). New keys are made on first use (pilar keys show), but the UPTs know the old ones: every UPT must be enrolled again with a new enrolment file (pilar office add CODE). If a local backup in the old data folder survives, restore from it to get the old keys back.",
    },
    "archive.enrol_other_office": {
        "id": "Berkas pendaftaran {path} untuk kantor {found}, bukan {expected}; tidak ada yang berubah.",
        "en": "The enrolment file {path} is for office {found}, not {expected}; nothing changed.",
    },
    "archive.enrol_has_keys": {
        "id": "Folder ini sudah punya kunci kantor (sidik {fp}); pendaftaran ulang tidak diperlukan, tidak ada yang berubah.",
        "en": "This folder already has an office key (fingerprint {fp}); enrolling again is not needed, nothing changed.",
    },
    "archive.enrolled": {
        "id": "Kantor {code} memakai kunci baru (sidik {fp}). Kirim bundel ke provinsi (pilar export --to {province} --out E:\\) dan bacakan sidik ini lewat telepon; provinsi menjalankan pilar office trust {code}.",
        "en": "Office {code} now has a new key (fingerprint {fp}). Send a bundle to the province (pilar export --to {province} --out E:\\) and read this fingerprint out by phone; the province runs pilar office trust {code}.",
    },
}
