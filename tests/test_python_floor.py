"""The Python the clerk's PC has: ``requires-python`` and every pin agree (issue 21). On 3.10 pip
stopped at "No matching distribution found for filelock==4.3.1": a pin that needs a newer Python than
``requires-python`` promises is a broken install at an office with no internet."""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, metadata, version
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

PYPROJECT = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
PINS = re.findall(r'^\s*"([A-Za-z0-9_.\-]+)==([^";\s]+)"', PYPROJECT, re.M)
FLOOR = re.search(r'^requires-python\s*=\s*">=\s*([0-9.]+)"', PYPROJECT, re.M).group(1)


def test_the_floor_is_3_10_and_this_interpreter_meets_it():
    assert FLOOR == "3.10"
    assert sys.version_info >= tuple(int(x) for x in FLOOR.split("."))


@pytest.mark.parametrize("name,pinned", PINS, ids=[n for n, _ in PINS])
def test_every_pin_installs_on_the_floor(name, pinned):
    """The installed distribution is the pinned one, and its own Requires-Python admits the floor."""
    try:
        installed = version(name)
    except PackageNotFoundError:
        pytest.skip(f"{name} is not installed here")
    assert installed == pinned, f"{name}: {installed} installed, {pinned} pinned"
    needs = metadata(name).get("Requires-Python") or ""
    assert SpecifierSet(needs).contains(FLOOR, prereleases=True), f"{name}=={pinned} needs Python {needs}"


def test_pins_were_found():
    names = {n.lower() for n, _ in PINS}
    assert {"textual", "filelock", "platformdirs", "python-calamine", "hypothesis"} <= names
