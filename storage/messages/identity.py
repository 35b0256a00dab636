"""Messages of an office's sync identity over its life: moved folders, restores, renamed or replaced PCs
(issue 19), and imports that took nothing."""

MESSAGES = {
    "sync.imported_nothing": {
        "id": "Bundel dari {sender} dibuka, tetapi tidak ada yang diambil: {refused} catatan ditolak (rinciannya di bawah). Tidak ada data yang berubah.",
        "en": "The bundle from {sender} was opened but nothing was taken: {refused} records were refused (details below). No data changed.",
    },
    "sync.refused_head_all": {
        "id": "{count} catatan dari {sender} tidak diambil. {sender} menerima daftar ini dan salinan provinsi di bundel berikutnya:",
        "en": "{count} records from {sender} were not taken. {sender} gets this list and the province's copy in the next bundle:",
    },
    "sync.refused_new_key": {
        "id": "Bundel ditolak: {office} mengirim kunci baru (sidik jari {fp}), bukan kunci tepercayanya. Bila {office} dipasang ulang di PC baru, cocokkan sidik jari dengan kantor itu, lalu: pilar office trust {office} (kunci lamanya tidak berlaku lagi), dan impor lagi. Data tidak berubah.",
        "en": "Bundle refused: {office} sent a new key (fingerprint {fp}), not its trusted one. If {office} was set up again on a new PC, compare the fingerprint with that office, then: pilar office trust {office} (its old key stops being valid), and import again. No data changed.",
    },
    "sync.recovered": {
        "id": "{count} perubahan kantor ini sendiri yang hilang di sini (folder dipulihkan dari cadangan atau dipindah) diambil kembali dari bundel {sender}.",
        "en": "{count} changes of this office's own that this folder had lost (restored from a backup or moved) were taken back from the bundle of {sender}.",
    },
    "sync.healed_province": {
        "id": "{count} catatan {sender} yang dulu ditolak karena identitas salinannya belum dikenal (folder dipindah, dipulihkan atau PC diganti) kini diterima.",
        "en": "{count} records of {sender} refused earlier because its copy's identity was not known yet (folder moved, restored or PC replaced) are now accepted.",
    },
    "sync.healed_upt": {
        "id": "{count} catatan kantor ini yang dulu ditolak provinsi kini sudah diterima provinsi.",
        "en": "{count} records of this office that the province refused earlier have now been accepted by the province.",
    },
    "sync.behind": {
        "id": "Bundel ini dihitung dari data yang tidak ada di folder ini (folder dipulihkan dari cadangan, dipindah dari salinan lama, atau salinan lain kantor ini yang mengimpor bundel sebelumnya). Isinya sudah diambil; bundel kantor ini berikutnya meminta {sender} mengirim bundel lengkap. Bila mendesak, minta {sender} menjalankan: pilar export --to {office} --full",
        "en": "This bundle was reckoned from data this folder does not hold (restored from a backup, moved from an older copy, or another copy of this office imported the previous bundle). What it carries was taken; this office's next bundle asks {sender} for a full one. If it is urgent, ask {sender} to run: pilar export --to {office} --full",
    },
    "sync.kept_head": {
        "id": "{count} catatan kantor ini ditolak provinsi karena identitas salinan (folder dipindah, dipulihkan atau PC diganti) belum dikenal Pilar di provinsi. Data tetap disimpan di sini dan dikirim lagi di setiap bundel; minta provinsi memperbarui Pilar:",
        "en": "{count} records of this office were refused by the province because its Pilar does not know this copy's identity yet (folder moved, restored or PC replaced). They stay here and go again in every bundle; ask the province to update Pilar:",
    },
    "sync.kept_line": {"id": "  - {label} ({collection} {short})", "en": "  - {label} ({collection} {short})"},
    "sync.history_title": {"id": "Riwayat impor dan ekspor (terbaru dulu):", "en": "Import and export history (newest first):"},
    "sync.history_none": {"id": "Belum ada bundel yang diimpor atau diekspor.", "en": "No bundle imported or exported yet."},
    "sync.history.accepted": {"id": "+{added} ~{updated} -{deleted} !{conflicts}",
                              "en": "+{added} ~{updated} -{deleted} !{conflicts}"},
    "sync.history.refused_count": {"id": ", {count} ditolak", "en": ", {count} refused"},
    "cli.help.sync.history": {"id": "bundel yang diimpor dan diekspor, terbaru dulu (yang ditolak ditandai)",
                              "en": "bundles imported and exported, newest first (refusals marked)"},
    "cli.help.sync.history.limit": {"id": "berapa baris (terbaru dulu)", "en": "how many rows (newest first)"},
    "ui.sync.result.partly_refused": {"id": "sebagian ditolak", "en": "partly refused"},
    "ui.sync.result.nothing_taken": {"id": "semua ditolak", "en": "all refused"},
}
