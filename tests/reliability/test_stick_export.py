"""An export killed on the way to the stick, and a stick or disk that is too full (issue 22).

- Killed right after the bundle's rename (before the number was recorded, as it was), the next export
  gave a second bundle with the same number. The number is now taken before the rename.
- Killed while writing, the temporary file stayed on the stick for good. The next export removes it.
- "needs 1.0 MB, 1.9 MB free": the 1 MB always left free was not said.
Each export below is a real process, killed with SIGKILL at the moment named.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from storage.core.db import PROVINCE_CODE, Database
from storage.core.errors import PilarError
from storage.sync import engine, sequence
from tests.support.network import make_network
from tui.cli import main

A, J = "UPT-A", PROVINCE_CODE
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------- the exporter (subprocess)

def exporter(data: str, stick: str, when: str) -> None:
    """Export UPT-A's bundle to the province onto ``stick``, killed by SIGKILL ``when``: "after-rename" (the
    bundle is in place, nothing after it ran) or "before-rename" (its temporary file is written)."""
    from storage.core import fsutil

    real_replace, real_fsync_dir = fsutil.replace_file, fsutil.fsync_dir

    def replace_file(src, dst, *args, **kwargs):
        if when == "before-rename" and str(dst).endswith(".pilar"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst, *args, **kwargs)

    def fsync_dir(path, *args, **kwargs):
        real_fsync_dir(path, *args, **kwargs)
        if when == "after-rename" and Path(path) == Path(stick).resolve():
            os.kill(os.getpid(), signal.SIGKILL)

    fsutil.replace_file, fsutil.fsync_dir = replace_file, fsync_dir
    db = Database.open(data, operator="Siti")
    with db.transaction("roster.edit") as tx:
        tx.put("members", {"nik": f"35090141078{os.getpid() % 100000:05d}", "name": f"ANGGOTA {when}"}, owner=A)
    engine.export_bundle(db, J, Path(stick))
    db.close()
    sys.exit(0)  # not killed: the test fails on the exit code


def _killed_export(data: Path, stick: Path, when: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, __file__, str(data), str(stick), when], capture_output=True, env=env,
                         cwd=ROOT, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()[-2000:]


def test_an_export_killed_after_the_rename_never_gives_two_bundles_one_number_and_its_leftovers_go(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    stick = tmp_path / "stick"
    stick.mkdir()
    _killed_export(paths[A], stick, "after-rename")
    (first,) = stick.glob("*.pilar")
    _killed_export(paths[A], stick, "before-rename")
    (left,) = [p for p in stick.iterdir() if p.name.endswith(".tmp")]
    assert left.name.startswith(".pilar_")
    upt = Database.open(paths[A], operator="Siti")
    try:
        second = engine.export_bundle(upt, J, stick).path
    finally:
        upt.close()
    prov = Database.open(paths[J], operator="Budi")
    try:
        numbers = [engine.manifest_of(prov, p)["seq"] for p in (first, second)]
        # the number of the bundle killed before its rename was taken and is skipped: a gap the later one closes
        assert numbers == [1, 3], numbers
        # the temporary file of the killed export is gone; the two bundles there are the two on the stick
        assert sorted(p.name for p in stick.iterdir()) == sorted([first.name, second.name])
        for p in (first, second):
            assert not engine.import_bundle(prov, p).refused
        (gap,) = sequence.gaps(prov)
        assert gap["missing"] == [2] and gap["closed"]
    finally:
        prov.close()


def test_a_failed_export_gives_its_number_back(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    full = tmp_path / "full"
    full.write_text("a file where the stick's folder should be")  # writing the bundle fails
    upt = Database.open(paths[A], operator="Siti")
    try:
        with pytest.raises(PilarError):
            engine.export_bundle(upt, J, full / "pilar")
        assert engine.export_bundle(upt, J, tmp_path / "stick").path.exists()
        assert sequence.read(upt.path)["sent"][J]["last"] == 1
    finally:
        upt.close()


def test_the_space_sentence_says_the_margin_and_its_figures_show_the_lack(tmp_path, monkeypatch, capsys):
    import storage.backup.backups as backups

    data = tmp_path / "data"
    assert main(["--data", str(data), "init", "--office", A, "--name", "UPT A", "--operator", "Siti"]) == 0
    capsys.readouterr()
    real = shutil.disk_usage

    def nearly_full(path):
        usage = real(path)
        return usage._replace(free=1024 * 1024 + 100)  # more than 1 MB free, less than the need plus 1 MB

    monkeypatch.setattr(backups.shutil, "disk_usage", nearly_full)
    assert main(["--data", str(data), "--lang", "en", "backup"]) == 1
    said = capsys.readouterr().err
    # (the figures of the issue, "needs 1.0 MB, 1.9 MB free", read as if there were room enough)
    assert "plus the 1.00 MB always left free" in said and "1.00 MB is free" in said, said
    need = float(said.split("it needs ")[1].split(" MB")[0])
    total = float(said.split("always left free (")[1].split(" MB")[0])
    assert need > 0 and total == pytest.approx(need + 1.0, abs=0.011) and total > 1.00
    assert not list((data / "backups").iterdir()) if (data / "backups").exists() else True


if __name__ == "__main__":
    exporter(sys.argv[1], sys.argv[2], sys.argv[3])
