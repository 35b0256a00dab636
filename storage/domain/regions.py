"""Jawa Timur kabupaten/kota and kecamatan (Kemendagri codes): read-only reference data."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import orjson

PROVINCE_CODE = "35"

# Kemendagri province codes (2022 onwards, 38 provinces): NIK digits 1-2.
PROVINCES: dict[str, str] = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan", "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo",
    "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat",
    "93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}

# Spellings people type before a kab/kota name; BPS tables write kabupaten bare and kota with "Kota".
_KAB_PREFIX = re.compile(r"^(kabupaten|kab)\b\.?\s*")
_KOTA_PREFIX = re.compile(r"^(kotamadya|kodya|kota|kot)\b\.?\s*")
_KEC_PREFIX = re.compile(r"^(kecamatan|kec)\b\.?\s*")


@cache
def _data() -> dict:
    """Load regions.json once; build the lookup tables."""
    raw = orjson.loads(resources.files("storage.domain").joinpath("reference/regions.json").read_bytes())
    kabs = {k["code"]: k for k in raw["kab"]}
    kecs = {k["code"]: k for k in raw["kec"]}
    by_kab: dict[str, list[dict]] = {code: [] for code in kabs}
    for k in raw["kec"]:
        by_kab[k["kab"]].append(k)
    return {"kab": kabs, "kec": kecs, "by_kab": by_kab}


def _key(text: str) -> str:
    """Matching key: lower case letters and digits only (spaces, dots, quotes, dashes ignored)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _code(text: str, parts: int) -> str | None:
    """'3578' / '35.78' / '35 78' -> '35.78' (parts=2); None when text is not such a code."""
    digits = re.sub(r"[\s.]", "", str(text or ""))
    if not digits.isdigit() or len(digits) != 2 * parts:
        return None
    return ".".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def kab_list() -> list[dict]:
    """All 38 kabupaten/kota in code order (copies: code, name, type, short, area_km2, kec_count)."""
    return [dict(k) for k in _data()["kab"].values()]


def kab(code: str) -> dict | None:
    """One kabupaten/kota by code ('35.78' or '3578'), or None."""
    found = _data()["kab"].get(_code(code, 2) or "")
    return dict(found) if found else None


def kec(code: str) -> dict | None:
    """One kecamatan by code ('35.78.01' or '357801'), or None (dict: code, name, kab)."""
    found = _data()["kec"].get(_code(code, 3) or "")
    return dict(found) if found else None


def kec_of_kab(kab_code: str) -> list[dict]:
    """The kecamatan of one kabupaten/kota in code order; [] for an unknown code."""
    return [dict(k) for k in _data()["by_kab"].get(_code(kab_code, 2) or "", [])]


def kab_name(code: str) -> str:
    """'35.78' -> 'Kota Surabaya'; '' for an unknown code."""
    found = _data()["kab"].get(_code(code, 2) or "")
    return found["name"] if found else ""


def kec_name(code: str) -> str:
    """'35.78.01' -> 'Karang Pilang'; '' for an unknown code."""
    found = _data()["kec"].get(_code(code, 3) or "")
    return found["name"] if found else ""


def find_kab(text: str) -> dict | None:
    """Kab/kota from a code or a typed name; a bare name means the kabupaten when both exist (BPS usage)."""
    if code := _code(text, 2):
        return kab(code)
    words = re.sub(r"\s+", " ", str(text or "").strip().lower())
    kind = None
    if m := _KAB_PREFIX.match(words):
        kind, words = "KABUPATEN", words[m.end():]
    elif m := _KOTA_PREFIX.match(words):
        kind, words = "KOTA", words[m.end():]
    key = _key(words)
    if not key:
        return None
    matches = [k for k in _data()["kab"].values() if _key(k["short"]) == key and kind in (None, k["type"])]
    if len(matches) > 1:
        matches = [k for k in matches if k["type"] == "KABUPATEN"]
    return dict(matches[0]) if matches else None


def find_kec(text: str, kab_code: str | None = None) -> dict | None:
    """Kecamatan from a code or a typed name; None when unknown or the name is ambiguous without kab_code."""
    if code := _code(text, 3):
        found = kec(code)
        return found if found and (not kab_code or found["kab"] == _code(kab_code, 2)) else None
    words = _KEC_PREFIX.sub("", re.sub(r"\s+", " ", str(text or "").strip().lower()))
    key = _key(words)
    if not key:
        return None
    pool = _data()["by_kab"].get(_code(kab_code, 2) or "", []) if kab_code else _data()["kec"].values()
    matches = [k for k in pool if _key(k["name"]) == key]
    return dict(matches[0]) if len(matches) == 1 else None


def nik_region(nik: str) -> tuple[str, str]:
    """(kab_code, kec_code) of a NIK's first six digits; each '' when not a known Jatim code."""
    digits = re.sub(r"[\s.\-]", "", str(nik or ""))[:6]
    if len(digits) < 6 or not digits.isdigit():
        return "", ""
    kab_code = _code(digits[:4], 2) or ""
    kec_code = _code(digits, 3) or ""
    return (kab_code if kab_code in _data()["kab"] else "", kec_code if kec_code in _data()["kec"] else "")
