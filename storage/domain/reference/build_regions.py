"""One-off generator: Jatim region reference markdown -> storage/domain/reference/regions.json."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import orjson

# Table row: | 35.01 | Kabupaten Pacitan | 1434.818 | 12 | 167 | 5 |
_KAB_ROW = re.compile(r"^\|\s*(35\.\d{2})\s*\|\s*([^|]+?)\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|")
_KEC_ITEM = re.compile(r"(35\.\d{2}\.\d{2}):\s*([^;]+)")
_SOURCE = re.compile(r"^Source of codes/names/counts:\s*(.+)$")
EXPECTED_KAB, EXPECTED_KEC = 38, 666


def _clean_name(name: str) -> str:
    """Normalise one name from the SQL dump (doubled quotes are SQL escapes, e.g. Ra''as)."""
    return re.sub(r"\s+", " ", name.replace("''", "'")).strip()


def parse(text: str) -> dict:
    """Parse the markdown into {"source", "kab": [...], "kec": [...]}; raise ValueError on bad counts."""
    source, kabs, kecs = "", [], []
    for line in text.splitlines():
        if m := _SOURCE.match(line):
            source = m.group(1).strip()
        elif m := _KAB_ROW.match(line):
            code, name, area, n_kec = m.group(1), _clean_name(m.group(2)), m.group(3), int(m.group(4))
            kind = "KOTA" if int(code[3:]) >= 71 else "KABUPATEN"
            prefix = "Kota " if kind == "KOTA" else "Kabupaten "
            if not name.startswith(prefix):
                raise ValueError(f"{code} {name!r}: type {kind} does not match the name")
            kabs.append({"code": code, "name": name, "type": kind, "short": name[len(prefix):],
                         "area_km2": float(area), "kec_count": n_kec})
        elif re.match(r"^35\.\d{2}\.\d{2}:", line):
            for code, name in _KEC_ITEM.findall(line):
                kecs.append({"code": code, "name": _clean_name(name), "kab": code[:5]})
    _check(kabs, kecs)
    return {"source": source, "kab": kabs, "kec": kecs}


def _check(kabs: list[dict], kecs: list[dict]) -> None:
    """Refuse to write a file whose counts disagree with the reference totals."""
    if len(kabs) != EXPECTED_KAB or len(kecs) != EXPECTED_KEC:
        raise ValueError(f"found {len(kabs)} kab/kota and {len(kecs)} kecamatan")
    if len({k["code"] for k in kecs}) != len(kecs):
        raise ValueError("duplicate kecamatan code")
    for kab in kabs:
        found = sum(1 for k in kecs if k["kab"] == kab["code"])
        if found != kab["kec_count"]:
            raise ValueError(f"{kab['code']}: table says {kab['kec_count']} kecamatan, list has {found}")


def main(argv: list[str]) -> int:
    """Command line: build_regions SRC.md [OUT.json]."""
    if not argv:
        print("usage: python -m storage.domain.reference.build_regions SRC.md [OUT.json]", file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("regions.json")
    data = parse(Path(argv[0]).read_text(encoding="utf-8"))
    out.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {out}: {len(data['kab'])} kab/kota, {len(data['kec'])} kecamatan")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
