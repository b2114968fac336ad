"""Tiny Chinese and Korean CSVs (a header and one or two people) in their Windows code pages are read in the right
one: with so few bytes, Windows-1251 ("РХГы") or Big5 read them as readily, and the names came out garbled."""
from __future__ import annotations

import pytest

from webapp.imports.reading import read_table
from tests.test_imports_leftovers import DATA
from tests.test_imports_more_exports import stage

# Per code page: the header in its language, and two people (name, address).
PEOPLE = {
    "gb18030": ("姓名,邮箱", [("赵敏", "zhao.min@example.cn"), ("吕宁", "lv.ning@example.cn")]),
    "big5": ("姓名,電郵", [("林怡宇", "lin@example.tw"), ("陳大文", "chan@example.hk")]),
    "cp949": ("이름,이메일", [("박수준", "sujun@example.kr"), ("황준진", "junjin@example.kr")]),
}


def _csv(encoding: str, header: str, people: int) -> bytes:
    rows = [header] + [f"{name},{address}" for name, address in PEOPLE[encoding][1][:people]]
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


@pytest.mark.parametrize("people", [1, 2])
@pytest.mark.parametrize("header", ["native", "Name,Email"])
@pytest.mark.parametrize("encoding", ["gb18030", "big5", "cp949"])
def test_a_tiny_chinese_or_korean_csv_is_read_in_its_code_page(encoding, header, people):
    data = _csv(encoding, PEOPLE[encoding][0] if header == "native" else header, people)
    table = read_table(data, "people.csv")
    assert (table.encoding, table.encoding_guessed) == (encoding, True)
    assert [cells for _line, cells in table.rows] == [list(person) for person in PEOPLE[encoding][1][:people]]


@pytest.mark.parametrize("name, staged", [
    # A full name without a space stays whole, as File Import keeps any name it cannot cut safely.
    ("chinese_tiny_gbk.csv", [(2, "赵敏", "", "zhao.min@example.cn", "valid")]),
    ("chinese_tiny_big5.csv", [(2, "陳大文", "", "chan@example.hk", "valid"), (3, "林怡宇", "", "lin@example.tw", "valid")]),
    ("korean_tiny_euckr.csv", [(2, "박수준", "", "sujun@example.kr", "valid")]),
])
def test_tiny_chinese_and_korean_files_stage_their_names(signed_in, name, staged):
    assert stage(signed_in, name) == staged


@pytest.mark.parametrize("text, encoding", [
    ("Prénom;Nom;Courriel\r\nÉlodie;Roux;elodie@example.fr\r\n", "cp1252"),
    ("First,Last,Email\r\nSiobhán,Ó Briain,siobhan@example.ie\r\n", "cp1252"),
    ("Vorname;Nachname;E-Mail\r\nJürgen;Müller;j@example.de\r\nÄnne;Öztürk;a@example.de\r\n", "cp1252"),
    ("Imię;Nazwisko;E-mail\r\nŁukasz;Wójcik;lukasz@example.pl\r\n", "cp1250"),
    ("Имя;Фамилия;Email\r\nИван;Петров;ivan@example.ru\r\n", "cp1251"),
    ("ФИО,Email\r\nИВАНОВ Иван,ivan@example.ru\r\n", "cp1251"),
    ("氏名,メール\r\n山田太郎,taro@example.jp\r\n", "cp932"),
    ("姓,名,メールアドレス\r\n佐藤,花子,hanako@example.jp\r\n", "cp932"),
])
def test_tiny_western_cyrillic_and_japanese_files_keep_their_guess(text, encoding):
    assert read_table(text.encode(encoding), "people.csv").encoding == encoding


@pytest.mark.parametrize("name, encoding, guessed", [
    ("utf8_bom.csv", "utf-8-sig", False), ("utf8_no_bom.csv", "utf-8", False), ("utf16_tab.txt", "utf-16", False),
    ("utf16le_no_bom.txt", "utf-16-le", False), ("japanese_excel_sjis.csv", "cp932", True),
    ("chinese_excel_gbk.csv", "gb18030", True), ("korean_excel_euckr.csv", "cp949", True),
])
def test_utf_files_and_the_longer_east_asian_ones_read_as_before(name, encoding, guessed):
    table = read_table((DATA / name).read_bytes(), name)
    assert (table.encoding, table.encoding_guessed) == (encoding, guessed)
