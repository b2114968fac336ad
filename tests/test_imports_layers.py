"""The import pipeline imports in one direction: read -> locate -> map -> clean -> stage -> create."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

IMPORTS = Path(__file__).resolve().parent.parent / "webapp" / "imports"

# Each stage, and the modules no module of that stage may import (the stages after it).
READ = {"reading", "encodings", "locating", "addresslists", "name_headers", "sandbox", "workbook_child",
        "workbook_extras", "xml_checks", "sheet_names", "raw_table"}
MAP = {"columns"}
CLEAN = {"cleaning", "mail_links"}
STAGE = {"staging"}
CREATE = {"creating"}
LATER = {
    "read": MAP | CLEAN | STAGE | CREATE | {"fields", "values", "problems"},
    "map": CLEAN | STAGE | CREATE,
    "clean": STAGE | CREATE,
    "stage": CREATE,
}
STAGES = {"read": READ, "map": MAP, "clean": CLEAN, "stage": STAGE}
# The known crossings, each with why. A "Name" header over First | Last (name_headers, read while finding the
# header) is told by the header words every field declares, which columns.classify_header knows.
CROSSINGS = {"name_headers": {"columns"}}


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
        upward = imported_import_modules(path) & LATER[stage] - CROSSINGS.get(module, set())
        assert not upward, f"webapp/imports/{module}.py ({stage}) imports later stages: {sorted(upward)}"


def test_the_check_sees_an_upward_import(tmp_path):
    sneaky = tmp_path / "reading.py"
    sneaky.write_text("def f():\n    from webapp.imports.cleaning import clean_rows\n", encoding="utf-8")
    assert imported_import_modules(sneaky) & LATER["read"] == {"cleaning"}


@pytest.mark.parametrize("module", sorted(CROSSINGS))
def test_each_known_crossing_is_still_made(module):
    """A crossing no longer made is taken off the list, so the check is as strict as the code allows."""
    assert CROSSINGS[module] <= imported_import_modules(IMPORTS / f"{module}.py")
