"""Messages of editing records in conflict and of duplicate-NIK cases (one person, one NIK)."""

MESSAGES = {
    # an edit over a record in conflict
    "conflict.edit_refused": {
        "id": "{name} sedang dalam konflik ({count} versi dari {offices}): mengubahnya sekarang akan membuang versi lain "
              "tanpa terlihat. Pilih dulu versi yang dipakai: pilar conflicts show {short} lalu "
              "pilar conflicts resolve {short} --keep N (atau di aplikasi: 4 Sinkron, c).",
        "en": "{name} is in conflict ({count} versions from {offices}): changing it now would drop the other version "
              "unseen. First choose the version to keep: pilar conflicts show {short} then "
              "pilar conflicts resolve {short} --keep N (or in the app: 4 Sync, c).",
    },
    "conflict.edit_not_in_conflict": {
        "id": "{name} tidak (lagi) dalam konflik; simpan perubahan tanpa memilih versi.",
        "en": "{name} is not (or no longer) in conflict; save the change without choosing a version.",
    },
    "roster.import.duplicate_case": {
        "id": "NIK ini dipakai {count} anggota (didaftarkan di kantor berbeda): baris tidak diterapkan sampai provinsi "
              "menggabungkannya. Lihat: {command}",
        "en": "This NIK is held by {count} members (registered at different offices): the row is not applied until "
              "the province merges them. See: {command}",
    },
    "roster.import.done_conflicts": {
        "id": "{conflict} baris dalam konflik tidak diubah; selesaikan konfliknya dulu (pilar conflicts list).",
        "en": "{conflict} rows in conflict were not changed; resolve the conflicts first (pilar conflicts list).",
    },
    "roster.cli.edit_saved": {"id": "Perubahan {name} disimpan.", "en": "Changes to {name} saved."},
    "roster.cli.edit_bad_json": {
        "id": "Berkas {path} harus berisi satu objek JSON dengan isian yang diubah (mis. {{\"phone\": \"0812…\"}}).",
        "en": "File {path} must hold one JSON object with the fields to change (e.g. {{\"phone\": \"0812…\"}}).",
    },
    "roster.status.conflict": {"id": "⚠ konflik", "en": "⚠ conflict"},
    "roster.status.deleted_conflict": {"id": "⚠ dihapus? (konflik)", "en": "⚠ deleted? (conflict)"},
    "roster.detail.in_conflict": {
        "id": "⚠ Dalam konflik: ada versi dari kantor lain. Mengubah akan menanyakan versi mana yang dipakai.",
        "en": "⚠ In conflict: another office's version stands too. Editing asks which version to keep.",
    },
    "roster.detail.deleted_conflict": {
        "id": "⚠ Dihapus di satu kantor, diubah di kantor lain: data terakhir ditampilkan sampai konflik diselesaikan.",
        "en": "⚠ Deleted at one office, edited at another: the last data is shown until the conflict is resolved.",
    },
    # duplicate NIK cases
    "dup.title": {"id": "NIK ganda: {nik} ({count} anggota)", "en": "Duplicate NIK: {nik} ({count} members)"},
    "dup.province_merges": {
        "id": "Provinsi yang menggabungkannya (kantor UPT tidak boleh mengubah anggota kantor lain).",
        "en": "The province merges it (a UPT may not write another office's member).",
    },
    "dup.merge_hint": {"id": "Gabungkan dengan: {command} [--take ISIAN ...]",
                       "en": "Merge with: {command} [--take FIELD ...]"},
    "dup.province_only": {
        "id": "Hanya provinsi yang dapat menggabungkan anggota ber-NIK sama; kantor UPT tidak boleh mengubah anggota "
              "kantor lain. Provinsi yang menggabungkannya.",
        "en": "Only the province can merge members sharing a NIK; a UPT may not write another office's member. "
              "The province merges it.",
    },
    "dup.unknown": {
        "id": "Tidak ada anggota ber-NIK ganda dengan kode {id}. Lihat daftarnya: pilar conflicts list",
        "en": "No duplicate-NIK member with id {id}. See the list: pilar conflicts list",
    },
    "dup.ambiguous": {"id": "Kode {id} cocok dengan lebih dari satu anggota; ketik lebih banyak huruf.",
                      "en": "Id {id} matches more than one member; type more characters."},
    "dup.same_record": {"id": "Kedua kode menunjuk anggota yang sama ({id}).",
                        "en": "Both ids name the same member ({id})."},
    "dup.not_same_nik": {"id": "Anggota {a} dan {b} tidak ber-NIK sama: tidak digabungkan.",
                         "en": "Members {a} and {b} do not share a NIK: not merged."},
    "dup.bad_field": {"id": "Isian tidak dikenal: {field}. Isian yang bisa dipilih: {fields}.",
                      "en": "Unknown field: {field}. Fields that can be chosen: {fields}."},
    "dup.merged": {
        "id": "{other} digabungkan ke {survivor} ({name}): satu anggota dengan semua tugasnya. Keputusan ini ikut "
              "terkirim ke kantor lain di bundel berikutnya.",
        "en": "{other} merged into {survivor} ({name}): one member with all its assignments. The decision travels "
              "to the other offices in the next bundles.",
    },
    "dup.none": {"id": "Tidak ada NIK ganda.", "en": "No duplicate NIK."},
    "dup.list_title": {"id": "NIK ganda (satu orang, satu NIK):", "en": "Duplicate NIK (one person, one NIK):"},
    "dup.kind": {"id": "NIK ganda", "en": "duplicate NIK"},
    # pilar check
    "check.work": {"id": "{count} hal perlu ditangani (bukan kerusakan; tidak perlu memulihkan cadangan):",
                   "en": "{count} things to handle (not damage; no backup needs restoring):"},
    "check.duplicate_case": {
        "id": "NIK {nik} dipakai {count} anggota ({names}; kantor {offices}). {action}",
        "en": "NIK {nik} is held by {count} members ({names}; offices {offices}). {action}",
    },
    "check.duplicate_action_province": {"id": "Gabungkan: {command}", "en": "Merge: {command}"},
    # screen
    "ui.conflicts.columns": {"id": "Kode|Jenis|Data|NIK|Versi|Terakhir|Kantor",
                             "en": "Id|Kind|Record|NIK|Versions|Latest|Offices"},
    "ui.conflicts.kind.members": {"id": "Anggota", "en": "Member"},
    "ui.conflicts.kind.events": {"id": "Kegiatan", "en": "Event"},
    "ui.conflicts.kind.invitations": {"id": "Undangan", "en": "Invitation"},
    "ui.conflicts.kind.offices": {"id": "Kantor", "en": "Office"},
    "ui.conflicts.kind.rates": {"id": "Tarif", "en": "Rate"},
    "ui.conflicts.kind.runs": {"id": "Penghitungan", "en": "Run"},
    "ui.conflicts.kind.settings": {"id": "Pengaturan", "en": "Setting"},
    "ui.conflicts.kind.payouts": {"id": "Item honor", "en": "Payout item"},
    "ui.conflicts.deleted_first": {"id": "(dihapus?)", "en": "(deleted?)"},
    "ui.key.conflicts.merge_dup": {"id": "Gabung NIK ganda", "en": "Merge duplicate"},
    "ui.dup.sync_line": {"id": "{count} NIK ganda (satu orang di dua kantor): tekan c untuk melihat.",
                         "en": "{count} duplicate NIKs (one person at two offices): press c to see them."},
    "ui.dup.record": {"id": "Anggota", "en": "Member"},
    "ui.dup.merge_title": {"id": "Gabungkan {name}: satu orang, satu NIK", "en": "Merge {name}: one person, one NIK"},
    "ui.dup.merge_body": {
        "id": "A ({a}) tetap, B ({b}) menjadi catatan terhapus yang menunjuk A. Semua tugas keduanya dipakai. "
              "Pilih untuk setiap isian yang berbeda:",
        "en": "A ({a}) stays, B ({b}) becomes a deleted record pointing at A. Both records' assignments are kept. "
              "Choose for each field that differs:",
    },
    "ui.dup.swap": {"id": "Tukar A/B", "en": "Swap A/B"},
    "ui.dup.merge_go": {"id": "Gabungkan", "en": "Merge"},
    "ui.dup.not_dup": {"id": "Tombol ini untuk kasus NIK ganda.", "en": "This key is for duplicate-NIK cases."},
    "ui.dup.keep_is_merge": {"id": "NIK ganda: tekan g untuk menggabungkan.",
                             "en": "Duplicate NIK: press g to merge."},
    "ui.conflict.choose_title": {"id": "{name} dalam konflik: versi mana yang diubah?",
                                 "en": "{name} is in conflict: which version do you edit?"},
    "ui.conflict.choose_body": {
        "id": "Versi yang dipilih dibuka di formulir; saat disimpan versi lain diganti (keputusan ikut terkirim). "
              "Isian yang berbeda ditandai *.",
        "en": "The chosen version opens in the form; saving replaces the others (the decision travels). "
              "Fields that differ are marked *.",
    },
    "ui.conflict.use": {"id": "Pakai #{n} ({office})", "en": "Use #{n} ({office})"},
    "ui.conflict.kept_deletion": {"id": "{name}: penghapusan dipakai.", "en": "{name}: the deletion is kept."},
}
