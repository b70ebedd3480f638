"""Layers point down (../shared/DESIGN.md, docs/architecture.md): a module may import
only from its own layer or the layers below. Read from the source with ast, so an import
inside a function counts as well."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Bottom up. A package not listed here is a test failure of its own (say where it sits).
LAYERS: Dict[str, int] = {
    "core": 1,
    "kb": 2,
    "components": 3,
    "actions": 3,
    "connectors": 3,
    "leads": 3,
    "inbox": 3,
    "web": 4,
    "publishing": 4,
    "serving": 4,
    "bench": 5,
    "scripts": 5,
    "tests": 5,
}
PACKAGES = sorted(LAYERS)


def layer_of(module: str) -> Optional[int]:
    return LAYERS.get(module.split(".")[0])


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def upward_imports(package: str) -> List[str]:
    own = LAYERS[package]
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imports(path):
            target = layer_of(module)
            if target is not None and target > own:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module} (layer {target} > {own})")
    return found


def test_every_top_level_package_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(LAYERS) == set()


@pytest.mark.parametrize("package", [p for p in PACKAGES if (ROOT / p).is_dir()])
def test_no_import_goes_up_a_layer(package):
    assert upward_imports(package) == []


def test_the_scanner_sees_an_upward_import_even_inside_a_function(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import json\nfrom kb import text\n\ndef f():\n    from web.admin import views\n", encoding="utf-8")
    found = [(line, m) for line, m in imports(bad) if (layer_of(m) or 0) > LAYERS["kb"]]
    assert found == [(5, "web.admin")]
