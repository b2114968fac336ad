"""Suggested fixes for likely mistakes in email addresses ("jane at gmial.com" -> "jane@gmail.com")."""
from __future__ import annotations

import re

from webapp.addresses import InvalidEmail, normalise_email

# Misspellings of well-known mail domains, and the domain people meant.
DOMAIN_FIXES = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com", "gmal.com": "gmail.com",
    "gmail.co": "gmail.com", "gmail.con": "gmail.com", "gmail.cm": "gmail.com", "gnail.com": "gmail.com",
    "hotmial.com": "hotmail.com", "hotmai.com": "hotmail.com", "hotmal.com": "hotmail.com",
    "hotmail.co": "hotmail.com", "hotmail.con": "hotmail.com",
    "outlok.com": "outlook.com", "outloo.com": "outlook.com", "outlook.co": "outlook.com",
    "outlook.con": "outlook.com",
    "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com", "yahoo.co": "yahoo.com", "yahoo.con": "yahoo.com",
    "icloud.co": "icloud.com", "iclod.com": "icloud.com",
    "hotmial.co.uk": "hotmail.co.uk", "hotmai.co.uk": "hotmail.co.uk", "hotmail.co.uj": "hotmail.co.uk",
    "yaho.co.uk": "yahoo.co.uk", "yahooo.co.uk": "yahoo.co.uk", "yahoo.co.uj": "yahoo.co.uk",
}
# Endings no domain has, and the one people meant (".cm", ".co" and ".om" are countries: left alone).
TLD_FIXES = {"con": "com", "cmo": "com", "ocm": "com", "comm": "com", "coom": "com", "vom": "com", "xom": "com",
             "ogr": "org", "orgg": "org", "nte": "net", "ent": "net", "nett": "net"}
_AT_WORD = re.compile(r"\s+(?:at|AT|At)\s+|\s*\[at\]\s*|\s*\(at\)\s*")


# Addresses listed in one cell: "a@x.org; b@x.org", "a@x.org, b@x.org", "a@x.org / b@x.org", "a@x.org or b@x.org".
_LIST_SEPARATOR = re.compile(r"\s*(?:[;,/|]|\s(?:or|and|&)\s)\s*|\s+", re.I)


# Addresses written the way mail programs list recipients: "<a@x.org>, <b@x.org>", "Ann <a@x.org>; Ben <b@x.org>",
# '"a@x.org" <a@x.org>': the bracketed addresses, and any bare one, in the order written; display names are skipped.
_RECIPIENT = re.compile(r"<([^<>]*)>|[^\s<>;,/|]*@[^\s<>;,/|]*")


def several_addresses(text: str) -> list[str]:
    """The addresses of a cell that lists more than one (each a valid address), else []."""
    if text.count("@") < 2 or len(text) > 1000:
        return []
    if "<" in text:
        parts = [match.group(1) if match.group(1) is not None else match.group(0)
                 for match in _RECIPIENT.finditer(text)]
    else:
        parts = [part for part in _LIST_SEPARATOR.split(text.strip()) if part]
    found = []
    for part in parts:
        try:
            address = normalise_email(part.strip("<>\"'()[] "))
        except InvalidEmail:
            return []
        if address not in found:  # '"a@x.org" <a@x.org>' is one address, written twice
            found.append(address)
    return found if len(found) > 1 else []


def recipient_address(text: str) -> str | None:
    """The address of a cell that names one recipient ("Ann Lee <ann@x.org>"), None for a list of them."""
    if text.count("<") != 1 or not text.endswith(">"):
        return None
    inside = text[text.rindex("<") + 1:-1]
    before = text[:text.rindex("<")]
    if "@" in before and before.strip("\"' ").casefold() != inside.strip().casefold():
        return None  # "a@x.org, <b@x.org>": two people's addresses, not a name and its address
    return inside


def suggest_email(text: str) -> str | None:
    """The address the person most likely meant, or None when nothing better is known."""
    original = (text or "").strip()
    if not original:
        return None
    listed = several_addresses(original)
    if listed:  # the first of several is most often the person's own
        return listed[0]
    fixed = _AT_WORD.sub("@", original) if "@" not in original else original
    fixed = re.sub(r"\s+", "", fixed)
    fixed = re.sub(r"@{2,}", "@", fixed)
    fixed = fixed.strip("<>\"'()[]").rstrip(".,;")
    if "@" in fixed:
        local, _, domain = fixed.rpartition("@")
        # A comma typed for a dot, a dot typed twice, dots at either end of the name before the @.
        domain = re.sub(r"\.{2,}", ".", domain.lower().replace(",", ".")).strip(".")
        domain = DOMAIN_FIXES.get(domain, domain)
        name, dot, tld = domain.rpartition(".")
        domain = f"{name}.{TLD_FIXES[tld]}" if dot and tld in TLD_FIXES else domain
        fixed = f"{local.strip('.')}@{DOMAIN_FIXES.get(domain, domain)}"
    try:
        suggestion = normalise_email(fixed)
    except InvalidEmail:
        return None
    return suggestion if suggestion != original.lower() else None


def suggestion_for(email: str, email_ok: bool) -> str | None:
    """suggest_email, skipped (cheaply) for valid addresses at domains that are not known misspellings."""
    if email_ok:
        domain = email.rpartition("@")[2]
        if domain not in DOMAIN_FIXES and domain.rpartition(".")[2] not in TLD_FIXES:
            return None
    return suggest_email(email)

