"""Messages of the data core: files, locks, damage."""

MESSAGES = {
    "fs.disk_full": {
        "id": "Disk penuh saat menulis {path}. Kosongkan ruang disk lalu ulangi; data lama tidak berubah.",
        "en": "The disk is full while writing {path}. Free some disk space and try again; the old data is unchanged.",
    },
    "fs.permission": {
        "id": "Tidak ada izin menulis {path}. Periksa hak akses folder data lalu ulangi; data lama tidak berubah.",
        "en": "No permission to write {path}. Check the data folder's permissions and try again; the old data is unchanged.",
    },
    "fs.read_only": {
        "id": "Folder {path} hanya-baca (read-only). Pakai folder atau flashdisk yang bisa ditulisi; data lama tidak berubah.",
        "en": "{path} is read-only. Use a folder or USB drive that can be written; the old data is unchanged.",
    },
    "fs.io_error": {
        "id": "Gagal membaca/menulis {path} ({detail}). Periksa disk atau flashdisk lalu ulangi; data lama tidak berubah.",
        "en": "Could not read or write {path} ({detail}). Check the disk or USB drive and try again; the old data is unchanged.",
    },
    "fs.missing": {
        "id": "Berkas {path} tidak ditemukan.",
        "en": "The file {path} was not found.",
    },
    "db.locked": {
        "id": "Folder data {path} sedang dipakai oleh {operator} (Pilar PID {pid} di komputer {host}) sejak {since}. Tutup Pilar yang itu dulu, lalu buka lagi.",
        "en": "The data folder {path} is in use by {operator} (Pilar PID {pid} on computer {host}) since {since}. Close that Pilar first, then open again.",
    },
    "db.not_initialised": {
        "id": "{path} belum berisi data Pilar. Buat dulu dengan: pilar init --office KODE --name NAMA (atau pilar init --sample untuk data contoh).",
        "en": "{path} holds no Pilar data yet. Create it first with: pilar init --office CODE --name NAME (or pilar init --sample for demo data).",
    },
    "db.already_initialised": {
        "id": "{path} sudah berisi data Pilar kantor {office}. Pakai folder lain atau hapus folder itu dulu.",
        "en": "{path} already holds Pilar data of office {office}. Use another folder or remove that one first.",
    },
    "db.damaged": {
        "id": "Berkas {file} rusak: {problem}. Data tidak dibuka agar tidak ada yang hilang. Pulihkan dari cadangan terakhir: pilar restore --list lalu pilar restore NAMA.",
        "en": "The file {file} is damaged: {problem}. The data was not opened so nothing is lost. Restore the newest backup: pilar restore --list, then pilar restore NAME.",
    },
    "db.problem.parse": {"id": "isinya bukan JSON yang utuh", "en": "its content is not complete JSON"},
    "db.problem.checksum": {"id": "checksum tidak cocok (isi berkas diubah di luar Pilar)", "en": "the checksum does not match (the file was changed outside Pilar)"},
    "db.problem.schema": {"id": "versi skema {found} tidak dikenal (seharusnya {expected})", "en": "unknown schema version {found} (expected {expected})"},
    "db.problem.other_office": {"id": "berkas ini milik kantor {found}, bukan {expected}", "en": "this file belongs to office {found}, not {expected}"},
    "db.problem.wrong_collection": {"id": "berisi koleksi {found}, bukan {expected}", "en": "it holds collection {found}, not {expected}"},
    "db.problem.missing": {"id": "berkas hilang", "en": "the file is missing"},
    "db.problem.empty": {"id": "berkas kosong", "en": "the file is empty"},
    "db.problem.stale": {"id": "berkas lebih lama daripada catatan (urutan {found} < {expected})", "en": "the file is older than recorded (sequence {found} < {expected})"},
    "db.problem.journal_line": {"id": "baris jurnal {line} rusak", "en": "journal line {line} is damaged"},
    "db.problem.count": {"id": "jumlah rekaman {found}, tercatat {expected}", "en": "{found} records, {expected} recorded"},
    "db.problem.part": {"id": "nama berkas tidak cocok dengan pembagian koleksinya ({parts} bagian); berkas ini bukan buatan Pilar ini",
                        "en": "its name does not fit how its collection is cut ({parts} parts); this Pilar did not write it"},
    "db.problem.two_parts": {"id": "berisi rekaman yang juga ada di bagian lain koleksinya",
                             "en": "it holds a record that another part of its collection holds too"},
    "db.read_only": {
        "id": "Data dibuka hanya-baca; perubahan tidak bisa disimpan.",
        "en": "The data is open read-only; changes cannot be saved.",
    },
    "db.no_operator": {
        "id": "Nama operator belum diisi. Isi nama Anda (opsi --operator atau PILAR_OPERATOR) agar setiap perubahan tercatat.",
        "en": "No operator name given. Give your name (--operator or PILAR_OPERATOR) so every change is recorded.",
    },
}

MESSAGES.update({
    "check.ok": {"id": "Folder data {path} sehat: {files} berkas, {records} rekaman, log audit utuh.",
                 "en": "Data folder {path} is sound: {files} files, {records} records, audit log intact."},
    "check.problems": {"id": "Ditemukan {count} masalah di {path}:", "en": "Found {count} problem(s) in {path}:"},
    "check.audit_broken": {"id": "Log audit {file} telah diubah atau terpotong ({where}).",
                           "en": "The audit log {file} was edited or truncated ({where})."},
    "check.duplicate_nik": {"id": "Dua anggota dengan NIK sama: {a} dan {b}.", "en": "Two members share one NIK: {a} and {b}."},
    "check.misplaced": {"id": "Berkas {file} memuat rekaman {record} yang seharusnya ada di {expected}.",
                        "en": "The file {file} holds record {record}, which belongs in {expected}."},
    "check.index_stale": {"id": "Indeks {index} tidak sesuai untuk kunci {key}.", "en": "Index {index} is wrong for key {key}."},
    "check.unknown_office": {"id": "Anggota {member} ditugaskan ke kantor {office} yang tidak dikenal.",
                             "en": "Member {member} is assigned to unknown office {office}."},
    "init.done": {"id": "Folder data kantor {office} dibuat di {path}.", "en": "Data folder for office {office} created at {path}."},
    "init.sample_done": {"id": "Data contoh dimuat: {members} anggota, {offices} kantor, {events} kegiatan.",
                         "en": "Demo data loaded: {members} members, {offices} offices, {events} events."},
    "init.need_office": {"id": "Sebutkan kode dan nama kantor: pilar init --office KODE --name NAMA.",
                         "en": "Give the office code and name: pilar init --office CODE --name NAME."},
})
