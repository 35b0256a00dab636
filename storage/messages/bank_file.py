"""Messages of the bank transfer file (templates per bank, the account checks before export) and of the
PPh 21 field of the rate dialog."""

MESSAGES = {
    "bankfile.unknown_template": {
        "id": "Templat bank \"{value}\" tidak dikenal. Pilih salah satu: {choices}.",
        "en": "Unknown bank template \"{value}\". Choose one of: {choices}.",
    },
    "bankfile.problem.no_account": {
        "id": "{name} ({pillar}): nomor rekening kosong.",
        "en": "{name} ({pillar}): the account number is empty.",
    },
    "bankfile.problem.not_digits": {
        "id": "{name} ({pillar}): nomor rekening \"{account}\" berisi {chars}; rekening hanya boleh angka.",
        "en": "{name} ({pillar}): account number \"{account}\" contains {chars}; an account is digits only.",
    },
    "bankfile.problem.length": {
        "id": "{name} ({pillar}): nomor rekening {account} terdiri dari {count} angka; {bank} memerlukan {need} angka.",
        "en": "{name} ({pillar}): account number {account} has {count} digits; {bank} needs {need} digits.",
    },
    "bankfile.problem.no_holder": {
        "id": "{name} ({pillar}): nama pemilik rekening kosong.",
        "en": "{name} ({pillar}): the account holder's name is empty.",
    },
    "bankfile.fix": {
        "id": "Perbaiki rekening di data anggota (Anggota, e), lalu batalkan item {item} dengan item pengganti "
              "(v di layar Honor, atau pilar payout void {item} --reason \"rekening diperbaiki\" --reissue) dan "
              "setujui lagi. Item ini tidak masuk berkas bank.",
        "en": "Fix the account in the member's record (Roster, e), then void item {item} with a replacement "
              "(v on the Payouts screen, or pilar payout void {item} --reason \"account fixed\" --reissue) and "
              "approve it again. This item is not in the bank file.",
    },
    "bankfile.nothing_valid": {
        "id": "Tidak ada transfer {quarter} yang lolos pemeriksaan rekening ({count} item tertahan); berkas bank "
              "tidak dibuat.\n{detail}",
        "en": "No transfer of {quarter} passes the account checks ({count} item(s) held back); the bank file "
              "was not made.\n{detail}",
    },
    "bankfile.too_wide": {
        "id": "Nilai {field} \"{value}\" lebih dari {width} karakter yang diizinkan templat bank; berkas tidak "
              "dibuat. Periksa templat atau jumlahnya.",
        "en": "The {field} value \"{value}\" is longer than the {width} characters the bank template allows; "
              "the file was not made. Check the template or the amount.",
    },
    "bankfile.unreadable": {
        "id": "Berkas bank tidak sesuai templatnya ({detail}).",
        "en": "The bank file does not match its template ({detail}).",
    },
    "bankfile.written": {
        "id": "Berkas transfer {bank} {quarter} ditulis: {count} transfer, jumlah {total}: {path}",
        "en": "{bank} transfer file for {quarter} written: {count} transfers, total {total}: {path}",
    },
    "bankfile.left_out": {
        "id": "{count} item tidak masuk berkas bank karena rekeningnya perlu diperbaiki:",
        "en": "{count} item(s) left out of the bank file: their account needs fixing:",
    },
    "bankfile.left_out_list": {
        "id": "Daftar item yang tidak masuk: {path}",
        "en": "The items left out are listed in: {path}",
    },
    "bankfile.more": {"id": "… dan {count} lagi.", "en": "… and {count} more."},
    "bankfile.chosen": {
        "id": "Templat berkas bank kantor ini: {name} ({bank}).",
        "en": "This office's bank file template: {name} ({bank}).",
    },
    "payout.ui.pph21": {
        "id": "PPh 21 bukan pegawai: persen dari 50% bruto (mis. 5), atau kosong/tidak = tanpa aturan",
        "en": "PPh 21 non-employee: percent of 50% of gross (e.g. 5), or empty/none = no rule",
    },
    "bankfile.ui.left_out": {
        "id": "{count} item tidak masuk berkas bank (rekening perlu diperbaiki); daftarnya: {path}",
        "en": "{count} item(s) left out of the bank file (account needs fixing); listed in: {path}",
    },
    "bankfile.ui.template": {
        "id": "Templat berkas transfer bank (Cetak dan paket SPJ)",
        "en": "Bank transfer file template (Print and the SPJ package)",
    },
}
