"""Money, dates, quarters and masks."""

import datetime as dt

import pytest

from storage.core.i18n import get_lang, set_lang
from storage.domain import fmt


@pytest.fixture
def english():
    old = get_lang()
    set_lang("en")
    yield
    set_lang(old)


@pytest.mark.parametrize("amount,text", [
    (1_500_000, "Rp1.500.000"), (750_000, "Rp750.000"), (0, "Rp0"), (500, "Rp500"),
    (-1_500_000, "-Rp1.500.000"), (2_000_000_000, "Rp2.000.000.000"),
])
def test_rupiah(amount, text):
    assert fmt.rupiah(amount) == text


def test_rupiah_same_in_english(english):
    assert fmt.rupiah(1_500_000) == "Rp1.500.000"


@pytest.mark.parametrize("bad", [1.5, 1500000.0, True, "1500000", None])
def test_money_must_be_int(bad):
    with pytest.raises(TypeError):
        fmt.rupiah(bad)
    with pytest.raises(TypeError):
        fmt.rupiah_words(bad)


def test_rupiah_words():
    assert fmt.rupiah_words(1_500_000) == "satu juta lima ratus ribu rupiah"
    assert fmt.rupiah_words(750_000) == "tujuh ratus lima puluh ribu rupiah"
    assert fmt.rupiah_words(1_500_000, "en") == "one million five hundred thousand rupiah"


def test_rupiah_words_follows_language(english):
    assert fmt.rupiah_words(1_500_000) == "one million five hundred thousand rupiah"


def test_dates():
    day = dt.date(2024, 4, 4)
    assert fmt.long_date(day) == "Kamis, 4 April 2024"
    assert fmt.long_date("2024-04-04", "en") == "Thursday, 4 April 2024"
    assert fmt.long_date(dt.datetime(2024, 8, 17, 10, 0)) == "Sabtu, 17 Agustus 2024"
    assert fmt.letter_date("Surabaya", day) == "Surabaya, 4 April 2024"
    assert fmt.short_date(day) == "04-04-2024"
    assert fmt.short_date("2024-12-31") == "31-12-2024"
    assert fmt.day_month_year(dt.date(1985, 3, 12)) == "12 Maret 1985"
    assert fmt.month_name(8) == "Agustus"
    with pytest.raises(ValueError):
        fmt.short_date("04-04-2024")


def test_long_date_follows_language(english):
    assert fmt.long_date(dt.date(2024, 4, 4)) == "Thursday, 4 April 2024"


def test_quarters():
    assert fmt.parse_quarter("2024-Q2") == (2024, 2)
    assert fmt.quarter_label("2024-Q2") == "Triwulan II 2024"
    assert fmt.quarter_label("2024-Q4", "en") == "Quarter IV 2024"
    assert fmt.quarter_bounds(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert fmt.quarter_bounds(2024, 2) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert fmt.quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize("bad", ["2024-Q5", "2024-Q0", "2024Q2", "24-Q2", "", "2024-2", None])
def test_parse_quarter_rejects(bad):
    with pytest.raises(ValueError):
        fmt.parse_quarter(bad)


def test_quarter_bounds_rejects():
    with pytest.raises(ValueError):
        fmt.quarter_bounds(2024, 5)


def test_masks():
    assert fmt.mask_nik("3578014107850001") == "************0001"
    assert fmt.mask_account("0011223344") == "******3344"
    assert fmt.mask_account("123") == "***"
    assert fmt.mask_nik("") == ""


@pytest.mark.parametrize(("n", "lang", "text"), [(1551, "id", "1.551"), (49955, "id", "49.955"),
                                                 (1551, "en", "1,551"), (0, "id", "0"), (999, "id", "999"),
                                                 (1_000_000, "id", "1.000.000")])
def test_number_groups_digits_as_the_language_writes_them(n, lang, text):
    assert fmt.number(n, lang) == text
