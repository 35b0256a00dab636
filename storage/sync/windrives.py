"""USB drives on Windows: which drive letters to offer for bundles.

Offered: removable drives (``DRIVE_REMOVABLE``) with a medium in them, and fixed drives whose bus is
USB (USB hard disks and many large sticks report themselves as fixed). Not offered: empty card-reader
slots (they answer "no medium"), the system drive, network and CD drives. Empty slots are probed with
Windows' critical-error dialog turned off, so no "There is no disk in the drive" box appears.

The decision (:func:`choose`) is plain Python over what a :class:`Probe` reports, so it is tested on
any system with a fake probe; :class:`Win32Probe` asks Windows through ctypes.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from pathlib import Path

DRIVE_REMOVABLE = 2
DRIVE_FIXED = 3
BUS_USB = 7  # STORAGE_BUS_TYPE BusTypeUsb


@dataclass(frozen=True)
class DriveInfo:
    letter: str
    kind: int          # GetDriveTypeW
    has_medium: bool   # a volume answers (GetVolumeInformationW)
    bus: int | None    # STORAGE_DEVICE_DESCRIPTOR.BusType, None when unknown


class Probe:
    """What Windows says about each drive letter (replaced by a fake in tests)."""

    def letters(self) -> list[str]:
        raise NotImplementedError

    def info(self, letter: str) -> DriveInfo:
        raise NotImplementedError


def choose(infos: list[DriveInfo], system: str = "C") -> list[Path]:
    """The drives to offer, in letter order: removable with a medium, or fixed on the USB bus."""
    out = []
    for d in sorted(infos, key=lambda i: i.letter):
        if d.letter.upper() == system.upper() or not d.has_medium:
            continue
        if d.kind == DRIVE_REMOVABLE or (d.kind == DRIVE_FIXED and d.bus == BUS_USB):
            out.append(Path(f"{d.letter}:\\"))
    return out


def system_letter() -> str:
    return (os.environ.get("SystemDrive") or "C:")[:1]


def usb_drives(probe: Probe | None = None) -> list[Path]:
    probe = probe or Win32Probe()
    try:
        infos = [probe.info(letter) for letter in probe.letters()]
    except OSError:
        return []
    return choose(infos, system_letter())


class Win32Probe(Probe):  # pragma: no cover - needs Windows
    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self.ctypes = ctypes
        self.wintypes = wintypes
        self.kernel = ctypes.WinDLL("kernel32", use_last_error=True)

    def letters(self) -> list[str]:
        mask = self.kernel.GetLogicalDrives()
        return [c for i, c in enumerate(string.ascii_uppercase) if mask & (1 << i)]

    def info(self, letter: str) -> DriveInfo:
        root = f"{letter}:\\"
        kind = self.kernel.GetDriveTypeW(root)
        if kind not in (DRIVE_REMOVABLE, DRIVE_FIXED):
            return DriveInfo(letter, kind, False, None)
        return DriveInfo(letter, kind, self._has_medium(root), self._bus(letter) if kind == DRIVE_FIXED else None)

    def _has_medium(self, root: str) -> bool:
        ctypes = self.ctypes
        old = self.wintypes.UINT()
        # SEM_FAILCRITICALERRORS: an empty slot answers "not ready" instead of a dialog box.
        self.kernel.SetThreadErrorMode(0x0001, ctypes.byref(old))
        try:
            name = ctypes.create_unicode_buffer(261)
            fs = ctypes.create_unicode_buffer(261)
            return bool(self.kernel.GetVolumeInformationW(root, name, 261, None, None, None, fs, 261))
        finally:
            self.kernel.SetThreadErrorMode(old.value, None)

    def _bus(self, letter: str) -> int | None:
        ctypes, w = self.ctypes, self.wintypes

        class Query(ctypes.Structure):
            _fields_ = [("PropertyId", w.DWORD), ("QueryType", w.DWORD), ("Extra", ctypes.c_ubyte * 1)]

        class Descriptor(ctypes.Structure):
            _fields_ = [("Version", w.DWORD), ("Size", w.DWORD), ("DeviceType", ctypes.c_ubyte),
                        ("DeviceTypeModifier", ctypes.c_ubyte), ("RemovableMedia", ctypes.c_ubyte),
                        ("CommandQueueing", ctypes.c_ubyte), ("VendorIdOffset", w.DWORD),
                        ("ProductIdOffset", w.DWORD), ("ProductRevisionOffset", w.DWORD),
                        ("SerialNumberOffset", w.DWORD), ("BusType", ctypes.c_int),
                        ("RawPropertiesLength", w.DWORD), ("RawDeviceProperties", ctypes.c_ubyte * 1)]

        self.kernel.CreateFileW.restype = w.HANDLE
        handle = self.kernel.CreateFileW(f"\\\\.\\{letter}:", 0, 3, None, 3, 0, None)  # no access, share r/w
        if handle in (None, w.HANDLE(-1).value):
            return None
        try:
            query, desc, got = Query(0, 0), Descriptor(), w.DWORD()
            ok = self.kernel.DeviceIoControl(handle, 0x2D1400, ctypes.byref(query), ctypes.sizeof(query),
                                             ctypes.byref(desc), ctypes.sizeof(desc), ctypes.byref(got), None)
            return desc.BusType if ok else None
        finally:
            self.kernel.CloseHandle(handle)
