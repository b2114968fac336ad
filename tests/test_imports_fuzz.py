"""Fuzzing the importer: a few hundred seeded hostile files never give a 500, a stuck batch or a traceback."""
from __future__ import annotations

import random
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.imports.reading import UnreadableFile, read_table
from webapp.models import ImportBatch

DATA = Path(__file__).parent / "data"
SEED = 20261127
TEXT_SOURCES = ["import_mixed.csv", "utf8_bom.csv", "cp1252_semicolon.csv", "utf16_tab.txt", "quoted_fields.csv",
                "report_preamble.csv", "recipients.txt", "tab_with_commas.tsv", "mac_roman.csv",
                "address_column.csv"]
WORKBOOK_SOURCES = ["people.xlsx", "several_sheets.xlsx", "staff.ods", "staff.xls"]
EXTENSIONS = [".csv", ".txt", ".tsv", ".xlsx", ".ods", ".xls"]
HEADER = "First Name,Last Name,Email Address\r\n"


def _flip_bits(rng: random.Random, data: bytes, flips: int) -> bytes:
    mutable = bytearray(data)
    for _ in range(flips):
        position = rng.randrange(len(mutable))
        mutable[position] ^= 1 << rng.randrange(8)
    return bytes(mutable)


def _sprinkle(rng: random.Random, data: bytes, pieces: list[bytes], count: int) -> bytes:
    mutable = bytearray(data)
    for _ in range(count):
        position = rng.randrange(len(mutable) + 1)
        mutable[position:position] = rng.choice(pieces)
    return bytes(mutable)


def hostile_files() -> list[tuple[str, bytes]]:
    """Seeded (name, bytes) pairs: mutated golden files and files made to be awkward; small and quick to read."""
    rng = random.Random(SEED)
    texts = {name: (DATA / name).read_bytes() for name in TEXT_SOURCES}
    workbooks = {name: (DATA / name).read_bytes() for name in WORKBOOK_SOURCES}
    cases = []
    for index in range(50):
        name, data = rng.choice(list(texts.items()))
        cases.append((f"truncated{index}{Path(name).suffix}", data[:rng.randrange(len(data))]))
        cases.append((f"flipped{index}{Path(name).suffix}", _flip_bits(rng, data, rng.randint(1, 12))))
        cases.append((f"nuls{index}.csv", _sprinkle(rng, data, [b"\x00", b"\x00\x00", b"\x1b", b"\x7f", b"\x0c",
                                                               b"\xff\xfe", b'"', b"\r"], rng.randint(1, 6))))
    for index in range(8):
        name, data = rng.choice(list(workbooks.items()))
        cases.append((f"wb_truncated{index}{Path(name).suffix}", data[:rng.randrange(len(data))]))
        cases.append((f"wb_flipped{index}{Path(name).suffix}", _flip_bits(rng, data, rng.randint(1, 4))))
    for index in range(24):
        extension = EXTENSIONS[index % len(EXTENSIONS)]
        size = rng.choice([1, 7, 100, 3000])
        prefix = rng.choice([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"])
        cases.append((f"random{index}{extension}", prefix + rng.randbytes(size)))
    made = [
        ("huge_cell.csv", (HEADER + "Ann,Ames," + "a" * 20_000 + "@example.com\r\n").encode()),
        ("big_name.csv", (HEADER + "A" * 9_000 + ",Ames,ann@example.com\r\n").encode()),
        ("deep_quotes.csv", (HEADER + '"' * 5001 + "Ann" + '"' * 5001 + ",Ames,ann@example.com\r\n").encode()),
        ("nested_quotes.csv", (HEADER + '"a""b""c' * 300 + '",x,ann@example.com\r\n').encode()),
        ("long_line.csv", ("x" * 60_000 + "\r\n").encode()),
        ("many_columns.csv", (",".join(f"c{n}" for n in range(400)) + "\r\n" + ",".join("v" * 400) + "\r\n").encode()),
        ("wide_ok.csv", (",".join(["Email"] + [f"c{n}" for n in range(150)]) + "\r\n"
                         + ",".join(["ann@example.com"] + ["v"] * 150) + "\r\n").encode()),
        ("only_bom.csv", b"\xef\xbb\xbf"),
        ("only_spaces.csv", b"   \r\n \t \r\n"),
        ("only_newlines.csv", b"\n" * 5000),
        ("odd_utf16.txt", b"\xff\xfe" + "Email\r\nann@example.com\r\n".encode("utf-16-le") + b"\x00"),
        ("lone_surrogates.txt", b"\xff\xfe" + b"\x00\xd8\x00\xd8E\x00"),
        ("mixed_encodings.csv", (HEADER + "José,García,jose@example.com\r\n").encode() + "Zoë,X,z@example.com\r\n"
                                .encode("cp1252")),
        ("cr_only_noise.csv", b"\r" * 3000 + HEADER.encode()),
        ("header_repeated.csv", (HEADER * 300).encode()),
        ("addresses_garbage.txt", ("<" * 2000 + "a@b.co" + ">" * 2000 + "\n").encode()),
        ("encoded_words.txt", b"=?utf-8?q?=ZZ=?= <a@example.com>\n=?x-unknown?b?!!!?= <b@example.com>\n"
                              b"=?utf-8?b?" + b"QQ" * 3000 + b"?= <c@example.com>\n"),
        ("semicolons.csv", (";" * 3000 + "\r\n").encode()),
        ("blank_then_people.csv", b"\r\n" * 300 + HEADER.encode() + b"Ann,Ames,ann@example.com\r\n"),
        ("tabs_in_quotes.tsv", b'Email\t"Name\n' + b"\t" * 500 + b'"\r\nann@example.com\tAnn\r\n'),
        ("name.xlsx", b"First Name,Email\r\nAnn,ann@example.com\r\n"),
        ("empty.xls", b""),
    ]
    cases += made
    return cases


STAGED_NAME_CHARS = 300  # staged_rows.first_name/last_name are VARCHAR(300)


def _has_over_long_cells(name: str, data: bytes) -> bool:
    """True when the file reads but holds a cell longer than a staged name may be (a pipeline bound)."""
    try:
        table = read_table(data, name)
    except UnreadableFile:
        return False
    return any(len(cell) > STAGED_NAME_CHARS for _line, cells in table.rows for cell in cells)


ALL_CASES = hostile_files()
# Files the reader accepts whose long cells the staging code still fails on (a database error on PostgreSQL):
# `pipeline` is adding per-field length limits; until then they run apart, as expected failures.
PIPELINE_CASES = [case for case in ALL_CASES if _has_over_long_cells(*case)] + [
    ("long_first_name.csv", (HEADER + "A" * 400 + ",Ames,ann@example.com\r\n").encode()),
    ("long_last_name.csv", (HEADER + "Ann," + "B" * 5000 + ",ann@example.com\r\n").encode())]
CASES = [case for case in ALL_CASES if case not in PIPELINE_CASES]


def test_there_are_a_few_hundred_cases():
    assert len(CASES) > 200 and len(PIPELINE_CASES) < 10


def test_reading_never_raises_anything_but_unreadable_file():
    for name, data in ALL_CASES:
        try:
            read_table(data, name)
        except UnreadableFile as exc:
            assert str(exc) and str(exc)[0].isupper() and str(exc).rstrip().endswith("."), (name, str(exc))


def _upload(client, name: str, data: bytes):
    return client.post("/users/import/", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")


def _assert_no_stuck_batch(name: str) -> None:
    stuck = db.session.scalar(select(func.count()).select_from(ImportBatch).where(ImportBatch.status == "staging"))
    assert stuck == 0, f"{name} left a batch in status staging"


def test_web_upload_of_every_case_never_gives_a_500(signed_in):
    for name, data in CASES:
        response = _upload(signed_in, name, data)
        assert response.status_code != 500 and response.status_code < 500, name
        _assert_no_stuck_batch(name)


def _cli_import(runner, tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["users", "import", str(path), "--org", "acme", "--dry-run", "--json"])


def test_cli_import_of_every_case_exits_0_or_2_without_a_traceback(runner, org, tmp_path):
    for name, data in CASES:
        result = _cli_import(runner, tmp_path, name, data)
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code in (0, 2), (name, result.exit_code, result.stderr)
        assert "Traceback" not in result.stderr, name


@pytest.mark.parametrize("name, data", PIPELINE_CASES, ids=[name for name, _ in PIPELINE_CASES])
def test_over_long_names_are_a_row_problem_not_a_500(signed_in, runner, org, tmp_path, name, data):
    assert _upload(signed_in, name, data).status_code < 500
    _assert_no_stuck_batch(name)
    result = _cli_import(runner, tmp_path, name, data)
    assert result.exit_code in (0, 2) and "Traceback" not in result.stderr
