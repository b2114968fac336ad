"""Contacts files (.vcf) from phones, Google Contacts and Outlook: a row a card, and hostile ones refused or read
without holding them."""
from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import select

from tests.test_imports_mapping_rules import people, staged
from tests.test_imports_more_exports import stage
from webapp.imports.reading import ReadLimits, UnreadableFile, read_table
from webapp.extensions import db
from webapp.imports.uploads import Upload
from webapp.models import ImportBatch


@pytest.mark.parametrize("name, expected", [
    # vCard 3.0: the preferred address over the home one, the work one over a preferred home one; a card with a phone
    # number only is kept, missing its address.
    ("iphone_contacts.vcf", [(1, "Ann", "Lee", "ann.lee@example.com", "valid"),
                             (29, "Ben", "Ng", "ben.ng@example.com", "valid"),
                             (36, "Cleo", "Patel", "", "invalid")]),
    # vCard 2.1: names in quoted-printable UTF-8 with a soft line break, a photo on indented lines, a note that
    # looks like an address once decoded.
    ("android_contacts_21.vcf", [(1, "Björn", "Åström", "bjorn.astrom@example.se", "valid"),
                                 (28, "Märta", "Svensson", "marta@example.se", "valid")]),
    ("outlook_contact_21.vcf", [(1, "Zoë", "Lefèvre", "zoe.lefevre@acme.example", "valid")]),
    # vCard 4.0: PREF=1 and a quoted TYPE list; an address folded over two lines.
    ("google_contacts_40.vcf", [(1, "Dev", "Rao", "dev.rao@example.com", "valid"),
                                (8, "Eve", "Ray", "eve.ray@example.com", "valid")]),
])
def test_each_card_of_a_contacts_file_is_a_person(name, expected):
    table, column_map, rows = staged(name)
    assert not column_map.doubts and table.row_count == len(expected)
    assert people(rows) == expected
    if name == "iphone_contacts.vcf":
        assert rows[2].errors == ["Email address is missing."]


def test_a_card_with_only_a_full_name_is_split_into_its_names():
    rows = staged_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@example.com\r\n"
                         b"END:VCARD\r\n", "contacts.vcf")[2]
    assert people(rows) == [(1, "Ann", "Lee", "ann@example.com", "valid")]


def test_a_contacts_file_named_csv_is_read_as_contacts():
    table = read_table(b"\xef\xbb\xbfBEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n",
                       "people.csv")
    assert table.rows == [(1, ["Ann", "Lee", "", "ann@example.com"])]


def test_a_photo_on_one_line_of_40_mb_is_read_past_without_holding_it(tmp_path):
    path = tmp_path / "contacts.vcf"
    with path.open("wb") as file:
        file.write(b"BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=JPEG:")
        for _ in range(40):
            file.write(b"QUJD" * 262_144)
        file.write(b"\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n")
    tracemalloc.start()
    try:
        rows = read_table(Upload(path), "contacts.vcf").rows
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == [(1, ["Ann", "Lee", "", "ann@example.com"])]
    assert peak < 8 * 2**20, f"reading peaked at {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("data, limits, message", [
    (b"BEGIN:VCARD\r\nFN:" + b"A" * 1_000_000 + b"\r\nEND:VCARD\r\n", ReadLimits(),
     "Line 2 of the contacts file holds a full name \\(FN\\) longer than the 10,000 characters a cell may hold"),
    (b"BEGIN:VCARD\r\nN:Lee;Ann\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n" * 1001, ReadLimits(max_rows=1000),
     "The file has more than 1,000 contacts, the most this importer reads"),
    (b"\r\n" * 100_000 + b"FN:Ann Lee\r\n", ReadLimits(), "The contacts file holds no contacts"),
])
def test_a_hostile_contacts_file_is_refused_saying_why(data, limits, message):
    with pytest.raises(UnreadableFile, match=f"^{message}"):
        read_table(data, "contacts.vcf", limits=limits)


def staged_bytes(data: bytes, name: str):
    from webapp.imports.cleaning import clean_rows
    from webapp.imports.staging import read_file

    table, column_map = read_file(data, name)
    return table, column_map, clean_rows(table, column_map)


def test_a_contacts_file_uploaded_to_file_import_is_staged_and_called_what_it_is(signed_in):
    assert stage(signed_in, "outlook_contact_21.vcf") == [(1, "Zoë", "Lefèvre", "zoe.lefevre@acme.example", "valid")]
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Contacts file (vCard)" in page and "Excel workbook" not in page and "Header row" not in page
