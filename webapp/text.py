"""Single-line text: values that can reach an email header or subject never carry a line break."""
from __future__ import annotations

import re
import unicodedata

# Line and paragraph breaks of every kind, and other control or invisible format characters
# (C0, DEL, C1, U+2028/2029, zero-width and bidi marks): anything a mail header could split on
# or a reader could be fooled by.
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")
_SPACES = re.compile(r"\s+")


def single_line(text: str | None) -> str:
    """The text on one line: breaks, tabs and control characters become one space; trimmed."""
    if not text:
        return ""
    if type(text) is str and text.isascii() and text.isprintable() and "  " not in text:
        return text.strip(" ")  # printable ASCII: nothing to normalise, no break or control, no run of spaces
    text = unicodedata.normalize("NFC", str(text))
    return _SPACES.sub(" ", _BREAKS_AND_CONTROLS.sub(" ", text)).strip()


def has_line_break_or_control(text: str | None) -> bool:
    """True when the text holds a line break, tab or other control character."""
    return bool(text) and bool(_BREAKS_AND_CONTROLS.search(str(text)))
