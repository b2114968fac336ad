"""The column-matching step: what a person sees to confirm how a file is read and which column feeds what."""
from __future__ import annotations

from dataclasses import dataclass

from webapp.imports.cleaning import Cleaner
from webapp.imports.fields import staged_fields
from webapp.imports.problems import sentences
from webapp.imports.text import clean_cell, is_placeholder
from webapp.imports.values import ACCOUNT_TYPE_LABELS
from webapp.models import ImportBatch

SAMPLES = 3
PREVIEW_ROWS = 5


@dataclass
class FileColumn:
    index: int
    header: str
    samples: list[str]


def needs_matching(batch: ImportBatch) -> bool:
    """True when a needed field was not matched with certainty and no confirmed mapping was used."""
    info = batch.read_info or {}
    return bool(info.get("doubts")) and not info.get("remembered")


def file_columns(table) -> list[FileColumn]:
    """Every column with its header and its first few filled values."""
    columns = []
    for index, header in enumerate(table.headers):
        samples = []
        for _, cells in table.head:
            text = clean_cell(cells[index]) if index < len(cells) else ""
            if text and not is_placeholder(text):
                samples.append(text[:80])
                if len(samples) == SAMPLES:
                    break
        columns.append(FileColumn(index, header, samples))
    return columns


def preview(table, column_map) -> list[dict]:
    """The first rows as they will be staged: each field's value and the row's problems in sentences."""
    shown = []
    for row in Cleaner(column_map, links=getattr(table, "mail_links", None)).clean(table.head[:PREVIEW_ROWS]):
        values = {"first_name": row.first_name, "last_name": row.last_name, "email": row.email,
                  "account_type": ACCOUNT_TYPE_LABELS.get(row.account_type, row.account_type),
                  "send_invite": row.send_invite, **(row.extra or {})}
        shown.append({"line": row.line, "values": [values.get(f.key, "") for f in staged_fields()],
                      "problems": sentences(row.problems)})
    return shown
