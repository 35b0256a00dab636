"""Validation of members: NIK, phone, bank account and roster rules; returns errors and warnings, never raises."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import phonenumbers
from stdnum.id import nik as stdnum_nik

from storage.core.errors import PilarError
from storage.core.i18n import t
from storage.core.spreadsheet import formula_like
from storage.core.text import iso_date
from storage.domain import banks, fmt, regions
from storage.domain.model import NOTE_MAX, PILLARS, POSITIONS, STATUSES, TAGANA_LEVELS

_INDEXED = re.compile(r"^assignments\[\d+\]\.")
_KEC_POSITIONS = ("ANGGOTA", "PENDAMPING", "KOORDINATOR_KEC")  # TKSK positions bound to one kecamatan


class Label(str):
    """A catalogue key used as a message parameter, rendered in the language of the message."""

    def render(self, lang: str | None) -> str:
        return t(self, lang)


class Month(int):
    """A month number used as a message parameter, rendered as its name."""

    def render(self, lang: str | None) -> str:
        return fmt.month_name(int(self), lang)


def _param(value: object, lang: str | None) -> object:
    if isinstance(value, dt.date):
        return fmt.day_month_year(value, lang)
    render = getattr(value, "render", None)
    return render(lang) if callable(render) else value


class Issue(NamedTuple):
    """One problem: the field it concerns, a catalogue key and its parameters."""

    field: str
    key: str
    params: dict

    @property
    def message(self) -> str:
        return self.render()

    def render(self, lang: str | None = None) -> str:
        """The sentence in `lang` (default: current language); dates are written in words."""
        return t(self.key, lang, **{k: _param(v, lang) for k, v in self.params.items()})


@dataclass
class Result:
    """Errors block saving; warnings are shown and may be accepted."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, field_name: str, key: str, **params: object) -> None:
        self.errors.append(Issue(field_name, key, params))

    def warn(self, field_name: str, key: str, **params: object) -> None:
        self.warnings.append(Issue(field_name, key, params))

    def extend(self, other: Result) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def for_field(self, field_name: str) -> list[Issue]:
        """Errors then warnings about one field."""
        return [i for i in self.errors + self.warnings if i.field == field_name]


class RosterView(Protocol):
    """What validation needs to know about the rest of the roster."""

    def by_nik(self, nik: str) -> dict | None: ...

    def active_assignments(self, pillar: str, position: str | None = None, kab: str | None = None,
                           kec: str | None = None) -> list[tuple[dict, dict]]: ...


def _what(name: str) -> Label:
    """Field label for sentences: 'assignments[0].start' -> label of 'start'."""
    return Label("validate.field." + _INDEXED.sub("", name))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def clean_nik(text: object) -> str:
    """Strip the spaces, dots and dashes people type inside a NIK."""
    return stdnum_nik.compact(str(text or ""))


def _nik_date(nik: str, today: dt.date) -> tuple[int, int, int]:
    """(day, month, year) from a 16-digit NIK; the century makes the age 0..100 on `today`."""
    day, month, yy = int(nik[6:8]) % 40, int(nik[8:10]), int(nik[10:12])
    # stdnum tries 19xx first, which is a century off for anyone born since 2000.
    year = 2000 + yy if (2000 + yy, month, day) <= (today.year, today.month, today.day) else 1900 + yy
    return day, month, year


def nik_birth_date(nik: object, today: dt.date | None = None) -> dt.date | None:
    """The date of birth coded in a NIK, or None when it holds none."""
    digits = clean_nik(nik)
    if len(digits) != 16 or not digits.isdigit():
        return None
    try:
        return dt.date(*reversed(_nik_date(digits, today or dt.date.today())))
    except ValueError:
        return None


def nik_sex(nik: object) -> str:
    """'P' when the NIK day is 41-71, 'L' when 01-31, else ''."""
    digits = clean_nik(nik)
    day = int(digits[6:8]) if len(digits) == 16 and digits.isdigit() else 0
    return "L" if 1 <= day <= 31 else "P" if 41 <= day <= 71 else ""


def check_nik(nik: object, sex: str | None = None, birth_date: object = None, *,
              today: dt.date | None = None) -> Result:
    """Structure of a NIK (PPKKCC DDMMYY SSSS), and agreement with sex and date of birth when given."""
    today, r = today or dt.date.today(), Result()
    digits = clean_nik(nik)
    if not digits:
        r.error("nik", "validate.required", what=_what("nik"))
        return r
    if not digits.isdigit():
        r.error("nik", "validate.nik.not_digits", chars="".join(dict.fromkeys(c for c in digits if not c.isdigit())))
        return r
    if len(digits) != 16:
        r.error("nik", "validate.nik.length", count=len(digits))
        return r
    _nik_place(digits, r)
    _nik_birth(digits, sex, iso_date(birth_date), today, r)
    if digits[12:] == "0000":
        r.error("nik", "validate.nik.serial")
    return r


def _nik_place(nik: str, r: Result) -> None:
    province, kab_code, kec_code = nik[:2], f"{nik[:2]}.{nik[2:4]}", f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"
    if province not in regions.PROVINCES:
        r.error("nik", "validate.nik.province_unknown", code=province)
    elif province != regions.PROVINCE_CODE:
        r.warn("nik", "validate.nik.province_other", code=province, province=regions.PROVINCES[province])
    elif regions.kab(kab_code) is None:
        r.error("nik", "validate.nik.kab_unknown", code=nik[2:4])
    elif regions.kec(kec_code) is None:
        # Warning only: a NIK keeps the kecamatan code of the day it was issued, before later splits.
        r.warn("nik", "validate.nik.kec_unknown", code=nik[4:6], kab=regions.kab_name(kab_code))


def _nik_birth(nik: str, sex: str | None, given: dt.date | None, today: dt.date, r: Result) -> None:
    raw_day, month = int(nik[6:8]), int(nik[8:10])
    if not (1 <= raw_day <= 31 or 41 <= raw_day <= 71):
        r.error("nik", "validate.nik.day", value=nik[6:8])
        return
    if not 1 <= month <= 12:
        r.error("nik", "validate.nik.month", value=nik[8:10])
        return
    day, month, year = _nik_date(nik, today)
    if given and given.year % 100 == year % 100:
        year = given.year  # the entered date settles the century the NIK leaves open
    try:
        coded = dt.date(year, month, day)
    except ValueError:
        r.error("nik", "validate.nik.date_missing", day=day, month=Month(month), year=year)
        return
    if sex == "L" and raw_day > 40:
        r.error("nik", "validate.nik.sex_female", value=nik[6:8])
    elif sex == "P" and raw_day <= 40:
        r.error("nik", "validate.nik.sex_male", value=nik[6:8])
    if given and given != coded:
        r.error("nik", "validate.nik.birth_date", nik_date=coded, birth_date=given)


def normalize_phone(text: object) -> tuple[str, Result]:
    """('0812-3456-7890') -> ('+6281234567890', ok); '' stays '' with no error."""
    r, raw = Result(), _text(text)
    if not raw:
        return "", r
    e164, notes = _phone(raw)
    for level, key, value in notes:
        (r.error if level == "error" else r.warn)("phone", key, value=value)
    return e164, r


@functools.lru_cache(maxsize=4096)
def _phone(raw: str) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """The parse of one typed number (cached: a roster import normalises each phone twice)."""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        return "", (("error", "validate.phone.unreadable", raw),)
    if not phonenumbers.is_valid_number(number):
        return "", (("error", "validate.phone.invalid", raw),)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 62:
        return e164, (("warn", "validate.phone.foreign", e164),)
    return e164, ()


_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]")


def clean_account(account: object) -> str:
    """The account as the bank reads it: the spaces, dots and dashes people type inside it removed
    (anything else is kept, and refused). The one rule for what a roster save keeps and what the bank
    file checks."""
    return _ACCOUNT_SEPARATORS.sub("", str(account or ""))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_bank_account(account: object, holder: str = "", member_name: str = "", bank_name: str = "") -> Result:
    """Account: digits after removing spaces, dots and dashes, as many as the member's bank takes when a
    bank template names it (Bank Jatim: 10), else 6..20; warn when the holder is not the member."""
    r, digits = Result(), clean_account(account)
    if not digits:
        r.error("bank.account", "validate.required", what=_what("bank.account"))
    elif not digits.isdigit():
        r.error("bank.account", "validate.bank.not_digits",
                chars="".join(dict.fromkeys(c for c in digits if not c.isdigit())))
    elif wrong := banks.length_problem(digits, bank_name):
        if wrong["bank"]:
            r.error("bank.account", "validate.bank.length_bank", **wrong)
        else:
            r.error("bank.account", "validate.bank.length", count=len(digits))
    if _text(holder) and _text(member_name) and not _same_name(holder, member_name):
        r.warn("bank.holder", "validate.bank.holder", holder=_text(holder), name=_text(member_name))
    return r



# ---- whole member -------------------------------------------------------------------------------


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _formula_start(value: object) -> bool:
    """A text a spreadsheet would run as a formula (= + - @ first): refused at the door, and neutralised by
    every writer anyway (storage.printing.tables) for what came in before or from another office."""
    return isinstance(value, str) and formula_like(value.strip())


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _required(value: dict, names: tuple[str, ...], prefix: str, r: Result) -> None:
    for name in names:
        if not _text(value.get(name)):
            r.error(prefix + name, "validate.required", what=_what(name))


def _date_field(value: dict, name: str, prefix: str, r: Result) -> dt.date | None:
    """Parse an optional date field; an unreadable one is an error, an empty one is None."""
    raw = value.get(name)
    if raw in (None, ""):
        return None
    parsed = iso_date(raw)
    if parsed is None:
        r.error(prefix + name, "validate.date.invalid", what=_what(name), value=str(raw))
    return parsed


def _place(kab_code: str, kec_code: str, kab_field: str, kec_field: str, r: Result) -> None:
    """Kab/kec codes exist and the kecamatan lies in the kabupaten/kota."""
    kab_ok = not kab_code or regions.kab(kab_code) is not None
    if not kab_ok:
        r.error(kab_field, "validate.kab.unknown", code=kab_code)
    if not kec_code:
        return
    found = regions.kec(kec_code)
    if found is None:
        r.error(kec_field, "validate.kec.unknown", code=kec_code)
    elif kab_code and kab_ok and found["kab"] != regions.kab(kab_code)["code"]:
        r.error(kec_field, "validate.kec.wrong_kab", kec=found["name"], kec_kab=regions.kab_name(found["kab"]),
                kab=regions.kab_name(kab_code))


def _person(m: dict, today: dt.date, r: Result) -> tuple[str | None, dt.date | None]:
    """Name, sex, date of birth, residence; returns (sex, birth date) when they are usable."""
    _required(m, ("nik", "name", "sex", "birth_date", "kab", "kec"), "", r)
    name = _text(m.get("name"))
    if name and not 2 <= len(name) <= 100:
        r.error("name", "validate.name.length", count=len(name))
    for key in ("name", "birth_place"):
        if _has_control(str(m.get(key) or "")):
            r.error(key, "validate.text.control", what=_what(key))
        elif _formula_start(m.get(key)):
            r.error(key, "validate.text.formula", what=_what(key), first=str(m.get(key)).strip()[0])
    note = m.get("note")
    if note not in (None, "") and not isinstance(note, str):
        r.error("note", "validate.note.text")
    elif note and len(note) > NOTE_MAX:
        r.error("note", "validate.note.length", count=len(note), limit=NOTE_MAX)
    elif note and _has_control(note):
        r.error("note", "validate.text.control", what=_what("note"))
    sex = _text(m.get("sex"))
    if sex and sex not in ("L", "P"):
        r.error("sex", "validate.sex.invalid", value=sex)
    born = _date_field(m, "birth_date", "", r)
    if born and born > today:
        r.error("birth_date", "validate.birth_date.future", date=born)
    elif born and not 17 <= _age(born, today) <= 80:
        r.warn("birth_date", "validate.birth_date.age", age=_age(born, today))
    _place(_text(m.get("kab")), _text(m.get("kec")), "kab", "kec", r)
    return (sex if sex in ("L", "P") else None), (born if born and born <= today else None)


def _identity(m: dict, sex: str | None, born: dt.date | None, roster: RosterView, today: dt.date,
              r: Result) -> None:
    """NIK structure, and no other member with the same NIK."""
    if not _text(m.get("nik")):
        return  # already reported as required
    r.extend(check_nik(m["nik"], sex, born, today=today))
    digits = clean_nik(m["nik"])
    other = roster.by_nik(digits) if len(digits) == 16 and digits.isdigit() else None
    if other and other.get("id") != m.get("id"):
        r.error("nik", "validate.nik.duplicate", nik=fmt.mask_nik(digits), name=other.get("name", ""))


def _contact(m: dict, r: Result) -> None:
    """Phone in E.164; bank name, account and holder together."""
    phone = _text(m.get("phone"))
    if phone:
        e164, res = normalize_phone(phone)
        r.extend(res)
        if e164 and e164 != phone:
            r.error("phone", "validate.phone.not_e164", e164=e164)
    bank = m.get("bank") or {}
    if not any(_text(bank.get(k)) for k in ("name", "account", "holder")):
        return
    for key in ("name", "holder"):
        if not _text(bank.get(key)):
            r.error(f"bank.{key}", "validate.bank.incomplete", what=_what(f"bank.{key}"))
        elif _has_control(bank[key]):
            r.error(f"bank.{key}", "validate.text.control", what=_what(f"bank.{key}"))
        elif _formula_start(bank[key]):
            r.error(f"bank.{key}", "validate.text.formula", what=_what(f"bank.{key}"), first=bank[key].strip()[0])
    if not _text(bank.get("account")):
        r.error("bank.account", "validate.bank.incomplete", what=_what("bank.account"))
    else:
        r.extend(check_bank_account(bank["account"], _text(bank.get("holder")), _text(m.get("name")),
                                    _text(bank.get("name"))))


def _assignment(m: dict, i: int, a: dict, roster: RosterView, r: Result) -> None:
    """Codes, dates and area of one assignment, then the roster rules for it."""
    p = f"assignments[{i}]."
    _required(a, ("pillar", "position", "office", "start"), p, r)
    pillar, position, level = _text(a.get("pillar")), _text(a.get("position")), _text(a.get("level"))
    status = _text(a.get("status")) or "ACTIVE"
    for name, value, allowed in (("pillar", pillar, PILLARS), ("position", position, POSITIONS),
                                 ("status", status, STATUSES)):
        if value and value not in allowed:
            r.error(p + name, f"validate.{name}.unknown", value=value)
    if level and level not in TAGANA_LEVELS:
        r.error(p + "level", "validate.level.unknown", value=level)
    elif pillar == "TAGANA" and not level:
        r.warn(p + "level", "validate.level.missing")
    elif level and pillar in PILLARS and pillar != "TAGANA":
        r.warn(p + "level", "validate.level.not_tagana", pillar=Label(f"model.pillar.{pillar}"))
    start, end = _date_field(a, "start", p, r), _date_field(a, "end", p, r)
    _date_field(a, "inactive_date", p, r)
    if start and end and end < start:
        r.error(p + "end", "validate.assignment.dates", start=start, end=end)
    area_kab, area_kec = _text(a.get("area_kab")), _text(a.get("area_kec"))
    if area_kec and not area_kab:
        r.error(p + "area_kab", "validate.required", what=_what("area_kab"))
    _place(area_kab, area_kec, p + "area_kab", p + "area_kec", r)
    if status == "ACTIVE":
        _rules(m, p, pillar, position, area_kab, area_kec, roster, r)


def _rules(m: dict, p: str, pillar: str, position: str, area_kab: str, area_kec: str, roster: RosterView,
           r: Result) -> None:
    """One active TKSK per kecamatan; one active Korkab/Korkot per pillar per kabupaten/kota."""
    me = m.get("id")
    if pillar == "TKSK" and position in _KEC_POSITIONS:
        if not area_kec:
            r.error(p + "area_kec", "validate.tksk.area_required")
        elif regions.kec(area_kec):
            for other, asg in roster.active_assignments("TKSK", kec=area_kec):
                if other.get("id") != me and asg.get("position") in _KEC_POSITIONS:
                    r.error(p + "area_kec", "validate.tksk.taken", kec=regions.kec_name(area_kec),
                            name=other.get("name", ""), nik=fmt.mask_nik(other.get("nik", "")))
            home = _text(m.get("kec"))
            if home and home != area_kec and regions.kec(home):
                r.warn(p + "area_kec", "validate.tksk.lives_elsewhere", area=regions.kec_name(area_kec),
                       home=regions.kec_name(home))
    if position == "KORKAB" and pillar in PILLARS:
        if not area_kab:
            r.error(p + "area_kab", "validate.korkab.area_required")
        elif regions.kab(area_kab):
            for other, _asg in roster.active_assignments(pillar, "KORKAB", kab=area_kab):
                if other.get("id") != me:
                    r.error(p + "area_kab", "validate.korkab.taken", kab=regions.kab_name(area_kab),
                            pillar=Label(f"model.pillar.{pillar}"), name=other.get("name", ""),
                            nik=fmt.mask_nik(other.get("nik", "")))


def validate_member(member: dict, roster: RosterView, *, today: dt.date | None = None) -> Result:
    """Every rule for one member value before it is saved; fields are named like the member dict keys."""
    today, r = today or dt.date.today(), Result()
    sex, born = _person(member, today, r)
    _identity(member, sex, born, roster, today, r)
    _contact(member, r)
    assignments = member.get("assignments") or []
    if not assignments:
        r.error("assignments", "validate.assignments.required")
    for i, a in enumerate(assignments):
        _assignment(member, i, a, roster, r)
    return r


_OFFICE_CODE = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")


def office_code(text: object) -> str:
    """An office code as stored ('upt-pstw-jember' -> 'UPT-PSTW-JEMBER'); a PilarError saying how to write
    it when it holds spaces or other marks (it names bundle files and the office in every sync)."""

    code = str(text or "").strip().upper()
    if not _OFFICE_CODE.fullmatch(code) or len(code) > 40:
        raise PilarError("validate.office_code", code=str(text or "").strip())
    return code
