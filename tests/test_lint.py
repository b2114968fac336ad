"""Ruff keeps the code free of unused imports, undefined names and pycodestyle errors."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "webapp", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ruff check webapp tests bench:\n{result.stdout}{result.stderr}"


def test_ruff_checks_at_least_pyflakes_and_pycodestyle_errors():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert {"F", "E4", "E7", "E9"} <= set(config["lint"]["select"])
    assert config["target-version"] == "py311"
