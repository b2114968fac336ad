"""Write the other workbook flavours of tests/data (run to remake them): Excel's macro-enabled workbook (.xlsm) and
template (.xltx), a binary workbook (.xlsb, record by record as MS-XLSB lays it out) and an Apple Numbers file's
shape (.numbers: a zip of .iwa parts, whose contents nothing here reads)."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl

DATA = Path(__file__).parent / "data"
PEOPLE = [["First Name", "Last Name", "Email", "Employee No"], ["Ana", "Gómez", "ana@example.es", 1042],
          ["太郎", "山田", "taro@example.jp", 1043]]
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(template: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "People"
    for row in PEOPLE:
        sheet.append(row)
    workbook.template = template
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsm() -> bytes:
    """An .xlsx whose workbook part is declared macro-enabled, with a (dummy) VBA project beside it, as Excel saves."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    parts = {name: source.read(name) for name in source.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return _zip(parts)


def _record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: its type and size as 7-bit groups (high bit: more follows), then its data."""
    head = bytes([kind & 0x7F | 0x80, kind >> 7]) if kind >= 0x80 else bytes([kind])
    size, length = len(data), b""
    while True:
        length += bytes([size & 0x7F | (0x80 if size >= 0x80 else 0)])
        size >>= 7
        if not size:
            break
    return head + length + data


def _wide(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return struct.pack("<I", len(encoded) // 2) + encoded


def xlsb() -> bytes:
    """A binary workbook of one sheet: BrtBundleSh naming it in workbook.bin, its cells as BrtCellSt/BrtCellReal."""
    book = (_record(0x83) + _record(0x8F) + _record(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("People"))
            + _record(0x90) + _record(0x84))
    cells = b""
    for line, row in enumerate(PEOPLE):
        cells += _record(0x00, struct.pack("<IIHHBBI", line, 0, 300, 0, 0, 0, 0))
        for column, value in enumerate(row):
            if isinstance(value, str):
                cells += _record(0x06, struct.pack("<II", column, 0) + _wide(value))
            else:
                cells += _record(0x05, struct.pack("<IId", column, 0, float(value)))
    sheet = (_record(0x81) + _record(0x94, struct.pack("<IIII", 0, len(PEOPLE) - 1, 0, len(PEOPLE[0]) - 1))
             + _record(0x91) + cells + _record(0x92) + _record(0x82))
    return _zip({
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{_TYPES}"><Default Extension="bin" ContentType='
                               '"application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" '
                               'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override '
                               'PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
                               "</Types>",
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                       f'Type="{_DOC}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        "xl/workbook.bin": book,
        "xl/_rels/workbook.bin.rels": f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
                                      f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.bin"/></Relationships>',
        "xl/worksheets/sheet1.bin": sheet})


def numbers() -> bytes:
    """The parts an Apple Numbers file holds (Index/*.iwa, Metadata, a preview): the shape File Import knows it by."""
    return _zip({"Index/Document.iwa": bytes(range(256)) * 4, "Index/Tables/DataList.iwa": bytes(range(256)),
                 "Metadata/Properties.plist": b"bplist00" + bytes(64),
                 "Metadata/DocumentIdentifier": b"6C1F7E0A-8D3B-4E55-9E0A-1F2B3C4D5E6F",
                 "preview.jpg": b"\xff\xd8\xff\xe0" + bytes(64)})


FILES = {"people.xlsm": xlsm, "people.xltx": lambda: _xlsx(template=True), "people.xlsb": xlsb,
         "people.numbers": numbers}


def main() -> None:
    for name, make in FILES.items():
        (DATA / name).write_bytes(make())


if __name__ == "__main__":
    main()
