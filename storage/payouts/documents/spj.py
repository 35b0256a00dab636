"""The SPJ package of a quarter: every paper the bendahara files for the payouts, in one folder or zip,
with a manifest an auditor can check later.

The package holds the rate basis, the daftar nominatif (PDF and XLSX), the tanda terima, the
kwitansi, the rekap per kab/kota and per pillar, the bank transfer file while transfers are due, and
(with an event) the daftar hadir of each day the money was handed out. ``manifest.json`` lists the
SHA-256 and size of every file and the head of the audit log when the package was made; it is signed
with this office's key when the office has one. :func:`verify` recomputes every hash.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson

from storage.core.db import Database, now_iso
from storage.core.errors import PilarError
from storage.core.fsutil import atomic_write, os_error
from storage.core.i18n import t
from storage.domain import fmt
from storage.domain.model import pillar_label, position_label
from storage.events import records
from storage.events import reports as event_reports
from storage.office import keys
from storage.payouts import Quarter, rates
from storage.payouts import bankfile as bank_file
from storage.payouts.documents import bank
from storage.payouts.documents import pdf as payout_pdf
from storage.payouts.documents import text as text_documents
from storage.printing.pdf import Col, Document

FORMAT = "pilar-spj/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig.json"


def rates_pdf(db: Database, quarter: Quarter) -> bytes:
    """The rate basis (dasar tarif) in force in the quarter: pillar, position, amount, tax, kind, funding,
    dates and the note (SK number)."""
    first, last = quarter.bounds
    chosen = [r for r in rates(db) if r.get("start", "") <= last and (r.get("end") or "9999-12-31") >= first]
    doc = Document(payout_pdf.letterhead(db), t("spj.rates_title"), landscape=True)
    doc.add_page()
    doc.title_block([t("spj.rates_title"), fmt.quarter_label(quarter.code)])
    heads = [t(f"payout.h.{k}") for k in ("pillar", "position", "amount", "tax")] + [t("spj.h.tax_rule")] + \
        [t(f"payout.h.{k}") for k in ("kind", "funding", "start", "end", "note")]
    cols = [Col(heads[0], 28), Col(heads[1], 24), Col(heads[2], 20, "R"), Col(heads[3], 16, "R"), Col(heads[4], 62),
            Col(heads[5], 30), Col(heads[6], 25), Col(heads[7], 19), Col(heads[8], 19), Col(heads[9], 30)]
    doc.table(cols, ([pillar_label(r["pillar"]), position_label(r.get("position", "")) or "-",
                      payout_pdf.num(r["amount"]), payout_pdf.num(r.get("tax", 0)), payout_pdf.tax_label(r),
                      t(f"payout.kind.{r.get('kind', 'OPERASIONAL')}"),
                      t(f"payout.funding.{r.get('funding', 'LAINNYA')}"), r.get("start", ""), r.get("end") or "…",
                      r.get("note", "")] for r in chosen), sums=False, size=8)
    return doc.bytes()


def _documents(db: Database, quarter: Quarter, event_id: str | None, draft: bool,
               made: dict) -> list[tuple[str, str, Callable[..., bytes]]]:
    """(file name, what it is, how to make it: called with a progress callback (done, total)). The bank
    file, once made, is kept in ``made["bank"]`` (its left-out items go into the manifest)."""
    q = quarter.code
    jobs: list[tuple[str, str, Callable[..., bytes]]] = [
        (f"01-dasar-tarif_{q}.pdf", t("spj.doc.rates"), lambda step: rates_pdf(db, quarter)),
        (f"02-nominatif_{q}.pdf", t("spj.doc.nominatif"),
         lambda step: payout_pdf.nominatif(db, quarter, draft, progress=step)),
        (f"02-nominatif_{q}.xlsx", t("spj.doc.xlsx"),
         lambda step: text_documents.nominatif(db, quarter, "xlsx", draft=draft)),
        (f"03-tanda-terima_{q}.pdf", t("spj.doc.receipts"),
         lambda step: payout_pdf.receipts(db, quarter, draft, progress=step)),
        (f"04-kwitansi_{q}.pdf", t("spj.doc.kwitansi"), lambda step: payout_pdf.kwitansi(db, quarter, draft)),
        (f"05-rekap_{q}.pdf", t("spj.doc.rekap"), lambda step: payout_pdf.rekap(db, quarter, draft)),
        (f"05-rekap-pajak_{q}.pdf", t("spj.doc.tax"), lambda step: payout_pdf.tax_recap(db, quarter, draft)),
        (f"05-meterai_{q}.pdf", t("treasury.meterai.title"), lambda step: payout_pdf.meterai_list(db, quarter, draft)),
        (f"06-bank_{q}.{bank_file.template(bank_file.chosen(db.office))['extension']}", t("spj.doc.bank"),
         lambda step: made.setdefault("bank", bank.build(db, quarter)).data),
    ]
    if event_id:
        event = records.resolve_event(db, event_id)
        for day in records.event_days(event):
            jobs.append((f"07-daftar-hadir_{day}.pdf", t("spj.doc.attendance", day=day),
                         lambda step, day=day: event_reports.render(db, event["id"], "attendance", "pdf", day=day)))
    return jobs


def make(db: Database, quarter: Quarter | str, out: Path, event_id: str | None = None, draft: bool = False,
         progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Write the package into folder ``out`` (new or empty) or, when it ends in .zip, one zip file.
    Returns the manifest. A document with nothing to print (no transfer due, say) is listed under
    ``skipped`` with the reason; the package needs at least the daftar nominatif."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    if (as_zip and out.exists()) or (not as_zip and out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise PilarError("spj.out_exists", path=str(out))
    skipped: list[dict] = []
    made: dict = {}
    jobs = _documents(db, quarter, event_id, draft, made)
    files: dict[str, bytes] = {}
    listed = []
    for n, (name, what, build) in enumerate(jobs):
        def step(done: int, total: int, n: int = n, what: str = what) -> None:
            if progress:
                progress(n + (done / total if total else 1), len(jobs), what)

        step(0, 1)
        try:
            data = build(step)
        except PilarError as exc:
            if name.startswith(("02-", "07-")):  # no nominatif (or no event day): no package
                raise
            skipped.append({"name": name, "doc": what, "reason": str(exc)})
            continue
        files[name] = data
        listed.append({"name": name, "doc": what, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"format": FORMAT, "quarter": quarter.code, "event": event_id or "", "office": db.code,
                "office_name": db.office.get("name", ""), "made_at": now_iso(), "made_by": db.operator or "",
                "audit_head": db.audit.head(), "files": listed, "skipped": skipped}
    if "bank" in made and made["bank"].left_out:  # not in the bank file: said, in the signed manifest
        manifest["bank_left_out"] = [{"item": p["item_id"], "problem": p["problem"], "text": p["text"]}
                                     for p in made["bank"].left_out]
    body = orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    files[MANIFEST] = body
    signature = _sign(db, body)
    if signature:
        files[SIGNATURE] = signature
    if as_zip:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                z.writestr(name, data)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:

            raise os_error(exc, out.parent) from exc
        atomic_write(out, buf.getvalue())
    else:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:

            raise os_error(exc, out) from exc
        for name, data in files.items():
            atomic_write(out / name, data)
    if progress:
        progress(len(jobs), len(jobs), "")
    return manifest


def _sign(db: Database, body: bytes) -> bytes | None:

    own = keys.load_own(db.path)
    if own is None:
        return None
    return orjson.dumps({"office": db.code, "sign_pk": own.sign_pk, "box_pk": own.box_pk,
                         "signature": own.sign(body).hex()}, option=orjson.OPT_INDENT_2) + b"\n"


def _read(path: Path) -> dict[str, bytes]:
    """Every file of a package folder or zip, by name."""
    path = Path(path)
    try:
        if path.is_dir():
            return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
        with zipfile.ZipFile(path) as z:
            return {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
    except (OSError, zipfile.BadZipFile):
        raise PilarError("spj.no_manifest", path=str(path)) from None


def verify(path: Path) -> dict:
    """Check a package against its manifest: ``{"ok", "manifest", "problems": [sentence], "signed": fingerprint
    or ""}``. A changed, missing or extra file, or a manifest whose signature does not match, is a problem."""

    files = _read(path)
    try:
        manifest = orjson.loads(files[MANIFEST])
        listed = {f["name"]: f for f in manifest["files"]}
        if manifest.get("format") != FORMAT:
            raise ValueError
    except (KeyError, ValueError, TypeError, orjson.JSONDecodeError):
        raise PilarError("spj.no_manifest", path=str(path)) from None
    problems = []
    signed = ""
    if SIGNATURE in files:
        try:
            sig = orjson.loads(files[SIGNATURE])
            good = keys.verify(sig["sign_pk"], files[MANIFEST], bytes.fromhex(sig["signature"]))
            signed = keys.fingerprint(sig["sign_pk"], sig["box_pk"]) if good else ""
        except (KeyError, ValueError, TypeError, orjson.JSONDecodeError):
            good = False
        if not good:
            problems.append(t("spj.changed", name=MANIFEST))
    for name, entry in listed.items():
        data = files.get(name)
        if data is None:
            problems.append(t("spj.missing", name=name))
        elif len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(t("spj.changed", name=name))
    for name in files:
        if name not in listed and name not in (MANIFEST, SIGNATURE):
            problems.append(t("spj.extra", name=name))
    return {"ok": not problems, "manifest": manifest, "problems": problems, "signed": signed}


def audit_holds(db: Database, manifest: dict) -> bool:
    """Whether this folder's audit log still holds the head the package recorded (same line, same
    hash): the records the papers were made from have not been rewritten since."""
    head = manifest.get("audit_head") or {}
    for line in db.audit.lines():
        if line.get("n") == head.get("n"):
            return line.get("h") == head.get("h")
    return False
