"""Messages of the logo on the kop (F10, pilar settings --logo) and of dates and times shown as the clerk knows them."""

MESSAGES = {
    "logo.no_file": {
        "id": "Berkas logo {path} tidak ditemukan. Periksa nama dan foldernya (mis. E:\\logo-jatim.png).",
        "en": "Logo file {path} was not found. Check its name and folder (e.g. E:\\logo-jatim.png).",
    },
    "logo.not_image": {
        "id": "{path} bukan gambar PNG atau JPG. Simpan logo sebagai .png atau .jpg lalu pilih lagi; logo tidak diubah.",
        "en": "{path} is not a PNG or JPG picture. Save the logo as .png or .jpg and choose it again; the logo is unchanged.",
    },
    "logo.too_big": {
        "id": "Berkas logo {path} berukuran {size} MB; paling besar {limit} MB. Perkecil gambarnya lalu pilih lagi; logo tidak diubah.",
        "en": "Logo file {path} is {size} MB; at most {limit} MB. Make the picture smaller and choose it again; the logo is unchanged.",
    },
    "logo.too_large": {
        "id": "Gambar {path} berukuran {width}x{height} piksel; paling besar {limit} piksel per sisi. Perkecil gambarnya lalu pilih lagi; logo tidak diubah.",
        "en": "Picture {path} is {width}x{height} pixels; at most {limit} pixels a side. Make it smaller and choose it again; the logo is unchanged.",
    },
    "logo.damaged": {
        "id": "Gambar {path} rusak atau tidak bisa dicetak. Simpan ulang sebagai PNG atau JPG biasa lalu pilih lagi; logo tidak diubah.",
        "en": "Picture {path} is damaged or cannot be printed. Save it again as a plain PNG or JPG and choose it again; the logo is unchanged.",
    },
    "ui.settings.logo": {"id": "Logo kop (berkas .png/.jpg; kosong: tanpa logo)",
                         "en": "Letterhead logo (.png/.jpg file; empty: no logo)"},
    "ui.settings.logo_example": {"id": "mis. E:\\logo-jatim.png", "en": "e.g. E:\\logo-jatim.png"},
    "ui.settings.logo_kept": {"id": "tersimpan di folder data: {name}", "en": "kept in the data folder: {name}"},
    "ui.settings.logo_missing": {
        "id": "logo {name} tidak ada lagi di folder data: pilih berkasnya lagi",
        "en": "logo {name} is no longer in the data folder: choose its file again",
    },
    "cli.settings.logo": {"id": "Logo kop", "en": "Letterhead logo"},
    "cli.settings.no_logo": {"id": "(tanpa logo)", "en": "(no logo)"},
    "cli.help.settings.logo": {
        "id": "berkas PNG/JPG logo di kiri kop surat (disalin ke folder data); \"\" untuk tanpa logo",
        "en": "PNG/JPG file of the logo at the left of the letterhead (copied into the data folder); \"\" for none",
    },
    # a date and time as the clerk reads it: "7 Des 2026 14.05"
    "fmt.date_time": {"id": "{date} {hour:02d}.{minute:02d}", "en": "{date} {hour:02d}:{minute:02d}"},
}
