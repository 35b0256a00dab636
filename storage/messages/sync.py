"""Messages of sync: keys, offices, bundles, conflicts."""

_UNCHANGED_ID = " Data tidak berubah."
_UNCHANGED_EN = " The data is unchanged."


def _r(id_text: str, en_text: str) -> dict:
    return {"id": id_text + _UNCHANGED_ID, "en": en_text + _UNCHANGED_EN}


MESSAGES = {
    # one record of an accepted bundle not taken (the rest landed)
    "sync.refused_owner": {"id": "Pemilik catatan di bundel ({sender}) berbeda dengan pemiliknya di sini ({owner}); catatan tidak diambil.",
                           "en": "The record's owner in the bundle ({sender}) differs from its owner here ({owner}); the record was not taken."},
    "sync.refused_forged_dot": {"id": "Versi catatan ini sudah ada di sini dengan isi lain (versi dipalsukan); catatan tidak diambil.",
                                "en": "This version of the record is already held here with other content (a forged version); the record was not taken."},
    "sync.refused_clock": {"id": "Jam atau penghitung versi dari {office} di luar batas (jam komputer salah atau versi dipalsukan); catatan tidak diambil.",
                           "en": "The clock or counter of a version from {office} is out of range (a wrong PC clock or a forged version); the record was not taken."},
    "sync.refused_not_sender": {"id": "Versi tulisan kantor {office} dikirim oleh {sender}, dan kantor ini tidak memilikinya; hanya versi tulisan {sender} sendiri yang diterima dari {sender}.",
                                "en": "A version written by office {office} was sent by {sender}, and this office does not hold it; from {sender} only versions {sender} wrote itself are taken."},
    "sync.refused_replica": {"id": "Versi dari {sender} memakai identitas salinan milik kantor lain; catatan tidak diambil.",
                             "en": "A version from {sender} uses a replica id that belongs to another office; the record was not taken."},
    "sync.refused_vv": {"id": "Versi dari {sender} mengaku sudah melihat perubahan kantor lain yang tidak ada di sini; catatan tidak diambil.",
                        "en": "A version from {sender} claims to have seen changes by another office that this office does not hold; the record was not taken."},
    "sync.refused_head": {"id": "{count} catatan dari {sender} tidak diambil (sisanya sudah masuk). {sender} menerima daftar ini dan salinan provinsi di bundel berikutnya:",
                          "en": "{count} records from {sender} were not taken (the rest landed). {sender} gets this list and the province's copy in the next bundle:"},
    "sync.refused_line": {"id": "  - {label} ({collection} {short}): {message}", "en": "  - {label} ({collection} {short}): {message}"},
    "sync.refused_more": {"id": "  … dan {count} lagi (lihat imports.jsonl).", "en": "  … and {count} more (see imports.jsonl)."},
    "sync.dropped_head": {"id": "{count} perubahan kantor ini ditolak provinsi; diganti dengan salinan provinsi. Buat ulang bila masih perlu, atau minta provinsi:",
                          "en": "{count} changes of this office were refused by the province and replaced by the province's copy. Make them again if still needed, or ask the province:"},
    "sync.dropped_line": {"id": "  - {label} ({collection} {short}): {reason}", "en": "  - {label} ({collection} {short}): {reason}"},
    # why the province refused a change of this office (said back in its bundle as one word)
    "sync.reason.province_only": {"id": "hanya provinsi yang boleh mengubahnya", "en": "only the province may change it"},
    "sync.reason.not_owner": {"id": "data ini milik kantor lain", "en": "this record belongs to another office"},
    "sync.reason.assignment_other": {"id": "penugasan di kantor lain hanya diubah provinsi", "en": "an assignment at another office is the province's to change"},
    "sync.reason.person_field": {"id": "data pribadi diubah oleh kantor pemiliknya saja", "en": "personal data is changed by the owning office only"},
    "sync.reason.event_office": {"id": "kantor penyelenggara kegiatan tidak bisa dipindah", "en": "an event's organising office cannot be moved"},
    "sync.reason.event_owner": {"id": "undangan dan presensi diubah penyelenggara kegiatan saja", "en": "invitations and attendance are the organiser's"},
    "sync.reason.event_unknown": {"id": "kegiatannya tidak dikenal provinsi", "en": "the province does not know the event"},
    "sync.reason.owner": {"id": "pemilik data tidak sama dengan yang dipegang provinsi", "en": "the owner differs from the province's record"},
    "sync.reason.forged_dot": {"id": "nomor versi sudah dipakai untuk isi lain", "en": "the version number was used for other content"},
    "sync.reason.clock": {"id": "jam atau nomor versi di luar batas", "en": "clock or version number out of range"},
    "sync.reason.not_sender": {"id": "versi ini bukan tulisan kantor ini", "en": "this version was not written by this office"},
    "sync.reason.replica": {"id": "nomor replika milik kantor lain", "en": "the replica id belongs to another office"},
    "sync.reason.vv": {"id": "versi mengaku melihat perubahan yang tidak dikenal provinsi", "en": "the version claims changes the province never saw"},
    "sync.repair_none": {"id": "Tidak ada versi yang perlu dibuang; folder ini bisa sinkron.",
                         "en": "No version needs dropping; this folder can sync."},
    "sync.repair_would": {"id": "{count} versi akan dibuang (jalankan tanpa --dry-run untuk membuangnya):",
                          "en": "{count} versions would be dropped (run without --dry-run to drop them):"},
    "sync.repair_done": {"id": "{count} versi dibuang; tiap catatan kini memakai versi yang sah (atau terhapus bila tidak ada). Perbaikan ini ikut terkirim di bundel berikutnya. Masukkan ulang data yang hilang bila perlu:",
                         "en": "{count} versions dropped; each record now holds its lawful version (or is deleted when there was none). The repair travels in the next bundles. Enter again what is missing if needed:"},
    "sync.repair_line": {"id": "  - {label} ({collection} {short}), ditulis {office}: {reason}",
                         "en": "  - {label} ({collection} {short}), written by {office}: {reason}"},
    "sync.repair_reason.clock": {"id": "jam di luar batas (datanya dipertahankan)", "en": "clock out of range (its data is kept)"},
    "sync.repair_reason.province_only": {"id": "hanya provinsi yang boleh menulisnya", "en": "only the province may write it"},
    "sync.repair_reason.not_owner": {"id": "kantor itu bukan pemilik dan tidak disebut di penugasannya", "en": "that office neither owns it nor is named by its assignments"},
    "sync.repair_reason.event_owner": {"id": "hanya penyelenggara kegiatan yang boleh menulisnya", "en": "only the event's organiser may write it"},
    "sync.refused_record": {"id": "Catatan tidak diambil.", "en": "The record was not taken."},

    # keys and trust
    "sync.keys_damaged": {
        "id": "Berkas kunci {path} rusak. Pulihkan folder keys/ dari cadangan, atau hubungi provinsi untuk pendaftaran ulang.",
        "en": "The key file {path} is damaged. Restore the keys/ folder from a backup, or ask the province to enrol this office again.",
    },
    "sync.enrol_bad": {
        "id": "Berkas pendaftaran {path} rusak atau bukan berkas pendaftaran Pilar. Minta berkas baru ke provinsi.",
        "en": "The enrolment file {path} is damaged or not a Pilar enrolment file. Ask the province for a new one.",
    },
    "sync.enrol_newer": {
        "id": "Berkas pendaftaran {path} dibuat oleh Pilar yang lebih baru. Perbarui Pilar dulu.",
        "en": "The enrolment file {path} was made by a newer Pilar. Update Pilar first.",
    },
    "sync.enrol_confirm": {
        "id": "Kantor: {code} ({name}). Sidik jari kunci provinsi: {fp}\nCocokkan dengan sidik jari yang diberikan provinsi lewat surat atau telepon.",
        "en": "Office: {code} ({name}). Province key fingerprint: {fp}\nCompare it with the fingerprint the province gave you by letter or phone.",
    },
    "sync.confirm_prompt": {
        "id": "Sama persis? Ketik ya untuk lanjut: ",
        "en": "Exactly the same? Type yes to continue: ",
    },
    "sync.need_yes": {
        "id": "Belum dikonfirmasi. Bandingkan sidik jari lalu ulangi dengan --yes. Tidak ada yang berubah.",
        "en": "Not confirmed. Compare the fingerprint, then run again with --yes. Nothing was changed.",
    },
    "sync.enrol_written": {
        "id": "Berkas pendaftaran untuk {code} ditulis ke {path}. Berikan ke kantor itu bersama sidik jari kunci provinsi: {fp}",
        "en": "Enrolment file for {code} written to {path}. Give it to that office together with the province key fingerprint: {fp}",
    },
    "sync.init_from_done": {
        "id": "Kantor {code} siap. Sidik jari kunci kantor ini: {fp}. Kirim bundel pertama ke provinsi: pilar export --to {province}",
        "en": "Office {code} is ready. This office's key fingerprint: {fp}. Send the first bundle to the province: pilar export --to {province}",
    },
    "sync.province_only": {
        "id": "Hanya kantor provinsi yang bisa mendaftarkan, mempercayai atau mencabut kunci kantor.",
        "en": "Only the provincial office can enrol, trust or revoke office keys.",
    },
    "sync.bad_code": {
        "id": "Kode kantor {code!r} tidak sah: pakai huruf besar, angka dan tanda minus, mis. UPT-PSTW-JEMBER.",
        "en": "Office code {code!r} is not valid: use capital letters, digits and dashes, e.g. UPT-PSTW-JEMBER.",
    },
    "sync.unknown_office": {
        "id": "Kantor {office} belum terdaftar. Daftarkan dulu di provinsi: pilar office add {office} --name NAMA",
        "en": "Office {office} is not enrolled. Enrol it at the province first: pilar office add {office} --name NAME",
    },
    "sync.trust_no_key": {
        "id": "Belum ada kunci dari {office}. Impor dulu bundel pertamanya (akan ditolak sambil menyimpan kuncinya), lalu ulangi.",
        "en": "No key from {office} yet. Import its first bundle first (it is refused while its key is noted), then try again.",
    },
    "sync.trust_revoked": {
        "id": "Kunci {office} dengan sidik jari {fp} sudah dicabut dan tidak bisa dipercaya lagi. Kantor itu perlu didaftarkan dengan kunci baru.",
        "en": "The key of {office} with fingerprint {fp} was revoked and cannot be trusted again. That office needs a new key.",
    },
    "sync.trust_confirm": {
        "id": "Kunci kantor {office}: sidik jari {fp}\nCocokkan dengan sidik jari yang dibacakan kantor itu (pilar keys show).",
        "en": "Key of office {office}: fingerprint {fp}\nCompare it with the fingerprint that office reads out (pilar keys show).",
    },
    "sync.trusted": {
        "id": "Kunci {office} sekarang dipercaya (sidik jari {fp}). Impor lagi bundel dari kantor itu.",
        "en": "The key of {office} is now trusted (fingerprint {fp}). Import that office's bundle again.",
    },
    "sync.revoked": {
        "id": "Kunci {office} dicabut. Bundel yang ditandatangani kunci itu akan ditolak di semua kantor setelah bundel provinsi berikutnya.",
        "en": "The key of {office} is revoked. Bundles signed with it will be refused at every office after the next province bundle.",
    },
    "sync.keys_show": {
        "id": "Kantor {code}. Sidik jari kunci: {fp}",
        "en": "Office {code}. Key fingerprint: {fp}",
    },
    "sync.no_keys": {
        "id": "Kantor ini belum punya kunci. Provinsi: pilar init --province; kantor UPT: pilar init --from BERKAS_PENDAFTARAN.",
        "en": "This office has no keys yet. Province: pilar init --province; UPT office: pilar init --from ENROLMENT_FILE.",
    },
    # export
    "sync.export_self": {
        "id": "Tidak bisa mengirim bundel ke kantor sendiri. Pilih kantor tujuan lain.",
        "en": "A bundle cannot be sent to this office itself. Choose another recipient.",
    },
    "sync.export_upt_to_upt": {
        "id": "Kantor UPT bertukar bundel hanya dengan provinsi ({province}); provinsi meneruskan data ke {office}. Pakai: pilar export --to {province}",
        "en": "A UPT office exchanges bundles only with the province ({province}); the province relays data to {office}. Use: pilar export --to {province}",
    },
    "sync.no_province_key": {
        "id": "Kunci provinsi belum tersimpan di kantor ini. Siapkan kantor dari berkas pendaftaran provinsi: pilar init --from BERKAS.",
        "en": "The province key is not stored at this office. Set the office up from the province's enrolment file: pilar init --from FILE.",
    },
    "sync.export_revoked": {
        "id": "Kunci {office} sudah dicabut; tidak ada bundel yang dibuat untuknya.",
        "en": "The key of {office} is revoked; no bundle is made for it.",
    },
    "sync.export_no_key": {
        "id": "Belum ada kunci tepercaya untuk {office}. Impor bundel pertamanya lalu: pilar office trust {office}",
        "en": "No trusted key for {office} yet. Import its first bundle, then: pilar office trust {office}",
    },
    "sync.exported": {
        "id": "Bundel {mode} untuk {office} ditulis: {path} ({size}, {records} catatan).",
        "en": "{mode} bundle for {office} written: {path} ({size}, {records} records).",
    },
    # import: refusals (one sentence each; the data is unchanged)
    "sync.refused_damaged": _r("Bundel ditolak: berkas rusak atau terpotong (mungkin flashdisk dicabut terlalu cepat). Minta kantor pengirim membuat ulang.",
                               "Bundle refused: the file is damaged or truncated (perhaps the USB drive was pulled out too soon). Ask the sending office to make it again."),
    "sync.refused_format": _r("Bundel ditolak: ini bukan bundel Pilar.", "Bundle refused: this is not a Pilar bundle."),
    "sync.refused_version": _r("Bundel ditolak: versi format {found} tidak didukung (Pilar ini: {expected}). Perbarui Pilar.",
                               "Bundle refused: format version {found} is not supported (this Pilar: {expected}). Update Pilar."),
    "sync.refused_requires": _r("Bundel ditolak: butuh kemampuan yang tidak dikenal Pilar ini ({what}). Perbarui Pilar.",
                                "Bundle refused: it requires features this Pilar does not know ({what}). Update Pilar."),
    "sync.refused_entries": _r("Bundel ditolak: berisi entri tak dikenal atau berbahaya ({entry}).",
                               "Bundle refused: it holds an unknown or unsafe entry ({entry})."),
    "sync.refused_oversize": _r("Bundel ditolak: entri {entry} melebihi batas ukuran.",
                                "Bundle refused: entry {entry} is over the size limit."),
    "sync.refused_signature": _r("Bundel ditolak: tanda tangan tidak sah; berkas diubah atau bukan dari kantor yang disebut.",
                                 "Bundle refused: the signature is not valid; the file was altered or does not come from the office it names."),
    "sync.refused_hash": _r("Bundel ditolak: isi {entry} tidak cocok dengan tanda tangan (berkas rusak atau diubah).",
                            "Bundle refused: the content of {entry} does not match the signature (the file is damaged or altered)."),
    "sync.refused_decrypt": _r("Bundel ditolak: tidak bisa dibuka dengan kunci kantor ini.",
                               "Bundle refused: it cannot be opened with this office's key."),
    "sync.refused_schema": _r("Bundel ditolak: ada catatan yang tidak sah ({detail}).",
                              "Bundle refused: a record is malformed ({detail})."),
    "sync.refused_scope": _r("Bundel ditolak: catatan {record} ditulis oleh {office}, yang tidak berwenang menulisnya.",
                             "Bundle refused: record {record} was written by {office}, which may not write it."),
    "sync.refused_not_province": _r("Bundel ditolak: kantor UPT hanya menerima bundel dari provinsi ({province}), bukan dari {office}. Kirim bundel {office} ke provinsi; provinsi meneruskannya.",
                                    "Bundle refused: a UPT office takes bundles from the province ({province}) only, not from {office}. Send {office}'s bundle to the province; it passes it on."),
    "sync.refused_bundle_clock": _r("Bundel ditolak: jam atau penghitung di bundel dari {office} di luar batas (jam komputer salah atau bundel dipalsukan). Periksa tanggal dan jam komputer {office}.",
                             "Bundle refused: a clock or counter in the bundle from {office} is out of range (a wrong PC clock or a forged bundle). Check the date and time of {office}'s PC."),
    "sync.refused_not_for_us": _r("Bundel ditolak: bundel ini untuk kantor {office}, bukan kantor ini.",
                                  "Bundle refused: this bundle is for office {office}, not this office."),
    "sync.refused_own": _r("Bundel ditolak: ini bundel buatan kantor ini sendiri.",
                           "Bundle refused: this bundle was made by this office itself."),
    "sync.refused_unknown_office": _r("Bundel ditolak: pengirim {office} tidak dikenal. Kantor harus didaftarkan provinsi dulu.",
                                      "Bundle refused: the sender {office} is unknown. The office must be enrolled by the province first."),
    "sync.refused_revoked": _r("Bundel ditolak: kunci {office} (sidik jari {fp}) sudah dicabut.",
                               "Bundle refused: the key of {office} (fingerprint {fp}) was revoked."),
    "sync.refused_untrusted": _r("Bundel ditolak: kunci {office} (sidik jari {fp}) belum dipercaya. Cocokkan sidik jari dengan kantor itu, lalu: pilar office trust {office}, dan impor lagi.",
                                 "Bundle refused: the key of {office} (fingerprint {fp}) is not trusted yet. Compare the fingerprint with that office, then: pilar office trust {office}, and import again."),
    "sync.refused_wrong_key": _r("Bundel ditolak: ditandatangani kunci yang bukan kunci tepercaya {office} (sidik jari {fp}).",
                                 "Bundle refused: it is signed with a key that is not the trusted key of {office} (fingerprint {fp})."),
    # import: outcome
    "sync.imported": {
        "id": "Bundel dari {sender} diterima: {added} baru, {updated} diubah, {deleted} dihapus, {unchanged} tetap, {conflicts} konflik baru, {refused} ditolak.",
        "en": "Bundle from {sender} accepted: {added} added, {updated} updated, {deleted} deleted, {unchanged} unchanged, {conflicts} new conflicts, {refused} refused.",
    },
    "sync.dry_run": {
        "id": "Uji coba (tidak ada yang ditulis): bundel dari {sender} akan memberi {added} baru, {updated} diubah, {deleted} dihapus, {unchanged} tetap, {conflicts} konflik baru, {refused} ditolak.",
        "en": "Dry run (nothing written): the bundle from {sender} would give {added} added, {updated} updated, {deleted} deleted, {unchanged} unchanged, {conflicts} new conflicts, {refused} refused.",
    },
    "sync.already": {
        "id": "Bundel ini sudah diimpor ({when}); tidak ada yang berubah.",
        "en": "This bundle was already imported ({when}); nothing changed.",
    },
    "sync.nothing_new": {
        "id": "Bundel ini tidak membawa data baru; tidak ada yang berubah.",
        "en": "This bundle brings nothing new; nothing changed.",
    },
    "sync.conflict_line": {
        "id": "Konflik: {label} ({collection} {id}) — selesaikan dengan: pilar conflicts show {short}",
        "en": "Conflict: {label} ({collection} {id}) — resolve with: pilar conflicts show {short}",
    },
    # conflicts
    "sync.conflict_unknown": {
        "id": "Tidak ada konflik dengan kode {id}. Lihat daftarnya: pilar conflicts list",
        "en": "No conflict with id {id}. See the list: pilar conflicts list",
    },
    "sync.conflict_ambiguous": {
        "id": "Kode {id} cocok dengan lebih dari satu konflik; ketik lebih banyak huruf.",
        "en": "Id {id} matches more than one conflict; type more characters.",
    },
    "sync.conflict_bad_keep": {
        "id": "Pilihan {n} tidak ada; pilih nomor versi 1 sampai {count}.",
        "en": "There is no version {n}; choose a version number from 1 to {count}.",
    },
    "sync.conflict_bad_value": {
        "id": "Nilai gabungan bukan JSON objek yang sah ({detail}). Contoh: --value '{{\"name\": \"SITI\"}}'",
        "en": "The merged value is not a valid JSON object ({detail}). Example: --value '{{\"name\": \"SITI\"}}'",
    },
    "sync.conflict_need_choice": {
        "id": "Pilih salah satu: --keep N atau --value JSON.",
        "en": "Choose one: --keep N or --value JSON.",
    },
    "sync.conflict_resolved": {
        "id": "Konflik {id} diselesaikan; keputusan ini ikut terkirim di bundel berikutnya.",
        "en": "Conflict {id} resolved; the decision travels in the next bundles.",
    },
    "sync.no_conflicts": {
        "id": "Tidak ada konflik terbuka.",
        "en": "No open conflicts.",
    },
    "sync.no_drives": {
        "id": "Tidak ada flashdisk yang terdeteksi. Colokkan flashdisk lalu coba lagi, atau pakai: pilar import BERKAS",
        "en": "No USB drive found. Plug one in and try again, or use: pilar import FILE",
    },
}

UI = {
    "ui.key.sync.refresh": ("Muat ulang", "Refresh"),
    "ui.key.sync.import": ("Impor", "Import"),
    "ui.key.sync.export": ("Ekspor", "Export"),
    "ui.key.sync.trust": ("Percayai kunci", "Trust key"),
    "ui.key.sync.conflicts": ("Konflik", "Conflicts"),
    "ui.key.conflicts.back": ("Kembali", "Back"),
    "ui.key.conflicts.keep_a": ("Pakai A", "Keep A"),
    "ui.key.conflicts.keep_b": ("Pakai B", "Keep B"),
    "ui.key.conflicts.merge": ("Gabung/ubah", "Edit merged"),
    "ui.sync.bundles_title": ("Bundel di flashdisk", "Bundles on USB drives"),
    "ui.sync.offices_title": ("Kantor dan kunci", "Offices and keys"),
    "ui.sync.history_title": ("Riwayat impor dan ekspor", "Import and export history"),
    "ui.sync.bundle_columns": ("Berkas|Dari|Tanggal|Ukuran|Status", "File|From|Date|Size|Status"),
    "ui.sync.office_columns": ("Kantor|Nama|Kunci|Sidik jari|Bundel terakhir",
                               "Office|Name|Key|Fingerprint|Last bundle"),
    "ui.sync.history_columns": ("Waktu|Arah|Kantor|Hasil|Rincian", "Time|Direction|Office|Result|Details"),
    "ui.sync.drives": ("Flashdisk: {drives}", "USB drives: {drives}"),
    "ui.sync.status.new": ("baru", "new"),
    "ui.sync.status.already_imported": ("sudah diimpor", "already imported"),
    "ui.sync.status.refused_before": ("pernah ditolak", "refused before"),
    "ui.sync.status.not_for_this_office": ("bukan untuk kantor ini", "not for this office"),
    "ui.sync.status.sent": ("kiriman kantor ini", "sent by this office"),
    "ui.sync.status.damaged": ("rusak", "damaged"),
    "ui.sync.trust.trusted": ("dipercaya", "trusted"),
    "ui.sync.trust.enrolled": ("menunggu kunci", "waiting for key"),
    "ui.sync.trust.revoked": ("dicabut", "revoked"),
    "ui.sync.in": ("masuk", "in"),
    "ui.sync.out": ("keluar", "out"),
    "ui.sync.result.accepted": ("diterima", "accepted"),
    "ui.sync.result.refused": ("ditolak", "refused"),
    "ui.sync.conflicts_line": ("{count} konflik terbuka: tekan c untuk menyelesaikan.",
                               "{count} open conflicts: press c to resolve them."),
    "ui.sync.importing": ("Mengimpor {file}", "Importing {file}"),
    "ui.sync.progress": ("{done} dari {total} catatan", "{done} of {total} records"),
    "ui.sync.trust_title": ("Percayai kunci {office}?", "Trust the key of {office}?"),
    "ui.sync.trust_yes": ("Sidik jari sama: percayai", "Fingerprint matches: trust"),
    "ui.sync.export_title": ("Ekspor bundel", "Export a bundle"),
    "ui.sync.to": ("Untuk kantor", "For office"),
    "ui.sync.where": ("Simpan ke", "Save to"),
    "ui.sync.full": ("Lengkap (bukan hanya perubahan)", "Full (not only changes)"),
    "ui.sync.export_go": ("Ekspor", "Export"),
    "ui.sync.no_recipients": ("Belum ada kantor dengan kunci tepercaya. Impor bundel pertama kantor itu dulu.",
                              "No office has a trusted key yet. Import that office's first bundle first."),
    "ui.sync.conflicts_title": ("Konflik: data yang diubah di dua kantor sekaligus",
                                "Conflicts: records changed at two offices at once"),
    "ui.sync.conflict_columns": ("Kode|Jenis|Data|Versi|Kantor|Terakhir", "Id|Kind|Record|Versions|Offices|Latest"),
    "ui.sync.field": ("Isian", "Field"),
    "ui.sync.deleted": ("(dihapus)", "(deleted)"),
    "ui.sync.keep_title": ("Pakai versi ini untuk {label}?", "Keep this version of {label}?"),
    "ui.sync.keep_body": ("Versi #{n} dari {office} ({operator}, {time}) dipakai; versi lain diganti. Keputusan ini ikut terkirim ke kantor lain.",
                          "Version #{n} from {office} ({operator}, {time}) is kept; the others are replaced. The decision travels to the other offices."),
    "ui.sync.merge_title": ("Nilai gabungan untuk {label} (JSON)", "Merged value for {label} (JSON)"),
    "ui.sync.save_merged": ("Simpan gabungan", "Save merged"),
}
MESSAGES.update({key: {"id": i, "en": e} for key, (i, e) in UI.items()})
