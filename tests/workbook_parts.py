"""Test workbooks made from a real one in tests/data with one of its zip parts changed."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path


def with_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook at `path` with the bytes of `part` passed through `change`, every other part as it is."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, change(data) if member.filename == part else data)
    return out.getvalue()
