"""Messages about versions: files written by a newer Pilar, folders brought up to date, offices behind."""

MESSAGES = {
    "cli.opt.version": {"id": "tampilkan versi Pilar dan versi format berkasnya, lalu keluar",
                        "en": "show the version of Pilar and of its file formats, then exit"},
    "formats.newer_pilar": {"id": "Pilar yang lebih baru", "en": "a newer Pilar"},  # {writer} when a file does not say
    "formats.newer_folder": {
        "id": "Folder data ini ditulis oleh {writer} (format folder {found}); Pilar ini versi {ours} dan "
              "hanya membaca sampai format {expected}. Perbarui Pilar di komputer ini (kit pembaruan terbaru, "
              "update.bat); data tidak diubah dan tidak rusak. ({file})",
        "en": "This data folder was written by {writer} (folder format {found}); this Pilar is {ours} and "
              "reads up to format {expected}. Update Pilar on this computer (the newest update kit, update.bat); "
              "the data was not changed and is not damaged. ({file})",
    },
    "formats.newer_office": {
        "id": "Berkas kantor ini ditulis oleh {writer} (format {found}); Pilar ini versi {ours} dan hanya "
              "membaca sampai format {expected}. Perbarui Pilar di komputer ini (kit pembaruan terbaru, "
              "update.bat); data tidak diubah dan tidak rusak. ({file})",
        "en": "This office file was written by {writer} (format {found}); this Pilar is {ours} and reads "
              "up to format {expected}. Update Pilar on this computer (the newest update kit, update.bat); the "
              "data was not changed and is not damaged. ({file})",
    },
    "formats.newer_bundle": {
        "id": "Bundel ditolak: dibuat oleh {writer} (format bundel {found}); Pilar ini versi {ours} dan "
              "hanya membaca sampai format {expected}. Perbarui Pilar di komputer ini, lalu impor lagi bundel "
              "yang sama. Data tidak berubah.",
        "en": "Bundle refused: it was made by {writer} (bundle format {found}); this Pilar is {ours} and "
              "reads up to format {expected}. Update Pilar on this computer, then import the same bundle again. "
              "The data is unchanged.",
    },
    "formats.newer_backup": {
        "id": "Cadangan {file} dibuat oleh {writer} (format {found}); Pilar ini versi {ours} dan hanya "
              "membaca sampai format {expected}. Perbarui Pilar dulu, lalu pulihkan lagi. Data tidak berubah.",
        "en": "The backup {file} was made by {writer} (format {found}); this Pilar is {ours} and reads up "
              "to format {expected}. Update Pilar first, then restore again. The data is unchanged.",
    },
    "formats.folder_older": {
        "id": "Folder data {path} masih format {found} (dari Pilar {writer}); Pilar {ours} memakai format "
              "{expected}. Buka Pilar sekali (aplikasinya, atau perintah lain seperti pilar backup) untuk "
              "memperbaruinya: cadangan dibuat dulu. Tidak ada data yang diubah.",
        "en": "The data folder {path} is still format {found} (from Pilar {writer}); Pilar {ours} uses format "
              "{expected}. Open Pilar once (the app, or another command such as pilar backup) to update it: a "
              "backup is made first. No data was changed.",
    },
    "formats.peer_too_old": {
        "id": "Bundel untuk {office} tidak dibuat: kantor itu memakai Pilar {writer}, yang hanya membaca bundel "
              "format {reads}, sedangkan data ini butuh format {needs}. Perbarui Pilar di {office} dulu "
              "(kirim kit pembaruan), lalu buat bundel lagi. Tidak ada yang berubah.",
        "en": "No bundle was made for {office}: that office runs Pilar {writer}, which reads bundle format "
              "{reads} only, and this data needs format {needs}. Update Pilar at {office} first (send the "
              "update kit), then make the bundle again. Nothing was changed.",
    },
    "formats.migrated": {
        "id": "Folder data diperbarui dari format {found} ke {expected} (Pilar {ours}); cadangan sebelumnya: {backup}.",
        "en": "The data folder was updated from format {found} to {expected} (Pilar {ours}); backup before it: {backup}.",
    },
    "formats.office_version": {"id": "Versi Pilar", "en": "Pilar version"},
    "formats.should_update": {"id": "perlu diperbarui", "en": "should update"},
    "formats.unknown_version": {"id": "belum diketahui", "en": "not known yet"},
    "formats.offices_behind": {
        "id": "{count} kantor memakai Pilar yang lebih lama dari provinsi ({ours}): {offices}. Kirim kit pembaruan.",
        "en": "{count} office(s) run a Pilar older than the province's ({ours}): {offices}. Send them the update kit.",
    },
}
