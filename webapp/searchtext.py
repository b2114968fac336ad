"""Text for searching people: case- and accent-free, so "muller" finds "Müller"."""
from __future__ import annotations

import unicodedata

# Letters that Unicode does not split into a base letter and an accent.
_PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae",
                                "œ": "oe", "ı": "i"})
# Punctuation people type between the parts of a name ("Doe, Jane"): not part of any word.
_SEPARATORS = str.maketrans({",": " ", ";": " "})


def fold(text: str) -> str:
    """Case-fold and strip accents: "Zoë Müller" -> "zoe muller"."""
    if text and text.isascii():  # nothing to decompose or translate (most names, every address)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_PLAIN_LETTERS)


def search_text_for(first_name: str | None, last_name: str | None, email: str | None) -> str:
    """The stored search column of a user: folded "first last email"."""
    return fold(" ".join(part for part in (first_name, last_name, email) if part))


def search_words(query: str) -> list[str]:
    """The folded words of what an admin typed; each must appear in a match, in any order."""
    return fold(query).translate(_SEPARATORS).split()
