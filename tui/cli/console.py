"""Console output that never crashes on a character the output's encoding lacks.

On Windows, output sent to a file or a pipe (``pilar report summary > f.txt``, ``| more``) is encoded
in the ANSI code page (cp1252), which has no box-drawing characters: Python stops with a traceback and
leaves an empty file. A Windows console itself takes UTF-8 (Python writes it as Unicode); elsewhere
the output keeps its encoding and each character it lacks is written as a plain one (``─`` ``-``,
``│`` ``|``, ``┼`` ``+``, ``→`` ``->``, ``⚠`` ``!``), or ``?`` when there is none.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata

ERRORS = "pilar-plain"

_PLAIN = {
    "─": "-", "━": "-", "═": "=", "│": "|", "┃": "|", "║": "|",
    "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+",
    "╔": "+", "╗": "+", "╚": "+", "╝": "+", "╠": "+", "╣": "+", "╦": "+", "╩": "+", "╬": "+",
    "█": "#", "▇": "#", "▆": "#", "▅": "#", "▄": "#", "▃": "#", "▂": "_", "▁": "_",
    "▉": "#", "▊": "#", "▋": "#", "▌": "#", "▍": "#", "▎": "#", "▏": "#", "▓": "#", "▒": "#", "░": ".",
    "…": "...", "→": "->", "←": "<-", "↑": "^", "↓": "v", "⚠": "!", "∅": "-", "·": ".", "•": "*",
    "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "≥": ">=", "≤": "<=", "✓": "v", "✗": "x",
    "×": "x", "\u00a0": " ",
}


def plain(text: str) -> str:
    """``text`` in plain ASCII characters, as far as they go (``?`` where nothing fits)."""
    out = []
    for ch in text:
        if ch < "\x80":
            out.append(ch)
            continue
        alt = _PLAIN.get(ch)
        if alt is None:
            alt = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii") or "?"
        out.append(alt)
    return "".join(out)


def _plain_errors(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return plain(err.object[err.start:err.end]), err.end


codecs.register_error(ERRORS, _plain_errors)


def prepare(*streams) -> None:
    """Make ``streams`` (default: stdout and stderr) write a plain character for any they cannot encode."""
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding in ("utf8", "utf8sig"):
            continue
        try:
            stream.reconfigure(errors=ERRORS)
        except (AttributeError, ValueError, OSError):
            pass  # not a text stream we can change (a test's capture): left as it is
