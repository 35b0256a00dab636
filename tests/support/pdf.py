"""Reading PDFs back for tests: page text with pypdf, and the member card's barcode and QR code
rebuilt from the filled rectangles drawn on the page (then decoded for Code128)."""

from __future__ import annotations

import io
import re

import pypdf
from barcode.charsets import code128 as C128

_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f")
BAR_MIN_HEIGHT = 20.0  # pt: the barcode's bars are 11 mm high, a QR module under 1 mm


def pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def filled_rects(data: bytes, page: int = 0) -> list[tuple[float, float, float, float]]:
    """(x, top, width, height) in pt of every filled rectangle of a page (y measured downwards)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    stream = reader.pages[page].get_contents().get_data()
    height = float(reader.pages[page].mediabox.height)
    out = []
    for m in _RECT.finditer(stream):
        x, y, w, h = (float(v) for v in m.groups())
        top = height - (y if h < 0 else y + h)
        out.append((x, top, w, abs(h)))
    return out


def barcode_bits(rects) -> str:
    """The barcode's modules ('1' bar, '0' space) from its bars, narrowest bar = one module."""
    bars = sorted((r for r in rects if r[3] > BAR_MIN_HEIGHT), key=lambda r: r[0])
    start = bars[0][0]
    span = bars[-1][0] + bars[-1][2] - start
    # The narrowest bar is one module; coordinates are rounded to 0.01 pt, so take the module count
    # nearest to that estimate that a Code128 symbol can have (11 per symbol, 13 for the stop).
    guess = span / min(b[2] for b in bars)
    end = min((n for n in range(int(guess * 0.9), int(guess * 1.1) + 2) if n % 11 == 2), key=lambda n: abs(n - guess))
    unit = span / end
    bits = ["0"] * end
    for x, _top, w, _h in bars:
        first = round((x - start) / unit)
        for i in range(first, first + round(w / unit)):
            bits[i] = "1"
    return "".join(bits)


def decode_code128(bits: str) -> str:
    """Decode Code128 modules (start code, data, checksum, stop) into text; checks the checksum."""
    stop = C128.STOP + "11"  # the stop symbol and its final two-module bar
    assert bits.endswith(stop), "no stop pattern"
    body = bits[: -len(stop)]
    assert len(body) % 11 == 0, f"{len(body)} modules is not a whole number of symbols"
    value_of = {pattern: value for value, pattern in enumerate(C128.CODES)}
    values = [value_of[body[i:i + 11]] for i in range(0, len(body), 11)]
    start, *data, check = values
    assert (start + sum(i * v for i, v in enumerate(data, 1))) % 103 == check, "bad checksum"
    charset = {103: "A", 104: "B", 105: "C"}[start]
    out = []
    for v in data:
        if charset == "C" and v < 100:
            out.append(f"{v:02d}")
        elif v in (99, 100, 101) and (charset, v) != ("B", 100) and (charset, v) != ("A", 101):
            charset = {99: "C", 100: "B", 101: "A"}[v]
        elif charset == "B":
            out.append(chr(v + 32))
        else:
            out.append(chr(v + 32) if v < 64 else chr(v - 64))
    return "".join(out)


def qr_modules(rects) -> list[list[int]]:
    """The QR code's module matrix from its filled squares (runs of a row are one rectangle)."""
    cells = [r for r in rects if r[3] <= BAR_MIN_HEIGHT]
    unit = min(r[3] for r in cells)
    left = min(r[0] for r in cells)
    top = min(r[1] for r in cells)
    size = round((max(r[1] + r[3] for r in cells) - top) / unit)
    matrix = [[0] * size for _ in range(size)]
    for x, y, w, _h in cells:
        row = round((y - top) / unit)
        first = round((x - left) / unit)
        for c in range(first, first + round(w / unit)):
            matrix[row][c] = 1
    return matrix
