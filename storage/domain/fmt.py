"""Rupiah, dates, quarters and masks formatted the Indonesian way (PUEBI), with English variants."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal

from storage.core.i18n import get_lang
from storage.core.sensitive import mask
from storage.core.text import parse_typed_date

_LOCALES = {"id": "id_ID", "en": "en_GB"}
_ROMAN = ("I", "II", "III", "IV")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _locale(lang: str | None) -> str:
    return _LOCALES.get(lang or get_lang(), "id_ID")


def _money(amount: object) -> int:
    """Money is int rupiah only; floats would silently lose or invent sen."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be int rupiah, not {type(amount).__name__}")
    return amount


def _date(value: dt.date | str) -> dt.date:
    """Accept a date/datetime or an ISO 'YYYY-MM-DD' string (the stored form)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    raise ValueError(f"not a date: {value!r}")


def rupiah(amount: int) -> str:
    """1500000 -> 'Rp1.500.000' (no space, no decimals; '-Rp1.500.000' when negative)."""
    # Always Indonesian style: receipts and reports follow PUEBI whatever the screen language.
    return format_currency(_money(amount), "IDR", locale="id_ID", format="¤#,##0", currency_digits=False)


def number(n: int, lang: str | None = None) -> str:
    """A count grouped as the screen's language writes it: 1551 -> '1.551' (id), '1,551' (en)."""
    return format_decimal(n, locale=_locale(lang), group_separator=True)


def rupiah_words(amount: int, lang: str | None = None) -> str:
    """1500000 -> 'satu juta lima ratus ribu rupiah' (English: 'one million five hundred thousand rupiah')."""
    # imported when an amount is written out: 0.09 s of every start otherwise (issue 25)
    from num2words import num2words

    lang = lang or get_lang()
    words = num2words(_money(amount), lang="en" if lang == "en" else "id")
    return f"{words.replace(',', '')} rupiah"


def month_name(month: int, lang: str | None = None) -> str:
    """4 -> 'April'; 8 -> 'Agustus' / 'August'."""
    return get_month_names("wide", locale=_locale(lang))[month]


def long_date(value: dt.date | str, lang: str | None = None) -> str:
    """date(2024, 4, 4) -> 'Kamis, 4 April 2024' (English: 'Thursday, 4 April 2024')."""
    # Babel's 'full' format zero-pads the day ("04 April"); letters write "4 April".
    return format_date(_date(value), "EEEE, d MMMM y", locale=_locale(lang))


def day_month_year(value: dt.date | str, lang: str | None = None) -> str:
    """date(1985, 3, 12) -> '12 Maret 1985'."""
    return format_date(_date(value), "d MMMM y", locale=_locale(lang))


def letter_date(place: str, value: dt.date | str, lang: str | None = None) -> str:
    """('Surabaya', date(2024, 4, 4)) -> 'Surabaya, 4 April 2024' (place and date line of a letter)."""
    return f"{place}, {day_month_year(value, lang)}"


def date_time(value: dt.datetime, lang: str | None = None) -> str:
    """A moment as the clerk reads it, in local time: '7 Des 2026 14.05' (English: '7 Dec 2026 14:05')."""
    from storage.core.i18n import t

    day = format_date(value.date(), "d MMM y", locale=_locale(lang))
    return t("fmt.date_time", lang, date=day, hour=value.hour, minute=value.minute)


def short_date(value: dt.date | str) -> str:
    """date(2024, 4, 4) -> '04-04-2024'."""
    return _date(value).strftime("%d-%m-%Y")


def read_date(text: object) -> str | None:
    """A date as clerks type it in any form or option, '04-04-2024' (HH-BB-TTTT), '4/4/2024', '4.4.2024'
    or '2024-04-04', as the stored 'YYYY-MM-DD'; None when it is not a real date."""
    return parse_typed_date(str(text or ""))


def parse_quarter(text: str) -> tuple[int, int]:
    """'2024-Q2' -> (2024, 2); ValueError for anything else."""
    m = _QUARTER.match(str(text).strip().upper()) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"not a quarter like '2024-Q2': {text!r}")
    return int(m.group(1)), int(m.group(2))


def quarter_label(text: str, lang: str | None = None) -> str:
    """'2024-Q2' -> 'Triwulan II 2024' (English: 'Quarter II 2024')."""
    year, q = parse_quarter(text)
    word = "Quarter" if (lang or get_lang()) == "en" else "Triwulan"
    return f"{word} {_ROMAN[q - 1]} {year}"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """(2024, 2) -> (date(2024, 4, 1), date(2024, 6, 30))."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def mask_nik(nik: str) -> str:
    """'3578014107850001' -> '************0001'."""
    return mask(str(nik or ""))


def mask_account(account: str) -> str:
    """'0011223344' -> '******3344'."""
    return mask(str(account or ""))


def nip(text: object) -> str:
    """An NIP as documents print it: '197005051995031004' -> '19700505 199503 1 004' (birth date, TMT,
    sex, serial); anything but 18 digits as given."""
    digits = "".join(c for c in str(text or "") if c.isdigit())
    if len(digits) != 18 or len(digits) != len("".join(str(text).split())):
        return str(text or "").strip()
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def nip_problem(text: object) -> str | None:
    """Why ``text`` is not an NIP (18 digits: birth date YYYYMMDD, TMT YYYYMM, sex 1 or 2, serial), as a
    catalogue key; None when it is one (spaces allowed, as printed) or blank."""
    raw = "".join(str(text or "").split())
    if not raw:
        return None
    if not raw.isdigit() or len(raw) != 18:
        return "validate.nip.shape"
    try:
        dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return "validate.nip.birth"
    if not 1 <= int(raw[12:14]) <= 12 or raw[14] not in "12":
        return "validate.nip.tmt_sex"
    return None


def rupiah_words_title(amount: int, lang: str | None = None) -> str:
    """The amount in words as a kwitansi writes it: 'Satu Juta Lima Ratus Ribu Rupiah'."""
    return " ".join(w[:1].upper() + w[1:] for w in rupiah_words(amount, lang).split())
