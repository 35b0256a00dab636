"""A forged audit log does not pass (issue 22). The forger has the whole folder: edits an old line (who
changed an account) or deletes a transaction's lines, re-hashes every line after it and updates the
manifest's head, so the chain verifies. The anchors outside the folder's reach name it: the province's
copy of the head from every signed bundle (alarm at the next import, kept, in ``pilar check``), and at the
office its exports' and backups' heads and the anchor the province sent back. A damaged log alone never
brings advice to restore a backup (that would roll the data back)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from storage.check import run_checks
from storage.core import audit as audit_mod
from storage.core import formats
from storage.core.db import PROVINCE_CODE, Database
from storage.sync import engine as E
from tests.support.network import make_network
from tui.cli import main


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path / "net", upts=("UPT-A",))
    for batch in range(3):
        change(paths["UPT-A"], batch)
    return paths


def change(path: Path, batch: int) -> None:
    db = Database.open(path, operator="Siti")
    try:
        with db.transaction("seed") as tx:
            for i in range(3):
                tx.put("members", {"name": f"Anggota {batch}-{i}", "nik": f"35780141{batch:02d}{i:06d}",
                                   "bank": {"name": "Bank Jatim", "account": f"00112{batch}{i:04d}", "holder": "X"}})
    finally:
        db.close()


def bundle(paths, tmp_path: Path, cli_capsys=None) -> Path:
    db = Database.open(paths["UPT-A"], operator="Siti")
    try:
        return E.export_bundle(db, PROVINCE_CODE, tmp_path / "out").path
    finally:
        db.close()


def import_at_province(paths, file: Path, capsys) -> tuple[int, str]:
    code = main(["--data", str(paths[PROVINCE_CODE]), "--operator", "Admin", "--lang", "en", "import", str(file)])
    out, err = capsys.readouterr()
    return code, out + err


def forge(path: Path, edit) -> None:
    """Rewrite the office's log as a forger would: ``edit(lines)`` changes the list, then every line is
    renumbered and re-hashed and the manifest's head updated (the chain verifies afterwards)."""
    log = path / "audit.jsonl"
    lines = [orjson.loads(raw) for raw in log.read_bytes().splitlines() if raw.strip()]
    lines = edit(lines)
    prev, out = audit_mod.GENESIS, []
    for n, line in enumerate(lines, 1):
        line = {k: v for k, v in line.items() if k != "h"}
        line.update(n=n, prev=prev)
        body = orjson.dumps(line, option=orjson.OPT_SORT_KEYS)
        prev = audit_mod._hash(prev, line)
        out.append(body[:-1] + b',"h":"' + prev.encode() + b'"}')  # as AuditLog.catch_up writes it
    log.write_bytes(b"\n".join(out) + b"\n")
    manifest_path = path / "db" / "manifest.json"
    manifest = orjson.loads(manifest_path.read_bytes())
    manifest["audit"] = {"n": len(lines), "h": prev, "seq": lines[-1].get("seq", 0)}
    manifest_path.write_bytes(formats.manifest_bytes(manifest))  # checksummed as Pilar writes it (folder 2)
    assert audit_mod.AuditLog(log).verify(manifest["audit"]) == []  # the chain alone passes the forgery


def who_changed(lines: list[dict]) -> list[dict]:
    lines[2] = dict(lines[2], operator="Orang Lain")
    return lines


def drop_first_transaction(lines: list[dict]) -> list[dict]:
    seq = lines[0]["seq"]
    return [line for line in lines if line["seq"] != seq]


@pytest.mark.parametrize("edit", [who_changed, drop_first_transaction])
def test_a_rewritten_log_is_named_at_the_province_and_at_the_office(net, tmp_path, capsys, edit):
    first = bundle(net, tmp_path)
    code, text = import_at_province(net, first, capsys)
    assert code == 0 and "WARNING" not in text
    change(net["UPT-A"], 7)
    forge(net["UPT-A"], edit)
    # the office: pilar check names what differs from its last export's anchor, and advises no restore
    code = main(["--data", str(net["UPT-A"]), "--lang", "en", "check"])
    out = capsys.readouterr().out
    assert code == 1 and "the bundle to JATIM" in out and "Do NOT restore" in out and "Restore" not in out.replace(
        "Do NOT restore", "")
    # the province: the next bundle's import says so, the import log keeps it, and the old anchor is kept
    second = bundle(net, tmp_path)
    code, text = import_at_province(net, second, capsys)
    assert code == 0 and "WARNING: the audit log of office UPT-A" in text
    peers = E.read_peers(net[PROVINCE_CODE])["UPT-A"]
    assert peers["audit_alarms"] and peers["audit"]["bundle_id"] == orjson.loads(
        Path(net[PROVINCE_CODE] / "imports.jsonl").read_bytes().splitlines()[-2])["bundle_id"]
    assert "UPT-A" in E.import_log(net[PROVINCE_CODE])[-1]["audit_alarm"]
    change(net["UPT-A"], 8)
    code, text = import_at_province(net, bundle(net, tmp_path), capsys)
    assert "WARNING: the audit log of office UPT-A" in text  # the forgery never becomes the baseline
    code = main(["--data", str(net[PROVINCE_CODE]), "--lang", "en", "check"])
    out = capsys.readouterr().out
    assert "The audit log of office UPT-A does not match its anchor" in out


def test_honest_bundles_raise_no_alarm_and_the_office_checks_against_the_provinces_anchor(net, tmp_path, capsys):
    for batch in (4, 5):
        code, text = import_at_province(net, bundle(net, tmp_path), capsys)
        assert code == 0 and "WARNING" not in text
        change(net["UPT-A"], batch)
    assert "audit_alarms" not in E.read_peers(net[PROVINCE_CODE])["UPT-A"]
    # the province sends its anchor back; the office keeps it and checks its log against it
    db = Database.open(net[PROVINCE_CODE], operator="Admin")
    try:
        back = E.export_bundle(db, "UPT-A", tmp_path / "back").path
    finally:
        db.close()
    db = Database.open(net["UPT-A"], operator="Siti")
    try:
        E.import_bundle(db, back)
    finally:
        db.close()
    told = E.read_peers(net["UPT-A"])[PROVINCE_CODE]["your_audit"]
    assert told["n"] > 0 and run_checks(net["UPT-A"]) == []
    # lines deleted from the end and the head "fixed": the province's anchor (and the exports') name it
    def cut(lines):  # whole transactions only, as a careful forger would
        keep = lines[: told["n"] - 1]
        while keep and not keep[-1].get("end", True):
            keep.pop()
        return keep
    forge(net["UPT-A"], cut)
    problems = run_checks(net["UPT-A"])
    assert any("JATIM holds" in p or "JATIM memegang" in p or "dipegang JATIM" in p for p in problems), problems


def test_a_declared_restore_is_recorded_not_called_a_forgery(net, tmp_path, capsys):
    from storage.backup import backups

    made = backups.backup_now(Database.open(net["UPT-A"], operator="Siti"), "manual")
    assert import_at_province(net, bundle(net, tmp_path), capsys)[0] == 0
    change(net["UPT-A"], 6)
    assert import_at_province(net, bundle(net, tmp_path), capsys)[0] == 0
    name = getattr(made, "name", None) or Path(str(getattr(made, "path", made))).name
    backups.restore(net["UPT-A"], name, operator="Siti")
    change(net["UPT-A"], 9)
    code, text = import_at_province(net, bundle(net, tmp_path), capsys)
    assert code == 0 and "restored a backup" in text and "WARNING" not in text
    assert run_checks(net["UPT-A"]) == []


def test_a_damaged_audit_log_alone_never_brings_restore_advice(net, capsys):
    from storage.backup import backups

    backups.backup_now(Database.open(net["UPT-A"], operator="Siti"), "manual")  # a backup to be tempted by
    change(net["UPT-A"], 5)
    log = net["UPT-A"] / "audit.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-3]))  # the last transaction's lines gone, the manifest's head kept
    code = main(["--data", str(net["UPT-A"]), "--lang", "en", "roster", "list"])
    err = capsys.readouterr().err
    assert code == 1 and "audit.jsonl" in err and "Do NOT restore" in err and "pilar restore" not in err
    code = main(["--data", str(net["UPT-A"]), "--lang", "en", "check"])
    out = capsys.readouterr().out
    assert code == 1 and "Do NOT restore" in out and "pilar restore" not in out
