"""Messages of the Ringkasan (summary): the dashboard, freshness of offices, missing bundles, the rekap."""

MESSAGES = {
    "summary.gap.closed": {
        "id": "Bundel ke-{n} dari {office} belum diterima; yang ke-{later} sudah, dan membawa semua isinya yang belum "
              "ada di sini (bundel dihitung sejak versi yang terakhir dikirim kantor ini): celah tertutup sendiri, "
              "tidak perlu tindakan.",
        "en": "Bundle {n} from {office} has not arrived; bundle {later} has, and it carried everything of it this "
              "office lacked (bundles are counted from the versions this office last sent): the gap closed by "
              "itself, nothing to do.",
    },
    "summary.gap.open": {
        "id": "Bundel ke-{n} dari {office} belum diterima; yang ke-{highest} sudah, tetapi dibuat sejak keadaan yang "
              "tidak ada di sini. Kirim dulu bundel dari sini ke {code} (bundel berikutnya darinya lalu dihitung "
              "sejak yang ada di sini dan menutup celah), atau minta {office} membuat bundel penuh: "
              "pilar export --to {me} --full.",
        "en": "Bundle {n} from {office} has not arrived; bundle {highest} has, but it was made from a state this "
              "office does not hold. Send a bundle from here to {code} first (its next bundle is then counted from "
              "what is here and closes the gap), or ask {office} for a full bundle: pilar export --to {me} --full.",
    },
    "summary.bad_days": {
        "id": "Jumlah hari harus bilangan bulat 1 atau lebih (misalnya 14), bukan {value!r}.",
        "en": "The number of days must be a whole number of 1 or more (for example 14), not {value!r}.",
    },
    "summary.out_needed": {
        "id": "Format xlsx dan pdf ditulis ke berkas: tambahkan --out NAMA.xlsx (atau NAMA.pdf).",
        "en": "The xlsx and pdf formats are written to a file: add --out NAME.xlsx (or NAME.pdf).",
    },
    "summary.written": {"id": "Ditulis: {path}", "en": "Written: {path}"},
    "summary.days_saved": {"id": "Kantor yang diam lebih dari {days} hari ditandai (disimpan di office.json).",
                           "en": "Offices silent for more than {days} days are flagged (kept in office.json)."},
    "summary.remember_needs_days": {"id": "--remember menyimpan --silent-days: tambahkan --silent-days N.",
                                    "en": "--remember keeps --silent-days: add --silent-days N."},
    # the command line's help (tui/cli/lang.py)
    "cli.help.report.summary": {"id": "posisi kantor: anggota, TKSK, honor, kantor, bundel hilang",
                                "en": "where the office stands: members, TKSK, payouts, offices, missing bundles"},
    "cli.help.report.rekap": {"id": "rekap per kabupaten/kota untuk dicetak (anggota, TKSK, honor triwulan terakhir)",
                              "en": "printable rekap per kab/kota (members, TKSK, latest quarter's payouts)"},
    **{f"cli.help.report.{kind}.format": {
        "id": "text (bawaan), json, html (A4, cetak dari peramban), xlsx atau pdf (perlu --out)",
        "en": "text (default), json, html (A4, print from a browser), xlsx or pdf (need --out)"}
       for kind in ("summary", "rekap")},
    **{f"cli.help.report.{kind}.silent_days": {
        "id": "tandai kantor tanpa bundel lebih dari N hari (bawaan: summary_silent_days di office.json, atau 14)",
        "en": "flag offices with no bundle for more than N days (default: office.json summary_silent_days or 14)"}
       for kind in ("summary", "rekap")},
    **{f"cli.help.report.{kind}.remember": {"id": "simpan --silent-days sebagai pengaturan kantor ini (office.json)",
                                            "en": "keep --silent-days as this office's setting (office.json)"}
       for kind in ("summary", "rekap")},
    **{f"cli.help.report.{kind}.out": {"id": "tulis ke BERKAS, bukan ke layar", "en": "write to FILE instead of printing"}
       for kind in ("summary", "rekap")},
    # report text
    "summary.title": {"id": "Ringkasan {office}", "en": "Summary of {office}"},
    "summary.rekap_title": {"id": "Rekap per Kabupaten/Kota — {office}", "en": "Summary per kabupaten/kota — {office}"},
    "summary.as_of": {"id": "Per {date}", "en": "As of {date}"},
    "summary.members_head": {"id": "Anggota aktif: {count}", "en": "Active members: {count}"},
    "summary.pillar_cols": {"id": "Pilar|Aktif", "en": "Pillar|Active"},
    "summary.kab_cols": {"id": "Kode|Kabupaten/Kota|Aktif|Kecamatan|Tanpa TKSK",
                         "en": "Code|Kabupaten/Kota|Active|Kecamatan|No TKSK"},
    "summary.tksk_head": {"id": "Kecamatan tanpa TKSK aktif: {count} dari {total}",
                          "en": "Kecamatan without an active TKSK: {count} of {total}"},
    "summary.tksk_cols": {"id": "Kabupaten/Kota|Kecamatan", "en": "Kabupaten/Kota|Kecamatan"},
    "summary.pay_head": {"id": "Pembayaran per triwulan", "en": "Payouts per quarter"},
    "summary.pay_cols": {"id": "Triwulan|Item|Bruto|Dibayar|Belum dibayar|Retur",
                         "en": "Quarter|Items|Gross|Paid|Outstanding|Returned"},
    "summary.cases_head": {"id": "Konflik terbuka: {conflicts} · kasus NIK ganda: {duplicates}",
                           "en": "Open conflicts: {conflicts} · duplicate NIK cases: {duplicates}"},
    "summary.offices_head": {"id": "Kantor (diam lebih dari {days} hari ditandai !)",
                             "en": "Offices (silent for more than {days} days marked !)"},
    "summary.office_cols": {"id": "Kode|Kantor|Terakhir diterima|Hari|Terakhir dikirim|Hari|Menunggu|Bundel",
                            "en": "Code|Office|Last received|Days|Last sent|Days|Waiting|Bundles"},
    "summary.never": {"id": "belum pernah", "en": "never"},
    "summary.full": {"id": "semua (penuh)", "en": "all (full)"},
    "summary.gaps_head": {"id": "Bundel hilang", "en": "Missing bundles"},
    "summary.no_gaps": {"id": "Tidak ada bundel yang hilang.", "en": "No bundle is missing."},
    "summary.not_arrived": {"id": "{office} belum menerima bundel ke-{seqs} dari kantor ini; bundel berikutnya "
                                  "dihitung dari yang sudah diakuinya, jadi isinya tetap sampai.",
                            "en": "{office} has not received bundle(s) {seqs} from this office; the next bundle is "
                                  "counted from what it acknowledged, so their content still reaches it."},
    "summary.seq_cell": {"id": "terima {got} · kirim {sent} (diakui {acked})",
                         "en": "in {got} · out {sent} (acknowledged {acked})"},
    "summary.rekap_cols": {"id": "Kode|Kabupaten/Kota|Aktif|{pillars}|Kec.|Tanpa TKSK|Bruto {quarter}|Dibayar|Belum",
                           "en": "Code|Kabupaten/Kota|Active|{pillars}|Kec.|No TKSK|Gross {quarter}|Paid|Outstanding"},
    "summary.total": {"id": "Jumlah", "en": "Total"},
    "summary.sign": {"id": "Kepala Dinas Sosial Provinsi Jawa Timur", "en": "Head of the Social Affairs Office"},
    "summary.sheet.pillars": {"id": "Pilar", "en": "Pillars"},
    "summary.sheet.rekap": {"id": "Rekap kab-kota", "en": "By kab-kota"},
    "summary.sheet.tksk": {"id": "Tanpa TKSK", "en": "No TKSK"},
    "summary.sheet.payouts": {"id": "Pembayaran", "en": "Payouts"},
    "summary.sheet.offices": {"id": "Kantor", "en": "Offices"},
    # the screen
    "ui.section.summary": {"id": "Ringkasan", "en": "Summary"},
    "ui.section.help.summary": {"id": "Posisi provinsi: anggota, TKSK, pembayaran, kantor, bundel hilang",
                                "en": "Where the province stands: members, TKSK, payouts, offices, missing bundles"},
    "ui.key.section.summary": {"id": "Ringkasan", "en": "Summary"},
    "ui.tip.section.summary": {"id": "Posisi provinsi (atau wilayah UPT ini)", "en": "Where the office stands"},
    "ui.key.summary.open": {"id": "Buka", "en": "Open"},
    "ui.tip.summary.open": {"id": "Buka layar angka yang dipilih", "en": "Open the screen of the chosen figure"},
    "ui.key.summary.refresh": {"id": "Hitung ulang", "en": "Recompute"},
    "ui.tip.summary.refresh": {"id": "Hitung ulang ringkasan", "en": "Compute the summary again"},
    "ui.key.summary.tab.pillars": {"id": "Tab pilar", "en": "Pillars tab"},
    "ui.key.summary.tab.kabs": {"id": "Tab kab/kota", "en": "Kab/kota tab"},
    "ui.key.summary.tab.tksk": {"id": "Tab tanpa TKSK", "en": "No-TKSK tab"},
    "ui.key.summary.tab.payouts": {"id": "Tab pembayaran", "en": "Payouts tab"},
    "ui.key.summary.tab.offices": {"id": "Tab kantor dan bundel", "en": "Offices and bundles tab"},
    "ui.summary.loading": {"id": "Menghitung ringkasan…", "en": "Computing the summary…"},
    "ui.summary.figure_cols": {"id": "Angka|Nilai", "en": "Figure|Value"},
    "ui.summary.fig.members": {"id": "Anggota aktif", "en": "Active members"},
    "ui.summary.fig.members_value": {"id": "{count} ({pillars}, {kabs} kab/kota)",
                                     "en": "{count} ({pillars}, {kabs} kab/kota)"},
    "ui.summary.fig.tksk": {"id": "Kecamatan tanpa TKSK", "en": "Kecamatan without TKSK"},
    "ui.summary.fig.tksk_value": {"id": "{count} dari {total}", "en": "{count} of {total}"},
    "ui.summary.fig.payouts": {"id": "Pembayaran {quarter}", "en": "Payouts {quarter}"},
    "ui.summary.fig.payouts_value": {"id": "dibayar {paid} · belum {outstanding} · retur {returned}",
                                     "en": "paid {paid} · outstanding {outstanding} · returned {returned}"},
    "ui.summary.fig.no_payouts": {"id": "belum ada", "en": "none yet"},
    "ui.summary.fig.offices": {"id": "Kantor diam > {days} hari", "en": "Offices silent > {days} days"},
    "ui.summary.fig.gaps": {"id": "Bundel hilang", "en": "Missing bundles"},
    "ui.summary.fig.gaps_value": {"id": "{count} ({open} perlu tindakan)", "en": "{count} ({open} need action)"},
    "ui.summary.fig.cases": {"id": "Konflik · NIK ganda", "en": "Conflicts · duplicate NIK"},
    "ui.summary.tab.pillars": {"id": "Pilar", "en": "Pillars"},
    "ui.summary.tab.kabs": {"id": "Kab/Kota", "en": "Kab/Kota"},
    "ui.summary.tab.tksk": {"id": "Tanpa TKSK", "en": "No TKSK"},
    "ui.summary.tab.payouts": {"id": "Pembayaran", "en": "Payouts"},
    "ui.summary.tab.offices": {"id": "Kantor", "en": "Offices"},
    "ui.summary.chart_pillars": {"id": "Anggota aktif per pilar", "en": "Active members per pillar"},
    "ui.summary.chart_payouts": {"id": "Per triwulan (angka: bruto)", "en": "Per quarter (figure: gross)"},
    "ui.summary.legend_paid": {"id": "dibayar", "en": "paid"},
    "ui.summary.legend_outstanding": {"id": "belum", "en": "outstanding"},
    "ui.summary.legend_returned": {"id": "retur", "en": "returned"},
    "ui.summary.updated": {"id": "Diperbarui {time} ({seconds} dtk)", "en": "Updated {time} ({seconds} s)"},
    "ui.summary.cached": {"id": "Tidak ada perubahan sejak ringkasan terakhir; menghitung ulang…",
                          "en": "Nothing changed since the last summary; recomputing…"},
}
