"""Single-line text: values that can reach an email header or subject never carry a line break."""
from __future__ import annotations

import re
import unicodedata

# Line and paragraph breaks of every kind, and other control or invisible format characters
# (C0, DEL, C1, U+2028/2029, zero-width and bidi marks): anything a mail header could split on
# or a reader could be fooled by.
# (A zero-width non-joiner is one of them, except where a name's spelling needs it: see kept_non_joiners.)
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b\u200d-\u200f\u202a-\u202e"
                                  r"\u2066-\u2069\ufeff]+")
_SPACES = re.compile(r"\s+")

# A zero-width non-joiner (ZWNJ) between two letters of a script that spells with it is part of the name: Persian
# writes one inside Zohreh-Sadat and many other names, the Indic scripts one after a virama; without it the name is
# spelt differently. Arabic script (with Syriac, Thaana, N'Ko and the presentation forms) and the Indic scripts
# (Devanagari to Sinhala).
ZWNJ = "\u200c"
_KEEPS_ZWNJ = re.compile(r"[\u0600-\u08ff\u0900-\u0dff\ufb50-\ufdff\ufe70-\ufeff]")
_ZWNJ_RUN = re.compile("\u200c+")


def kept_non_joiners(text: str, elsewhere: str = "") -> str:
    """Keep one ZWNJ where it joins two letters of a script that spells with it; put `elsewhere` for the others."""
    parts = _ZWNJ_RUN.split(text)
    kept = [parts[0]]
    for before, after in zip(parts, parts[1:]):
        kept.append(ZWNJ if _spells_with_zwnj(before[-1:]) and _spells_with_zwnj(after[:1]) else elsewhere)
        kept.append(after)
    return "".join(kept)


def _spells_with_zwnj(char: str) -> bool:
    """True for a letter or mark (a virama, a vowel sign) of a script whose spelling uses ZWNJ."""
    return bool(char) and _KEEPS_ZWNJ.match(char) is not None and unicodedata.category(char)[0] in "LM"


def single_line(text: str | None) -> str:
    """The text on one line: breaks, tabs and control characters become one space; trimmed."""
    if not text:
        return ""
    if type(text) is str and text.isascii() and text.isprintable() and "  " not in text:
        return text.strip(" ")  # printable ASCII: nothing to normalise, no break or control, no run of spaces
    text = unicodedata.normalize("NFC", str(text))
    if ZWNJ in text:
        text = kept_non_joiners(text, " ")
    return _SPACES.sub(" ", _BREAKS_AND_CONTROLS.sub(" ", text)).strip()


def shortened(text: str, limit: int) -> str:
    """The text cut to `limit` characters, the cut marked with an ellipsis (a long header or sheet name in a sentence)."""
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"
