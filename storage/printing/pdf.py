"""A4 PDF documents with fpdf2: letterhead, "Halaman 1 dari N", tables whose header repeats on every
page with the page's total and the total carried over, and signature blocks.

Text is set in DejaVu Sans Condensed (shipped in ``storage/printing/fonts`` with its licence) so every name
prints as written, accents and all. Table cells are laid out with ``text`` and lines rather than
fpdf2's ``cell``/``table`` helpers: those cost ~10x more per cell and the daftar nominatif of 50,000
rows has to stay within a few seconds. The fast paths (:meth:`Document.measure`, ``fill_rects``) use
fpdf2's font subset and ``_out``: the version is pinned, and the tests read every document back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from storage.core.db import gc_paused
from storage.core.i18n import t

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
MARGIN = 12.0
FOOTER = 9.0  # the page number line at the bottom
LOGO_H = 14.0  # mm: the logo at the kop's left, as high as its three lines (the page keeps its layout)
LOGO_W = 30.0


def num(amount: int) -> str:
    """1500000 -> '1.500.000' (integer rupiah only)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"money must be int rupiah, not {type(amount).__name__}")
    return f"{amount:,}".replace(",", ".")


@dataclass(frozen=True)
class Col:
    """One table column: its heading, width in mm, alignment (L, R, C) and whether it is money summed
    per page (cells of a money column are int rupiah)."""

    head: str
    width: float
    align: str = "L"
    money: bool = False


class Sub(list):
    """A subtotal row (bold, not added to the page's total)."""


class Document(FPDF):
    """An A4 document of the office: letterhead on every page and "Halaman n dari N" at the foot."""

    def __init__(self, letterhead: Sequence[str], title: str = "", landscape: bool = False,
                 page_numbers: bool = True, logo: Path | str | None = None) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSansCondensed.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSansCondensed-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.alias_nb_pages("{nbpg}")  # room for 5 digits: a 50,000-row nominatif has thousands of pages
        self.set_creator("Pilar")
        self.set_title(title)
        self.letterhead = [line for line in letterhead if line]
        # The logo at the kop's left: given, or carried by the letterhead (storage.office.letterhead.Kop).
        logo = logo if logo is not None else getattr(letterhead, "logo", None)
        self.logo: tuple[Path, float, float] | None = self._logo_box(Path(logo)) if logo and self.letterhead else None
        self.page_numbers = page_numbers
        self._measured: dict[tuple[int, float, str], tuple[str, float]] = {}
        self._chars: dict[int, dict[str, tuple[str, int]]] = {}

    # ------------------------------------------------------------------ page furniture

    @staticmethod
    def _logo_box(path: Path) -> tuple[Path, float, float] | None:
        """The logo and its printed width and height in mm: at most LOGO_H high and LOGO_W wide, its
        proportions kept. None when the file cannot be read (the kop prints without it)."""
        try:
            from PIL import Image  # fpdf2's own dependency

            with Image.open(path) as img:
                width, height = img.size
        except Exception:  # noqa: BLE001 - a logo removed or damaged since it was set: no logo, no failure
            return None
        if not width or not height:
            return None
        scale = min(LOGO_H / height, LOGO_W / width)
        return path, width * scale, height * scale

    def header(self) -> None:
        if not self.letterhead:
            return
        y = MARGIN
        left = MARGIN  # the text is centred on the page, or right of the logo when it would touch it
        if self.logo:
            path, w, h = self.logo
            self.image(path, x=MARGIN, y=MARGIN, w=w, h=h)
            left = MARGIN + w + 3
        for i, line in enumerate(self.letterhead):
            self.set_font(FONT, "B" if i == 1 else "", 11 if i == 1 else 9)  # the office's name bold
            width = self.get_string_width(line)
            x = (self.w - width) / 2
            if x < left:
                x = left + max(0.0, (self.w - MARGIN - left - width) / 2)
            self.text(x, y + 3.5, line)
            y += 5 if i == 1 else 4.2
        if self.logo:
            y = max(y, MARGIN + self.logo[2] - 0.8)
        self.set_line_width(0.5)
        self.line(MARGIN, y + 0.8, self.w - MARGIN, y + 0.8)
        self.set_line_width(0.2)
        self.set_y(y + 3.5)

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_font(FONT, "", 7.5)
        self.set_xy(MARGIN, self.h - MARGIN - 1)
        # cell(), not text(): fpdf2 fills in the page count ("{nb}") only in cells.
        self.cell(0, 4, t("pdf.page", n=self.page_no(), total=self.str_alias_nb_pages), align="R")

    @property
    def bottom(self) -> float:
        """Where a page's content must end (the page number sits below)."""
        return self.h - MARGIN - FOOTER + 6

    @property
    def inner_width(self) -> float:
        return self.w - 2 * MARGIN

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.page == 0 or self.get_y() + height > self.bottom:
            self.add_page()

    # ------------------------------------------------------------------ text

    def width_of(self, text: str) -> float:
        """The width of ``text`` in mm in the current font (the sum of its glyphs' advance widths, as
        fpdf2 measures unshaped text; its own ``get_string_width`` costs ~80 us a call)."""
        return self.measure(text)[1]

    def measure(self, text: str) -> tuple[str, float]:
        """``text`` as a PDF string operator in the current font (its glyphs picked into the font subset,
        as fpdf2's ``encode_text`` does) and its width in mm, from a per-character table kept per font.
        The daftar nominatif writes 450,000 cells; fpdf2's ``text`` spends ~50 us on each."""
        font = self.current_font
        key = (id(font), self.font_size_pt, text)
        got = self._measured.get(key)
        if got is None:
            table = self._chars.setdefault(id(font), {})
            mapped = []
            units = 0
            for ch in text:
                glyph = table.get(ch)
                if glyph is None:
                    picked = font.subset.pick(ord(ch))
                    glyph = table[ch] = (chr(picked) if picked is not None else "", font.cw[ord(ch)])
                mapped.append(glyph[0])
                units += glyph[1]
            got = self._measured[key] = (f"({font.escape_text(''.join(mapped))}) Tj",
                                         units * self.font_size_pt * 0.001 / self.k)
        return got

    def text_op(self, x: float, y: float, encoded: str) -> str:
        """The operators that put an encoded string (from :meth:`measure`) with its baseline at (x, y) mm."""
        return f"BT {x * self.k:.2f} {(self.h - y) * self.k:.2f} Td {encoded} ET"

    def use_font(self, style: str, size: float) -> None:
        """``set_font`` only when the style or size changes."""
        if self.font_style != style or self.font_size_pt != size or self.font_family != FONT.lower():
            self.set_font(FONT, style, size)

    def fit(self, text: str, width: float) -> str:
        """``text`` cut (with an ellipsis) to fit ``width`` mm."""
        if self.width_of(text) <= width:
            return text
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width_of(text[:mid] + "…") <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo] + "…"

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines of at most ``width`` mm at spaces (a word too long is cut). Our own
        loop over cached word widths: fpdf2's ``multi_cell`` costs ~2 ms a call, 5 s per 1,000 receipts."""
        space = self.width_of(" ")
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in text.split():
            w = self.width_of(word)
            wanted = w if not current else used + space + w
            if current and wanted > width:
                lines.append(" ".join(current))
                current, used = [word], w
            else:
                current.append(word)
                used = wanted
        if current:
            lines.append(" ".join(current))
        return [self.fit(line, width) for line in lines] or [""]

    def _lines(self, text: str, size: float, bold: bool, align: str, height: float) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        for line in self.wrap(text, self.inner_width):
            self.room(height)
            y = self.get_y()
            x = MARGIN if align == "L" else MARGIN + (self.inner_width - self.width_of(line)) / 2
            self.text(x, y + height * 0.72, line)
            self.set_y(y + height)

    def title_block(self, lines: Iterable[str], size: float = 11) -> None:
        """Centred lines under the letterhead, the first bold (the document's title, the period)."""
        for i, line in enumerate(x for x in lines if x):
            self._lines(line, size if i == 0 else size - 1.5, i == 0, "C", 5)
        self.ln(2)

    def paragraph(self, text: str, size: float = 9, bold: bool = False, align: str = "L") -> None:
        self._lines(text, size, bold, align, 4.6)

    def fields(self, pairs: Sequence[tuple[str, str]], key_width: float = 42, size: float = 10) -> None:
        """'Label : value' lines, the value wrapping under itself."""
        self.set_font(FONT, "", size)
        for key, value in pairs:
            lines = self.wrap(value, self.inner_width - key_width - 4)
            self.room(6 * len(lines))
            y = self.get_y()
            self.text(MARGIN, y + 4.3, self.fit(key, key_width - 1))
            self.text(MARGIN + key_width, y + 4.3, ":")
            for i, line in enumerate(lines):
                self.text(MARGIN + key_width + 4, y + 4.3 + 6 * i, line)
            self.set_y(y + 6 * len(lines))

    # ------------------------------------------------------------------ tables

    def table(self, cols: Sequence[Col], rows: Iterable[Sequence], *, sums: bool = True, row_h: float = 5.5,
              size: float = 7.5, total_label: str | None = None, progress=None) -> list[int]:
        """Rows under a header that repeats on every page. With ``sums`` each page ends with its own
        total and the total so far, the next page opens with the amount carried over, and the table
        ends with the grand total. Returns the grand total per column (0 where not money)."""
        money = [i for i, c in enumerate(cols) if c.money]
        sums = sums and bool(money)
        running = [0] * len(cols)
        page_sum = [0] * len(cols)
        reserve = 2 * row_h if sums else 0
        state = {"pages": 1}
        segments: list[list[float]] = []  # [top, bottom, span] of rows drawn on this page, runs merged

        def rule_off() -> None:
            """The column lines of this page, skipping those inside a total's label."""
            for top, bottom, seg_span in segments:
                x = MARGIN
                self.line(x, top, x, bottom)
                for i, c in enumerate(cols):
                    x += c.width
                    if i + 1 >= seg_span:
                        self.line(x, top, x, bottom)
            segments.clear()

        def line(cells: Sequence, bold: bool = False, fill: bool = False, height: float = row_h,
                 span: int = 1) -> None:
            """One row; with ``span`` the first cell runs across that many columns (a total's label)."""
            y = self.get_y()
            if fill:
                self.set_fill_color(230, 230, 230)
                self.rect(MARGIN, y, sum(c.width for c in cols), height, "F")
                self.set_fill_color(0, 0, 0)  # text is painted in the fill colour
            self.use_font("B" if bold else "", size)
            x = MARGIN
            base = y + height / 2 + size * 0.12
            widths = [sum(c.width for c in cols[:span])] + [c.width for c in cols[span:]]
            ops = []
            direct = self.current_font_is_set_on_page and self.fill_color == self.text_color
            for c, width, value in zip([cols[0], *cols[span:]], widths, [cells[0], *cells[span:]], strict=False):
                if value is not None and value != "":
                    text = num(value) if c.money and isinstance(value, int) else str(value).replace("\n", " ")
                    encoded, w = self.measure(text)
                    if w > width - 1.6:
                        text = self.fit(text, width - 1.6)
                        encoded, w = self.measure(text)
                    if c.align == "R" and not (span > 1 and c is cols[0]):
                        tx = x + width - 0.8 - w
                    elif c.align == "C":
                        tx = x + (width - w) / 2
                    else:
                        tx = x + 0.8
                    if direct:
                        ops.append(self.text_op(tx, base, encoded))
                    else:  # fpdf2 first puts the font on the page
                        self.text(tx, base, text)
                        direct = self.fill_color == self.text_color
                x += width
            k = self.k
            ops.append(f"{MARGIN * k:.2f} {(self.h - y - height) * k:.2f} m {x * k:.2f} {(self.h - y - height) * k:.2f} l S")
            self._out("\n".join(ops))  # one write per row
            self.set_y(y + height)
            if segments and segments[-1][2] == span and segments[-1][1] == y:
                segments[-1][1] = y + height
            else:
                segments.append([y, y + height, span])

        span = money[0] if money else 1

        def label_row(label: str, values: list[int]) -> list:
            out: list = [label] + [""] * (len(cols) - 1)
            for i in money:
                out[i] = values[i]
            return out

        def open_page(first: bool) -> None:
            if not first:
                self.add_page()
            self.line(MARGIN, self.get_y(), MARGIN + sum(c.width for c in cols), self.get_y())
            line([c.head for c in cols], bold=True, fill=True, height=row_h + 1)
            if sums and not first:
                line(label_row(t("pdf.carried_in"), running), bold=True, span=span)

        def close_page(last: bool) -> None:
            if sums:
                if not last or state["pages"] > 1:
                    line(label_row(t("pdf.page_total"), page_sum), bold=True, span=span)
                line(label_row((total_label or t("pdf.grand_total")) if last else t("pdf.carried_out"), running),
                     bold=True, fill=last, span=span)
            rule_off()

        self.room(3 * row_h + reserve)
        open_page(True)
        with gc_paused():  # a big table builds hundreds of thousands of strings and no cycles
            for n, row in enumerate(rows, 1):
                if self.get_y() + row_h + reserve > self.bottom:
                    close_page(False)
                    page_sum = [0] * len(cols)
                    state["pages"] += 1
                    open_page(False)
                if isinstance(row, Sub):
                    label = next((c for c in row[:span] if c not in ("", None)), "")
                    line([label, *row[1:]], bold=True, span=span)
                else:
                    line(row)
                    for i in money:
                        page_sum[i] += row[i]
                        running[i] += row[i]
                if progress and n % 5000 == 0:
                    progress(n)
        close_page(True)
        self.ln(2)
        return running

    # ------------------------------------------------------------------ signatures

    def signatures(self, blocks: Sequence[tuple[str, str, str, str]], place_date: str = "") -> None:
        """Signature places side by side: (line, role, name, NIP); ``place_date`` above the last one."""
        self.room(42)
        width = self.inner_width / max(len(blocks), 1)
        self.set_font(FONT, "", 9)
        y = self.get_y() + 3
        if place_date:
            x = MARGIN + width * (len(blocks) - 1)
            self.text(x + (width - self.get_string_width(place_date)) / 2, y, place_date)
            y += 5
        for i, (opening, role, name, nip) in enumerate(blocks):
            x = MARGIN + width * i
            lines = [(opening, "", 0.0), (role, "", 4.5), (f"( {name or '.' * 30} )", "B", 26.0)]
            if nip:
                lines.append((f"{t('payout.doc.nip')} {nip}", "", 30.5))
            for text, style, dy in lines:
                if not text:
                    continue
                self.set_font(FONT, style, 9)
                text = self.fit(text, width - 2)
                self.text(x + (width - self.get_string_width(text)) / 2, y + dy, text)
        self.set_y(y + 34)

    def fill_rects(self, rects: Iterable[tuple[float, float, float, float]]) -> None:
        """Filled rectangles (x, y, width, height in mm) in the current fill colour, written as one block of
        PDF operators: a card's QR code and barcode are a few hundred rectangles each, and fpdf2's
        ``rect`` costs ~15 us apiece (1,000 cards would spend 3 s there)."""
        k, top = self.k, self.h
        self._out("\n".join(f"{x * k:.2f} {(top - y) * k:.2f} {w * k:.2f} {-h * k:.2f} re f" for x, y, w, h in rects))

    def bytes(self) -> bytes:
        return bytes(self.output())
