"""F10 at 80x24 (issue 24): the kop's logo chosen by its file (a wrong file refused with the sentence on
screen, nothing saved; a PNG copied into the data folder and printed), and the "Mengetahui, Kepala Dinas /
KPA" signer with a checked NIP."""

from __future__ import annotations

from PIL import Image
from textual.widgets import Input, Static

from storage import payouts as P
from storage.office import logo
from storage.payouts import documents as D
from tests.support.payouts import make_db, member
from tests.support.pdf import pages
from tests.support.pilot import run_async
from tui.app import PilarApp
from tui.screens.settings import SettingsScreen

Q2 = P.Quarter(2024, 2)


@run_async
async def test_f10_sets_the_logo_and_the_head_of_the_dinas(tmp_path):
    db = make_db(tmp_path / "d", [member(1, "TKSK")])
    P.run_quarter(db, Q2)
    P.approve(db, Q2)
    db.close()
    (tmp_path / "notes.png").write_text("not a picture")
    Image.new("RGBA", (200, 200), (20, 90, 170, 255)).save(tmp_path / "logo-jatim.png")
    app = PilarApp(tmp_path / "d", operator="Siti")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        field = screen.query_one("#kop-logo", Input)
        assert field.value == ""
        field.value = str(tmp_path / "notes.png")
        screen.query_one("#s-head", Input).value = "Dr. Restu Novi Widiani, MM"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and app.focused is field  # the sentence shown, the field to fix focused
        assert "bukan gambar PNG atau JPG" in str(screen.query_one("#problem", Static).render())
        assert logo.path(app.db) is None and P.signers(app.db)["head"] == ""  # nothing saved
        field.value = str(tmp_path / "logo-jatim.png")
        screen.query_one("#s-head_nip", Input).value = "19701112 199713 2 001"  # a TMT in month 13
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and "NIP Kepala Dinas / KPA" in str(screen.query_one("#problem", Static).render())
        assert logo.path(app.db) is None
        screen.query_one("#s-head_nip", Input).value = "19701112 199703 2 001"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
        assert logo.path(app.db) == tmp_path / "d" / "kop-logo.png"
        assert P.signers(app.db)["head"] == "Dr. Restu Novi Widiani, MM"
        assert P.signers(app.db)["head_nip"] == "197011121997032001"
        # opened again: the copy in the data folder is shown, and kept when nothing is typed
        await pilot.press("f10")
        await pilot.pause()
        assert app.screen.query_one("#kop-logo", Input).value == str(tmp_path / "d" / "kop-logo.png")
        assert "kop-logo.png" in str(app.screen.query_one("#logo-state", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = "\n".join(pages(D.render(app.db, Q2, "kwitansi", "pdf")))
    assert "Mengetahui,\nKepala Dinas / KPA\n( Dr. Restu Novi Widiani, MM )\nNIP 19701112 199703 2 001" in text
    (tmp_path / "logo-jatim.png").unlink()
    assert (tmp_path / "d" / "kop-logo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
