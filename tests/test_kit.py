"""The offline kit's pieces (.ci/make_kit.py); building it downloads ~100 MB, so `make kit` and
`make kit-check` (CI: installed with the network cut) do that, not `make test`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))  # the kit builder is a build script, beside CI
import make_kit  # noqa: E402

from storage.core import formats  # noqa: E402


def test_the_kit_carries_every_pin_of_pyproject_and_is_named_by_the_release():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    deps = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S).group(1)
    assert make_kit.pins() and all(f'"{p}"' in deps for p in make_kit.pins())
    assert {make_kit.requirement_name(p) for p in make_kit.pins()} >= {"textual", "orjson", "num2words", "PyNaCl"}
    assert make_kit.version() == formats.PILAR_VERSION


def test_each_target_gets_its_own_pinned_set():
    here = make_kit.requirements_for(None)
    win64 = make_kit.requirements_for(("win_amd64", "3.12"))
    win32 = make_kit.requirements_for(("win32", "3.12"))
    assert "orjson==3.13.0" in here and "pywin32==312" not in here
    assert "orjson==3.13.0" in win64 and "pywin32==312" in win64  # pilar[fast] on 64-bit Windows
    assert "orjson==3.13.0" not in win32 and "pywin32==312" in win32  # no 32-bit wheel: storage/jsonio.py
    assert "msgspec==0.22.0" in here and "msgspec==0.22.0" in win64 and "msgspec==0.22.0" not in win32
    assert all(";" not in r for r in here + win64 + win32)  # markers decided per target, not by pip here


def test_every_windows_python_is_downloaded_in_wheels_only():
    commands = make_kit.download_commands(Path("w"))
    targets = {(c[c.index("--platform") + 1], c[c.index("--python-version") + 1]) for c in commands if "--platform" in c}
    assert targets == {(p, py) for p in ("win_amd64", "win32") for py in ("3.10", "3.11", "3.12", "3.13")}
    assert all("--only-binary=:all:" in c for c in commands)  # nothing to compile at the office
    here = make_kit.download_commands(Path("w"), here_only=True)
    assert len(here) == 1 and "--platform" not in here[0]
    assert any(r.startswith("docopt==") for r in make_kit.BUILD_HERE)  # no wheel published: built here


def test_install_and_update_scripts_use_the_kit_alone_and_leave_the_data_folder(tmp_path):
    make_kit.write_scripts(tmp_path, "9.9.9")
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"install.bat", "update.bat", "install.sh", "update.sh", "BACA-SAYA.txt"}
    for name in ("install.bat", "update.bat", "install.sh", "update.sh"):
        text = (tmp_path / name).read_text(encoding="ascii")
        assert "--no-index" in text and "--find-links" in text and "pilar[fast]==9.9.9" in text
        assert "Pilar\\data" not in text and "Pilar/data" not in text and "PILAR_DATA" not in text
        if name.endswith(".bat"):
            assert (tmp_path / name).read_bytes().count(b"\r\n") == text.count("\n")  # cmd wants CRLF
    readme = (tmp_path / "BACA-SAYA.txt").read_text(encoding="ascii")
    assert "64-bit" in readme and "32-bit" in readme and "python-3" in readme and "update.bat" in readme and "cadangan" in readme


@pytest.mark.skipif(not (ROOT / "dist").is_dir(), reason="no kit built here (make kit)")
def test_a_built_kit_has_a_wheel_of_pilar_and_docopt():
    kits = sorted((ROOT / "dist").glob("pilar-kit-*"))
    if not kits:
        pytest.skip("no kit built here")
    wheels = {p.name.split("-")[0].lower() for p in (kits[-1] / "wheels").glob("*.whl")}
    assert {"pilar", "docopt", "orjson", "msgspec", "textual", "pywin32"} <= wheels
    assert list((kits[-1] / "wheels").glob("pywin32-*-win32.whl"))
