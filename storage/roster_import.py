"""Import a roster from an office's own Excel (.xlsx) or CSV file: read, map columns, preview, commit.

Reading is bounded: a file that is not what its name says (a renamed binary, an old .xls, a zip that
would unpack to hundreds of megabytes) is refused with a sentence before any parser sees it. The
preview validates every row with ``storage.validate`` against the roster *and* the rows above it in
the same file; nothing is written until :func:`commit`, which saves every accepted row in one
transaction.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage import fmt, regions
from storage.errors import PilarError
from storage.i18n import t
from storage.model import PILLARS, POSITIONS, TAGANA_LEVELS, new_assignment, new_member
from storage.roster import Roster, normalise
from storage.validate import clean_nik, validate_member

MAX_FILE_MB = 50
MAX_UNPACKED_MB = 200
MAX_ROWS = 200_000
Progress = Callable[[int, int, str], None]

# Normalised header text -> field. Headers are compared lower-case with punctuation as spaces.
HEADERS = {
    "nik": ("nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor induk kependudukan"),
    "name": ("nama", "nama lengkap", "nama anggota", "nama pilar", "name"),
    "sex": ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender"),
    "birth_place": ("tempat lahir", "tmp lahir", "tpt lahir"),
    "birth_date": ("tanggal lahir", "tgl lahir", "tgl lhr", "date of birth", "birth date"),
    "birth": ("tempat tgl lahir", "tempat tanggal lahir", "ttl", "tempat tgl lhr", "tmp tgl lahir"),
    "address": ("alamat", "alamat lengkap", "alamat rumah", "address"),
    "kab": ("kab kota", "kabupaten kota", "kabupaten", "kota", "kab", "kota kab"),
    "kec": ("kecamatan", "kec"),
    "phone": ("no hp", "nomor hp", "hp", "no telp", "no telepon", "telepon", "no wa", "nomor wa", "whatsapp",
              "no hp wa", "phone"),
    "bank.account": ("no rekening", "nomor rekening", "no rek", "rekening", "norek", "no rekening bank"),
    "bank.name": ("nama bank", "bank"),
    "bank.holder": ("nama pemilik rekening", "atas nama", "pemilik rekening", "nama rekening",
                    "atas nama rekening"),
    "bpjs_tk": ("bpjs", "no bpjs", "bpjs tk", "no bpjs tk", "bpjs ketenagakerjaan"),
    "pillar": ("pilar", "jenis pilar", "pilar sosial", "pillar"),
    "position": ("jabatan", "posisi", "position"),
    "number": ("no anggota", "nomor anggota", "niat", "no induk", "nomor induk", "nia", "no niat"),
    "level": ("jenjang", "tingkat", "level", "jenjang tagana"),
    "sk": ("no sk", "nomor sk", "sk"),
    "start": ("tmt", "tanggal mulai", "mulai tugas", "tgl mulai", "tmt tugas"),
    "area_kec": ("kecamatan tugas", "wilayah tugas", "lokasi tugas", "kec tugas"),
}
_HEADER_INDEX = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
_MONTHS = {m: i for i, names in enumerate(
    [(), ("januari", "jan"), ("februari", "feb", "pebruari"), ("maret", "mar"), ("april", "apr"), ("mei", "may"),
     ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt", "aug"), ("september", "sep", "sept"),
     ("oktober", "okt", "oct"), ("november", "nov", "nop"), ("desember", "des", "dec")]) for m in names}
_SEX = {"l": "L", "lk": "L", "laki laki": "L", "laki": "L", "pria": "L", "male": "L", "m": "L",
        "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P", "w": "P"}
_POSITION = {"anggota": "ANGGOTA", "pendamping": "PENDAMPING", "korcam": "KOORDINATOR_KEC",
             "koordinator kecamatan": "KOORDINATOR_KEC", "koordinator kec": "KOORDINATOR_KEC",
             "korkab": "KORKAB", "korkot": "KORKAB", "korkab korkot": "KORKAB", "koordinator kabupaten": "KORKAB",
             "koordinator kota": "KORKAB", "koordinator kabupaten kota": "KORKAB", "korwil": "KORWIL",
             "koordinator wilayah": "KORWIL", "korreg": "KORREG", "koordinator regional": "KORREG"}


def _words(text: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def header_field(text: object) -> str | None:
    """'NO. HP' -> 'phone', 'KAB/KOTA' -> 'kab', 'TEMPAT/TGL LAHIR' -> 'birth'; None when unknown."""
    return _HEADER_INDEX.get(_words(text))


# ---------------------------------------------------------------------- reading files


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (line number in the file, cells)
    header_line: int


def read_table(path: Path, progress: Progress | None = None) -> Table:
    """The header row and data rows of an .xlsx or .csv file, or a PilarError saying what is wrong."""
    try:
        return _read_table(Path(path), progress)
    except OSError as exc:  # a stick pulled out, a file locked by Excel: a sentence, not a traceback
        from storage.fsutil import os_error

        raise os_error(exc, path) from exc


def _read_table(path: Path, progress: Progress | None = None) -> Table:
    if not path.is_file():
        raise PilarError("roster.import.not_found", path=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise PilarError("roster.import.too_big", path=str(path), size=size // (1024 * 1024), limit=MAX_FILE_MB)
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8)
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, head)
    elif suffix in (".csv", ".txt"):
        raw = _read_csv(path)
    elif suffix == ".xls":
        raise PilarError("roster.import.old_xls", path=str(path))
    else:
        raise PilarError("roster.import.bad_type", path=str(path))
    return _find_header(path, raw)


def _read_xlsx(path: Path, head: bytes) -> list[list[object]]:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise PilarError("roster.import.old_xls", path=str(path))
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise PilarError("roster.import.damaged", path=str(path), detail=str(exc)) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise PilarError("roster.import.not_xlsx", path=str(path))
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise PilarError("roster.import.unpacked_too_big", path=str(path), size=unpacked // (1024 * 1024),
                         limit=MAX_UNPACKED_MB)
    try:
        return _fast_xlsx_rows(path)
    except PilarError:
        raise
    except Exception:  # noqa: BLE001 - an unusual workbook: let openpyxl have a go
        pass
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.active
            rows = []
            for row in ws.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 20:
                    raise PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)
        finally:
            wb.close()
    except PilarError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise PilarError("roster.import.damaged", path=str(path), detail=type(exc).__name__) from None
    return rows


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _column(ref: str) -> int:
    """'C12' -> 2."""
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + ord(ch.upper()) - 64
        else:
            break
    return n - 1


def _fast_xlsx_rows(path: Path) -> list[list[object]]:
    """Cell values of the active sheet, read with expat straight from the zip (several times quicker
    than openpyxl for a plain roster). Dates come as Excel serial numbers; parse_any_date reads them."""
    import posixpath
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = book.find(f"{{{_NS_MAIN}}}sheets")
        view = book.find(f"{{{_NS_MAIN}}}bookViews/{{{_NS_MAIN}}}workbookView")
        active = int(view.get("activeTab", "0")) if view is not None else 0
        sheet = list(sheets)[active]
        target = targets[sheet.get(f"{{{_NS_REL}}}id")]
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            parts: list[str] = []
            depth = {"si": 0, "t": False, "rph": 0}

            def s_start(tag, attrs):
                if tag == "si":
                    parts.clear()
                elif tag == "t" and not depth["rph"]:
                    depth["t"] = True
                elif tag == "rPh":
                    depth["rph"] += 1

            def s_end(tag):
                if tag == "si":
                    shared.append("".join(parts))
                elif tag == "t":
                    depth["t"] = False
                elif tag == "rPh":
                    depth["rph"] -= 1

            def s_text(data):
                if depth["t"]:
                    parts.append(data)

            p = expat.ParserCreate()
            p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = s_start, s_end, s_text
            p.buffer_text = True
            with z.open("xl/sharedStrings.xml") as f:
                p.ParseFile(f)
        rows: list[list[object]] = []
        state: dict = {"row": None, "col": 0, "type": "n", "text": None, "in": False}

        def c_start(tag, attrs):
            if tag == "row":
                state["row"] = []
                number = attrs.get("r")
                if number:
                    while len(rows) < int(number) - 1:
                        rows.append([])
            elif tag == "c":
                ref = attrs.get("r")
                state["col"] = _column(ref) if ref else len(state["row"])
                state["type"] = attrs.get("t", "n")
                state["text"] = []
            elif tag in ("v", "t") and state["text"] is not None:
                state["in"] = True

        def c_end(tag):
            if tag in ("v", "t"):
                state["in"] = False
            elif tag == "c":
                raw = "".join(state["text"] or ())
                kind = state["type"]
                if kind == "s":
                    value: object = shared[int(raw)] if raw else None
                elif kind in ("inlineStr", "str"):
                    value = raw
                elif kind == "b":
                    value = raw == "1"
                elif kind == "e" or raw == "":
                    value = None
                else:
                    number = float(raw)
                    value = int(number) if number.is_integer() and abs(number) < 2 ** 53 else number
                row = state["row"]
                while len(row) < state["col"]:
                    row.append(None)
                row.append(value)
                state["text"] = None
            elif tag == "row":
                rows.append(state["row"])
                if len(rows) > MAX_ROWS + 20:
                    raise PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)

        def c_text(data):
            if state["in"]:
                state["text"].append(data)

        p = expat.ParserCreate()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = c_start, c_end, c_text
        p.buffer_text = True
        with z.open(name) as f:
            p.ParseFile(f)
    return rows


def decode(raw: bytes) -> str:
    """Text of a CSV from Excel: UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    sample = raw[:8192]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PilarError("roster.import.binary", path=str(path))
    text = decode(raw)
    first = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=";,\t|").delimiter
    except csv.Error:
        line = first.splitlines()[0] if first else ""
        delimiter = max(";,\t", key=line.count)
    rows: list[list[object]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 20:
            raise PilarError("roster.import.too_many_rows", path=str(path), limit=MAX_ROWS)
    return rows


def _find_header(path: Path, raw: list[list[object]]) -> Table:
    """The header is the first of the top 15 rows naming at least two known columns, one of them NAMA or NIK."""
    for i, row in enumerate(raw[:15]):
        fields = [header_field(c) for c in row]
        known = [f for f in fields if f]
        if len(known) >= 2 and ("nik" in known or "name" in known):
            data = [(i + 1 + n + 1, list(r)) for n, r in enumerate(raw[i + 1:])
                    if any(c not in (None, "") and str(c).strip() for c in r)]
            if not data:
                raise PilarError("roster.import.empty", path=str(path))
            return Table([str(c or "").strip() for c in row], data, i + 1)
    if not any(any(c not in (None, "") for c in r) for r in raw):
        raise PilarError("roster.import.empty", path=str(path))
    raise PilarError("roster.import.no_header", path=str(path))


# ---------------------------------------------------------------------- cell values


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def parse_any_date(value: object) -> str | None:
    """An Excel date cell, an Excel serial number, '01-07-1985', '1985-07-01' or '1 Juli 1985' -> ISO."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1000 < value < 80000:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
        return None
    text = _text(value).lower()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?", text)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
        d, mo, y = (int(x) for x in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})", text):
        d, y = int(m.group(1)), int(m.group(3))
        mo = _MONTHS.get(m.group(2), 0)
    else:
        return None
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def _code_of(value: str, choices: tuple[str, ...], extra: dict[str, str] | None = None) -> str | None:
    key = _words(value)
    if not key:
        return ""
    for code in choices:
        if key in (_words(code), _words(code.replace("_", " "))):
            return code
    if extra and key in extra:
        return extra[key]
    from storage.i18n import LANGS
    from storage.i18n import t as label

    for code in choices:
        for lang in LANGS:
            for prefix in ("model.pillar.", "model.position.", "model.level."):
                text = label(prefix + code, lang)
                if text != prefix + code and key == _words(text):
                    return code
    return None


# ---------------------------------------------------------------------- the preview


@dataclass
class RowPlan:
    """What will happen to one row of the file."""

    line: int
    fate: str  # add | update | same | refuse | conflict (a member in conflict or a duplicate-NIK case: not applied)
    name: str = ""
    nik: str = ""
    value: dict | None = None
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"line": self.line, "fate": self.fate, "name": self.name, "nik": fmt.mask_nik(self.nik),
                "reasons": self.reasons, "warnings": self.warnings}


@dataclass
class ImportPlan:
    """The preview of an import: the column mapping and each row's fate. Nothing is written yet."""

    path: Path
    headers: list[str]
    mapping: dict[int, str]
    rows: list[RowPlan]
    version: int

    @property
    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "add": 0, "update": 0, "same": 0, "refuse": 0, "conflict": 0}
        for r in self.rows:
            counts[r.fate] += 1
        return counts

    @property
    def accepted(self) -> list[RowPlan]:
        return [r for r in self.rows if r.fate in ("add", "update")]

    def mapping_text(self) -> str:
        return ", ".join(f"{self.headers[i]} → {field_label(f)}" for i, f in sorted(self.mapping.items()))

    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.mapping and h]

    def as_json(self) -> dict:
        return {"file": str(self.path), "counts": self.counts,
                "mapping": {self.headers[i]: f for i, f in sorted(self.mapping.items())},
                "ignored": self.unmapped(), "rows": [r.as_json() for r in self.rows]}


def field_label(name: str) -> str:
    """The label of a mapped field in the user's language."""
    for key in (f"validate.field.{name}", f"roster.form.field.{name}", f"roster.import.field.{name}"):
        text = t(key)
        if text != key:
            return text
    return name


class _ImportView:
    """RosterView over the roster plus the rows accepted above in the same file."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.by_file_nik: dict[str, dict] = {}

    def by_nik(self, nik: str) -> dict | None:
        return self.by_file_nik.get(nik) or self.roster.by_nik(nik)

    def active_assignments(self, pillar, position=None, kab=None, kec=None):
        found = [(m, a) for m, a in self.roster.active_assignments(pillar, position, kab, kec)
                 if m.get("nik") not in self.by_file_nik]
        for m in self.by_file_nik.values():
            for a in m.get("assignments") or []:
                if (a.get("status") == "ACTIVE" and a.get("pillar") == pillar
                        and (position is None or a.get("position") == position)
                        and (kab is None or a.get("area_kab") == kab) and (kec is None or a.get("area_kec") == kec)):
                    found.append((m, a))
        return found


@functools.lru_cache(maxsize=4096)
def _find_kab(text: str) -> dict | None:
    return regions.find_kab(text)


@functools.lru_cache(maxsize=16384)
def _find_kec(text: str, kab_code: str | None) -> dict | None:
    return regions.find_kec(text, kab_code)


def _row_member(cells: dict[str, object], office: str, today: dt.date) -> tuple[dict, dict, list[str]]:
    """The member fields and the assignment fields a row gives, and problems of unreadable values."""
    problems: list[str] = []

    def bad(name: str, value: object) -> None:
        problems.append(t("roster.import.bad_value", what=field_label(name), value=_text(value)))

    m: dict = {}
    a: dict = {}
    if "nik" in cells:
        m["nik"] = clean_nik(_text(cells["nik"]))
    if "name" in cells:
        m["name"] = " ".join(_text(cells["name"]).split())
    if "sex" in cells and _text(cells["sex"]):
        sex = _SEX.get(_words(cells["sex"]))
        m["sex"] = sex or _text(cells["sex"])
    birth_place, birth_date = cells.get("birth_place"), cells.get("birth_date")
    if "birth" in cells and _text(cells["birth"]):
        place, _, when = _text(cells["birth"]).rpartition(",")
        if not place:
            parts = _text(cells["birth"]).split()
            place, when = " ".join(parts[:-1]), parts[-1] if parts else ""
        birth_place = birth_place or place
        birth_date = birth_date or when.strip()
    if birth_place is not None and _text(birth_place):
        m["birth_place"] = _text(birth_place).title() if _text(birth_place).isupper() else _text(birth_place)
    if birth_date is not None and _text(birth_date):
        iso = parse_any_date(birth_date)
        if iso is None:
            bad("birth_date", birth_date)
        m["birth_date"] = iso or _text(birth_date)
    if "address" in cells:
        m["address"] = " ".join(_text(cells["address"]).split())
    kab_code = ""
    if "kab" in cells and _text(cells["kab"]):
        found = _find_kab(_text(cells["kab"]))
        if found is None:
            bad("kab", cells["kab"])
        else:
            kab_code = m["kab"] = found["code"]
    if "kec" in cells and _text(cells["kec"]):
        found = _find_kec(_text(cells["kec"]), kab_code or None)
        if found is None:
            bad("kec", cells["kec"])
        else:
            m["kec"] = found["code"]
            if not kab_code:
                kab_code = m["kab"] = found["kab"]
    if "phone" in cells and _text(cells["phone"]):
        phone = _text(cells["phone"])
        m["phone"] = phone if phone.startswith(("0", "+")) or not phone.isdigit() else "0" + phone
    bank = {k.split(".")[1]: _text(cells[k]) for k in ("bank.name", "bank.account", "bank.holder") if k in cells}
    if any(bank.values()):
        m["bank"] = bank
    if "bpjs_tk" in cells:
        m["bpjs_tk"] = _text(cells["bpjs_tk"])
    if "pillar" in cells and _text(cells["pillar"]):
        code = _code_of(_text(cells["pillar"]), PILLARS, {"pkh": "PKH_PLUS", "pkh plus": "PKH_PLUS",
                                                          "taruna": "KARANG_TARUNA", "sakti": "SAKTI_PEKSOS"})
        a["pillar"] = code or _text(cells["pillar"])
    if "position" in cells and _text(cells["position"]):
        a["position"] = _code_of(_text(cells["position"]), POSITIONS, _POSITION) or _text(cells["position"])
    if "level" in cells and _text(cells["level"]):
        key = _words(cells["level"]).replace("tagana ", "")
        a["level"] = _code_of(key, TAGANA_LEVELS) or _text(cells["level"])
    for name in ("number", "sk"):
        if name in cells and _text(cells[name]):
            a[name] = _text(cells[name])
    if "start" in cells and _text(cells["start"]):
        iso = parse_any_date(cells["start"])
        if iso is None:
            bad("start", cells["start"])
        a["start"] = iso or _text(cells["start"])
    if "area_kec" in cells and _text(cells["area_kec"]):
        found = _find_kec(_text(cells["area_kec"]), kab_code or None)
        if found is None:
            bad("area_kec", cells["area_kec"])
        else:
            a["area_kec"], a["area_kab"] = found["code"], found["kab"]
    return m, a, problems


def _merge(existing: dict | None, m: dict, a: dict, office: str, today: dt.date) -> dict:
    """The member after this row: a new member, or the existing one with the file's non-empty values."""
    if existing is None:
        value = new_member(**{k: v for k, v in m.items() if k != "bank"}, bank=m.get("bank") or {})
    else:
        value = existing
        for key, v in m.items():
            if key == "bank":
                value["bank"] = {**(value.get("bank") or {}), **{k: x for k, x in v.items() if x}}
            elif v not in ("", None):
                value[key] = v
    if not a.get("pillar") and existing is not None:
        return value
    assignments = value.setdefault("assignments", [])
    target = next((x for x in assignments if x.get("pillar") == a.get("pillar") and x.get("status") == "ACTIVE"),
                  None) or next((x for x in assignments if x.get("pillar") == a.get("pillar")), None)
    if target is None:
        target = new_assignment(office=office, start=today.isoformat(), position="ANGGOTA")
        assignments.append(target)
    for key, v in a.items():
        if v not in ("", None):
            target[key] = v
    if not target.get("area_kab"):
        target["area_kab"] = value.get("kab", "")
    if not target.get("area_kec") and target.get("pillar") == "TKSK":
        target["area_kec"] = value.get("kec", "") if value.get("kab") == target["area_kab"] else ""
    target["office"] = target.get("office") or office
    return value


def preview(roster: Roster, path: Path, progress: Progress | None = None, today: dt.date | None = None) -> ImportPlan:
    """Read ``path`` and decide each row's fate (add, update same NIK, unchanged, refuse) without writing."""
    today = today or dt.date.today()
    path = Path(path)
    if progress:
        progress(0, 1, t("roster.import.reading", file=path.name))
    table = read_table(path)
    mapping: dict[int, str] = {}
    for i, h in enumerate(table.headers):
        name = header_field(h)
        if name and name not in mapping.values():
            mapping[i] = name
    missing = [t(f"validate.field.{n}") for n in ("nik", "name") if n not in mapping.values()]
    if missing:
        raise PilarError("roster.import.need_columns", path=str(path), columns=", ".join(missing))
    view = _ImportView(roster)
    # members deleted at one office and edited at another: not in the NIK index (the deletion shows
    # first) but a row with their NIK is about them, not a new member
    deleted_first = {r.nik: r.id for r in roster.flagged("deleted") if r.nik}
    seen: dict[str, int] = {}
    plans: list[RowPlan] = []
    office = roster.db.code
    total = len(table.rows)
    for n, (line, cells) in enumerate(table.rows, 1):
        if progress and (n % 250 == 0 or n == total):
            progress(n, total, t("roster.import.checking", done=n, total=total))
        values = {f: cells[i] for i, f in mapping.items() if i < len(cells)}
        m, a, problems = _row_member(values, office, today)
        nik = m.get("nik", "")
        plan = RowPlan(line, "refuse", name=m.get("name", ""), nik=nik)
        plans.append(plan)
        if nik and nik in seen:
            plan.reasons.append(t("roster.import.duplicate_in_file", line=seen[nik]))
            continue
        held = roster.db.lookup("members", "nik", nik) if nik else []
        if len(held) > 1:
            # two members with this NIK (registered at two offices): the province merges them first
            seen[nik] = line
            plan.fate = "conflict"
            plan.reasons.append(t("roster.import.duplicate_case", count=len(held),
                                  command=f"pilar conflicts show {held[0][:8]}"))
            continue
        if not held and nik in deleted_first:
            held = [deleted_first[nik]]
        if held and roster.in_conflict(held[0]):
            # a plain update would close the conflict and drop the other office's version unseen
            from storage.conflicts import edit_refusal

            seen[nik] = line
            plan.fate = "conflict"
            plan.reasons.append(str(edit_refusal(roster.db, "members", held[0])))
            continue
        existing = roster.by_nik(nik) if nik else None
        existing = normalise(existing) if existing else None
        value = _merge(copy.deepcopy(existing) if existing else None, m, a, office, today)
        value = normalise(value, copy=False)
        # Office spreadsheets rarely have an "atas nama" column: the account is taken to be in the
        # member's own name, and the preview says so for the clerk to check against the passbook.
        bank = value.get("bank") or {}
        holder_assumed = bool(_text(bank.get("account")) and not _text(bank.get("holder")) and value.get("name"))
        if holder_assumed:
            value["bank"] = dict(bank, holder=" ".join(value["name"].split()).upper())
        result = validate_member(value, view, today=today)
        plan.reasons = problems + [i.message for i in result.errors]
        plan.warnings = [i.message for i in result.warnings]
        if holder_assumed:
            plan.warnings.append(t("roster.import.holder_assumed", holder=value["bank"]["holder"]))
        if plan.reasons:
            continue
        if nik:
            seen[nik] = line
            view.by_file_nik[nik] = value
        plan.value = value
        if existing is None:
            plan.fate = "add"
        else:
            plan.fate = "same" if existing == value else "update"
    return ImportPlan(path, table.headers, mapping, plans, roster.version)


def commit(roster: Roster, plan: ImportPlan, progress: Progress | None = None) -> dict[str, int]:
    """Save every accepted row of ``plan`` in one transaction; refused rows are left out."""
    if plan.version != roster.version:
        raise PilarError("roster.import.changed_since")
    rows = plan.accepted
    if not rows:
        raise PilarError("roster.import.nothing")
    if progress:
        progress(0, len(rows), t("roster.import.writing", count=len(rows)))
    counts = plan.counts
    # Every import is preceded by a backup (issue 7): one `pilar restore` undoes it.
    from storage.backup import backup_now

    for row in rows:  # storage's own guard: never a plain save over a record in conflict
        rid = (row.value or {}).get("id")
        if rid and roster.in_conflict(rid):
            from storage.conflicts import edit_refusal

            raise edit_refusal(roster.db, "members", rid)
    backup_now(roster.db, "before-roster-import")
    with roster.db.transaction("roster.import") as tx:
        for n, row in enumerate(rows, 1):
            tx.put("members", row.value, owner=roster.db.code)
            if progress and n % 500 == 0:
                progress(n, len(rows), t("roster.import.writing", count=len(rows)))
        tx.note("roster.import", "import", plan.path.name,
                note=t("roster.import.summary", file=plan.path.name, **counts, lang="id"))
    if progress:
        progress(len(rows), len(rows), t("roster.import.done", **counts))
    return counts
