"""The import pipeline imports in one direction: read -> locate -> map -> clean -> stage -> create."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

IMPORTS = Path(__file__).resolve().parent.parent / "webapp" / "imports"

# Each stage, and the modules no module of that stage may import (the stages after it).
READ = {"reading", "encodings", "locating", "addresslists", "sandbox", "workbook_child"}
MAP = {"columns"}
CLEAN = {"cleaning"}
STAGE = {"staging"}
CREATE = {"creating"}
LATER = {
    "read": MAP | CLEAN | STAGE | CREATE | {"fields", "values", "problems"},
    "map": CLEAN | STAGE | CREATE,
    "clean": STAGE | CREATE,
    "stage": CREATE,
}
STAGES = {"read": READ, "map": MAP, "clean": CLEAN, "stage": STAGE}


def imported_import_modules(path: Path) -> set[str]:
    """The webapp.imports modules a file imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "webapp.imports":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("webapp.imports."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[2] for alias in node.names if alias.name.startswith("webapp.imports.")}
    return found


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_no_stage_imports_a_later_one(stage):
    for module in sorted(STAGES[stage]):
        path = IMPORTS / f"{module}.py"
        assert path.exists(), f"{module}.py moved: update this table"
        upward = imported_import_modules(path) & LATER[stage]
        assert not upward, f"webapp/imports/{module}.py ({stage}) imports later stages: {sorted(upward)}"


def test_the_check_sees_an_upward_import(tmp_path):
    sneaky = tmp_path / "reading.py"
    sneaky.write_text("def f():\n    from webapp.imports.cleaning import clean_rows\n", encoding="utf-8")
    assert imported_import_modules(sneaky) & LATER["read"] == {"cleaning"}
