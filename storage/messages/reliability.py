"""Messages of backups, restore and the extra checks of ``pilar check``."""

MESSAGES = {
    # ------------------------------------------------------------------ backup
    "backup.done": {
        "id": "Cadangan {name} dibuat ({size}, {files} berkas) di {path}.",
        "en": "Backup {name} made ({size}, {files} files) in {path}.",
    },
    "backup.failed": {
        "id": "Cadangan tidak dapat dibuat di {path}: {problem} Cadangan yang setengah jadi sudah dihapus; data dan cadangan lama tidak berubah.",
        "en": "The backup could not be made in {path}: {problem} The half-made backup was removed; the data and the older backups are unchanged.",
    },
    "backup.no_space": {
        "id": "Ruang disk tidak cukup untuk cadangan di {path}: perlu {need} ditambah {margin} ruang sisa yang selalu dibiarkan kosong ({total}), tersisa {free}. Kosongkan ruang disk lalu ulangi; data tidak berubah.",
        "en": "Not enough disk space for a backup in {path}: it needs {need} plus the {margin} always left free ({total}), and {free} is free. Free some disk space and try again; the data is unchanged.",
    },
    "backup.copy_failed": {
        "id": "Salinan cadangan {name} tidak lolos pemeriksaan ({problem}) dan sudah dihapus. Jalankan pilar check; data tidak berubah.",
        "en": "The backup copy {name} failed its check ({problem}) and was removed. Run pilar check; the data is unchanged.",
    },
    "backup.unknown": {
        "id": "Cadangan {name} tidak ada di {path}. Lihat daftar dengan: pilar restore --list.",
        "en": "There is no backup {name} in {path}. See the list with: pilar restore --list.",
    },
    "backup.not_good": {
        "id": "Cadangan {name} tidak utuh ({problem}) sehingga tidak dipakai. Pilih cadangan lain dari pilar restore --list.",
        "en": "Backup {name} is not intact ({problem}) so it is not used. Choose another backup from pilar restore --list.",
    },
    "backup.other_office": {
        "id": "Cadangan {name} milik kantor {found}, bukan {expected}. Pilih cadangan kantor ini dari pilar restore --list.",
        "en": "Backup {name} belongs to office {found}, not {expected}. Choose a backup of this office from pilar restore --list.",
    },
    "backup.restore_failed": {
        "id": "Pemulihan dari cadangan {name} gagal: {problem} Keadaan sebelumnya tersimpan sebagai cadangan; ulangi pilar restore {name} setelah masalahnya diatasi.",
        "en": "Restoring backup {name} failed: {problem} The previous state is kept as a backup; run pilar restore {name} again once the problem is fixed.",
    },
    "backup.restored": {
        "id": "Data dipulihkan dari cadangan {name} ({created}). Perubahan sesudah itu tidak ada lagi di folder ini; kirim ulang bundel dari kantor lain bila perlu.",
        "en": "Data restored from backup {name} ({created}). Changes made after it are no longer in this folder; import bundles from other offices again if needed.",
    },
    "backup.safety": {
        "id": "Keadaan sebelum pemulihan disimpan sebagai cadangan {name}.",
        "en": "The state before the restore was kept as backup {name}.",
    },
    "backup.new_replica": {
        "id": "Folder ini memakai ID replika baru {replica} agar sinkronisasi tidak memakai ulang nomor lama.",
        "en": "This folder now uses the new replica id {replica} so sync never reuses old numbers.",
    },
    "backup.none": {
        "id": "Belum ada cadangan di {path}. Buat dengan: pilar backup.",
        "en": "There are no backups in {path} yet. Make one with: pilar backup.",
    },
    "backup.hint": {
        "id": "Cadangan baik terbaru: {name} ({created}, {reason}). Pulihkan dengan satu perintah: pilar restore {name}",
        "en": "Newest good backup: {name} ({created}, {reason}). Restore it with one command: pilar restore {name}",
    },
    "backup.hint_none": {
        "id": "Tidak ada cadangan yang utuh di {path}. Hubungi admin kabupaten/provinsi untuk salinan data kantor ini.",
        "en": "There is no intact backup in {path}. Ask the regency or provincial admin for a copy of this office's data.",
    },
    "backup.need_name": {
        "id": "Sebutkan cadangan yang dipulihkan (pilar restore NAMA atau pilar restore --latest), atau lihat daftarnya: pilar restore --list.",
        "en": "Name the backup to restore (pilar restore NAME or pilar restore --latest), or see the list: pilar restore --list.",
    },
    "backup.ask_restore": {
        "id": "Pulihkan cadangan {name} sekarang? Keadaan sekarang disimpan dulu sebagai cadangan. Ketik y lalu Enter (Enter saja = tidak):",
        "en": "Restore backup {name} now? The current state is kept as a backup first. Type y then Enter (just Enter = no):",
    },
    "backup.daily_running": {
        "id": "Membuat cadangan harian…",
        "en": "Making the daily backup…",
    },
    "backup.daily_failed": {
        "id": "Peringatan: cadangan harian tidak dapat dibuat. {problem}",
        "en": "Warning: the daily backup could not be made. {problem}",
    },
    "backup.copy_out_failed": {
        "id": "Cadangan tidak dapat disalin ke {path}: {problem} Salinan yang setengah jadi sudah dihapus; cadangan di folder data tetap utuh.",
        "en": "The backup could not be copied to {path}: {problem} The half-made copy was removed; the backup in the data folder is intact.",
    },
    "backup.copy_exists": {
        "id": "{path} sudah ada dan isinya berbeda. Pilih folder lain atau hapus folder itu dulu.",
        "en": "{path} already exists with different content. Choose another folder or remove that one first.",
    },
    "backup.copied": {
        "id": "Salinan cadangan ditulis ke {path}. Pulihkan di komputer mana pun dengan: pilar restore \"{path}\"",
        "en": "Backup copy written to {path}. Restore it on any computer with: pilar restore \"{path}\"",
    },
    "backup.col.name": {"id": "Nama", "en": "Name"},
    "backup.col.date": {"id": "Tanggal", "en": "Date"},
    "backup.col.reason": {"id": "Alasan", "en": "Reason"},
    "backup.col.size": {"id": "Ukuran", "en": "Size"},
    "backup.col.good": {"id": "Utuh", "en": "Verifies"},
    "backup.yes": {"id": "ya", "en": "yes"},
    "backup.no": {"id": "TIDAK", "en": "NO"},
    "backup.problem.missing": {"id": "berkas {file} hilang dari cadangan", "en": "file {file} is missing from the backup"},
    "backup.problem.changed": {"id": "berkas {file} berubah sejak cadangan dibuat", "en": "file {file} changed since the backup was made"},
    "backup.problem.extra": {"id": "berkas {file} tidak tercatat di cadangan", "en": "file {file} is not recorded in the backup"},
    "backup.problem.no_meta": {"id": "berkas {file} tidak ada", "en": "the file {file} is missing"},
    "backup.problem.bad_meta": {"id": "berkas {file} rusak", "en": "the file {file} is damaged"},
    "backup.problem.unverified": {"id": "salinan ini tidak lolos pemeriksaan saat dibuat ({count} masalah; lihat backup.json)", "en": "this copy failed its check when it was made ({count} problems; see backup.json)"},
    # ------------------------------------------------------------------ check
    "db.problem.restore_interrupted": {
        "id": "pemulihan dari cadangan terhenti di tengah jalan sehingga folder bisa berisi campuran; jalankan lagi perintah pilar restore yang sama",
        "en": "a restore from a backup was cut short, so the folder may hold a mix; run the same pilar restore command again",
    },
    "db.problem.journal_behind": {
        "id": "transaksi hilang dari jurnal (data sampai urutan {found}, log audit sampai {expected})",
        "en": "transactions are missing from the journal (data up to sequence {found}, audit log up to {expected})",
    },
    "check.dangling": {
        "id": "Rekaman {id} di {collection} menunjuk {field}={ref} yang tidak ada di {target}.",
        "en": "Record {id} in {collection} points to {field}={ref}, which is not in {target}.",
    },
    "check.backup_damaged": {
        "id": "Cadangan {name} rusak: {problem}. Cadangan ini tidak akan dipakai untuk pemulihan.",
        "en": "Backup {name} is damaged: {problem}. It will not be used for a restore.",
    },
    "check.restore_interrupted": {
        "id": "Pemulihan dari cadangan {name} terhenti di tengah jalan; folder bisa berisi campuran. Ulangi: pilar restore {name}.",
        "en": "A restore from backup {name} was cut short; the folder may hold a mix. Run it again: pilar restore {name}.",
    },
    "check.where_line": {"id": "baris {line}", "en": "line {line}"},
    "check.where_truncated": {"id": "hanya {found} baris, tercatat {expected}", "en": "only {found} lines, {expected} recorded"},
    "check.where_head": {"id": "baris {line} tidak sama dengan yang tercatat di manifest", "en": "line {line} differs from the one recorded in the manifest"},
}
