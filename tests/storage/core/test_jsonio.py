"""Pilar without orjson (32-bit Windows has no wheel of it): storage/jsonio.py writes what orjson writes,
reads what it reads, and a whole office works on it and syncs with one running orjson."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from storage.backup.upgrade import open_folder
from storage.core import jsonio
from storage.sync import engine

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "releases" / "0.1.0"
OPTIONS = [0, orjson.OPT_SORT_KEYS, orjson.OPT_INDENT_2, orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS]


def test_the_options_are_orjsons():
    assert (jsonio.OPT_INDENT_2, jsonio.OPT_SORT_KEYS, jsonio.OPT_NON_STR_KEYS) == (
        orjson.OPT_INDENT_2, orjson.OPT_SORT_KEYS, orjson.OPT_NON_STR_KEYS)
    assert issubclass(orjson.JSONDecodeError, jsonio.JSONDecodeError)


def _documents() -> list:
    docs = []
    for path in sorted(FIXTURE.rglob("*")):
        if path.suffix == ".json" and path.parent.name == "db" and path.name != "manifest.json":
            head, payload = path.read_bytes().split(b"\n", 1)
            docs.append(orjson.loads(payload[payload.index(b":") + 1:].rstrip().rstrip(b"}")))
        elif path.suffix == ".json":
            docs.append(orjson.loads(path.read_bytes()))
        elif path.suffix == ".jsonl":
            docs += [orjson.loads(line) for line in path.read_bytes().splitlines() if line.startswith(b"{")]
    return docs + [{"é\n\t\u0001\"\\/": ["☃ 😀 \u2028", -2 ** 53, 0.1, True, None, {}, []]}]


@pytest.mark.parametrize("option", OPTIONS)
def test_the_same_bytes_as_orjson_for_what_pilar_stores(option):
    for doc in _documents():
        assert jsonio.dumps(doc, option=option) == orjson.dumps(doc, option=option)
        raw = orjson.dumps(doc, option=option)
        assert jsonio.loads(raw) == jsonio.loads(memoryview(raw)) == orjson.loads(raw)


def test_damage_is_a_decode_error_as_with_orjson():
    for bad in (b"", b"{", b'{"a":1}x', b"\xff\xfe", b"NaN"):
        with pytest.raises(jsonio.JSONDecodeError):
            jsonio.loads(bad)
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(bad)


def _pilar_without_orjson(*argv: str) -> subprocess.CompletedProcess:
    code = ("import sys; sys.modules['orjson'] = None; from tui.cli import main; "
            "import storage, orjson; assert orjson.__version__ == 'pilar-fallback'; sys.exit(main())")
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PILAR_LANG="en", PILAR_OPERATOR="Tanpa orjson"))


def test_an_office_without_orjson_opens_imports_and_syncs_with_one_that_has_it(tmp_path):
    root = tmp_path / "old"
    shutil.copytree(FIXTURE, root)
    run = _pilar_without_orjson("--data", str(root / "JATIM"), "check")
    # a folder of 0.1.0 (folder format 1) is brought up to date by an open for writing, not by a check
    assert run.returncode == 1 and "format 1" in run.stdout + run.stderr, run.stdout + run.stderr
    run = _pilar_without_orjson("--data", str(root / "JATIM"), "import", str(root / "bundles" / "to-JATIM.pilar"))
    assert run.returncode == 0 and "accepted" in run.stdout, run.stdout + run.stderr
    run = _pilar_without_orjson("--data", str(root / "JATIM"), "export", "--to", "UPT-A", "--out", str(tmp_path / "b"))
    assert run.returncode == 0, run.stdout + run.stderr
    upt = open_folder(root / "UPT-A")  # this process: orjson
    try:
        got = engine.import_bundle(upt, next((tmp_path / "b").glob("*.pilar")))
        assert not got.refused
        out = engine.export_bundle(upt, "JATIM", tmp_path / "c")
    finally:
        upt.close()
    run = _pilar_without_orjson("--data", str(root / "JATIM"), "import", str(out.path))
    assert run.returncode == 0 and "accepted" in run.stdout, run.stdout + run.stderr
    run = _pilar_without_orjson("--data", str(root / "JATIM"), "check")
    assert run.returncode == 0, run.stdout + run.stderr
