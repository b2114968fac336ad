"""Cell text helpers shared by reading and cleaning: trimming, control characters, placeholders, mojibake."""
from __future__ import annotations

import unicodedata

from webapp.text import ZWNJ, kept_non_joiners


# Zero-width characters are invisible in a spreadsheet, so they are never meant to be part of a value; so are
# the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which copying from mail
# and chat adds, and which would show "\u202eevil" as "live" in the table and in every email; and the
# direction marks (U+200E, U+200F, U+061C), the soft hyphen, the invisible operators and the Hangul fillers
# (U+3164, U+FFA0), which look like nothing: a first name of a filler read as filled, and a mark inside "Ann"
# became a space in the account (mail headers make every invisible mark a space), "An n".
_ZERO_WIDTH = ("\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
               "\u200e\u200f\u061c\u00ad\u180e\u2061\u2062\u2063\u2064\u3164\uffa0")
# Every character str.isspace() knows (which includes \u00a0 and \u202f) plus the zero-width ones.
_STRIP = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + _ZERO_WIDTH
)
_REMOVE_ZERO_WIDTH = {ord(c): None for c in _ZERO_WIDTH}
# Except a zero-width non-joiner where a name's spelling needs it (webapp.text.kept_non_joiners).
_REMOVE_OTHER_ZERO_WIDTH = {code: None for code in _REMOVE_ZERO_WIDTH if code != ord(ZWNJ)}
# Control characters other than tab and line breaks (those are spacing, handled per field).
_CONTROLS = {c: None for c in list(range(0x00, 0x09)) + [0x0b, 0x0c] + list(range(0x0e, 0x20))
             + [0x7f] + list(range(0x80, 0x85)) + list(range(0x86, 0xa0))}

# What databases and exports write for "no value"; a person would read these as blank.
# ("#N/A" is not one: it is a spreadsheet's lookup that failed, reported on its row, see values.SPREADSHEET_ERRORS.)
PLACEHOLDERS = frozenset({"null", "(null)", "<null>", "n/a", "na", "-", "--", "(none)", "none",
                          "<none>", "nil", "(blank)", "(empty)", "undefined",
                          # Booking and event exports for details not collected (Eventbrite: "Info Requested"), and
                          # a training booking's delegate not named yet ("TBC").
                          "info requested", "not provided", "not collected", "not given",
                          "(not set)", "not set", "tbc", "tba", "tbd", "to be confirmed",
                          # Microsoft Forms' Email of a response to a form anyone could fill in
                          "anonymous"})
PLACEHOLDER_MAX = max(map(len, PLACEHOLDERS))  # a longer text is never one: no casefold needed


def clean_cell(text: str) -> str:
    """Trim ordinary, non-breaking and zero-width spaces, drop zero-width characters inside, and compose accents.

    macOS writes "é" as "e" + a combining accent (NFD): composed (NFC), it equals the "é" typed elsewhere, so a
    name from a Mac does not show as changed from the same name stored before.
    """
    text = text.strip(_STRIP)
    if not text.isascii():
        if ZWNJ in text:
            text = kept_non_joiners(text.translate(_REMOVE_OTHER_ZERO_WIDTH).strip(_STRIP))
        else:
            text = text.translate(_REMOVE_ZERO_WIDTH).strip(_STRIP)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return text


def collapse_spaces(text: str) -> str:
    """Runs of whitespace, line breaks included, become one space (names end up in email headers)."""
    if "  " in text or not text.isascii() or "\t" in text or "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return text


def strip_controls(text: str) -> tuple[str, bool]:
    """Remove NUL and other control characters; say whether there were any."""
    if text.isprintable():
        return text, False
    stripped = text.translate(_CONTROLS)
    return stripped, len(stripped) != len(text)


def is_placeholder(text: str) -> bool:
    """True for NULL, N/A, "-", (none) and the like, which mean "no value"."""
    return len(text) <= PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS


