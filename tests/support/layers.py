"""The import graph of Pilar's own code, read from the source (module-level and function-level imports
alike), and the rules the layering test holds it to. Used by tests/test_architecture.py, on the real
tree and on small made-up trees that break each rule."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

TOPS = ("storage", "tui")

# Lowest first. A package may import its own modules and those of lower layers, never a higher layer
# or another package of its own layer. storage/check.py and the tui modules count as their own group.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("storage.messages",),
    ("storage.core",),
    ("storage.domain", "storage.printing"),
    ("storage.office", "storage.reconcile"),
    ("storage.backup", "storage.events"),
    ("storage.roster", "storage.sync", "storage.payouts"),
    ("storage.summary", "storage.check", "storage.sample", "storage.privacy"),
    ("storage",),  # the package's own __init__: orjson or its stand-in (storage/core/jsonio.py), first
    ("tui.widgets",),
    ("tui.dialogs",),
    ("tui.screens",),
    ("tui.app",),
    ("tui.cli",),
)
FORBIDDEN_IN_STORAGE = ("textual", "rich")


@dataclass(frozen=True)
class Edge:
    source: str        # importing module
    target: str        # imported module (one of ours) or the third-party top name
    names: tuple[str, ...]
    line: int
    in_function: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(root, p): p for top in TOPS if (root / top).is_dir() for p in (root / top).rglob("*.py")}


def _resolve(current: str, is_package: bool, level: int, name: str | None) -> str:
    if not level:
        return name or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def edges(root: Path) -> list[Edge]:
    """Every import of every module under storage/ and tui/, with where it is."""
    mods = modules(root)

    def ours(name: str) -> str | None:
        while name:
            if name in mods:
                return name
            name = name.rpartition(".")[0]
        return None

    out = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inside = {id(sub) for f in functions for sub in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = ours(alias.name) or alias.name.split(".")[0]
                    out.append(Edge(mod, target, (), node.lineno, id(node) in inside))
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, path.name == "__init__.py", node.level, node.module)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    target = full if full in mods else (ours(base) or base.split(".")[0])
                    out.append(Edge(mod, target, (alias.name,) if target != full else (), node.lineno,
                                    id(node) in inside))
    return [e for e in out if e.target != e.source]


def group(module: str) -> str:
    """The layer group of a module: its package under storage/ or tui/ (storage.check on its own)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def layer(module: str) -> int | None:
    g = group(module)
    return next((i for i, names in enumerate(LAYERS) if g in names), None)


def layer_violations(all_edges: list[Edge]) -> list[str]:
    """Imports of a higher layer or of another package of the same layer (and modules in no layer)."""
    out = []
    for e in all_edges:
        if not e.target.startswith(TOPS) or group(e.source) == group(e.target):
            continue
        src, dst = layer(e.source), layer(e.target)
        if src is None or dst is None:
            out.append(f"{e.source}:{e.line} -> {e.target}: package in no layer (add it to LAYERS)")
        elif dst >= src:
            out.append(f"{e.source}:{e.line} -> {e.target}" + (" (inside a function)" if e.in_function else ""))
    return sorted(set(out))


def cycles(all_edges: list[Edge]) -> list[list[str]]:
    """Strongly connected groups of modules (function-level imports count as edges)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for e in all_edges:
        if e.target.startswith(TOPS):
            graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan; the graph is a few hundred modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def private_imports(all_edges: list[Edge]) -> list[str]:
    """``from x import _name`` of one of our modules into another."""
    return sorted(f"{e.source}:{e.line} imports {e.target}.{n}" for e in all_edges if e.target.startswith(TOPS)
                  for n in e.names if n.startswith("_") and not n.startswith("__"))


def forbidden_in_storage(all_edges: list[Edge]) -> list[str]:
    return sorted(f"{e.source}:{e.line} imports {e.target}" for e in all_edges
                  if e.source.startswith("storage") and e.target in FORBIDDEN_IN_STORAGE)
