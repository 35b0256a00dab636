"""Validation of members: NIK, phone, bank account and roster rules; returns errors and warnings, never raises."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import phonenumbers
from stdnum.id import nik as stdnum_nik

from storage import fmt, regions
from storage.i18n import t
from storage.model import PILLARS, POSITIONS, STATUSES, TAGANA_LEVELS, pillar_label

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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


def parse_date(value: object) -> dt.date | None:
    """A real 'YYYY-MM-DD' date (or a date object), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


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
    _nik_birth(digits, sex, parse_date(birth_date), today, r)
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
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        r.error("phone", "validate.phone.unreadable", value=raw)
        return "", r
    if not phonenumbers.is_valid_number(number):
        r.error("phone", "validate.phone.invalid", value=raw)
        return "", r
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.country_code != 62:
        r.warn("phone", "validate.phone.foreign", value=e164)
    return e164, r


def clean_account(account: object) -> str:
    """Strip the spaces and dashes people type inside an account number."""
    return re.sub(r"[\s\-]", "", str(account or ""))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_bank_account(account: object, holder: str = "", member_name: str = "") -> Result:
    """Account: 6..20 digits after removing spaces/dashes; warn when the holder is not the member."""
    r, digits = Result(), clean_account(account)
    if not digits:
        r.error("bank.account", "validate.required", what=_what("bank.account"))
    elif not digits.isdigit():
        r.error("bank.account", "validate.bank.not_digits",
                chars="".join(dict.fromkeys(c for c in digits if not c.isdigit())))
    elif not 6 <= len(digits) <= 20:
        r.error("bank.account", "validate.bank.length", count=len(digits))
    if _text(holder) and _text(member_name) and not _same_name(holder, member_name):
        r.warn("bank.holder", "validate.bank.holder", holder=_text(holder), name=_text(member_name))
    return r


