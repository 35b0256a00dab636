"""The layering the README promises, checked on the source: packages import only lower layers (see
tests/support/layers.py: LAYERS), no import cycle (function-level imports count), no private name imported
across modules, storage/ never imports textual or rich. Each rule is also shown to fail on a made-up tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import layers

ROOT = Path(__file__).resolve().parents[1]
EDGES = layers.edges(ROOT)


def test_packages_import_only_lower_layers():
    assert layers.layer_violations(EDGES) == []


def test_no_import_cycle_function_level_imports_included():
    assert layers.cycles(EDGES) == []


def test_no_private_name_is_imported_across_modules():
    assert layers.private_imports(EDGES) == []


def test_storage_never_imports_textual_or_rich():
    assert layers.forbidden_in_storage(EDGES) == []
    assert any(e.target == "textual" for e in EDGES)  # the reader does see third-party imports


def test_every_storage_and_tui_package_has_a_layer():
    packages = {layers.group(m) for m in layers.modules(ROOT) if m.count(".") >= 1}
    assert sorted(p for p in packages if layers.layer(p) is None) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for rel in ("storage", "storage/core", "storage/roster", "tui"):
        (tmp_path / rel).mkdir(exist_ok=True)
        (tmp_path / rel / "__init__.py").touch()
    return tmp_path


def test_the_check_fails_when_a_lower_layer_imports_a_higher_one(tmp_path):
    root = _tree(tmp_path, {
        "storage/core/db.py": "def open_folder():\n    from storage.roster.service import Roster\n    return Roster\n",
        "storage/roster/service.py": "from storage.core import db\n\nclass Roster:\n    pass\n",
    })
    found = layers.layer_violations(layers.edges(root))
    assert found == ["storage.core.db:2 -> storage.roster.service (inside a function)"]
    # and the same two modules form a cycle, caught although one side is a function-level import
    assert layers.cycles(layers.edges(root)) == [["storage.core.db", "storage.roster.service"]]


def test_the_check_fails_on_a_private_import_and_on_textual_in_storage(tmp_path):
    root = _tree(tmp_path, {
        "storage/core/db.py": "def _damaged():\n    pass\n",
        "storage/core/audit.py": "from storage.core.db import _damaged\nfrom textual.app import App\n",
    })
    all_edges = layers.edges(root)
    assert layers.private_imports(all_edges) == ["storage.core.audit:1 imports storage.core.db._damaged"]
    assert layers.forbidden_in_storage(all_edges) == ["storage.core.audit:2 imports textual"]


def test_the_check_fails_on_a_package_of_the_same_layer(tmp_path):
    root = _tree(tmp_path, {
        "storage/roster/service.py": "from storage.payouts import items\n",
        "storage/payouts/__init__.py": "",
        "storage/payouts/items.py": "",
    })
    assert layers.layer_violations(layers.edges(root)) == ["storage.roster.service:1 -> storage.payouts.items"]


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=ROOT).stdout.strip()


def test_pilar_check_has_its_seven_checks_whatever_was_imported_before():
    # Importing only storage.check (nothing of events or payouts first) gives every check: they are
    # listed, not registered by the modules that define them when those happen to be imported.
    names = _fresh("import storage.check as c; print(' '.join(f.__name__ for f in c.CHECKERS))").split()
    assert names == ["check_indexes", "check_parts", "check_references", "check_record_references",
                     "check_backups", "check_invitations", "check_payouts"]


def test_every_index_is_declared_without_importing_the_areas():
    out = _fresh("from storage.core import db; print(sorted((c, sorted(i)) for c, i in db._INDEXES.items()))")
    assert out == "[('invitations', ['event']), ('members', ['nik', 'number'])]"
