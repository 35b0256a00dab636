"""Where the data folder is: --data, then PILAR_DATA, then the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_data_dir() -> Path:
    env = os.environ.get("PILAR_DATA")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("Pilar", appauthor=False)) / "data"


def resolve_data_dir(arg: str | None) -> Path:
    return Path(arg).expanduser() if arg else default_data_dir()
