"""Pilar's data, rules and files (no screen: ``storage`` never imports textual)."""

try:
    import orjson  # noqa: F401  - the fast JSON every module uses
except ImportError:  # 32-bit Windows: orjson publishes no wheel; the same API in plain Python instead
    import sys

    from storage.core import jsonio

    sys.modules["orjson"] = jsonio
