"""The app's start while the data folder is opened in the background (issue 25)."""

MESSAGES = {
    "ui.summary.kept_opening": {
        "id": "Angka tersimpan {when}; data sedang dibuka…",
        "en": "Figures kept at {when}; the data is opening…"},
    "ui.summary.current_opening": {
        "id": "Angka terkini {time}; data lengkap sedang dibuka…",
        "en": "Current figures {time}; the full data is opening…"},
    "ui.summary.counting": {
        "id": "Angka ringkasan sedang dihitung dari berkas data…",
        "en": "The summary's figures are being counted from the data files…"},
    "ui.summary.kept_counting": {
        "id": "Angka tersimpan {when}; angka terkini sedang dihitung…",
        "en": "Figures kept at {when}; the current figures are being counted…"},
    "ui.summary.opening": {"id": "Data kantor sedang dibuka…", "en": "The office's data is opening…"},
    "ui.opening.section": {
        "id": "Data kantor masih dibuka: {section} terbuka begitu siap.",
        "en": "The office's data is still opening: {section} opens as soon as it is ready."},
    "ui.opening.wait": {
        "id": "Data kantor masih dibuka; coba lagi sebentar lagi.",
        "en": "The office's data is still opening; try again in a moment."},
}
