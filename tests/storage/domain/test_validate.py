"""Validation: NIK structure, phone, bank account and the roster rules."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from storage.core.i18n import get_lang, set_lang
from storage.domain import regions
from storage.domain.model import new_member
from storage.domain.validate import (
    Issue,
    Result,
    check_bank_account,
    check_nik,
    nik_birth_date,
    nik_sex,
    normalize_phone,
    validate_member,
)

TODAY = dt.date(2026, 6, 1)
SITI_NIK = "3578014107850001"  # Karang Pilang, Surabaya; woman born 1 July 1985


class FakeRoster:
    """A tiny RosterView over a list of member values."""

    def __init__(self, *members):
        self.members = list(members)

    def by_nik(self, nik):
        return next((m for m in self.members if m["nik"] == nik), None)

    def active_assignments(self, pillar, position=None, kab=None, kec=None):
        return [(m, a) for m in self.members for a in m["assignments"]
                if a["status"] == "ACTIVE" and a["pillar"] == pillar
                and position in (None, a["position"]) and kab in (None, a["area_kab"])
                and kec in (None, a["area_kec"])]


def member(**over):
    """A valid TKSK of Karang Pilang; keyword arguments replace fields."""
    assignment = {"pillar": "TKSK", "position": "ANGGOTA", "area_kab": "35.78", "area_kec": "35.78.01",
                  "office": "JATIM", "start": "2023-01-01"}
    assignment.update(over.pop("assignment", {}))
    fields = {"nik": SITI_NIK, "name": "Siti Aminah", "sex": "P", "birth_place": "Surabaya",
              "birth_date": "1985-07-01", "kab": "35.78", "kec": "35.78.01", "phone": "+6281234567890",
              "bank": {"name": "Bank Jatim", "account": "0011223344", "holder": "SITI AMINAH"},
              "assignments": [assignment]}
    fields.update(over)
    return new_member(**fields)


def keys(result, kind="errors"):
    return [(i.field, i.key) for i in getattr(result, kind)]


# ---- NIK -----------------------------------------------------------------------------------------

def test_good_nik():
    r = check_nik(SITI_NIK, "P", "1985-07-01", today=TODAY)
    assert r.ok and not r.warnings
    assert check_nik("3578 0141 0785 0001", today=TODAY).ok
    assert check_nik("35.78.01.410785.0001", today=TODAY).ok


def test_nik_15_digits():
    r = check_nik("357801410785000", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.length")]
    assert r.errors[0].render("id") == "NIK harus 16 angka; yang diketik 15 angka."
    assert r.errors[0].render("en") == "A NIK must be 16 digits; you typed 15."


def test_nik_letters():
    r = check_nik("3578O1410785OOO1", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.not_digits")]
    assert '"O"' in r.errors[0].render("id")


def test_nik_empty():
    assert keys(check_nik("", today=TODAY)) == [("nik", "validate.required")]
    assert check_nik(None, today=TODAY).errors[0].render("id") == "NIK wajib diisi."


def test_nik_province_99_is_error():
    r = check_nik("9978014107850001", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.province_unknown")]


def test_nik_other_province_is_warning():
    r = check_nik("3271014107850001", today=TODAY)
    assert r.ok
    assert keys(r, "warnings") == [("nik", "validate.nik.province_other")]
    assert "Jawa Barat" in r.warnings[0].render("id")


def test_nik_kab_45_does_not_exist():
    assert keys(check_nik("3545014107850001", today=TODAY)) == [("nik", "validate.nik.kab_unknown")]


def test_nik_unknown_kecamatan_is_warning():
    r = check_nik("3578994107850001", today=TODAY)
    assert r.ok and keys(r, "warnings") == [("nik", "validate.nik.kec_unknown")]


def test_nik_31_february():
    r = check_nik("3578013102850001", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.date_missing")]
    assert "31 Februari 1985" in r.errors[0].render("id")
    assert "31 February 1985" in r.errors[0].render("en")


def test_nik_29_february_depends_on_year():
    assert check_nik("3578012902840001", today=TODAY).ok  # 1984 was a leap year
    assert not check_nik("3578012902850001", today=TODAY).ok


def test_nik_month_13():
    assert keys(check_nik("3578010113850001", today=TODAY)) == [("nik", "validate.nik.month")]


def test_nik_day_out_of_range():
    assert keys(check_nik("3578013507850001", today=TODAY)) == [("nik", "validate.nik.day")]
    assert keys(check_nik("3578017207850001", today=TODAY)) == [("nik", "validate.nik.day")]
    assert keys(check_nik("3578010007850001", today=TODAY)) == [("nik", "validate.nik.day")]


def test_nik_serial_0000():
    assert keys(check_nik("3578014107850000", today=TODAY)) == [("nik", "validate.nik.serial")]


def test_woman_without_plus_40():
    r = check_nik("3578010107850001", sex="P", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.sex_male")]


def test_man_with_plus_40():
    assert keys(check_nik(SITI_NIK, sex="L", today=TODAY)) == [("nik", "validate.nik.sex_female")]


def test_mismatched_birth_date_names_both_dates():
    r = check_nik("3578011203850001", sex="L", birth_date="1985-03-13", today=TODAY)
    assert keys(r) == [("nik", "validate.nik.birth_date")]
    assert r.errors[0].render("id") == ("Tanggal lahir di NIK (12 Maret 1985) tidak sama dengan tanggal lahir "
                                        "yang diisi (13 Maret 1985).")
    assert "12 March 1985" in r.errors[0].render("en")


def test_birth_date_settles_century():
    assert check_nik("3578010101250001", birth_date=dt.date(1925, 1, 1), today=TODAY).ok
    assert nik_birth_date("3578010101250001", TODAY) == dt.date(2025, 1, 1)
    assert nik_birth_date("3578010101300001", TODAY) == dt.date(1930, 1, 1)  # 2030 is in the future
    assert nik_birth_date("3578013102850001", TODAY) is None
    assert nik_sex(SITI_NIK) == "P" and nik_sex("3578010107850001") == "L" and nik_sex("123") == ""


def test_message_follows_current_language():
    issue = check_nik("357801410785000", today=TODAY).errors[0]
    old = get_lang()
    try:
        set_lang("en")
        assert issue.message == "A NIK must be 16 digits; you typed 15."
    finally:
        set_lang(old)
    assert isinstance(issue, Issue) and issue.field == "nik"


KEC_CODES = sorted(k["code"] for kab in regions.kab_list() for k in regions.kec_of_kab(kab["code"]))


@given(kec=st.sampled_from(KEC_CODES), born=st.dates(dt.date(1927, 1, 1), TODAY), female=st.booleans(),
       serial=st.integers(1, 9999))
def test_property_valid_nik_passes(kec, born, female, serial):
    day = born.day + (40 if female else 0)
    nik = f"{kec.replace('.', '')}{day:02d}{born:%m%y}{serial:04d}"
    r = check_nik(nik, "P" if female else "L", born, today=TODAY)
    assert r.ok and not r.warnings, [i.message for i in r.errors + r.warnings]


@given(st.text("0123456789", min_size=12, max_size=12))
def test_property_serial_0000_fails(head):
    r = check_nik(head + "0000", today=TODAY)
    assert not r.ok


# ---- phone and bank ------------------------------------------------------------------------------

def test_phone_formats():
    for text in ("0812-3456-7890", "+62 812 3456 7890", "6281234567890", "0812 3456 7890"):
        e164, r = normalize_phone(text)
        assert (e164, r.ok) == ("+6281234567890", True), text
    assert normalize_phone("(031) 8290794")[0] == "+62318290794"


def test_phone_empty_and_invalid():
    e164, r = normalize_phone("  ")
    assert e164 == "" and r.ok and not r.warnings
    e164, r = normalize_phone("08123")
    assert e164 == "" and keys(r) == [("phone", "validate.phone.invalid")]
    e164, r = normalize_phone("nomor saya")
    assert e164 == "" and keys(r) == [("phone", "validate.phone.unreadable")]


def test_phone_foreign_is_warning():
    e164, r = normalize_phone("+60 12-345 6789")
    assert e164 == "+60123456789" and r.ok and keys(r, "warnings") == [("phone", "validate.phone.foreign")]


def test_bank_account():
    assert check_bank_account("001-122 3344").ok
    assert keys(check_bank_account("12345")) == [("bank.account", "validate.bank.length")]
    assert keys(check_bank_account("1" * 21)) == [("bank.account", "validate.bank.length")]
    assert keys(check_bank_account("00112A3344")) == [("bank.account", "validate.bank.not_digits")]
    assert keys(check_bank_account("")) == [("bank.account", "validate.required")]
    r = check_bank_account("0011223344", "siti   aminah", "SITI AMINAH")
    assert r.ok and not r.warnings
    r = check_bank_account("0011223344", "BUDI", "Siti Aminah")
    assert r.ok and keys(r, "warnings") == [("bank.holder", "validate.bank.holder")]


# ---- whole member --------------------------------------------------------------------------------

def test_valid_member():
    r = validate_member(member(), FakeRoster(), today=TODAY)
    assert r.ok and not r.warnings, [i.message for i in r.errors + r.warnings]
    assert isinstance(r, Result)


def test_required_fields():
    m = {"assignments": [{}]}
    r = validate_member(m, FakeRoster(), today=TODAY)
    fields = {i.field for i in r.errors}
    assert {"nik", "name", "sex", "birth_date", "kab", "kec"} <= fields
    assert {"assignments[0].pillar", "assignments[0].position", "assignments[0].office",
            "assignments[0].start"} <= fields
    assert keys(validate_member(member(assignments=[]), FakeRoster(), today=TODAY)) == [
        ("assignments", "validate.assignments.required")]


def test_name_rules():
    assert keys(validate_member(member(name="S"), FakeRoster(), today=TODAY)) == [("name", "validate.name.length")]
    r = validate_member(member(name="Siti\tAminah"), FakeRoster(), today=TODAY)
    assert ("name", "validate.text.control") in keys(r)


def test_sex_and_dates():
    r = validate_member(member(sex="W"), FakeRoster(), today=TODAY)
    assert keys(r) == [("sex", "validate.sex.invalid")]
    r = validate_member(member(birth_date="1985-02-30"), FakeRoster(), today=TODAY)
    assert keys(r) == [("birth_date", "validate.date.invalid")]
    r = validate_member(member(birth_date="2030-01-01"), FakeRoster(), today=TODAY)
    assert ("birth_date", "validate.birth_date.future") in keys(r)


def test_age_outside_17_80_is_warning():
    m = member(nik="3578014107100001", birth_date="2010-07-01")
    r = validate_member(m, FakeRoster(), today=TODAY)
    assert r.ok and keys(r, "warnings") == [("birth_date", "validate.birth_date.age")]


def test_region_rules():
    r = validate_member(member(kab="35.45"), FakeRoster(), today=TODAY)
    assert ("kab", "validate.kab.unknown") in keys(r)
    r = validate_member(member(kec="35.07.01"), FakeRoster(), today=TODAY)
    assert ("kec", "validate.kec.wrong_kab") in keys(r)
    msg = r.for_field("kec")[0].render("id")
    assert "Donomulyo" in msg and "Kabupaten Malang" in msg and "Kota Surabaya" in msg


def test_member_nik_checked_with_sex_and_birth_date():
    r = validate_member(member(sex="L"), FakeRoster(), today=TODAY)
    assert keys(r) == [("nik", "validate.nik.sex_female")]
    r = validate_member(member(birth_date="1985-07-02"), FakeRoster(), today=TODAY)
    assert keys(r) == [("nik", "validate.nik.birth_date")]


def test_duplicate_nik_names_existing_member():
    existing = member(name="Siti Rahayu")
    r = validate_member(member(), FakeRoster(existing), today=TODAY)
    dup = [i for i in r.errors if i.key == "validate.nik.duplicate"]
    assert len(dup) == 1 and dup[0].field == "nik"
    assert dup[0].render("id") == ("NIK ************0001 sudah dipakai oleh Siti Rahayu; buka data orang itu, "
                                   "jangan buat data baru.")


def test_same_member_is_not_a_duplicate():
    stored = member()
    edited = dict(stored, name="Siti Aminah Rahayu")
    edited["bank"] = dict(stored["bank"], holder="SITI AMINAH RAHAYU")
    r = validate_member(edited, FakeRoster(stored), today=TODAY)
    assert r.ok and not r.warnings, [i.message for i in r.errors + r.warnings]


def test_phone_must_be_e164():
    r = validate_member(member(phone="0812-3456-7890"), FakeRoster(), today=TODAY)
    assert keys(r) == [("phone", "validate.phone.not_e164")]
    assert "+6281234567890" in r.errors[0].message
    assert validate_member(member(phone=""), FakeRoster(), today=TODAY).ok


def test_bank_fields_together():
    r = validate_member(member(bank={"account": "0011223344"}), FakeRoster(), today=TODAY)
    assert keys(r) == [("bank.name", "validate.bank.incomplete"), ("bank.holder", "validate.bank.incomplete")]
    r = validate_member(member(bank={"name": "Bank Jatim", "account": "12-34", "holder": "Budi"}),
                        FakeRoster(), today=TODAY)
    assert keys(r) == [("bank.account", "validate.bank.length_bank")]  # Bank Jatim: 10 digits (issue 24)
    assert keys(r, "warnings") == [("bank.holder", "validate.bank.holder")]
    r = validate_member(member(bank={"name": "BRI", "account": "12-34", "holder": "Budi"}), FakeRoster(), today=TODAY)
    assert keys(r) == [("bank.account", "validate.bank.length")]
    assert validate_member(member(bank={}), FakeRoster(), today=TODAY).ok


def test_assignment_codes_and_dates():
    r = validate_member(member(assignment={"pillar": "PKH", "position": "BOSS", "status": "MAYBE"}),
                        FakeRoster(), today=TODAY)
    assert {("assignments[0].pillar", "validate.pillar.unknown"),
            ("assignments[0].position", "validate.position.unknown"),
            ("assignments[0].status", "validate.status.unknown")} <= set(keys(r))
    r = validate_member(member(assignment={"end": "2022-12-31"}), FakeRoster(), today=TODAY)
    assert keys(r) == [("assignments[0].end", "validate.assignment.dates")]
    r = validate_member(member(assignment={"start": "01-01-2023"}), FakeRoster(), today=TODAY)
    assert keys(r) == [("assignments[0].start", "validate.date.invalid")]


def test_tagana_level():
    tagana = {"pillar": "TAGANA", "area_kec": "", "number": "NIAT-1"}
    r = validate_member(member(assignment=tagana), FakeRoster(), today=TODAY)
    assert r.ok and keys(r, "warnings") == [("assignments[0].level", "validate.level.missing")]
    assert validate_member(member(assignment=dict(tagana, level="MADYA")), FakeRoster(), today=TODAY).ok
    r = validate_member(member(assignment=dict(tagana, level="SENIOR")), FakeRoster(), today=TODAY)
    assert keys(r) == [("assignments[0].level", "validate.level.unknown")]


def test_one_active_tksk_per_kecamatan():
    budi = member(nik="3578010203800001", name="Budi Santoso", sex="L", birth_date="1980-03-02")
    r = validate_member(member(), FakeRoster(budi), today=TODAY)
    assert keys(r) == [("assignments[0].area_kec", "validate.tksk.taken")]
    msg = r.errors[0].render("id")
    assert "Karang Pilang" in msg and "Budi Santoso" in msg and "************0001" in msg


def test_inactive_tksk_does_not_block():
    budi = member(nik="3578010203800001", name="Budi Santoso", sex="L", birth_date="1980-03-02",
                  assignment={"status": "INACTIVE"})
    assert validate_member(member(), FakeRoster(budi), today=TODAY).ok
    # An inactive assignment of the new member is not checked against the active TKSK either.
    budi_active = member(nik="3578010203800001", name="Budi Santoso", sex="L", birth_date="1980-03-02")
    assert validate_member(member(assignment={"status": "INACTIVE"}), FakeRoster(budi_active), today=TODAY).ok


def test_tksk_in_another_kecamatan_is_fine_but_should_live_there():
    budi = member(nik="3578010203800001", name="Budi Santoso", sex="L", birth_date="1980-03-02")
    r = validate_member(member(assignment={"area_kec": "35.78.02"}), FakeRoster(budi), today=TODAY)
    assert r.ok and keys(r, "warnings") == [("assignments[0].area_kec", "validate.tksk.lives_elsewhere")]
    assert "Wonocolo" in r.warnings[0].message and "Karang Pilang" in r.warnings[0].message


def test_tksk_needs_a_kecamatan():
    r = validate_member(member(assignment={"area_kec": ""}), FakeRoster(), today=TODAY)
    assert keys(r) == [("assignments[0].area_kec", "validate.tksk.area_required")]


def test_one_korkab_per_pillar_per_kab():
    korkab = {"pillar": "PKH_PLUS", "position": "KORKAB", "area_kec": ""}
    budi = member(nik="3578010203800001", name="Budi Santoso", sex="L", birth_date="1980-03-02",
                  assignment=korkab)
    r = validate_member(member(assignment=korkab), FakeRoster(budi), today=TODAY)
    assert keys(r) == [("assignments[0].area_kab", "validate.korkab.taken")]
    assert r.errors[0].render("id").startswith("Kota Surabaya sudah punya Korkab/Korkot PKH Plus yang aktif: Budi")
    # Another pillar, or another kab/kota, is free.
    assert validate_member(member(assignment=dict(korkab, pillar="TAGANA", level="MUDA")), FakeRoster(budi),
                           today=TODAY).ok
    other_kab = dict(korkab, area_kab="35.07")
    assert validate_member(member(assignment=other_kab), FakeRoster(budi), today=TODAY).ok


def test_assignment_area_must_match():
    r = validate_member(member(assignment={"area_kab": "35.07"}), FakeRoster(), today=TODAY)
    assert ("assignments[0].area_kec", "validate.kec.wrong_kab") in keys(r)
    r = validate_member(member(assignment={"area_kab": ""}), FakeRoster(), today=TODAY)
    assert ("assignments[0].area_kab", "validate.required") in keys(r)


def test_every_message_renders_in_both_languages():
    from storage.messages.validate import MESSAGES
    for key, entry in MESSAGES.items():
        assert entry["id"] and entry["en"], key
