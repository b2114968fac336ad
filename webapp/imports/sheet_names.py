"""Sheet names as pages and sentences show them: a spreadsheet may name a sheet with thousands of characters."""
from __future__ import annotations

from webapp.text import shortened

SHOWN = 100  # characters of a sheet's name shown; Excel allows 31, LibreOffice any number


def shown_name(name: str) -> str:
    """A sheet's name cut to SHOWN characters, the cut marked with an ellipsis."""
    return shortened(name, SHOWN)


def the_sheet(name: str) -> str:
    """How a sentence names a sheet: by its name (shortened when long), or as "A sheet" when it has none (or one
    that could not be found)."""
    return f"The sheet \u201c{shown_name(name)}\u201d" if name else "A sheet of the workbook"


class UniqueNames:
    """Shown names for a workbook's sheets, each different, so a sheet is still chosen by its shown name when two
    long names begin alike."""

    def __init__(self):
        self.taken: set[str] = set()

    def add(self, name: str) -> str:
        shown = shown_name(name)
        number = len(self.taken) + 1
        while shown in self.taken:  # the sheet's position tells it apart; at most a few tries
            suffix = f"\u2026 ({number})"
            shown = name[:SHOWN - len(suffix)] + suffix
            number += 1
        self.taken.add(shown)
        return shown
