"""Setting up a province and UPT offices that trust each other (tests, benchmarks, demos)."""

from __future__ import annotations

from pathlib import Path

import orjson

from storage.core.db import PROVINCE_CODE, Database
from storage.office import keys as office_keys
from storage.sync import engine


def make_network(root: Path, upts: tuple[str, ...] = ("UPT-A", "UPT-B"), operator: str = "Tester",
                 province_db: Database | None = None) -> dict[str, Path]:
    """Create the province (unless given) and enrolled, trusted UPT folders under ``root``.

    Goes through the same steps as the commands: enrolment file written and read back, the UPT's key
    taken from the refused first bundle and trusted.
    """
    root = Path(root)
    paths: dict[str, Path] = {}
    prov = province_db or Database.init(root / PROVINCE_CODE, PROVINCE_CODE, "Dinas Sosial Provinsi Jawa Timur",
                                        province=True, operator=operator)
    office_keys.create_office_keys(prov)
    paths[PROVINCE_CODE] = prov.path
    for code in upts:
        enrol = engine.add_office(prov, code, f"Kantor {code}")
        file = root / f"enrol_{code}.json"
        file.write_bytes(orjson.dumps(enrol))
        body = office_keys.read_enrolment(file)
        db = Database.init(root / code, code, f"Kantor {code}", operator=operator)
        keys = office_keys.setup_from_enrolment(db, body)
        db.close()
        store = office_keys.TrustStore.load(prov.path)
        store.set_office(office_keys.own_keys(prov), code, sign=keys.sign_pk, box=keys.box_pk, fp=keys.fp, status=office_keys.TRUSTED)
        store.save()
        paths[code] = db.path
    if province_db is None:
        prov.close()
    return paths
