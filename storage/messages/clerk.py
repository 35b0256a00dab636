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
    "ui.unsaved.save": {"id": "Simpan [s]", "en": "Save [s]"},
    "ui.unsaved.discard": {"id": "Buang [b]", "en": "Discard [d]"},
    "ui.unsaved.keep": {"id": "Lanjut mengisi [Esc]", "en": "Keep editing [Esc]"},
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
}
