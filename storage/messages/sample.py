"""Messages of the demo data and the synthetic roster generator."""

MESSAGES = {
    "sample.unknown_office": {
        "id": "Kantor {office} tidak ada di data contoh. Pakai JATIM atau kode UPT, misalnya UPT-PSTW-JEMBER.",
        "en": "Office {office} is not in the demo data. Use JATIM or a UPT code such as UPT-PSTW-JEMBER.",
    },
    "sample.bad_count": {
        "id": "Jumlah anggota harus bilangan bulat 1 atau lebih (diberikan: {value}).",
        "en": "The number of members must be a whole number of 1 or more (given: {value}).",
    },
    "sample.out_exists": {
        "id": "Folder {path} sudah ada dan tidak kosong. Pilih folder baru untuk data buatan.",
        "en": "The folder {path} already exists and is not empty. Choose a new folder for the generated data.",
    },
    "sample.generated": {
        "id": "Folder data {office} dengan {members} anggota buatan dibuat di {path} dalam {seconds} detik.",
        "en": "Data folder {office} with {members} generated members created at {path} in {seconds} s.",
    },
}
