"""orjson's API as Pilar uses it, in plain Python, for where orjson has no wheel (32-bit Windows).

Pilar imports ``orjson`` everywhere (fast: 100,000 members open in a second). When it is not installed,
``storage/__init__.py`` puts this module in its place, so the same code runs, slower. It writes the same
bytes orjson writes for what Pilar stores (str keys, str/int/bool/None/list/dict values, ISO strings for
dates): compact separators, UTF-8 unescaped, keys sorted on request, two-space indent on request
(tests/storage/core/test_jsonio.py compares the two on real folder files and bundles).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import uuid
from typing import Any

__version__ = "pilar-fallback"

OPT_INDENT_2 = 1
OPT_SORT_KEYS = 1 << 5
OPT_NON_STR_KEYS = 1 << 2
# Accepted and ignored (orjson's defaults already match what Pilar needs).
OPT_NAIVE_UTC = 1 << 1
OPT_OMIT_MICROSECONDS = 1 << 3
OPT_APPEND_NEWLINE = 1 << 10

JSONDecodeError = json.JSONDecodeError
JSONEncodeError = TypeError


def _default(obj: Any) -> Any:
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def dumps(obj: Any, default: Any = None, option: int | None = None) -> bytes:
    option = option or 0
    indent = 2 if option & OPT_INDENT_2 else None
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, sort_keys=bool(option & OPT_SORT_KEYS),
                      indent=indent, separators=(",", ": ") if indent else (",", ":"),
                      default=default or _default)
    out = text.encode("utf-8")
    return out + b"\n" if option & OPT_APPEND_NEWLINE else out


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    if isinstance(data, memoryview):
        data = data.tobytes()
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONDecodeError(f"str is not valid UTF-8: {exc.reason}", "", exc.start) from None
    return json.loads(data, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise JSONDecodeError(f"unexpected {name}", name, 0)
