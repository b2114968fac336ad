"""Generated passwords: typable, random, strong; every stored password is a hash."""
import re

import pytest

from webapp import credentials


def test_generated_passwords_are_typable_and_strong():
    passwords = {credentials.generate_password() for _ in range(2000)}
    assert len(passwords) == 2000
    for password in list(passwords)[:50]:
        assert re.fullmatch(r"[a-z0-9]{5}(-[a-z0-9]{5}){3}", password)
        assert not set(password) & set("0oO1lIi25uv")  # look-alikes left out
    assert credentials.generated_password_entropy_bits() >= 90


def test_generated_password_hash_checks_and_hides_the_password():
    password = credentials.generate_password()
    stored = credentials.hash_generated_password(password)
    assert password not in stored
    assert credentials.check_password(stored, password)
    assert not credentials.check_password(stored, password.upper())
    assert credentials.hash_generated_password(password) != stored  # salted


def test_chosen_passwords_use_scrypt():
    stored = credentials.hash_chosen_password("a phrase of my own 2026")
    assert stored.startswith("scrypt:32768:8:1$")  # werkzeug's full cost outside tests
    assert credentials.check_password(stored, "a phrase of my own 2026")


def test_cheap_test_hashing_is_ignored_outside_testing():
    from flask import Flask

    production = Flask("production")
    production.config["CHOSEN_PASSWORD_METHOD"] = "scrypt:1024:8:1"
    with production.app_context():
        assert credentials.hash_chosen_password("a phrase of my own 2026").startswith("scrypt:32768:8:1$")
    production.config["TESTING"] = True
    with production.app_context():
        assert credentials.hash_chosen_password("a phrase of my own 2026").startswith("scrypt:1024:8:1$")


@pytest.mark.parametrize("password, ok", [
    ("eleven-char", False),
    ("password1234", False),
    ("qwertyuiop123", False),
    ("zzzzzzzzzzzzzzz", False),
    ("ada.lovelace99", False),
    ("lighthouse keeper 42", True),
])
def test_chosen_password_rules(password, ok):
    problem = credentials.chosen_password_problem(password, email="ada.lovelace@example.com")
    assert (problem is None) is ok


@pytest.mark.parametrize("stored", [None, ""])
def test_no_stored_hash_never_matches(stored):
    assert not credentials.check_password(stored, "anything at all")
