"""Issue 14 item 18, the last language leftovers: the help's heading never runs "Tombol" into "Fungsi",
and the roster import says its counts grouped ("1.001 baru", "1,001 new")."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from storage import events, sample
from storage.core import i18n
from storage.core.db import Database
from tests.support.pilot import run_async
from tests.support.roster import make_folder
from tui.app import PilarApp
from tui.screens.events.screen import CheckinScreen
from tui.screens.help import HelpScreen


@run_async
async def test_help_heading_keeps_a_space_when_every_key_is_short(tmp_path):
    path = tmp_path / "prov"
    db = Database.init(path, "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Ani")
    sample.load(db)
    db.close()
    app = PilarApp(path, operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CheckinScreen(events.sample_event_id()))  # keys esc, f2 … f7: all shorter than "Tombol"
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        head = str(app.screen.query_one(".help-head", Static).render())
        rows = [str(s.render()) for s in app.screen.query(".help-row")]
    assert "TombolFungsi" not in head and head.split() == ["Tombol", "Fungsi"]
    assert any(r.startswith("f2 ") for r in rows)
    column = head.index("Fungsi")
    assert all(r[column - 1] == " " and r[column] != " " for r in rows)  # the actions start under "Fungsi"


@pytest.mark.parametrize("lang, said", [("id", "1.001 baru"), ("en", "1,001 new")])
def test_roster_import_counts_are_grouped(tmp_path, capsys, lang, said):
    from tui.cli import main

    make_folder(tmp_path / "data").close()
    rows = ["NO;NAMA;NIK;L/P;TEMPAT LAHIR;TANGGAL LAHIR;KAB/KOTA;KECAMATAN;PILAR;JABATAN"]
    rows += [f"{i};Anggota Impor {i:04d};35780101018{i:05d};L;Surabaya;01-01-1980;Kota Surabaya;Genteng;PSM;Anggota"
             for i in range(1, 1002)]
    csv = tmp_path / "banyak.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code = main(["--lang", lang, "--data", str(tmp_path / "data"), "roster", "import", str(csv)])
    out = capsys.readouterr().out
    i18n.set_lang("id")
    assert code == 0 and said in out and "1001" not in out, out


@run_async
async def test_conflicts_screen_shows_what_differs_first_in_the_clerks_words(tmp_path):
    from textual.widgets import DataTable

    from tests.support.conflicts import make_conflict
    from tests.support.network import make_network

    paths = make_network(tmp_path, upts=("UPT-A",))
    dbs = {code: Database.open(p, operator=f"op-{code}") for code, p in paths.items()}
    make_conflict(dbs, tmp_path)
    for db in dbs.values():
        db.close()
    app = PilarApp(paths["UPT-A"], operator="Ani")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        compare = app.screen.query_one("#compare", DataTable)
        # the versions of a field one under the other (issue 24): the label on the first one's row only
        first = [str(compare.get_row_at(i)[0]) for i in range(compare.row_count) if str(compare.get_row_at(i)[0])]
        assert compare.region.height > 3  # on the 80x24 screen
    assert first[:2] == ["* Nomor rekening", "* No. HP"]  # the two changes, above the shared fields
    assert not any(f.startswith("*") for f in first[2:])
    assert "  Penugasan 1 · Kantor (UPT)" in first and not any("assignments[" in f for f in first)
