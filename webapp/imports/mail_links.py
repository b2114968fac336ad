"""Email cells that are mailto: hyperlinks: one that shows "Email me" or the person's name is read as its link's
address; one that shows a valid address keeps it, since that is what the admin sees and can correct."""
from __future__ import annotations

from webapp.imports.values import clean_email


def with_link_addresses(chunk, links: dict[tuple[int, int], str], columns: list[int]):
    """The (line, cells) rows with each email cell that shows no valid address, but links to one, read as that."""
    for line, cells in chunk:
        for column in columns:
            address = links.get((line, column))
            if address is not None and (column >= len(cells) or not _valid(cells[column])):
                cells = list(cells) + [""] * (column + 1 - len(cells))  # (a row's empty last cells are not read)
                cells[column] = address
        yield line, cells


def _valid(shown: str) -> bool:
    problems: list = []
    return bool(clean_email(shown, "email", problems)) and not problems
