"""Messages about the PC itself: a key locked to another Windows user, a clock that fell behind."""

MESSAGES = {
    "sync.keys_other_user": {
        "id": "Kunci kantor di {path} terkunci untuk akun Windows yang membuatnya, dan tidak bisa dibuka oleh "
              "akun ini atau di komputer ini (folder data dipindah, atau profil Windows dibuat ulang). Masuk "
              "dengan akun Windows yang lama, atau minta provinsi mendaftarkan ulang kantor ini "
              "(pilar init --from BERKAS_PENDAFTARAN). Data tidak berubah.",
        "en": "The office key in {path} is locked to the Windows account that made it and cannot be opened by "
              "this account or on this PC (the data folder was moved, or the Windows profile was rebuilt). "
              "Log in with the old Windows account, or ask the province to enrol this office again "
              "(pilar init --from ENROLMENT_FILE). The data is unchanged.",
    },
    "sync.refused_own_clock": {
        "id": "Bundel ditolak: jam komputer INI mundur (tanggalnya {today}, sedangkan Pilar ini dibuat "
              "{release} dan bundel dari {office} bertanggal {created}). Biasanya baterai CMOS habis. Betulkan "
              "tanggal dan jam Windows, lalu impor lagi bundel yang sama. Data tidak berubah.",
        "en": "Bundle refused: THIS PC's clock is behind (it says {today}, while this Pilar was made on "
              "{release} and the bundle from {office} is dated {created}). Usually a flat CMOS battery. Set the "
              "Windows date and time right, then import the same bundle again. The data is unchanged.",
    },
}
