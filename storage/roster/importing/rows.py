"""One row of an office's spreadsheet read into member and assignment fields, with one sentence per
problem: numbers Excel damaged, status words, positions and pillars, kecamatan that are ambiguous or in
another kab/kota, the row's UPT; then merged into the member as it will be saved, and the changes listed."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from storage.core.i18n import t
from storage.core.sensitive import mask_numbers
from storage.domain import fmt, regions
from storage.domain.model import (
    ASSIGNMENT_FIELDS,
    TAGANA_LEVELS,
    field_label,
    level_label,
    new_assignment,
    new_member,
    pillar_label,
    position_label,
    sex_label,
    status_label,
)
from storage.domain.validate import clean_nik, nik_birth_date, nik_sex
from storage.roster.importing import words as header_words
from storage.roster.importing.read import PaddedNumber
from storage.roster.service import Roster

_EXPLICIT_STATUS = {"status", "aktif", "keaktifan", "status keaktifan", "status anggota", "aktif tidak aktif"}


# ---------------------------------------------------------------------- regions and offices


@functools.lru_cache(maxsize=4096)
def find_kab(text: str) -> dict | None:
    return regions.find_kab(text)


@functools.lru_cache(maxsize=1)
def _kec_names() -> dict[str, list[dict]]:
    """Matching key of a kecamatan name -> every kecamatan of that name in Jatim."""
    out: dict[str, list[dict]] = {}
    for k in regions.kab_list():
        for kec in regions.kec_of_kab(k["code"]):
            out.setdefault(re.sub(r"[^0-9a-z]", "", kec["name"].lower()), []).append(kec)
    return out


@functools.lru_cache(maxsize=16384)
def find_kec(text: str, kab_code: str, hints: tuple[str, ...]) -> tuple[dict | None, str, tuple[str, ...]]:
    """(kecamatan, problem, kab codes named by the problem): problem is '' (found), 'unknown',
    'elsewhere' (exists, not in the kab given) or 'ambiguous' (in several kab/kota, none given)."""
    found = regions.find_kec(text, kab_code or None)
    if found is not None:
        return found, "", ()
    key = re.sub(r"^(kecamatan|kec)\b\.?\s*", "", text.strip().lower())
    pool = _kec_names().get(re.sub(r"[^0-9a-z]", "", key), [])
    if not pool:
        return None, "unknown", ()
    kabs = tuple(sorted({k["kab"] for k in pool}))
    if kab_code:
        return None, "elsewhere", kabs
    narrowed = [k for k in pool if k["kab"] in hints]
    if len(narrowed) == 1:
        return dict(narrowed[0]), "", ()
    return None, "ambiguous", kabs


def office_index(roster: Roster) -> dict[str, str]:
    """Matching words of each office's code and name -> its code."""
    index: dict[str, str] = {}
    offices = [v for v in roster.db.values("offices") if v.get("code")]
    codes = {o["code"] for o in offices} | {roster.db.code}
    for o in offices:
        for text in (o["code"], o.get("name", "")):
            key = " ".join(w for w in header_words.words(text).split() if w != "upt")
            if key:
                index.setdefault(key, o["code"])
    for code in codes:
        index.setdefault(" ".join(w for w in header_words.words(code).split() if w != "upt"), code)
    return index


def office_area(roster: Roster) -> tuple[str, ...]:
    me = next((v for v in roster.db.values("offices") if v.get("code") == roster.db.code), None)
    return tuple((me or {}).get("area") or ())


# ---------------------------------------------------------------------- one row


@dataclass
class Context:
    office: str
    is_province: bool
    offices: dict[str, str]
    area: tuple[str, ...]
    sheet_pillar: str
    sheet_kec: str
    headers: list[str]
    today: dt.date
    nik_damage: bool = False  # the sheet's NIK column shows it was a number column
    tick_status: frozenset[str] = frozenset()  # AKTIF columns of ticks: a blank there is not "active"
    # AKTIF columns with no tick in any row: header words -> what a blank there means, as the clerk
    # answered ('ACTIVE' | 'INACTIVE'), or '' not answered yet (the row waits for the answer)
    blank_aktif: dict[str, str] = field(default_factory=dict)
    account_bank: str = ""  # the bank the account column's header names ("NO. REKENING BANK JATIM")
    age_on: dt.date | None = None  # the day the file's UMUR was counted, when the list was made years ago


# Banks an account column's header may name: words of the header -> the bank's name on the member.
HEADER_BANKS = (("bank jatim", "Bank Jatim"), ("jatim", "Bank Jatim"), ("bri", "BRI"), ("bni", "BNI"),
                ("mandiri", "Bank Mandiri"), ("bsi", "BSI"), ("bca", "BCA"), ("btn", "BTN"))


def bank_of_header(header: str) -> str:
    """'NO. REKENING BANK JATIM' -> 'Bank Jatim'; '' when the header names no bank."""
    words = f" {header_words.words(header)} "
    return next((name for key, name in HEADER_BANKS if f" {key} " in words), "")


_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


def _number_damaged(raw: object, length: int) -> bool:
    """A number Excel cannot have kept: past 15 digits it writes zeros (3507131209680000), or a CSV shows
    it in scientific notation (3,50713E+15)."""
    if isinstance(raw, float) and not raw.is_integer():
        return True
    if isinstance(raw, int) and not isinstance(raw, bool):
        digits = str(int(raw))
        return len(digits) >= length and digits[15:].strip("0") == "" and digits.endswith("0")
    return isinstance(raw, str) and bool(_SCIENTIFIC.match(header_words.clean(raw).replace(" ", "")))


def row_member(cells: dict[str, list[object]], ctx: Context) -> tuple[dict, dict, dict, list[str], set[str]]:
    """Member fields, assignment fields and extras (status, office) a row gives; problems (one sentence
    each) and the fields they concern (so validation does not say the same again)."""
    problems: list[str] = []
    concerned: set[str] = set()

    def one(name: str) -> object:
        values = cells.get(name)
        return values[0] if values else None

    def text(name: str) -> str:
        return header_words.clean(one(name))

    def bad(name: str, key: str, **params: object) -> None:
        problems.append(t(key, what=field_label(name), **params))
        concerned.add(name)

    m: dict = {}
    a: dict = {}
    extra: dict = {}
    raw_nik = one("nik")
    if isinstance(raw_nik, str) and re.fullmatch(r"\s*\d{10,}\.0+\s*", raw_nik):
        raw_nik = int(raw_nik.strip().split(".")[0])  # a float column written out by a program: a number
        cells = dict(cells, nik=[raw_nik])
    if "nik" in cells:
        m["nik"] = clean_nik(text("nik"))
        if _number_damaged(raw_nik, 16) or (ctx.nik_damage and isinstance(raw_nik, str)
                                            and len(m["nik"]) == 16 and m["nik"].endswith("0")):
            shown = text("nik")
            bad("nik", "roster.import.nik_number", value=fmt.mask_nik(shown) if shown.isdigit() else shown)
    if "name" in cells:
        m["name"] = " ".join(text("name").split())
    sex = text("sex")
    if sex:
        m["sex"] = _SEX.get(header_words.words(sex)) or sex
    elif "sex_l" in cells or "sex_p" in cells:
        ticks = {s for s, col in (("L", "sex_l"), ("P", "sex_p"))
                 for v in cells.get(col, []) if header_words.clean(v) and header_words.is_tick(v)}
        if len(ticks) == 1:
            m["sex"] = ticks.pop()
        elif ticks:
            bad("sex", "roster.import.sex_both")
    birth_place, birth_date = one("birth_place"), one("birth_date")
    if text("birth"):
        raw_birth = one("birth")
        if isinstance(raw_birth, (dt.date, int, float)) and not isinstance(raw_birth, bool):
            place, when = "", raw_birth
        else:
            place, when = header_words.split_birth(text("birth"))
            if place and not when and not header_words.clean(birth_date):
                bad("birth_date", "roster.import.birth_no_date", value=text("birth"))
        birth_place = birth_place if header_words.clean(birth_place) else place
        birth_date = birth_date if header_words.clean(birth_date) else when
    if header_words.clean(birth_place):
        place = header_words.clean(birth_place)
        m["birth_place"] = place.title() if place.isupper() else place
    if header_words.clean(birth_date) or isinstance(birth_date, (dt.date, int, float)) and birth_date:
        iso = header_words.parse_sheet_date(birth_date, "birth", ctx.today)
        if iso is None:
            bad("birth_date", "roster.import.bad_date", value=header_words.clean(birth_date))
        m["birth_date"] = iso or header_words.clean(birth_date)
    _from_nik(m, extra, concerned, ctx.today, one("age") if "age" in cells else None, ctx.age_on)
    if "address" in cells:
        m["address"] = " ".join(text("address").split())
    kab_code = ""
    if text("kab"):
        found = find_kab(text("kab"))
        settled = _kab_by_kec(text("kab"), text("kec"), found["code"] if found else "")
        if settled is not None:  # "KAB. MLG", "Kab. Batu", "MALANG" with Lowokwaru: the sentence says how
            found = settled
            extra.setdefault("said", []).append(t("roster.import.kab_from_kec", value=text("kab"),
                                                  kab=found["name"], kec=text("kec") or "-"))
        if found is None:
            bad("kab", "roster.import.bad_kab", value=text("kab"))
        if found is not None:
            kab_code = m["kab"] = found["code"]
    hints = ctx.area or ((regions.nik_region(m.get("nik", ""))[0],) if m.get("nik") else ())
    if text("kec"):
        found, problem, kabs = find_kec(text("kec"), kab_code, hints)
        if found is None:
            _kec_problem(bad, "kec", text("kec"), problem, kabs, kab_code)
        else:
            m["kec"] = found["code"]
            if not kab_code:
                kab_code = m["kab"] = found["kab"]
    elif ctx.sheet_kec and (not kab_code or ctx.sheet_kec[:5] == kab_code):
        m["kec"], kab_code = ctx.sheet_kec, ctx.sheet_kec[:5]  # one sheet per kecamatan, named after it
        m.setdefault("kab", kab_code)
    elif "kec" not in cells and text("area_kec"):
        # no KECAMATAN column, only KECAMATAN TUGAS: a TKSK lives where they serve (said in the preview)
        found, _problem, _kabs = find_kec(text("area_kec"), kab_code, hints)
        if found is not None:
            m["kec"] = found["code"]
            kab_code = m["kab"] = kab_code or found["kab"]
            extra["duty_home"] = True
    if "kec" in concerned:
        concerned.add("kab")  # "ambiguous: fill in KAB/KOTA" says it; not "kab/kota is required" as well
    notes: list[str] = []
    if text("note"):
        notes.append(" ".join(text("note").split()))
    if text("phone"):
        phones = _phones(one("phone"))
        m["phone"] = phones[0]
        if len(phones) > 1:
            extra.setdefault("said", []).append(t("roster.import.more_phones", phones=", ".join(phones[1:])))
            # kept with the member, in the office's language (the note is data every office reads)
            notes.append(t("roster.import.note_phones", phones=", ".join(phones[1:]), lang="id"))
    bank = {k.split(".")[1]: text(k) for k in ("bank.name", "bank.account", "bank.holder") if k in cells}
    raw_account = one("bank.account")
    if bank.get("account"):
        if _number_damaged(raw_account, 16) or (isinstance(raw_account, int) and not isinstance(raw_account, bool)
                                                and not isinstance(raw_account, PaddedNumber)):
            bad("bank.account", "roster.import.account_number", value=fmt.mask_account(bank["account"]))
    if bank.get("account") and not bank.get("name") and ctx.account_bank:
        bank["name"] = ctx.account_bank  # the column says whose accounts these are
    if any(bank.values()):
        m["bank"] = bank
    if "bpjs_tk" in cells:
        m["bpjs_tk"] = text("bpjs_tk")
    _assignment_fields(cells, text, ctx, a, bad, kab_code)
    _status_fields(cells, ctx, extra, bad, problems)
    notes += extra.get("notes") or []  # a KETERANGAN that says nothing about status is kept as the note
    if notes:
        m["note"] = "; ".join(dict.fromkeys(notes))
    if text("office"):
        code = ctx.offices.get(" ".join(w for w in header_words.words(text("office")).split() if w != "upt"))
        if code is None:
            bad("office", "roster.import.office_unknown", value=text("office"))
        elif code != ctx.office and not ctx.is_province:
            bad("office", "roster.import.office_other", value=text("office"), other=code, office=ctx.office)
        else:
            a["office"] = code
            extra["owner"] = code
    return m, a, extra, problems, concerned


_SEX = {"l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "male": "L", "m": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P"}


_PHONE_SPLIT = re.compile(r"\s*(?:/|;|,|&|\||\batau\b|\bdan\b|\n)\s*", re.I)


def _phones(raw: object) -> list[str]:
    """Every phone number of a cell ("0812… / 0857…", "0812…; 0857…"): the first is the member's phone,
    the others are said in the preview. A cell of one number (even written with spaces) is one."""
    if isinstance(raw, (int, PaddedNumber)) and not isinstance(raw, bool):
        return [_phone(raw)]
    parts = [p for p in _PHONE_SPLIT.split(header_words.clean(raw)) if p.strip()]
    if len(parts) > 1 and all(sum(ch.isdigit() for ch in p) >= 8 for p in parts):
        return [_phone(p) for p in parts]
    return [_phone(raw)]


def _from_nik(m: dict, extra: dict, concerned: set[str], today: dt.date, age_cell: object = None,
              age_on: dt.date | None = None) -> None:
    """Sex and birth date the file leaves out, from the NIK (as the add form fills them); a column that
    is there is never overwritten, and validation still compares it with the NIK. A birth date taken from
    the NIK is checked against the row's UMUR (``age_cell``): it settles the century the NIK's two-digit
    year leaves open, and an age more than a year off holds the row (``extra['age_clash']``)."""
    nik = m.get("nik") or ""
    if len(nik) != 16 or not nik.isdigit() or "nik" in concerned:
        return
    filled = []
    if not m.get("sex") and "sex" not in concerned and nik_sex(nik):
        m["sex"] = nik_sex(nik)
        filled.append("sex")
    if not m.get("birth_date") and "birth_date" not in concerned:
        born = nik_birth_date(nik, today)
        if born is not None:
            age = read_age(age_cell)
            if age is not None:
                born = _by_age(born, age, today, extra, age_on or today)
            m["birth_date"] = born.isoformat()
            filled.append("birth_date")
    if filled:
        extra["from_nik"] = filled


def read_age(raw: object) -> int | None:
    """An UMUR cell as whole years: 46, '46', '46 th', '46 tahun', '46,5'; None when blank or not an age."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return int(raw) if 0 <= raw < 130 else None
    found = re.fullmatch(r"(\d{1,3})(?:[.,]\d+)?\s*(?:th|thn|tahun|tahun\.|th\.|thn\.|yrs?|years?)?\.?",
                         header_words.clean(raw).lower())
    return int(found.group(1)) if found and int(found.group(1)) < 130 else None


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def ages_made_years_ago(pairs: list[tuple[object, object]], today: dt.date) -> int:
    """How many years ago a file's UMUR column was counted (0 to 5), from its rows' (NIK cell, UMUR cell):
    an office list made two years ago has every UMUR two years short of the age the NIK gives today. The
    years that most rows agree with (within a year, birthdays falling either side), when that is most of
    the rows with both; else 0 (each row is checked against today)."""
    diffs: list[tuple[int, ...]] = []  # per row: the years between UMUR and the NIK's age, either century
    for raw_nik, raw_age in pairs:
        age = read_age(raw_age)
        nik = clean_nik(header_words.clean(raw_nik))
        born = nik_birth_date(nik, today) if age is not None else None
        if born is not None:
            older = age_on(born, today) + (100 if born.year >= 2000 else -100)
            diffs.append((age_on(born, today) - age, older - age))
    if not diffs:
        return 0
    count, back = max((sum(1 for row in diffs if any(abs(d - b) <= 1 for d in row)), -b) for b in range(0, 6))
    return -back if count * 2 > len(diffs) and -back >= 2 else 0


def _by_age(born: dt.date, age: int, today: dt.date, extra: dict, counted: dt.date) -> dt.date:
    """The NIK's birth date in the century the UMUR says (a NIK writes two digits of the year), or the
    NIK's own reading with ``extra['age_clash']`` set when the UMUR is more than a year off either way.
    ``counted``: the day the file's ages were counted (today, or when the list was made)."""
    candidates = [born]
    try:
        other = born.replace(year=born.year - 100 if born.year >= 2000 else born.year + 100)
    except ValueError:  # 29 February in a century year that has none
        other = None
    if other is not None and other <= today:
        candidates.append(other)
    extra["age"] = age
    for when in candidates:
        if abs(age_on(when, counted) - age) <= 1:
            if when != born:
                extra.setdefault("said", []).append(t("roster.import.age_century", age=age, year=when.year,
                                                      other=born.year))
            return when
    extra["age_clash"] = (age, born, age_on(born, counted))
    return born


_KAB_SHORT = {"mlg": "malang", "sby": "surabaya", "jbr": "jember", "bwi": "banyuwangi", "sda": "sidoarjo",
              "sdo": "sidoarjo", "mjk": "mojokerto", "psr": "pasuruan", "pas": "pasuruan", "pbl": "probolinggo",
              "prob": "probolinggo", "kdr": "kediri", "blt": "blitar", "tlg": "tulungagung", "ta": "tulungagung",
              "bjn": "bojonegoro", "lmg": "lamongan", "grs": "gresik", "tbn": "tuban", "ngw": "ngawi",
              "mgt": "magetan", "mdn": "madiun", "png": "ponorogo", "pcn": "pacitan", "tgl": "trenggalek",
              "jbg": "jombang", "ngj": "nganjuk", "lmj": "lumajang", "bws": "bondowoso", "sit": "situbondo",
              "bkl": "bangkalan", "spg": "sampang", "pmk": "pamekasan", "smp": "sumenep"}


@functools.lru_cache(maxsize=4096)
def _kab_by_kec(kab_text: str, kec_text: str, found: str) -> dict | None:
    """The kab/kota a written name means when it is not a plain name (``found``: the code the plain
    reading gave, or ''): an abbreviation ("KAB. MLG"), the wrong kind ("Kab. Batu" is Kota Batu), or
    a bare name the kecamatan settles ("MALANG" with Lowokwaru is Kota Malang). None when the plain
    reading stands (or nothing better is found)."""
    words = header_words.words(kab_text).split()
    kind = None
    if words[:1] in (["kab"], ["kabupaten"]):
        kind, words = "KABUPATEN", words[1:]
    elif words[:1] in (["kota"], ["kot"], ["kodya"], ["kotamadya"]):
        kind, words = "KOTA", words[1:]
    if found and kind:
        return None  # "Kota Malang" written out is what the clerk means; a kecamatan elsewhere is said
    key = " ".join(_KAB_SHORT.get(w, w) for w in words)
    pool = [k for k in regions.kab_list() if header_words.words(k["short"]) == key]
    if not pool:
        return None
    if kec_text:
        having = [k for k in pool if regions.find_kec(kec_text, k["code"]) is not None]
        if len(having) == 1:
            return None if having[0]["code"] == found else dict(having[0])
    if found:
        return None
    typed = [k for k in pool if kind in (None, k["type"])] or pool
    if len(typed) > 1:
        typed = [k for k in typed if k["type"] == "KABUPATEN"]
    return dict(typed[0])


def _phone(raw: object) -> str:
    """'6281…' -> '+6281…'; a number cell 81234… (its 0 dropped by Excel) -> '081234…'."""
    phone = str(raw) if isinstance(raw, PaddedNumber) else header_words.clean(raw)
    digits = re.sub(r"[\s\-.()]", "", phone)
    if digits.isdigit():
        if digits.startswith("62") and len(digits) >= 10:
            return "+" + digits
        if digits.startswith("8"):
            return "0" + digits
    return phone


def _kec_problem(bad, name: str, value: str, problem: str, kabs: tuple[str, ...], kab_code: str) -> None:
    names = ", ".join(regions.kab_name(k) for k in kabs)
    if problem == "elsewhere":
        bad(name, "roster.import.kec_elsewhere", value=value, kabs=names, kab=regions.kab_name(kab_code))
    elif problem == "ambiguous":
        bad(name, "roster.import.kec_ambiguous", value=value, kabs=names)
    else:
        bad(name, "roster.import.bad_kec", value=value)


def _assignment_fields(cells, text, ctx: Context, a: dict, bad, kab_code: str) -> None:
    """Pillar, position, level, number, SK, TMT and area of the assignment a row gives."""
    pillar_text, position_text = text("pillar"), text("position")
    pillar = header_words.read_pillar(pillar_text) if pillar_text else None
    if pillar_text and pillar is None:
        bad("pillar", "roster.import.bad_pillar", value=pillar_text, known=header_words.KNOWN_PILLARS)
    position = level = None
    if position_text:
        position, from_position, level, unknown = header_words.read_position(position_text)
        if position is None or unknown and not from_position:
            bad("position", "roster.import.bad_position", value=position_text, known=header_words.KNOWN_POSITIONS)
        if from_position and pillar and from_position != pillar:
            bad("pillar", "roster.import.pillar_clash", pillar=pillar_text, position=position_text)
        pillar = pillar or from_position
    if not pillar_text and not pillar and ctx.sheet_pillar:
        pillar = ctx.sheet_pillar
    if pillar:
        a["pillar"] = pillar
    elif not pillar_text:
        a["_no_pillar"] = True
    if position:
        a["position"] = position
    level_text = text("level")
    if level_text:
        key = header_words.words(level_text).replace("tagana ", "")
        level = header_words.LEVEL_WORDS.get(key) or (key.upper() if key.upper() in TAGANA_LEVELS else None)
        if level is None:
            bad("level", "roster.import.bad_level", value=level_text)
    if level:
        a["level"] = level
    for name in ("number", "sk"):
        if text(name):
            a[name] = text(name)
    raw_start = cells.get("start", [None])[0]
    if header_words.clean(raw_start) or isinstance(raw_start, (dt.date, int, float)) and raw_start:
        iso = header_words.parse_sheet_date(raw_start, "start", ctx.today)
        if iso is None:
            bad("start", "roster.import.bad_date", value=header_words.clean(raw_start))
        else:
            a["start"] = iso
    if text("area_kec"):
        found, problem, kabs = find_kec(text("area_kec"), kab_code, ctx.area)
        if found is None:
            _kec_problem(bad, "area_kec", text("area_kec"), problem, kabs, kab_code)
        else:
            a["area_kec"], a["area_kab"] = found["code"], found["kab"]


def _status_fields(cells, ctx: Context, extra: dict, bad, problems: list[str]) -> None:
    """ACTIVE/INACTIVE with reason and date from KETERANGAN / STATUS / AKTIF columns: an inactive word
    in any of them wins; an unknown word in a status column is refused, in KETERANGAN it is a note."""
    statuses = cells.get("status") or []
    columns = cells.get("_status_headers") or []
    found: list[tuple[str, str, str]] = []
    for value, header in zip(statuses, columns, strict=False):
        raw = header_words.clean(value)
        if not raw:
            if header in ctx.tick_status:
                bad("status", "roster.import.aktif_blank", column=header.upper())
            elif header in ctx.blank_aktif:
                answer = ctx.blank_aktif[header]
                if not answer:
                    bad("status", "roster.import.aktif_unanswered", column=header.upper())
                else:
                    found.append((answer, "" if answer == "ACTIVE" else "Tidak aktif", ""))  # stored as read_status
            continue
        read = header_words.read_status(raw, header)
        if read is not None:
            found.append(read)
        elif header in _EXPLICIT_STATUS and header_words.words(raw) not in header_words.MARITAL:
            bad("status", "roster.import.bad_status", value=raw)
        else:
            extra.setdefault("notes", []).append(raw)
    inactive = [f for f in found if f[0] == "INACTIVE"]
    if inactive:
        _, reason, when = inactive[0]
        raw_date = cells.get("inactive_date", [None])[0]
        if not when and (header_words.clean(raw_date) or isinstance(raw_date, (dt.date, int, float)) and raw_date):
            when = raw_date
        iso = ""
        if when:
            iso = header_words.parse_sheet_date(when, "start", ctx.today) or ""
            if not iso:
                bad("inactive_date", "roster.import.bad_date", value=header_words.clean(when))
        extra["status"] = ("INACTIVE", reason, iso)
    elif found:
        extra["status"] = ("ACTIVE", "", "")


def merge(existing: dict | None, m: dict, a: dict, extra: dict, office: str, today: dt.date) -> dict:
    """The member after this row: a new member, or the existing one with the file's non-empty values."""
    if existing is None:
        value = new_member(**{k: v for k, v in m.items() if k != "bank"}, bank=m.get("bank") or {})
    else:
        value = existing
        for key, v in m.items():
            if key == "bank":
                value["bank"] = {**(value.get("bank") or {}), **{k: x for k, x in v.items() if x}}
            elif key == "note":
                value["note"] = join_notes(value.get("note") or "", v)
            elif v not in ("", None):
                value[key] = v
    status = extra.get("status")
    if not a.get("pillar") and existing is not None:
        if status and status[0] == "INACTIVE":
            for target in value.get("assignments") or []:
                _deactivate(target, status)
        return value
    assignments = value.setdefault("assignments", [])
    target = next((x for x in assignments if x.get("pillar") == a.get("pillar") and x.get("status") == "ACTIVE"),
                  None) or next((x for x in assignments if x.get("pillar") == a.get("pillar")), None)
    if target is None:
        target = new_assignment(office=a.get("office") or office, start=today.isoformat(), position="ANGGOTA")
        assignments.append(target)
    for key, v in a.items():
        if key in ASSIGNMENT_FIELDS and v not in ("", None):
            target[key] = v
    if not target.get("area_kab"):
        target["area_kab"] = value.get("kab", "")
    if not target.get("area_kec") and target.get("pillar") == "TKSK":
        target["area_kec"] = value.get("kec", "") if value.get("kab") == target["area_kab"] else ""
    target["office"] = target.get("office") or office
    if status and status[0] == "INACTIVE":
        _deactivate(target, status)
    return value


def join_notes(before: str, row: str) -> str:
    """The member's note after a row: the note already kept, with what the row says added when it is
    not in it yet (an import never drops what a clerk wrote, and a second import adds nothing twice)."""
    before, row = before.strip(), (row or "").strip()
    if not row or row.casefold() in before.casefold():
        return before
    return f"{before}; {row}" if before else row


def _deactivate(target: dict, status: tuple[str, str, str]) -> None:
    if target.get("status") != "ACTIVE":
        return
    _, reason, when = status
    target.update(status="INACTIVE", inactive_reason=reason, inactive_date=when)
    if when and not target.get("end") and when >= (target.get("start") or ""):
        target["end"] = when


# ---------------------------------------------------------------------- before / after


def _shown(name: str, value: object) -> str:
    """A value as the preview shows it: codes as their labels, personal numbers masked."""
    text = "" if value is None else str(value)
    if not text:
        return ""
    if name in ("nik", "bank.account"):
        return fmt.mask_account(text)
    if name == "note":
        return mask_numbers(text)
    if name == "phone" and len(text) > 6:
        return text[:5] + "…" + text[-3:]
    if name in ("kab", "area_kab"):
        return regions.kab_name(text)
    if name in ("kec", "area_kec"):
        return regions.kec_name(text)
    label = {"pillar": pillar_label, "position": position_label, "level": level_label, "status": status_label,
             "sex": sex_label}.get(name)
    return label(text) if label else text


def changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) of every field the row changes, personal numbers masked."""
    out: list[tuple[str, str, str]] = []
    for key in ("nik", "name", "sex", "birth_place", "birth_date", "address", "kab", "kec", "phone", "bpjs_tk",
                "note"):
        if (before.get(key) or "") != (after.get(key) or ""):
            out.append((field_label(key), _shown(key, before.get(key)), _shown(key, after.get(key))))
    b_bank, a_bank = before.get("bank") or {}, after.get("bank") or {}
    for key in ("name", "account", "holder"):
        if (b_bank.get(key) or "") != (a_bank.get(key) or ""):
            name = f"bank.{key}"
            out.append((field_label(name), _shown(name, b_bank.get(key)), _shown(name, a_bank.get(key))))
    old = {x.get("id"): x for x in before.get("assignments") or []}
    for x in after.get("assignments") or []:
        y = old.get(x.get("id")) or {}
        for key in ("pillar", "position", "area_kab", "area_kec", "office", "number", "level", "sk", "start",
                    "end", "status", "inactive_reason", "inactive_date"):
            if (y.get(key) or "") != (x.get(key) or ""):
                out.append((field_label(key), _shown(key, y.get(key)), _shown(key, x.get(key))))
    return out


def column_damaged(values: list[object]) -> bool:
    """The NIK column was a number column: some NIK shows in scientific notation, or most end in 0."""
    texts = [header_words.clean(v) for v in values if header_words.clean(v)]
    if any(_SCIENTIFIC.match(x.replace(" ", "")) for x in texts):
        return True
    sixteen = [x for x in texts if len(x) == 16 and x.isdigit()]
    return len(sixteen) >= 4 and sum(1 for x in sixteen if x.endswith("0")) * 2 > len(sixteen)
