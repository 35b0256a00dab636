"""The ``pilar`` command's core: init, init --sample, check, --format json, exit codes, --lang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from storage.core.db import Database
from storage.core.i18n import set_lang
from tests.support.parts import part_file
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
PILAR = Path(sys.executable).parent / "pilar"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo folder made by ``pilar init --sample`` (shared read-only by the tests below)."""
    path = tmp_path_factory.mktemp("cli") / "demo"
    assert main(["--data", str(path), "init", "--sample"]) == 0
    set_lang("id")
    return path


def test_init_creates_an_office_folder(tmp_path, capsys):
    path = tmp_path / "jember"
    code = main(["--data", str(path), "--operator", "Siti", "init", "--office", "UPT-PSTW-JEMBER",
                 "--name", "UPT Pelayanan Sosial Tresna Werdha Jember"])
    assert code == 0
    assert "Folder data kantor UPT-PSTW-JEMBER dibuat" in capsys.readouterr().out
    office = orjson.loads((path / "office.json").read_bytes())
    assert office["code"] == "UPT-PSTW-JEMBER" and office["type"] == "UPT" and office["operator"] == "Siti"
    db = Database.open(path)  # not left locked
    assert db.count("members") == 0
    db.close()
    # The same folder again: refused, nothing changed.
    before = (path / "office.json").read_bytes()
    assert main(["--data", str(path), "init", "--office", "JATIM", "--name", "X", "--province"]) == 1
    assert "sudah berisi data Pilar kantor UPT-PSTW-JEMBER" in capsys.readouterr().err
    assert (path / "office.json").read_bytes() == before


def test_init_without_office_is_one_sentence(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "x"), "init"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Sebutkan kode dan nama kantor: pilar init --office KODE --name NAMA."
    assert not (tmp_path / "x" / "office.json").exists()


def test_init_sample_loads_the_demo(demo):
    db = Database.open(demo, read_only=True)
    assert db.code == "JATIM" and db.is_province
    assert db.count("offices") == 31 and db.count("members") == 1562


def test_init_sample_reports_counts(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "d"), "init", "--sample", "--office", "UPT-RSBN-MALANG"]) == 0
    out = capsys.readouterr().out
    assert "Data contoh dimuat:" in out and "31 kantor" in out
    db = Database.open(tmp_path / "d", read_only=True)
    assert db.office["name"] == "UPT Rehabilitasi Sosial Bina Netra Malang" and not db.is_province
    assert 0 < db.count("members") < 200


def test_check_is_clean_on_the_demo(demo, capsys):
    assert main(["--data", str(demo), "check"]) == 0
    assert f"Folder data {demo} sehat" in capsys.readouterr().out
    assert main(["check", "--data", str(demo), "--format", "json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report == {"path": str(demo), "ok": True, "problems": [], "work": [], "readings": 1}


def test_check_names_the_damaged_file(demo, tmp_path, capsys):
    import shutil

    copy = tmp_path / "damaged"
    shutil.copytree(demo, copy)
    members = part_file(copy)  # one part of the members (folder format 2): check names that part
    raw = bytearray(members.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    members.write_bytes(bytes(raw))
    assert main(["--data", str(copy), "check"]) == 1
    out = capsys.readouterr().out
    assert str(members) in out and "rusak" in out
    assert main(["--data", str(copy), "check", "--format", "json"]) == 1
    report = orjson.loads(capsys.readouterr().out)
    assert report["ok"] is False and any(str(members) in p for p in report["problems"])
    assert main(["--data", str(copy), "--lang", "en", "check"]) == 1
    assert "is damaged" in capsys.readouterr().out


def test_check_on_a_folder_without_data(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nothing"), "check"]) == 1
    assert "belum berisi data Pilar" in capsys.readouterr().out


def test_lang_en(demo, capsys):
    assert main(["--lang", "en", "--data", str(demo), "check"]) == 0
    assert f"Data folder {demo} is sound" in capsys.readouterr().out
    set_lang("id")
    assert main(["--data", str(demo), "check", "--lang", "en"]) == 0  # after the subcommand too
    assert "is sound" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["frobnicate"],
    ["check", "--format", "xml"],
    ["init", "--bogus"],
    ["--lang", "fr", "check"],
])
def test_wrong_usage_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "cara pakai: pilar" in capsys.readouterr().err  # Indonesian unless --lang en (or PILAR_LANG)


def test_installed_command_end_to_end(tmp_path):
    """The real ``pilar`` executable: PILAR_DATA, exit codes, messages on stderr."""
    env = dict(os.environ, PILAR_DATA=str(tmp_path / "env-data"), PILAR_LANG="en")
    run = lambda *args: subprocess.run([str(PILAR), *args], cwd=ROOT, env=env, capture_output=True,  # noqa: E731
                                       text=True, timeout=120)
    done = run("init", "--office", "UPT-PSTW-BLITAR", "--name", "UPT Pelayanan Sosial Tresna Werdha Blitar")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "env-data" / "office.json").exists()
    done = run("check")
    assert done.returncode == 0 and "is sound" in done.stdout
    done = run("init", "--office", "X", "--name", "Y")
    assert done.returncode == 1 and "already holds Pilar data" in done.stderr and not done.stdout
    done = run("check", "--format", "yaml")
    assert done.returncode == 2
