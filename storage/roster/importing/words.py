"""The words offices write in their spreadsheets: column headers (a scored match), positions and pillars,
status notes, dates, and the cleaning of pasted text. Pure functions; no file and no roster here."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata

# ---------------------------------------------------------------------- text

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
EMPTY_MARKS = {"-", "--", "---", "–", "—", ".", "'-", "0-", "n/a", "na", "tidak ada", "belum ada", "kosong", "nihil"}


def clean(value: object) -> str:
    """The text of a cell as the clerk means it: invisible characters removed, a leading apostrophe
    (Excel's "keep as text") dropped, and '-' or 'tidak ada' read as empty."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        # most cells are plain ASCII: no invisible character to look for (10,000 rows × 13 cells)
        text = value.strip() if value.isascii() else _unify(value.translate(_INVISIBLE).translate(_SPACES)).strip()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    if text[:1] == "'":
        text = text[1:].strip()
    return "" if len(text) <= 10 and text.lower() in EMPTY_MARKS else text


_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032"), "'")


def _unify(text: str) -> str:
    """One form of a text however it was typed: composed characters (NFC: 'Ḥ' typed on a phone arrives as
    H + a combining dot) and one apostrophe ('Nur ‘Aini', 'Nur ’Aini' -> "Nur 'Aini")."""
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES)


def words(text: object) -> str:
    """Lower-case words of letters and digits: 'NO. HP / WA' -> 'no hp wa'."""
    text = unicodedata.normalize("NFKD", str(text or "").translate(_INVISIBLE).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


# ---------------------------------------------------------------------- headers

HEADERS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor ktp", "nomor induk kependudukan",
            "no induk kependudukan"),
    "name": ("nama", "nama lengkap", "nama anggota", "nama pilar", "name", "nama petugas", "nama tksk",
             "nama pendamping", "nama relawan"),
    "sex": ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender", "j k"),
    "birth_place": ("tempat lahir", "tmp lahir", "tpt lahir", "tempat lhr"),
    "birth_date": ("tanggal lahir", "tgl lahir", "tgl lhr", "date of birth", "birth date", "tanggal lhr"),
    "birth": ("tempat tgl lahir", "tempat tanggal lahir", "ttl", "tempat tgl lhr", "tmp tgl lahir",
              "tempat dan tanggal lahir", "tmp tgl lhr"),
    "address": ("alamat", "alamat lengkap", "alamat rumah", "address", "alamat domisili"),
    "kab": ("kab kota", "kabupaten kota", "kabupaten", "kota", "kab", "kota kab", "kab kot"),
    "kec": ("kecamatan", "kec", "kecamatan domisili"),
    "phone": ("no hp", "nomor hp", "hp", "no telp", "no telepon", "telepon", "no wa", "nomor wa", "whatsapp",
              "no hp wa", "phone", "telp", "nomor telepon", "kontak", "no kontak"),
    "bank.account": ("no rekening", "nomor rekening", "no rek", "rekening", "norek", "no rekening bank",
                     "nomor rek", "no rek bank", "rek bank", "nomor rekening bank", "rekening bank"),
    "bank.name": ("nama bank", "bank"),
    "bank.holder": ("nama pemilik rekening", "atas nama", "pemilik rekening", "nama rekening",
                    "atas nama rekening", "an rekening"),
    "bpjs_tk": ("bpjs", "no bpjs", "bpjs tk", "no bpjs tk", "bpjs ketenagakerjaan", "no kpj", "kpj"),
    "pillar": ("pilar", "jenis pilar", "pilar sosial", "pillar", "unsur"),
    "position": ("jabatan", "posisi", "position", "kedudukan", "jabatan tugas"),
    "number": ("no anggota", "nomor anggota", "niat", "no induk", "nomor induk", "nia", "no niat", "nomor niat",
               "no registrasi", "nomor registrasi", "no reg", "registrasi", "no register", "nomor register",
               "no kta", "nomor kta", "kta"),
    "level": ("jenjang", "tingkat", "level", "jenjang tagana", "kualifikasi", "tingkatan", "kualifikasi tagana",
              "jenjang kualifikasi"),
    "sk": ("no sk", "nomor sk", "sk", "nomor surat keputusan"),
    "start": ("tmt", "tanggal mulai", "mulai tugas", "tgl mulai", "tmt tugas", "tmt sk", "tanggal tmt",
              "mulai bertugas", "tahun masuk", "tahun bergabung", "tanggal bergabung", "tgl bergabung",
              "tmt bergabung"),
    "area_kec": ("kecamatan tugas", "wilayah tugas", "lokasi tugas", "kec tugas", "wilayah kerja",
                 "kecamatan wilayah tugas"),
    "status": ("status", "keterangan", "ket", "aktif", "status keaktifan", "keaktifan", "status anggota",
               "aktif tidak aktif", "keterangan status"),
    "inactive_date": ("tanggal berhenti", "tgl berhenti", "tmt berhenti", "tanggal nonaktif", "tgl nonaktif",
                      "tgl meninggal", "tanggal meninggal", "tanggal keluar", "tgl keluar"),
    "office": ("upt", "kantor", "upt pembina", "kantor upt", "nama upt", "upt dinsos", "unit kerja"),
    "note": ("catatan", "catatan lain", "catatan anggota", "note", "notes", "memo"),
    "age": ("umur", "usia", "umur th", "umur thn", "umur tahun", "usia tahun", "usia th", "age"),
}
# Words that add nothing to a header ("NAMA LENGKAP (SESUAI KTP)"); a header made only of them is unknown.
_NOISE = {"sesuai", "menurut", "yang", "dan", "atau", "dari", "lengkap", "nomor", "no", "nama", "tanggal", "tgl",
          "ktp", "e", "bpk", "ibu", "sdr", "pada", "di", "per"}
# A column about someone else is never the member's name ("NAMA IBU KANDUNG", "NAMA AHLI WARIS").
_NOT_MEMBER = {"ibu", "ayah", "suami", "istri", "waris", "kandung", "orang", "tua", "pasangan", "ortu", "desa",
               "kelurahan", "kel"}
# A column about something else ("STATUS PERKAWINAN", "STATUS RUMAH") is not the member's status.
_NOT_STATUS = {"perkawinan", "kawin", "pernikahan", "nikah", "keluarga", "rumah", "tinggal", "pendidikan",
               "kepegawaian", "pegawai", "rekening", "bpjs", "kepemilikan", "hubungan"}
# A date of the SK ("TGL. SK", "TANGGAL SK") is not its number; it is read as the start (TMT) only when
# the sheet has no TMT column (it scores below one: storage.roster.importing.sheets._assign gives TMT the field).
_DATE_WORDS = {"tanggal", "tgl", "tahun", "thn", "bulan", "tmt", "mulai"}
_SK_DATE = (("tanggal", "sk"), ("tgl", "sk"), ("tanggal", "surat", "keputusan"), ("tgl", "surat", "keputusan"))
_SK_DATE_SCORE = 0.7
_NUMBER_WORDS = {"no", "nomor", "nmr", "nomer"}
_HEAD_BONUS = 0.04  # below the gap between a partial match (at most 0.95) and an exact alias (1.0)  # "NO SK / TGL SK": the number (with its date) after all
_BLOCKED = {"name": _NOT_MEMBER, "status": _NOT_STATUS, "sk": _DATE_WORDS}
FIELDS = tuple(HEADERS)
_ALIASES = [(name, tuple(alias.split())) for name, aliases in HEADERS.items() for alias in aliases]


def _tokens(text: str) -> list[str]:
    return words(text).split()


def header_scores(text: object) -> list[tuple[float, str]]:
    """(score, field) for a header, best first; a score of 1.0 is an exact alias.

    The words outside brackets count first ("NOMOR INDUK KEPENDUDUKAN (NIK)" is the NIK by either); an
    alias counts when all its words are in the header, weighted by the share of the header it explains.
    """
    raw = str(text or "")
    main = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", raw)
    inside = " ".join(re.findall(r"\(([^)]*)\)", raw))
    best: dict[str, float] = {}
    for part, weight in ((main, 1.0), (inside, 0.9), (raw, 0.8)):
        tokens = _tokens(part)
        if not tokens:
            continue
        key = " ".join(tokens)
        have = set(tokens)
        meaningful = [t for t in tokens if t not in _NOISE] or tokens
        for name, alias in _ALIASES:
            if name in _BLOCKED and have & _BLOCKED[name] and not (name == "sk" and have & _NUMBER_WORDS):
                continue
            if key == " ".join(alias):
                score = 1.0
            elif set(alias) <= have:
                covered = sum(1 for t in meaningful if t in alias)
                score = 0.5 + 0.45 * covered / len(meaningful) if covered else 0.0
                if not covered and all(t in _NOISE for t in alias):
                    score = 0.0
                elif score and tuple(tokens[:len(alias)]) == alias:
                    # what a column is comes first ("NO HP AKTIF" is a phone number, the active one):
                    # a header that starts with the alias outweighs an incidental word after it
                    score += _HEAD_BONUS
            else:
                continue
            score *= weight
            if score > best.get(name, 0.0):
                best[name] = score
        if not have & _NUMBER_WORDS and any(set(sk_date) <= have for sk_date in _SK_DATE):
            best["start"] = max(best.get("start", 0.0), _SK_DATE_SCORE * weight)
    return sorted(((s, n) for n, s in best.items() if s >= 0.5), reverse=True)


def header_field(text: object) -> str | None:
    """'NO. HP' -> 'phone', 'NAMA LENGKAP (SESUAI KTP)' -> 'name'; None when unknown."""
    scores = header_scores(text)
    return scores[0][1] if scores else None


def sub_header_field(parent: str | None, sub: object) -> str | None:
    """The field of a column under a two-row header: 'TEMPAT / TGL LAHIR' over 'TEMPAT' is the birth place,
    'JENIS KELAMIN' over 'L' is a tick column for men."""
    key = words(sub)
    if parent in ("birth", "birth_place", "birth_date"):
        if re.search(r"\b(tempat|tmp|tpt|kota)\b", key):
            return "birth_place"
        if re.search(r"\b(tgl|tanggal|tang|lahir|date)\b", key):
            return "birth_date"
    if parent == "sex":
        if key in ("l", "lk", "laki laki", "laki", "pria"):
            return "sex_l"
        if key in ("p", "pr", "perempuan", "wanita"):
            return "sex_p"
    if parent in ("bank.account", "bank.name", "bank.holder") or parent is None:
        return header_field(sub)
    found = header_field(sub)
    return found or parent


# ---------------------------------------------------------------------- positions and pillars

PILLAR_WORDS: dict[str, str] = {
    "tagana": "TAGANA", "taruna siaga bencana": "TAGANA", "tksk": "TKSK",
    "tenaga kesejahteraan sosial kecamatan": "TKSK", "pkh": "PKH_PLUS", "pkh plus": "PKH_PLUS",
    "pkh+": "PKH_PLUS", "jsc": "JSC", "jatim social care": "JSC", "psm": "PSM", "pekerja sosial masyarakat": "PSM",
    "karang taruna": "KARANG_TARUNA", "kt": "KARANG_TARUNA", "pordam": "PORDAM", "pelopor perdamaian": "PORDAM",
    "sakti peksos": "SAKTI_PEKSOS", "sakti": "SAKTI_PEKSOS", "peksos": "SAKTI_PEKSOS",
    "pekerja sosial": "SAKTI_PEKSOS", "disabilitas": "PENDAMPING_DISABILITAS",
    "pendamping disabilitas": "PENDAMPING_DISABILITAS",
}
POSITION_WORDS: dict[str, str] = {
    "anggota": "ANGGOTA", "relawan": "ANGGOTA", "petugas": "ANGGOTA", "pendamping": "PENDAMPING",
    "pendamping sosial": "PENDAMPING", "korcam": "KOORDINATOR_KEC", "koorcam": "KOORDINATOR_KEC",
    "koordinator kecamatan": "KOORDINATOR_KEC", "koordinator kec": "KOORDINATOR_KEC", "koord kec": "KOORDINATOR_KEC",
    "koord kecamatan": "KOORDINATOR_KEC", "korkab": "KORKAB", "korkot": "KORKAB", "koorkab": "KORKAB",
    "koordinator kabupaten": "KORKAB", "koordinator kota": "KORKAB", "koordinator kab": "KORKAB",
    "koord kabupaten": "KORKAB", "koord kab": "KORKAB", "koord kota": "KORKAB",
    "koordinator kabupaten kota": "KORKAB", "koord kab kota": "KORKAB", "korwil": "KORWIL",
    "koorwil": "KORWIL", "koordinator wilayah": "KORWIL", "koord wilayah": "KORWIL", "korreg": "KORREG",
    "koordinator regional": "KORREG", "koord regional": "KORREG", "korda": "KORKAB",
}
LEVEL_WORDS = {"muda": "MUDA", "madya": "MADYA", "utama": "UTAMA"}
# Said when a word is still unknown: what offices may write (a spreadsheet has no drop-down list).
KNOWN_POSITIONS = "Anggota, Pendamping, Korcam, Korkab/Korkot, Koord. Kabupaten, Korwil, Korreg"
KNOWN_PILLARS = "Tagana, TKSK, PKH Plus, JSC, PSM, Karang Taruna, Pordam, Sakti Peksos, Pendamping Disabilitas"
_FILLER = {"i", "ii", "iii", "iv", "v", "vi", "1", "2", "3", "4", "5", "6", "sosial", "kab", "kabupaten", "kota",
           "kec", "kecamatan", "provinsi", "jatim", "jawa", "timur", "tingkat", "tk", "dan", "wilayah", "plus",
           "tagana", "tahun", "th"}
# "wilayah", "plus", "tagana" also sit inside longer phrases above; alone after a known word they add nothing.


def _phrases(tokens: list[str], table: dict[str, str]) -> tuple[list[str], list[bool]]:
    """Codes of the longest phrases of ``table`` found in ``tokens``, and which tokens they used."""
    used = [False] * len(tokens)
    found: list[str] = []
    longest = max(len(k.split()) for k in table)
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + n])
            if phrase in table:
                found.append(table[phrase])
                for j in range(i, i + n):
                    used[j] = True
                i += n
                break
        else:
            i += 1
    return found, used


def only_pillar(text: object) -> str | None:
    """The pillar a sheet name or title names, when it names exactly one ('DAFTAR TKSK' -> 'TKSK';
    'REKAP TKSK DAN TAGANA' -> None)."""
    tokens = words(str(text or "").replace("+", " plus ")).split()
    found = set(_phrases(tokens, PILLAR_WORDS)[0]) if tokens else set()
    return found.pop() if len(found) == 1 else None


@functools.lru_cache(maxsize=4096)
def read_pillar(text: object) -> str | None:
    """'Tagana' -> 'TAGANA', 'PKH Plus' -> 'PKH_PLUS'; None when no pillar word is in it."""
    tokens = words(str(text or "").replace("+", " plus ")).split()
    if not tokens:
        return None
    found, _ = _phrases(tokens, PILLAR_WORDS)
    return found[0] if found else None


@functools.lru_cache(maxsize=4096)
def read_position(text: object) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """(position, pillar, level, unknown words) from a JABATAN cell: 'Anggota Tagana' -> ('ANGGOTA',
    'TAGANA', None, []), 'Korwil I' -> ('KORWIL', None, None, []), 'Pendamping PKH' -> ('PENDAMPING',
    'PKH_PLUS', None, []). A pillar alone ('TKSK') is a member of it."""
    tokens = words(str(text or "").replace("+", " plus ")).split()
    positions, used_p = _phrases(tokens, POSITION_WORDS)
    pillars, used_q = _phrases(tokens, PILLAR_WORDS)
    levels, used_l = _phrases(tokens, LEVEL_WORDS)
    if "PENDAMPING_DISABILITAS" in pillars and not positions:
        positions = ["PENDAMPING"]
    leftover = [t for i, t in enumerate(tokens) if not (used_p[i] or used_q[i] or used_l[i]) and t not in _FILLER]
    if not positions and leftover in (["koordinator"], ["koord"], ["ketua"]):
        # "Koordinator TKSK Kab.", "Koord. Tagana Kecamatan": the area word says which coordinator
        area = {"kec": "KOORDINATOR_KEC", "kecamatan": "KOORDINATOR_KEC", "wilayah": "KORWIL",
                "regional": "KORREG"}
        positions = [next((area[t] for t in tokens if t in area), "KORKAB")]
        leftover = []
    position = positions[0] if positions else ("ANGGOTA" if pillars and not leftover else None)
    return position, (pillars[0] if pillars else None), (levels[0] if levels else None), tuple(leftover)


# ---------------------------------------------------------------------- status notes

_INACTIVE = [
    (r"\b(meninggal|wafat|almarhum|almarhumah|alm|almh|md|meninggal dunia)\b", "Meninggal dunia"),
    (r"\b(mengundurkan diri|undur diri|mundur|resign|keluar)\b", "Mengundurkan diri"),
    (r"\b(diberhentikan|berhenti|dipecat|pemberhentian|dicabut|diganti|digantikan)\b", "Diberhentikan"),
    (r"\b(pindah|mutasi|pindah domisili)\b", "Pindah"),
    (r"\b(pensiun|purna tugas|purna)\b", "Pensiun"),
    (r"\b(non ?aktif|tidak aktif|tdk aktif|ta|pasif|nonaktif)\b", "Tidak aktif"),
]
_ACTIVE = r"^(aktif|active|a|ya|y|iya|1|v|x|ok|masih aktif|aktif bertugas)$"
MARITAL = {"kawin", "belum kawin", "cerai", "cerai hidup", "cerai mati", "janda", "duda", "menikah", "lajang",
            "k", "bk", "tk", "single", "married"}
_TICK = {"v", "x", "1", "ya", "y", "\u221a", "\u2713", "\u2714", "o", "ok", "l", "p", "*", "\u2611"}


def read_status(text: object, column: str) -> tuple[str, str, str] | None:
    """('ACTIVE'|'INACTIVE', reason, date text) from a status or KETERANGAN cell; None when the text says
    nothing about status (a free note). ``column`` is the header's words ('aktif' reads 'tidak' too)."""
    raw = clean(text)
    key = words(raw)
    if column.startswith("aktif") and is_tick(raw):
        return "ACTIVE", "", ""
    if not key:
        return None
    if key in MARITAL:
        return None  # a marital status in a bare STATUS column says nothing about the assignment
    if re.match(_ACTIVE, key) or key.startswith("aktif "):
        return "ACTIVE", "", ""
    if column.split()[:1] == ["aktif"] and key in ("tidak", "t", "0", "no", "n", "belum"):
        return "INACTIVE", "Tidak aktif", ""
    for pattern, reason in _INACTIVE:
        if re.search(pattern, key):
            return "INACTIVE", reason, _date_in(raw)
    return None


def _date_in(text: str) -> str:
    """The date written inside a note ('Meninggal dunia 12-03-2024', 'mundur per 1 Januari 2024')."""
    for pattern in (r"\d{1,2}[-/. ]\s*[A-Za-z]{3,10}\.?[-/. ]\s*\d{2,4}", r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",
                    r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", r"[A-Za-z]{3,10}\s+\d{4}"):
        for m in re.finditer(pattern, text):
            if parse_sheet_date(m.group(0), "start") is not None:
                return m.group(0)
    return ""


def is_tick(value: object) -> bool:
    """A tick in an L | P column: √, v, x, 1, ya."""
    return words(value) in _TICK or clean(value) in _TICK


# ---------------------------------------------------------------------- dates

MONTHS = {m: i for i, names in enumerate(
    [(), ("januari", "jan", "january"), ("februari", "feb", "pebruari", "peb", "february"), ("maret", "mar", "march"),
     ("april", "apr"), ("mei", "may"), ("juni", "jun", "june"), ("juli", "jul", "july"),
     ("agustus", "agu", "agt", "ags", "aug", "august", "agust"), ("september", "sep", "sept", "spt"),
     ("oktober", "okt", "oct", "october"), ("november", "nov", "nop", "nopember"),
     ("desember", "des", "dec", "december", "desemb")]) for m in names}


def _year(y: int, kind: str, today: dt.date) -> int:
    """A two-digit year: a birth year puts the person at least 10 years old, any other year is not far
    in the future."""
    if y >= 100:
        return y
    limit = today.year - 10 if kind == "birth" else today.year + 1
    return 2000 + y if 2000 + y <= limit else 1900 + y


def parse_sheet_date(value: object, kind: str = "birth", today: dt.date | None = None) -> str | None:
    """ISO date from what offices write: an Excel date or serial number, '16-09-1968', '16/9/68',
    '1968-09-16', '16-Sep-1968', '7 Nopember 1986'; a start date (TMT) may be 'Januari 2024' or '2024'."""
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if kind == "start" and 1950 <= value <= today.year + 1 and float(value).is_integer():
            return dt.date(int(value), 1, 1).isoformat()
        if 1000 < value < 80000:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
        return None
    text = clean(value).lower().replace(",", " ").strip()
    text = re.sub(r"^(tgl|tanggal|tmt|per)\.?\s+", "", text)
    if not text:
        return None
    if re.fullmatch(r"\d{5}", text) and 10000 < int(text) < 80000:
        # an Excel date in a column formatted as Text shows its serial number ("31213" is 15-06-1985)
        return parse_sheet_date(int(text), kind, today)
    text = re.sub(r"(?<=[0-9a-z])\s*([-/.])\s*(?=[0-9a-z])", r"\1", text)  # "12 - 03 - 1987"
    d = 1
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?", text):
        y, mo, d = (int(x) for x in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", text):
        d, mo, y = int(m.group(1)), int(m.group(2)), _year(int(m.group(3)), kind, today)
    elif m := re.fullmatch(r"(\d{1,2})[-/.\s]+([a-z]+)\.?[-/.\s]+(\d{2}|\d{4})", text):
        d, y = int(m.group(1)), _year(int(m.group(3)), kind, today)
        mo = MONTHS.get(m.group(2), 0)
    elif kind == "start" and (m := re.fullmatch(r"([a-z]+)\.?[-/\s]+(\d{4})", text)):
        mo, y = MONTHS.get(m.group(1), 0), int(m.group(2))
    elif kind == "start" and (m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text)):
        mo, y = int(m.group(1)), int(m.group(2))
    elif kind == "start" and re.fullmatch(r"(19|20)\d{2}", text):
        y, mo = int(text), 1
    else:
        return None
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


_DATE_TAIL = re.compile(r"(\d{1,2}[-/.\s]+[A-Za-z]+\.?[-/.\s]+\d{2,4}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
                        r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{5})\s*$")


def split_birth(text: str) -> tuple[str, str]:
    """'Jember, 16-09-1968' -> ('Jember', '16-09-1968'); 'Jember' -> ('Jember', ''); '16-09-1968' -> ('', ...)."""
    text = clean(text)
    m = _DATE_TAIL.search(text)
    if m:
        return text[:m.start()].strip(" ,/;-"), m.group(1)
    if "," in text:
        place, _, when = text.rpartition(",")
        return place.strip(), when.strip()
    if "/" in text and re.search(r"\d", text.split("/", 1)[1]):
        place, _, when = text.partition("/")
        return place.strip(), when.strip()
    if re.search(r"\d", text):
        parts = text.split()
        tail = [p for p in parts if re.search(r"\d", p)]
        head = [p for p in parts if not re.search(r"\d", p) and p.lower() not in MONTHS]
        return " ".join(head), " ".join(p for p in parts if p not in head) if tail else ""
    return text, ""


# ---------------------------------------------------------------------- people

_TITLES = {"s", "pd", "sos", "kom", "ag", "ap", "ip", "sh", "se", "st", "si", "m", "h", "hj", "dr", "drs", "dra",
           "ir", "amd", "a", "md", "skm", "spd", "ssos", "skom", "sag", "sip", "msi", "mm", "mpd", "kes", "ners",
           "bpk", "ibu", "sdr", "sdri", "ust", "kh", "ns"}


def _name_tokens(name: str) -> list[str]:
    parts = re.split(r",", name, maxsplit=1)  # "SITI AMINAH, S.Pd": the degree follows the comma
    tokens = [t for t in words(parts[0]).split() if t not in ("h", "hj", "dr", "drs", "dra", "ir", "bpk", "ibu")]
    return tokens or words(name).split()


def names_differ(a: str, b: str) -> bool:
    """True when two names are clearly not the same person's: not a typo, a degree, an initial or a
    shortened name ('Siti Aminah' / 'SITI AMINAH, S.Pd' / 'Sity Aminah' / 'M. Rizki' are the same)."""
    x, y = _name_tokens(a), _name_tokens(b)
    if not x or not y or x == y:
        return False
    if difflib.SequenceMatcher(None, " ".join(x), " ".join(y)).ratio() >= 0.8:
        return False
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)

    def matches(t: str, pool: list[str]) -> bool:
        return any(t == u or (len(t) == 1 and u.startswith(t)) or (len(u) == 1 and t.startswith(u))
                   or (len(t) > 3 and difflib.SequenceMatcher(None, t, u).ratio() >= 0.8) for u in pool)

    return not all(matches(t, long_) for t in short)
