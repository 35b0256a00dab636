"""The command line in the user's language (issue 24): office list, sync drives, conflicts list and the
export sentence say Indonesian words in Indonesian and English ones in English; the Ringkasan's silent
offices are counted from enrolment; the UPT's Honor screen offers only what the UPT may do."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from storage.core.db import Database
from storage.office import keys as K
from storage.sync import engine as E
from storage.sync import freshness
from tests.support.payouts import make_db, member
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.cli import main as cli


@pytest.fixture
def province(tmp_path):
    db = Database.init(tmp_path / "prov", "JATIM", "Dinas Sosial Provinsi Jawa Timur", province=True, operator="Admin")
    K.create_office_keys(db)
    E.write_enrolment(db, "UPT-PSTW-JEMBER", "UPT PSTW Jember", tmp_path / "stick", kab="Jember")
    db.close()
    return tmp_path / "prov"


def _run(capsys, *args) -> str:
    code = cli(list(args))
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    return out.out


def test_office_list_in_both_languages(province, capsys):
    out = _run(capsys, "--data", str(province), "office", "list")
    assert out.splitlines()[0].split()[:3] == ["Kantor", "Nama", "Kunci"]
    assert "menunggu kunci" in out and "enrolled" not in out
    out = _run(capsys, "--data", str(province), "--lang", "en", "office", "list")
    assert out.splitlines()[0].split()[:3] == ["Office", "Name", "Key"] and "waiting for key" in out


def test_sync_drives_and_the_export_sentence(province, tmp_path, capsys, monkeypatch):
    upt = tmp_path / "upt"
    _run(capsys, "--data", str(upt), "--operator", "Siti", "init", "--from",
         str(tmp_path / "stick" / "pilar_enrol_UPT-PSTW-JEMBER.json"), "--yes")
    out = _run(capsys, "--data", str(upt), "--operator", "Siti", "export", "--to", "JATIM", "--out", str(tmp_path / "usb"))
    assert out.startswith("Bundel lengkap untuk JATIM") and "full" not in out
    monkeypatch.setenv("PILAR_USB", str(tmp_path / "usb"))
    out = _run(capsys, "--data", str(province), "sync", "drives")
    assert "Berkas" in out and "Dari" in out and "baru" in out.split()
    out = _run(capsys, "--data", str(province), "--lang", "en", "sync", "drives")
    assert "File" in out and "From" in out and "new" in out.split()


def test_conflicts_list_headers_and_kind(tmp_path, capsys):
    db = make_db(tmp_path / "d", [member(1)])
    rid = next(iter(db.raw("members")))
    doc = db.doc("members", rid)
    top = doc["v"][0]
    other = dict(top, dot=["replica-of-upt-b", 1], vv={"replica-of-upt-b": 1}, office="UPT-B", hlc=top["hlc"] - 1,
                 data=dict(copy.deepcopy(top["data"]), phone="+6281299990000"))
    with db.transaction("sync.import") as tx:
        tx.put_doc("members", dict(doc, v=[top, other]))
    db.close()
    out = _run(capsys, "--data", str(tmp_path / "d"), "conflicts", "list")
    assert out.splitlines()[0].split()[:3] == ["Kode", "Jenis", "Data"] and "Anggota" in out
    assert "members" not in out and "versions" not in out
    out = _run(capsys, "--data", str(tmp_path / "d"), "--lang", "en", "conflicts", "list")
    assert out.splitlines()[0].split()[:3] == ["Id", "Kind", "Record"] and "Member" in out


_MONTHS = {"id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
           "en": "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec".split()}


def test_conflict_times_as_the_clerk_reads_them(tmp_path, capsys):
    """`conflicts list` and `conflicts show` give '7 Des 2026 14.05' (English '7 Dec 2026 14:05'), never
    '2026-12-07 14:05'; the JSON keeps the sortable form."""
    from storage.core.versions import Hlc

    db = make_db(tmp_path / "d", [member(1)])
    rid = next(iter(db.raw("members")))
    doc = db.doc("members", rid)
    top = doc["v"][0]
    other = dict(top, dot=["replica-of-upt-b", 1], vv={"replica-of-upt-b": 1}, office="UPT-B", hlc=top["hlc"] - 1,
                 data=dict(copy.deepcopy(top["data"]), phone="+6281299990000"))
    with db.transaction("sync.import") as tx:
        tx.put_doc("members", dict(doc, v=[top, other]))
    db.close()
    at = dt.datetime.fromtimestamp(Hlc.millis(top["hlc"]) / 1000).astimezone()
    for lang, sep in (("id", "."), ("en", ":")):
        shown = f"{at.day} {_MONTHS[lang][at.month - 1]} {at.year} {at.hour:02d}{sep}{at.minute:02d}"
        for command in (["conflicts", "list"], ["conflicts", "show", rid[:8]]):
            out = _run(capsys, "--data", str(tmp_path / "d"), "--lang", lang, *command)
            assert shown in out, (lang, command, out)
            assert at.strftime("%Y-%m-%d") not in out
    out = _run(capsys, "--data", str(tmp_path / "d"), "conflicts", "list", "--format", "json")
    assert f'"latest": "{at.strftime("%Y-%m-%d %H:%M")}"' in out


def test_an_office_enrolled_today_is_not_silent(province):
    db = Database.open(province, read_only=True)
    today = dt.date.today()
    [row] = [r for r in freshness.offices(db, today, 14, waiting=False) if r["code"] == "UPT-PSTW-JEMBER"]
    assert row["silent"] is False and row["received_days"] is None
    [row] = [r for r in freshness.offices(db, today + dt.timedelta(days=15), 14, waiting=False)
             if r["code"] == "UPT-PSTW-JEMBER"]
    assert row["silent"] is True
    db.close()


@run_async
async def test_the_upt_honor_screen_offers_only_what_it_may_do(province, tmp_path, capsys):
    upt = tmp_path / "upt"
    _run(capsys, "--data", str(upt), "--operator", "Siti", "init", "--from",
         str(tmp_path / "stick" / "pilar_enrol_UPT-PSTW-JEMBER.json"), "--yes")
    app = PilarApp(upt, operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        keys = {a.binding.action for a in app.screen.active_bindings.values()}
        assert not keys & {"save_run", "approve", "pay", "void", "new_rate"}
        assert {"search", "print"} <= keys
        await pilot.press("s")  # nothing offered, nothing said
        await pilot.pause()
        assert not app._notifications


def test_english_plurals_andshort_money():
    from storage.core.i18n import set_lang, t, tn
    from tui.screens.summary.screen import short_money

    set_lang("en")
    assert tn("ui.summary.pillars", 1) == "1 pillar" and tn("ui.summary.pillars", 6) == "6 pillars"
    assert t("ui.summary.fig.members_value", count="3", pillars=tn("ui.summary.pillars", 1), kabs=1) == \
        "3 (1 pillar, 1 kab/kota)"
    assert short_money(8_800_000) == "Rp8.8 m" and short_money(1_234_567_890) == "Rp1.2 bn"
    set_lang("id")
    assert short_money(8_800_000) == "Rp8,8 jt" and short_money(1_234_567_890) == "Rp1,2 M"
    assert tn("ui.summary.pillars", 1) == "1 pilar"
