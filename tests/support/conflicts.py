"""Two offices' versions of one member in conflict, for the conflict tests (storage and screens)."""

from __future__ import annotations

import csv
import time

from storage.core.db import PROVINCE_CODE
from storage.reconcile import conflicts
from storage.sync import engine

NIK = "3509014107850001"


NAME = "SITI AMINAH RAHAYU"


A, J = "UPT-A", PROVINCE_CODE


def member(name=NAME, nik=NIK, account="0011223344", **extra):
    return {"nik": nik, "name": name, "sex": "P", "birth_place": "Jember", "birth_date": "1985-07-01",
            "address": "Jl. Mawar 1", "kab": "35.09", "kec": "35.09.01", "phone": "",
            "bank": {"name": "Bank Jatim", "account": account, "holder": name},
            "assignments": [{"id": "asg-1", "pillar": "PSM", "position": "ANGGOTA", "area_kab": "35.09",
                             "area_kec": "", "office": A, "number": "", "level": "", "sk": "",
                             "start": "2023-01-01", "end": "", "status": "ACTIVE", "inactive_reason": "",
                             "inactive_date": ""}], **extra}


def put(db, value, owner=None):
    with db.transaction("test.edit") as tx:
        return tx.put("members", value, owner=owner)


def send(dbs, frm, to, tmp):
    return engine.export_bundle(dbs[frm], to, tmp / "usb").path


def make_conflict(dbs, tmp):
    """The account changed at the UPT while the province changed the phone: both versions stand at both."""
    rid = put(dbs[A], member(), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    put(dbs[J], dict(dbs[J].get("members", rid), phone="+6281111111111"))
    # a tick between the two edits: in the same millisecond the order of the two versions (highest clock
    # first, then replica id) would rest on the random replica ids, and tests name UPT-A's version #1
    time.sleep(0.005)
    put(dbs[A], dict(dbs[A].get("members", rid), bank=dict(member()["bank"], account="9999888877")))
    res = engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert [c["id"] for c in res.new_conflicts] == [rid]
    engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
    assert conflicts.count(dbs[A]) == 1
    return rid


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["NIK", "Nama", "Alamat", "Jenis Kelamin", "Tanggal Lahir", "Kab/Kota", "Kecamatan", "Pilar"])
        for r in rows:
            w.writerow(r)
    return path
