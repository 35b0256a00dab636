"""The installed ``pilar`` command in a real pseudo-terminal: type, read the screen, check the disk."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from storage.core.db import Database
from tests.support.roster import make_folder

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>NOPc78]")


def pilar_command() -> str | None:
    here = Path(sys.executable).parent / "pilar"
    return str(here) if here.exists() else shutil.which("pilar")


class Terminal:
    """A child process on a pty of a given size; ``text`` is everything it drew, escapes removed."""

    def __init__(self, argv: list[str], cols: int = 100, rows: int = 30) -> None:
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
            os.execv(argv[0], argv)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd, self.raw = pid, fd, b""

    def read(self, seconds: float = 0.2) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.raw += os.read(self.fd, 65536)
                except OSError:
                    return

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > end:
                raise AssertionError(f"{needle!r} not on screen; last output: {self.text[-800:]!r}")
            self.read(0.2)

    def type(self, keys: str) -> None:
        for ch in keys:
            os.write(self.fd, ch.encode())
            self.read(0.05)

    def close(self, timeout: float = 30.0) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError("pilar did not exit")


@pytest.mark.skipif(pilar_command() is None, reason="the pilar command is not installed")
def test_find_and_deactivate_a_member_in_a_real_terminal(tmp_path):
    make_folder(tmp_path / "data", extra=10).close()
    term = Terminal([pilar_command(), "--data", str(tmp_path / "data"), "--operator", "Tester"])
    try:
        term.wait_for("16 dari 16 anggota")
        term.type("/")
        term.type("wahyu")
        term.wait_for("1 dari 16 anggota")
        term.wait_for("Wahyu Hidayat")
        term.type("\r")  # to the table
        term.read(0.5)
        term.type("d")
        term.wait_for("Nonaktifkan Wahyu Hidayat")
        term.type("pindah tugas\r")  # Enter in any field submits (issue 24): the date is filled in
        term.wait_for("dinonaktifkan")
        term.type("\x11")  # ctrl+q
    finally:
        code = term.close()
    assert code == 0
    db = Database.open(tmp_path / "data", read_only=True)
    wahyu = next(m for m in db.values("members") if m["name"] == "Wahyu Hidayat")
    assert wahyu["assignments"][0]["status"] == "INACTIVE"
    assert wahyu["assignments"][0]["inactive_reason"] == "pindah tugas"
    assert db.audit.for_record(wahyu["id"])[-1]["operator"] == "Tester"
