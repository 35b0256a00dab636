"""Messages of the authority table (storage/core/authority.py): who may write what, and who to ask instead."""

MESSAGES = {
    "authority.province_only": {
        "id": "Hanya provinsi (JATIM) yang boleh mengubah {what_id}. Kantor {office} tidak; minta provinsi mengubahnya.",
        "en": "Only the province (JATIM) may change {what_en}. Office {office} may not; ask the province to change it.",
    },
    "authority.not_owner": {
        "id": "Data ini milik kantor {owner}; kantor {office} tidak boleh mengubahnya. Minta kantor {owner} atau provinsi (JATIM) mengubahnya.",
        "en": "This record belongs to office {owner}; office {office} may not change it. Ask office {owner} or the province (JATIM) to change it.",
    },
    "authority.delete_not_owner": {
        "id": "Anggota ini milik kantor {owner}; hanya kantor itu atau provinsi (JATIM) yang boleh menghapusnya. Kantor {office} dapat menonaktifkan atau melepas penugasannya sendiri.",
        "en": "This member belongs to office {owner}; only that office or the province (JATIM) may delete them. Office {office} can deactivate or remove its own assignment.",
    },
    "authority.delete_shared": {
        "id": "Anggota ini juga bertugas di {other}; hanya provinsi (JATIM) yang boleh menghapusnya. Lepas atau nonaktifkan penugasan di kantor ini saja.",
        "en": "This member also serves at {other}; only the province (JATIM) may delete them. Remove or deactivate this office's assignment instead.",
    },
    "authority.person_field": {
        "id": "Data pribadi anggota ini ({field}) hanya boleh diubah kantor pemiliknya ({owner}) atau provinsi (JATIM). Kantor {office} hanya boleh mengubah penugasannya sendiri.",
        "en": "This member's personal data ({field}) may be changed only by the owning office ({owner}) or the province (JATIM). Office {office} may change only its own assignment.",
    },
    "authority.assignment_other": {
        "id": "Penugasan di kantor {other} hanya boleh dibuat, diubah atau dipindah oleh provinsi (JATIM). Kantor {office} hanya mengelola penugasan di kantor {office}.",
        "en": "An assignment at office {other} may be created, changed or moved only by the province (JATIM). Office {office} manages only assignments at office {office}.",
    },
    "authority.event_office": {
        "id": "Kegiatan milik kantor {owner} tidak dapat dipindah ke kantor lain; minta provinsi (JATIM) membuat kegiatan untuk kantor itu.",
        "en": "An event of office {owner} cannot be moved to another office; ask the province (JATIM) to create the event for that office.",
    },
    "authority.event_owner": {
        "id": "Undangan dan kehadiran kegiatan ini dicatat oleh penyelenggaranya ({owner}); kantor {office} tidak boleh mengubahnya.",
        "en": "Invitations and attendance of this event are recorded by its organiser ({owner}); office {office} may not change them.",
    },
    "authority.event_unknown": {
        "id": "Kegiatan undangan ini tidak ada di kantor ini; undangan tidak dapat dicatat.",
        "en": "The event of this invitation is not held at this office; the invitation cannot be recorded.",
    },
}

# The kind of record a province-only refusal names, in each language.
WHAT = {
    "offices": ("daftar kantor", "the list of offices"),
    "rates": ("tarif honor", "the payout rates"),
    "runs": ("penghitungan honor triwulan", "quarterly payout runs"),
    "settings": ("pengaturan dan penanda tangan", "settings and signatories"),
    "payouts": ("item honor (persetujuan, bayar, batal, retur)", "payout items (approval, paid, void, return)"),
}


def what(collection: str) -> tuple[str, str]:
    key = "payouts" if collection.startswith("payouts_") else collection
    return WHAT.get(key, (collection, collection))
