"""The member's note (issue 23): free text kept with the member (a second phone number, a remark from an
office's list), shown and edited in the member form and by ``pilar roster show/edit``."""

MESSAGES = {
    "validate.field.note": {"id": "Catatan", "en": "Note"},
    "validate.note.length": {
        "id": "Catatan paling panjang {limit} huruf; yang diisi {count} huruf. Persingkat catatannya.",
        "en": "A note may be at most {limit} characters long; this one has {count}. Shorten it.",
    },
    "validate.note.text": {
        "id": "Catatan harus berupa teks.",
        "en": "A note must be text.",
    },
    "roster.detail.note": {"id": "Catatan", "en": "Note"},
}
MESSAGES.update({
    "cli.help.roster.edit.note": {"id": "catatan anggota (teks bebas; \"\" mengosongkannya)",
                                  "en": "the member's note (free text; \"\" clears it)"},
    "roster.cli.edit_nothing": {
        "id": "Tidak ada yang diubah: beri berkas JSON berisi isian yang diubah, atau --note \"…\".",
        "en": "Nothing to change: give a JSON file of the fields to change, or --note \"…\".",
    },
})
