"""Messages of issue 14 (a clerk's week in the app): unsaved-form guard, settings, exports, sync from a file."""

MESSAGES = {
    # unsaved form guard
    "ui.unsaved.title": {"id": "Isian belum disimpan", "en": "Unsaved changes"},
    "ui.unsaved.body": {"id": "Ada isian di formulir ini yang belum disimpan. Simpan, buang, atau lanjut mengisi?",
                        "en": "This form has changes that are not saved. Save them, discard them, or keep editing?"},
    "ui.unsaved.body_quit": {
        "id": "Ada isian di formulir \"{form}\" yang belum disimpan. Simpan dulu sebelum keluar, buang lalu keluar, "
              "atau lanjut mengisi?",
        "en": "The form \"{form}\" has changes that are not saved. Save them before quitting, discard them and "
              "quit, or keep editing?"},
    "ui.unsaved.save": {"id": "Simpan (s)", "en": "Save (s)"},
    "ui.unsaved.discard": {"id": "Buang (b)", "en": "Discard (d)"},
    "ui.unsaved.keep": {"id": "Lanjut mengisi (Esc)", "en": "Keep editing (Esc)"},
    "ui.key.unsaved.save": {"id": "Simpan", "en": "Save"},
    "ui.key.unsaved.discard": {"id": "Buang isian", "en": "Discard"},
    "ui.key.unsaved.keep": {"id": "Lanjut mengisi", "en": "Keep editing"},
    "ui.confirm.keys": {"id": "y = ya · n = tidak · Esc = batal", "en": "y = yes · n = no · Esc = cancel"},
    # deactivation
    "roster.deactivate.before_start": {
        "id": "Tanggal nonaktif {date} lebih awal dari mulai tugas {start}. Tulis tanggal pada atau sesudah {start}.",
        "en": "The date made inactive, {date}, is before the assignment began ({start}). Write a date on or after "
              "{start}."},
    # check-in
    "events.future_day": {
        "id": "Kegiatan hari {day} belum berlangsung (hari ini {today}): kehadiran belum bisa dicatat. "
              "Izin boleh dicatat lebih dulu (F2).",
        "en": "The event day {day} has not come yet (today is {today}): attendance cannot be recorded yet. "
              "An excuse (izin, F2) may be recorded in advance."},
    "events.ui.mark_needs_code": {
        "id": "Ketik NIK, nomor anggota atau nama dulu, lalu tekan F2 (izin) atau F3 (alpa).",
        "en": "Type the NIK, member number or name first, then press F2 (excused) or F3 (absent)."},
    # void dialog
    "payout.ui.void_back": {"id": "Kembali", "en": "Back"},
    "payout.ui.void_go": {"id": "Batalkan item", "en": "Void the item"},
    "payout.ui.need_reason": {"id": "Tulis alasan pembatalan; alasan ini tercatat untuk pemeriksa.",
                              "en": "Write the reason for voiding; it is recorded for the auditor."},
    "payout.ui.void_paid": {
        "id": "Honor {name} ({net}) sudah dibayar dan tidak bisa dibatalkan. Jika uangnya kembali (transfer diretur "
              "bank atau uang tunai dikembalikan), pilih item ini lalu tekan k untuk mencatat pengembaliannya.",
        "en": "The payment to {name} ({net}) is already made and cannot be voided. If the money came back (a transfer "
              "returned by the bank, cash handed back), select the item and press k to record the return."},
    # roster export
    "roster.export.reveal": {
        "id": "Tulis NIK dan nomor HP lengkap (tidak disamarkan; tercatat di log audit)",
        "en": "Write the full NIK and phone number (not masked; recorded in the audit log)"},
    # sync screen
    "ui.key.sync.import_file": {"id": "Impor berkas", "en": "Import file"},
    "ui.key.sync.enrol": {"id": "Daftarkan kantor", "en": "Enrol office"},
    "ui.key.sync.revoke": {"id": "Cabut kunci", "en": "Revoke key"},
    "ui.sync.no_drives": {
        "id": "Tidak ada flashdisk yang terdeteksi. Colokkan flashdisk, atau tekan f untuk memilih berkas bundel.",
        "en": "No USB drive found. Plug one in, or press f to pick a bundle file."},
    "ui.sync.file_title": {"id": "Impor bundel dari berkas", "en": "Import a bundle from a file"},
    "ui.sync.file_body": {
        "id": "Tulis letak berkas bundel (.pilar), atau cari di folder di bawah (Tab ke daftar, panah, Enter).",
        "en": "Write where the bundle file (.pilar) is, or find it in the folders below (Tab to the list, arrows, "
              "Enter)."},
    "ui.sync.file_path": {"id": "Berkas bundel", "en": "Bundle file"},
    "ui.sync.file_go": {"id": "Impor", "en": "Import"},
    "ui.sync.no_file": {"id": "Berkas {path} tidak ada. Periksa letak dan namanya.",
                        "en": "There is no file {path}. Check where it is and its name."},
    "ui.sync.no_office_selected": {"id": "Pilih kantor di tabel Kantor dulu.",
                                   "en": "Select an office in the Offices table first."},
    "ui.sync.revoke_title": {"id": "Cabut kunci {office}?", "en": "Revoke the key of {office}?"},
    "ui.sync.revoke_body": {
        "id": "Bundel yang ditandatangani kunci {office} akan ditolak. Lakukan bila laptop kantor itu hilang atau "
              "kuncinya bocor; kantor itu perlu didaftarkan ulang.",
        "en": "Bundles signed with the key of {office} will be refused. Do this when that office's laptop is lost "
              "or its key leaked; the office then has to be enrolled again."},
    "ui.sync.revoke_yes": {"id": "Cabut kunci", "en": "Revoke the key"},
    "ui.sync.enrol_title": {"id": "Daftarkan kantor baru", "en": "Enrol a new office"},
    "ui.sync.enrol_body": {
        "id": "Berkas pendaftaran ditulis ke folder di bawah (misalnya flashdisk yang dibawa ke kantor itu). Kantor "
              "itu membukanya dengan: pilar init --from BERKAS, lalu mengirim bundel pertamanya; percayai kuncinya "
              "dengan t setelah sidik jarinya dicocokkan lewat telepon.",
        "en": "The enrolment file is written to the folder below (the stick that goes to that office, say). The office "
              "opens it with: pilar init --from FILE, then sends its first bundle; trust its key with t once the "
              "fingerprint has been compared by phone."},
    "ui.sync.enrol_code": {"id": "Kode kantor (huruf besar, angka dan -)", "en": "Office code (capitals, digits and -)"},
    "ui.sync.enrol_name": {"id": "Nama kantor", "en": "Office name"},
    "ui.sync.enrol_folder": {"id": "Tulis berkas ke folder", "en": "Write the file to the folder"},
    "ui.sync.enrol_go": {"id": "Daftarkan", "en": "Enrol"},
    "ui.sync.enrol_need_name": {"id": "Tulis nama kantornya.", "en": "Write the office's name."},
    "ui.sync.enrol_done_title": {"id": "{office} terdaftar", "en": "{office} enrolled"},
    "ui.sync.no_recipients_how": {
        "id": "Belum ada kantor dengan kunci tepercaya untuk dikirimi bundel. Daftarkan kantornya (tombol n), impor "
              "bundel pertamanya (i dari flashdisk atau f dari berkas), lalu percayai kuncinya (t).",
        "en": "No office has a trusted key to send a bundle to yet. Enrol the office (key n), import its first bundle "
              "(i from a stick or f from a file), then trust its key (t)."},
    # command palette
    "ui.palette.key": {"id": "Tombol {shortcut} di layar ini", "en": "Key {shortcut} on this screen"},
    # settings
    "ui.key.app.settings": {"id": "Pengaturan", "en": "Settings"},
    "ui.key.settings.save": {"id": "Simpan", "en": "Save"},
    "ui.key.settings.cancel": {"id": "Batal", "en": "Cancel"},
    "ui.palette.settings": {"id": "Pengaturan kantor (F10)", "en": "Office settings (F10)"},
    "ui.palette.settings.detail": {
        "id": "Nama kantor, kop surat (kota, alamat, telepon, logo), penanda tangan dokumen honor, pemisahan tugas",
        "en": "Office name, letterhead (city, address, telephone, logo), payout document signers, separation of duties"},
    "ui.settings.title": {"id": "Pengaturan kantor", "en": "Office settings"},
    "ui.settings.office_name": {"id": "Nama kantor (judul layar dan dokumen)", "en": "Office name (screen title and documents)"},
    "ui.settings.city": {"id": "Kota pada kop dan tanggal surat (mis. Jember)", "en": "City on letterheads and dates (e.g. Jember)"},
    "ui.settings.signers": {"id": "Penanda tangan daftar nominatif dan tanda terima", "en": "Signers of the nominatif list and receipts"},
    "ui.settings.treasurer": {"id": "Nama Bendahara Pengeluaran", "en": "Treasurer's name"},
    "ui.settings.treasurer_nip": {"id": "NIP Bendahara", "en": "Treasurer's NIP"},
    "ui.settings.officer": {"id": "Nama pejabat yang menyetujui", "en": "Approving officer's name"},
    "ui.settings.officer_nip": {"id": "NIP pejabat", "en": "Officer's NIP"},
    "ui.settings.officer_title": {"id": "Jabatan pejabat (mis. Pejabat Pembuat Komitmen)",
                                  "en": "Officer's title (e.g. Pejabat Pembuat Komitmen)"},
    "ui.settings.money": {"id": "Honor", "en": "Payouts"},
    "ui.settings.duties": {
        "id": "Pemisahan tugas: yang menyimpan, menyetujui dan membayar harus petugas berbeda",
        "en": "Separation of duties: whoever saves, approves and pays must be different operators"},
    "ui.settings.upt_note": {
        "id": "Penanda tangan dokumen honor dan pemisahan tugas diatur di kantor provinsi.",
        "en": "The payout documents' signers and separation of duties are set at the province."},
    "ui.settings.need_name": {"id": "Tulis nama kantornya.", "en": "Write the office's name."},
    "ui.settings.saved": {"id": "Pengaturan tersimpan.", "en": "Settings saved."},
    # invitees
    "ui.key.events.invite.remove": {"id": "Batalkan undangan", "en": "Take back invitation"},
    "events.ui.invitees": {"id": "Yang diundang ({count}) · Del: batalkan undangan yang dipilih",
                           "en": "Invited ({count}) · Del: take back the selected invitation"},
    "events.ui.invitee.name": {"id": "Nama", "en": "Name"},
    "events.ui.invitee.pillar": {"id": "Pilar", "en": "Pillar"},
    "events.ui.invitee.kab": {"id": "Kab/Kota", "en": "Kab/Kota"},
    "events.ui.invitee.office": {"id": "UPT", "en": "UPT"},
    "events.ui.invitee.status": {"id": "Kehadiran", "en": "Attendance"},
    "events.ui.uninvite_title": {"id": "Batalkan undangan {name}?", "en": "Take back the invitation of {name}?"},
    "events.ui.uninvite_body": {"id": "Tempatnya kembali ke kuota dan bisa diberikan ke orang lain.",
                                "en": "The place goes back to the quota and can be given to someone else."},
    "events.ui.uninvited": {"id": "Undangan {name} dibatalkan.", "en": "The invitation of {name} is taken back."},
    "events.uninvite_attended": {
        "id": "Undangan {name} tidak bisa dibatalkan: kehadirannya sudah tercatat. Ubah statusnya di layar presensi "
              "(F5) bila salah catat.",
        "en": "The invitation of {name} cannot be taken back: attendance is recorded. Change the status at the door "
              "screen (F5) if it was recorded by mistake."},
    # office code, empty office
    "validate.office_code": {
        "id": "Kode kantor \"{code}\" tidak bisa dipakai: tulis dengan huruf, angka dan tanda - saja, tanpa spasi, "
              "diawali huruf, paling panjang 40 (mis. UPT-PSTW-JEMBER).",
        "en": "The office code \"{code}\" cannot be used: write it with letters, digits and - only, no spaces, "
              "starting with a letter, at most 40 long (e.g. UPT-PSTW-JEMBER)."},
    "roster.empty_office": {
        "id": "Belum ada anggota di kantor ini. Tekan n untuk menambah satu, atau i untuk mengimpor dari Excel/CSV.",
        "en": "This office has no members yet. Press n to add one, or i to import them from Excel/CSV."},
    # event form
    "ui.key.events.form.add_quota": {"id": "Tambah kuota", "en": "Add quota"},
    "events.ui.quota.title": {
        "id": "Kuota undangan (satu baris per kelompok; pilar dipisah koma; maks per UPT 0 = tanpa batas)",
        "en": "Invitation quotas (one row per group; pillars separated by commas; max per UPT 0 = no limit)"},
    "events.ui.quota.key": {"id": "Kelompok", "en": "Group"},
    "events.ui.quota.limit": {"id": "Jumlah", "en": "Places"},
    "events.ui.quota.pillars": {"id": "Pilar", "en": "Pillars"},
    "events.ui.quota.per": {"id": "Maks per UPT", "en": "Max per UPT"},
    "events.ui.quota.add": {"id": "Tambah kuota (^n)", "en": "Add quota (^n)"},
    "events.quota_need_key": {"id": "Tulis nama kelompok kuota (mis. JSC), atau kosongkan seluruh barisnya.",
                              "en": "Write the quota group's name (e.g. JSC), or leave the whole row empty."},
    "events.quota_bad_number": {"id": "Kuota {group}: \"{value}\" bukan bilangan bulat. Tulis misalnya 40.",
                                "en": "Quota {group}: \"{value}\" is not a whole number. Write 40, say."},
    "events.ui.form_problems": {"id": "{count} isian perlu diperbaiki (lihat tulisan merah di bawah isiannya).",
                                "en": "{count} field(s) need fixing (see the red line under each)."},
    # Textual's own words
    "ui.textual.dismiss_menu": {"id": "Tutup pilihan", "en": "Dismiss menu"},
    "ui.textual.palette_close": {"id": "Tutup daftar perintah", "en": "Close the command list"},
    "ui.palette.no_matches": {"id": "Tidak ada yang cocok", "en": "No matches found"},
    # footer
    "ui.key.sections": {"id": "Bagian", "en": "Sections"},
    "ui.key.payouts.tab_next": {"id": "Tab berikutnya", "en": "Next tab"},
    "ui.key.payouts.tab_previous": {"id": "Tab sebelumnya", "en": "Previous tab"},
    "cli.settings.code": {"id": "Kode kantor", "en": "Office code"},
    "cli.settings.name": {"id": "Nama kantor", "en": "Office name"},
    "cli.settings.city": {"id": "Kota kop surat", "en": "Letterhead city"},
    "cli.help.settings": {"id": "nama kantor dan kop surat (kota, alamat, telepon, logo): lihat, atau ubah yang diberikan (seperti F10)",
                          "en": "this office's name and letterhead (city, address, telephone, logo): show, or set the ones given (as F10 in the app)"},
    "events.ui.date_hint": {"id": "HH-BB-TTTT", "en": "DD-MM-YYYY"},
}
