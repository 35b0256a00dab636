"""Messages of the bank transfer file (templates per bank, the account checks before export) and of the
PPh 21 field of the rate dialog."""

MESSAGES = {
    "bankfile.name.jatim": {"id": "Bank Jatim", "en": "Bank Jatim"},
    "bankfile.name.generic": {"id": "Umum (CSV)", "en": "Generic (CSV)"},
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
    "bankfile.left_out_last": {
        "id": "Berkas ditulis dengan {written} transfer, tetapi {count} item TIDAK masuk: perbaiki rekeningnya "
              "dan kirim berkas susulan (kode keluar 1).",
        "en": "File written with {written} transfers, but {count} item(s) were NOT included: fix their accounts "
              "and send a follow-up file (exit code 1).",
    },
    "payout.bank.problem.no_status": {
        "id": "tanpa status OK/RETUR (berkas transfer yang dikirim, bukan jawaban bank?)",
        "en": "no OK/RETUR status (the transfer file that was sent, not the bank's answer?)",
    },
    "bankfile.more": {"id": "… dan {count} lagi.", "en": "… and {count} more."},
    "bankfile.chosen": {
        "id": "Templat berkas bank kantor ini: {name} ({bank}).",
        "en": "This office's bank file template: {name} ({bank}).",
    },
    # ---- an approval blocker: the account the office's bank template would refuse (before approval)
    "payout.reason.account": {"id": "rekening tidak diterima bank", "en": "account the bank would refuse"},
    "payout.reason.account.no_account": {
        "id": "rekening kosong: isi di data anggota, lalu hitung ulang",
        "en": "no account number: fill it in the member's record, then recompute",
    },
    "payout.reason.account.not_digits": {
        "id": "rekening {account} berisi {chars}, {bank} hanya menerima angka: perbaiki di data anggota, lalu "
              "hitung ulang",
        "en": "account {account} contains {chars}, {bank} takes digits only: fix it in the member's record, then "
              "recompute",
    },
    "payout.reason.account.length": {
        "id": "rekening {account} terdiri dari {count} digit, {bank} perlu {need}: perbaiki di data anggota, lalu hitung ulang",
        "en": "account {account} has {count} digits, {bank} needs {need}: fix it in the member's record, then "
              "recompute",
    },
    "payout.reason.account.no_holder": {
        "id": "nama pemilik rekening kosong ({bank} memerlukannya): isi di data anggota, lalu hitung ulang",
        "en": "no account holder ({bank} needs one): fill it in the member's record, then recompute",
    },
    "payout.ui.pph21": {
        "id": "PPh 21 bukan pegawai (% dari 50% bruto, mis. 5; kosong = tidak ada)",
        "en": "PPh 21 non-employee (% of 50% of gross, e.g. 5; empty = none)",
    },
    "bankfile.ui.left_out": {
        "id": "{count} item tidak masuk berkas bank (rekening perlu diperbaiki); daftarnya: {path}",
        "en": "{count} item(s) left out of the bank file (account needs fixing); listed in: {path}",
    },
    "bankfile.ui.template": {
        "id": "Templat berkas transfer bank (Cetak dan paket SPJ)",
        "en": "Bank transfer file template (Print and the SPJ package)",
    },

    # ---- command line help (tui/cli/lang.py reads cli.help.<command path>[.<option>])
    "cli.help.payout.bankfile": {
        "id": "berkas transfer bank satu triwulan menurut templat bank; rekening yang tidak lolos pemeriksaan "
              "didaftar dan tidak dimasukkan (kode keluar 1 bila ada)",
        "en": "the bank transfer file of a quarter in a bank's template; accounts that fail the checks are "
              "listed and left out (exit code 1 when any is)",
    },
    "cli.help.payout.bankfile.bank": {
        "id": "templat: jatim atau generic (bawaan: pilihan kantor, lihat bank-template)",
        "en": "template: jatim or generic (default: the office's, see bank-template)",
    },
    "cli.help.payout.bankfile.out": {
        "id": "berkas tujuan (atau folder: nama berkasnya sendiri di dalamnya)",
        "en": "the file (or a folder: the file's own name in it)",
    },
    "cli.help.payout.bank-template": {
        "id": "templat berkas bank untuk Cetak dan paket SPJ: lihat, atau pilih jatim/generic",
        "en": "the bank file template Cetak and the SPJ package use: show, or set jatim/generic",
    },
    "cli.help.payout.bankfile.date": {
        "id": "tanggal di baris kepala, YYYY-MM-DD (bawaan hari ini)",
        "en": "date on the header line, YYYY-MM-DD (default today)",
    },
    "cli.help.report.payouts.bank": {
        "id": "dengan --format bank: templatnya, jatim atau generic (bawaan: pilihan kantor)",
        "en": "with --format bank: the template, jatim or generic (default: the office's)",
    },
}
