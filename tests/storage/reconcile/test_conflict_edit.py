"""Editing a member in conflict: storage refuses a plain save (form, `roster edit`, `roster import`)
unless the caller says which version it edited from; a deleted-first conflict shows its last data."""

from __future__ import annotations

import json
import time

import pytest

from storage.core import i18n
from storage.core.db import Database
from storage.core.errors import PilarError
from storage.reconcile import conflicts
from storage.roster import Roster
from storage.roster.importing.plan import commit, preview
from storage.sync import engine
from tests.support.conflicts import NAME, NIK, A, J, make_conflict, member, put, send, write_csv
from tests.support.network import make_network
from tui.cli import main as cli


@pytest.fixture
def net(tmp_path):
    paths = make_network(tmp_path, upts=(A,))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    yield dbs, tmp_path, paths
    for db in dbs.values():
        db.close()
    i18n.set_lang("id")


def accounts(db, rid):
    return sorted((v["value"] or {}).get("bank", {}).get("account", "") for v in conflicts.siblings(db, "members", rid))


def test_plain_save_over_a_conflict_is_refused_and_both_versions_stay(net):
    dbs, tmp, _ = net
    rid = make_conflict(dbs, tmp)
    roster = Roster(dbs[A])
    value = dict(roster.get(rid), address="Jl. Melati 9")  # a field the conflict is not about
    with pytest.raises(PilarError) as err:
        roster.save(value, accept_warnings=True)
    assert err.value.key == "conflict.edit_refused"
    text = str(err.value)
    assert f"pilar conflicts resolve {rid[:8]} --keep N" in text and NAME in text and "JATIM" in text
    # nothing written: both accounts still stand, the address unchanged
    assert accounts(dbs[A], rid) == ["0011223344", "9999888877"]
    assert dbs[A].get("members", rid)["address"] == "Jl. Mawar 1"
    with pytest.raises(PilarError) as err:
        roster.deactivate(rid, "pindah", "2024-05-01")
    assert err.value.key == "conflict.edit_refused"
    with pytest.raises(PilarError):
        roster.delete(rid, "salah input")
    assert conflicts.count(dbs[A]) == 1


def test_save_with_the_version_chosen_closes_the_conflict_on_purpose(net):
    dbs, tmp, _ = net
    rid = make_conflict(dbs, tmp)
    roster = Roster(dbs[A])
    versions = conflicts.siblings(dbs[A], "members", rid)
    n = next(v["n"] for v in versions if v["value"]["bank"]["account"] == "9999888877")
    chosen = dict(versions[n - 1]["value"], address="Jl. Melati 9")
    with pytest.raises(PilarError):
        roster.save(chosen, accept_warnings=True, resolution=len(versions) + 1)
    saved, result = roster.save(chosen, accept_warnings=True, resolution=n)
    assert saved == rid and not result.errors
    value = dbs[A].get("members", rid)
    assert "_conflict" not in value and value["bank"]["account"] == "9999888877"
    assert value["address"] == "Jl. Melati 9" and conflicts.count(dbs[A]) == 0
    # the decision travels: the province ends with the same single value
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    assert conflicts.count(dbs[J]) == 0 and dbs[J].get("members", rid)["bank"]["account"] == "9999888877"
    # a resolution given for a member not in conflict is a mistake, said in a sentence
    with pytest.raises(PilarError) as err:
        roster.save(value, resolution=1)
    assert err.value.key == "conflict.edit_not_in_conflict"


def test_import_lists_rows_of_members_in_conflict_and_does_not_apply_them(net):
    dbs, tmp, _ = net
    rid = make_conflict(dbs, tmp)
    roster = Roster(dbs[A])
    path = write_csv(tmp / "roster.csv", [
        [NIK, NAME, "Jl. Kenanga 3", "P", "01-07-1985", "Jember", "Kencong", "PSM"],
        ["3509010101800002", "BUDI SANTOSO", "Jl. Anggrek 2", "L", "01-01-1980", "Jember", "Kencong", "PSM"],
    ])
    plan = preview(roster, path)
    fates = {r.nik: r.fate for r in plan.rows}
    assert fates == {NIK: "conflict", "3509010101800002": "add"}
    row = next(r for r in plan.rows if r.nik == NIK)
    assert f"pilar conflicts resolve {rid[:8]} --keep N" in row.reasons[0]
    assert plan.counts["conflict"] == 1 and [r.nik for r in plan.accepted] == ["3509010101800002"]
    commit(roster, plan)
    assert accounts(dbs[A], rid) == ["0011223344", "9999888877"]
    assert dbs[A].get("members", rid)["address"] == "Jl. Mawar 1" and conflicts.count(dbs[A]) == 1
    assert len(dbs[A].lookup("members", "nik", "3509010101800002")) == 1


def run(capsys, *argv):
    code = cli(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_cli_roster_edit_and_import_refuse_with_the_command_then_keep_n_edits(net, capsys):
    dbs, tmp, paths = net
    rid = make_conflict(dbs, tmp)
    versions = conflicts.siblings(dbs[A], "members", rid)
    n = next(v["n"] for v in versions if v["value"]["phone"] == "+6281111111111")
    for db in dbs.values():
        db.close()
    data = str(paths[A])
    changes = tmp / "changes.json"
    changes.write_text(json.dumps({"address": "Jl. Melati 9"}))
    code, out = run(capsys, "--data", data, "roster", "edit", NIK, str(changes))
    assert code == 1 and f"pilar conflicts resolve {rid[:8]} --keep N" in out
    path = write_csv(tmp / "roster.csv", [[NIK, NAME, "Jl. Kenanga 3", "P", "01-07-1985", "Jember", "Kencong", "PSM"]])
    code, out = run(capsys, "--data", data, "roster", "import", str(path))
    assert code == 1 and "dalam konflik" in out and f"pilar conflicts resolve {rid[:8]}" in out
    code, out = run(capsys, "--data", data, "roster", "import", str(path), "--format", "json")
    report = json.loads(out)
    assert report["counts"]["conflict"] == 1 and report["rows"][0]["fate"] == "conflict" and report["written"] == 0
    db = Database.open(data, read_only=True)
    assert len(conflicts.siblings(db, "members", rid)) == 2 and db.get("members", rid)["address"] == "Jl. Mawar 1"
    code, out = run(capsys, "--data", data, "roster", "edit", NIK, str(changes), "--keep", str(n))
    assert code == 0, out
    db = Database.open(data, read_only=True)
    value = db.get("members", rid)
    assert "_conflict" not in value and value["phone"] == "+6281111111111" and value["address"] == "Jl. Melati 9"


def test_deleted_first_conflict_shows_its_last_data_in_roster_and_conflict_list(net, capsys):
    dbs, tmp, paths = net
    rid = put(dbs[A], member(), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    put(dbs[J], dict(dbs[J].get("members", rid), phone="+6281111111111"))
    time.sleep(0.02)  # the deletion's clock must be later than the edit's, not the same millisecond
    with dbs[A].transaction("roster.delete") as tx:  # deleted at the UPT, later than the edit
        tx.delete("members", rid)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    for db in (dbs[J], dbs[A]):
        if db is dbs[A]:
            engine.import_bundle(dbs[A], send(dbs, J, A, tmp))
        assert conflicts.count(db) == 1
        row = Roster(db).row(rid)
        assert row is not None and row.name == NAME and row.nik == NIK and row.flag == "deleted"
        listed = conflicts.list_conflicts(db)
        assert [(r["label"], r["nik"], r["deleted_first"]) for r in listed] == [(NAME, "************0001", True)]
        assert conflicts.show(db, rid)["label"] == NAME
    for db in dbs.values():
        db.close()
    code, out = run(capsys, "--data", str(paths[J]), "conflicts", "list")
    assert code == 0 and NAME in out and "************0001" in out and "(dihapus?)" in out


def test_import_row_of_a_member_deleted_at_one_office_and_edited_at_another_is_in_conflict(net):
    dbs, tmp, _ = net
    rid = put(dbs[A], member(), owner=A)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    put(dbs[J], dict(dbs[J].get("members", rid), phone="+6281111111111"))
    with dbs[A].transaction("roster.delete") as tx:
        tx.delete("members", rid)
    engine.import_bundle(dbs[J], send(dbs, A, J, tmp))
    path = write_csv(tmp / "roster.csv", [[NIK, NAME, "Jl. Kenanga 3", "P", "01-07-1985", "Jember", "Kencong", "PSM"]])
    plan = preview(Roster(dbs[J]), path)
    assert [r.fate for r in plan.rows] == ["conflict"] and rid[:8] in plan.rows[0].reasons[0]
    assert not plan.accepted


def test_cli_conflicts_show_puts_what_differs_first_in_the_clerks_words(net, capsys):
    dbs, tmp, paths = net
    rid = make_conflict(dbs, tmp)
    for db in dbs.values():
        db.close()
    code, out = run(capsys, "--data", str(paths[J]), "conflicts", "show", rid[:8])
    assert code == 0
    lines = out.splitlines()
    assert f"pemilik {A}" in lines[0] and "kantor" in lines[1] and "petugas" in lines[1]
    rows = [line for line in lines if line.startswith("* ")]
    assert {r.split("  ")[0] for r in rows} == {"* Nomor rekening", "* No. HP"}
    first_field = next(i for i, line in enumerate(lines) if line.startswith("data "))
    assert lines[first_field + 2].startswith("* ") and lines[first_field + 3].startswith("* ")
    assert "9999888877" not in out and "pilar conflicts resolve " + rid[:8] + " --keep N" in out
