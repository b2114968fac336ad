"""Password policy: generate typable random passwords, store and check every kind safely.

Generated passwords have about 99 bits of entropy, so a fast salted hash is as strong
against guessing as a slow KDF over a human password; user-chosen passwords get
werkzeug's scrypt. See docs/SECURITY.md for the reasoning.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

# Lower case without look-alikes (0/o, 1/l/i, 2/z keeps z, 5/s keeps s, u/v): easy to type from an email.
ALPHABET = "abcdefghjkmnpqrstwxyz346789"
GROUPS = 4
GROUP_LENGTH = 5
# A single-iteration salted PBKDF2 in werkzeug's format: fast enough for 100,000 users.
GENERATED_METHOD = "pbkdf2:sha256:1"
CHOSEN_METHOD = "scrypt"
MIN_CHOSEN_LENGTH = 12

# A generated password younger than this still stands: a later enrolment does not replace it,
# and the user page still counts it as fresh (the product's 48-hour rule).
PASSWORD_FRESH_FOR = timedelta(hours=48)
_COMMON_PASSWORDS: frozenset[str] | None = None


def generated_password_entropy_bits() -> float:
    """Entropy of a generated password, in bits."""
    import math

    return GROUPS * GROUP_LENGTH * math.log2(len(ALPHABET))


def generate_password() -> str:
    """Return a new random password like 'kq7rt-mxw3e-...': four groups of five."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def derived_passwords(key: bytes, numbers) -> list[str]:
    """A generated password per number, drawn from SHAKE-256 of a secret random key and the number.

    The same key and number always give the same password, so a caller holding only the key can make a
    password once to hash it and again to mail it, never keeping a list of them (Create Users of a million).
    """
    size = GROUPS * GROUP_LENGTH
    table, drop = _byte_map(ALPHABET)
    shake = hashlib.shake_256
    made = []
    for number in numbers:
        seed = key + number.to_bytes(8, "big")
        letters = shake(seed).digest(2 * size).translate(table, drop)
        length = 4 * size
        while len(letters) < size:  # about one byte in twenty is dropped: 40 bytes nearly always suffice
            letters = shake(seed).digest(length).translate(table, drop)
            length *= 2
        made.append(_grouped(letters[:size].decode("ascii")))
    return made


def fast_hashes(passwords: list[str]) -> list[str]:
    """The fast salted hash of each generated password, in werkzeug's format (check_password reads it)."""
    salts = _uniform_choices(_SALT_CHARS, len(passwords) * _SALT_LENGTH)
    made = []
    for index, password in enumerate(passwords):
        salt = salts[index * _SALT_LENGTH:(index + 1) * _SALT_LENGTH]
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1).hex()
        made.append(f"{GENERATED_METHOD}${salt}${digest}")
    return made


def _grouped(letters: str) -> str:
    return "-".join((letters[0:5], letters[5:10], letters[10:15], letters[15:20]))


assert GROUPS * GROUP_LENGTH == 20  # _grouped spells out the four groups of five


_SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # werkzeug's salt alphabet
_SALT_LENGTH = 16


def _byte_map(alphabet: str) -> tuple[bytes, bytes]:
    """A translate table sending bytes evenly onto `alphabet`, and the bytes past its last multiple to drop."""
    size = len(alphabet)
    usable = 256 - 256 % size  # bytes below this map evenly onto the alphabet
    return bytes(alphabet, "ascii") * (usable // size) + b"\0" * (256 - usable), bytes(range(usable, 256))


def _uniform_choices(alphabet: str, count: int) -> str:
    """`count` characters drawn uniformly from `alphabet`: random bytes, those past a multiple of its size dropped."""
    table, drop = _byte_map(alphabet)
    made = b""
    while len(made) < count:
        wanted = count - len(made)
        made += os.urandom(wanted + wanted // 8 + 16).translate(table, drop)[:wanted]
    return made.decode("ascii")


def hash_generated_password(password: str) -> str:
    """Hash a system-generated password for storage (fast; safe because of its entropy)."""
    return generate_password_hash(password, method=GENERATED_METHOD, salt_length=16)


def hash_chosen_password(password: str) -> str:
    """Hash a password a person chose, with the memory-hard scrypt KDF (cheaper only when testing)."""
    return generate_password_hash(password, method=chosen_method())


def is_fast_hash(stored_hash: str | None) -> bool:
    """True for a generated password's single-iteration hash (or no hash): checking it costs nothing."""
    return not stored_hash or stored_hash.startswith(GENERATED_METHOD + "$")


def chosen_method() -> str:
    """The KDF for chosen passwords: scrypt, or the cheaper one a TESTING app names."""
    # The test suite hashes hundreds of admin passwords; TESTING apps may name a cheaper method
    # (CHOSEN_PASSWORD_METHOD). Production never reads it: the setting is honoured only with TESTING.
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("TESTING"):
        return current_app.config.get("CHOSEN_PASSWORD_METHOD") or CHOSEN_METHOD
    return CHOSEN_METHOD


def check_password(stored_hash: str | None, password: str) -> bool:
    """True when password matches the stored hash of either kind."""
    if not stored_hash or not password:
        return False
    return check_password_hash(stored_hash, password)


def _common_passwords() -> frozenset[str]:
    global _COMMON_PASSWORDS
    if _COMMON_PASSWORDS is None:
        path = Path(__file__).with_name("common_passwords.txt")
        words = path.read_text(encoding="utf-8").split()
        _COMMON_PASSWORDS = frozenset(w.strip().lower() for w in words if w.strip())
    return _COMMON_PASSWORDS


def chosen_password_problem(password: str, *, email: str = "", names: tuple[str, ...] = ()) -> str | None:
    """Return why a chosen password is refused, or None when it is acceptable."""
    if len(password) < MIN_CHOSEN_LENGTH:
        return f"Use at least {MIN_CHOSEN_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 3:
        return "This password is too common. Choose one that is harder to guess."
    local_part = email.split("@", 1)[0].lower()
    if local_part and len(local_part) >= 4 and local_part in lowered and len(lowered) - len(local_part) < 6:
        return "This password is too close to your email address."
    for name in names:
        if name and len(name) >= 4 and lowered.startswith(name.lower()) and len(lowered) - len(name) < 6:
            return "This password is too close to your name."
    return None
