"""Which encoding a text file's bytes are in, and whether decoded names look like mojibake."""
from __future__ import annotations

import codecs
import re
from itertools import chain
import unicodedata

from webapp.imports.locating import header_word_count
from webapp.imports.uploads import Upload, as_upload

# (stored value, the name people know it by, what it is for): the choices and every page's label read these.
_ENCODINGS = [
    ("utf-8-sig", "UTF-8 with BOM", ""),
    ("utf-8", "UTF-8", ""),
    ("utf-16", "UTF-16", "Excel \u201cUnicode Text\u201d"),
    ("utf-16-le", "UTF-16LE", "little-endian, no BOM"),
    ("utf-16-be", "UTF-16BE", "big-endian, no BOM"),
    ("cp1252", "Windows-1252", "Western European"),
    ("cp1250", "Windows-1250", "Central European"),
    ("cp1251", "Windows-1251", "Cyrillic"),
    ("cp1257", "Windows-1257", "Baltic"),
    ("iso-8859-1", "ISO-8859-1", "Latin-1"),
    ("iso-8859-2", "ISO-8859-2", "Latin-2, Central European"),
    ("iso-8859-15", "ISO-8859-15", "Latin-9, with \u20ac"),
    ("mac-roman", "Mac Roman", "older Mac Excel"),
    ("cp932", "Shift_JIS", "Japanese Windows"),
    ("gb18030", "GB18030", "Simplified Chinese"),
    ("big5", "Big5", "Traditional Chinese"),
    ("cp949", "Windows-949", "Korean"),
]
_LABELS = {value: name for value, name, _ in _ENCODINGS}
UTF16 = ("utf-16", "utf-16-le", "utf-16-be")
# Tried in this order when the bytes are not UTF-8; on a tie the earlier one wins (cp1252 is the commonest).
# Excel on Japanese, Chinese and Korean Windows saves CSV in the local double-byte code page: those come last, so a
# tie stays Western.
_SCORED = ("cp1252", "cp1250", "iso-8859-15", "cp1251", "iso-8859-2", "iso-8859-1", "mac-roman", "cp932",
           "gb18030", "big5", "cp949")
# Windows-1257 (Estonian, Latvian, Lithuanian) reads a Western file as letters as plausible to the scores as its own,
# and a Baltic file reads as plausibly in Windows-1252: it is chosen by where its letters stand (_baltic), never scored.
LEGACY = _SCORED + ("cp1257",)
# The double-byte code pages read one another's bytes as plausible characters too (Korean as rare Chinese ones,
# Chinese as Korean syllables): among them, charset-normalizer's order (how little mess each reading has) decides.
EAST_ASIAN = ("cp932", "gb18030", "big5", "cp949")
_NORMALISED = {"windows-1252": "cp1252", "windows-1250": "cp1250", "windows-1251": "cp1251",
               "windows-1257": "cp1257", "cp1257": "cp1257",
               "latin_1": "iso-8859-1", "latin-1": "iso-8859-1", "iso8859_1": "iso-8859-1",
               "iso8859_2": "iso-8859-2", "iso8859_15": "iso-8859-15", "mac_roman": "mac-roman",
               "cp1252": "cp1252", "cp1250": "cp1250", "cp1251": "cp1251", "cp932": "cp932", "shift_jis": "cp932",
               "gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "big5": "big5", "big5hkscs": "big5",
               "cp949": "cp949", "euc_kr": "cp949"}
_SAMPLE_LINES = 400
# Bytes of the sample the code pages are judged on, and of one line in it: scoring a reading costs about a second
# per 100 KB for each of the eleven code pages, so a 5 MB line of one CSV row took 40 s of the web process, and
# 50 MB minutes and gigabytes. 400 lines of names are far shorter; a runaway line gives its first 4 KB.
_SAMPLE_BYTES = 128 * 1024
_SAMPLE_LINE_BYTES = 4096


def encoding_label(value: str | None) -> str:
    """The name people know an encoding by ("UTF-8", "Windows-1252", "Shift_JIS"), however it is spelt."""
    if not value:
        return ""
    key = value.strip().lower()
    if key in _LABELS:
        return _LABELS[key]
    try:
        key = codecs.lookup(key).name  # "windows-1252" and "cp1252" are one codec
    except LookupError:
        return value
    key = _NORMALISED.get(key, key).replace("iso8859", "iso-8859")
    return _LABELS.get(key, value.upper())


# The settings forms' choices: each encoding's label, then what it is for.
ENCODING_CHOICES = [(value, f"{encoding_label(value)} ({note})" if note else encoding_label(value))
                    for value, _, note in _ENCODINGS]
ENCODING_NAMES = dict(ENCODING_CHOICES)


def detect_encoding(data: bytes | Upload) -> tuple[str, bool]:
    """Return (encoding, guessed): BOMs first, then UTF-16 by its NUL pattern, UTF-8 if valid, else a legacy guess."""
    upload = as_upload(data)
    head = upload.head(4096)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", False
    bomless = _bomless_utf16(head)
    if bomless:
        return bomless, False
    if not is_utf8(upload):
        if mostly_utf8(upload):
            return "utf-8", True
        return guess_legacy(upload), True
    return "utf-8", False


def is_utf8(data: bytes | Upload) -> bool:
    """True when the bytes are valid UTF-8; checked a block at a time, never decoding the whole file at once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for block in as_upload(data).blocks():
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def mostly_utf8(data: bytes | Upload) -> bool:
    """True when more characters read well as UTF-8 than are damaged: a UTF-8 export with a few bad bytes in it.

    Reading such a file as UTF-8 marks the bad bytes (U+FFFD, flagged on their rows); a legacy code page would
    garble every accented letter in the file instead.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    good = bad = 0
    for block in chain(as_upload(data).blocks(), [b""]):
        text = decoder.decode(block, final=not block)
        damaged = text.count("\ufffd")
        bad += damaged
        good += len(text) - len(text.encode("ascii", "ignore")) - damaged
    return good > bad


def looks_like_utf32(head: bytes) -> bool:
    """True for UTF-32 text: its byte order mark, or three NULs in every four bytes (Latin text), on one side."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return True
    quads = len(head) // 4
    if quads < 4:
        return False
    columns = [head[offset:quads * 4:4].count(0) for offset in range(4)]
    return sorted(columns)[1] > 0.9 * quads and min(columns) < 0.05 * quads


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: text in Latin scripts has a NUL in every other byte, on one side only."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even_nuls = sample[0:pairs * 2:2].count(0)
    odd_nuls = sample[1:pairs * 2:2].count(0)
    if odd_nuls > 0.6 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.6 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _non_ascii_lines(upload: Upload) -> list[bytes]:
    """The first lines holding a byte above ASCII, read a block at a time (a line cut by a block edge is joined),
    each cut to _SAMPLE_LINE_BYTES, until there are _SAMPLE_LINES of them or _SAMPLE_BYTES.

    Lines are split and tested with bytes methods: the regular expression this used tried every position of an
    ASCII line again to its end, so one 40 KB line cost 16 s of the web process (a full row of 200 cells, hours).
    """
    lines, carry, size = [], b"", 0
    for block in upload.blocks():
        block = carry + block
        cut = max(block.rfind(b"\n"), block.rfind(b"\r"))
        whole, carry = (block[:cut + 1], block[cut + 1:]) if cut >= 0 else (b"", block)
        carry = carry[:_SAMPLE_LINE_BYTES]  # a line running on past a block keeps only its start
        for line in whole.splitlines():
            if not line.isascii():
                lines.append(line[:_SAMPLE_LINE_BYTES])
                size += len(lines[-1])
                if len(lines) >= _SAMPLE_LINES or size >= _SAMPLE_BYTES:
                    return lines
    lines += [line[:_SAMPLE_LINE_BYTES] for line in carry.splitlines() if not line.isascii()]
    return lines[:_SAMPLE_LINES]


def guess_legacy(data: bytes | Upload) -> str:
    """Pick the legacy code page whose reading of the non-ASCII lines gives the most plausible names."""
    upload = as_upload(data)
    sample = b"\n".join(_non_ascii_lines(upload))
    preferred = list(_SCORED)
    head = upload.head(65536)
    cr_only = b"\r" in head and b"\n" not in head
    if cr_only:
        # Only old Mac software ends lines with a bare CR, and Mac Excel writes Mac Roman.
        preferred.remove("mac-roman")
        preferred.insert(0, "mac-roman")
    coherence, detector_order = _language_coherence(sample)
    best_coherence = max(coherence.values(), default=0.0)
    east_rank = {name: rank for rank, name in enumerate(name for name in detector_order if name in EAST_ASIAN)}
    readings = {candidate: sample.decode(candidate, errors="replace") for candidate in preferred}
    likely_texts = {readings[name] for name, value in coherence.items()
                    if name in readings and value >= best_coherence - 0.05}
    scored = []
    for order, candidate in enumerate(preferred):
        # charset-normalizer's language model only breaks ties, and only when it clearly prefers one reading:
        # on a few dozen short names it is often unsure (it reads French names as Windows-1250 as readily).
        unlikely_language = bool(coherence) and readings[candidate] not in likely_texts
        penalty = implausibility(readings[candidate])
        if candidate == "mac-roman" and not cr_only:
            penalty += 5  # Mac Roman without its bare-CR line endings is rare today
        rank = 0
        if candidate in EAST_ASIAN:
            penalty += 3  # one stray byte in a Western file must not turn it Japanese ("An\x81n" is "An」n")
            penalty += _rarity(readings[candidate], candidate)
            rank = east_rank.get(candidate, len(EAST_ASIAN))
        penalty -= _evidence(readings[candidate], candidate)
        scored.append((penalty, unlikely_language, rank, order, candidate))
    best = min(scored)[-1]
    if best in _WESTERN + ("cp1250",) and _baltic(readings["cp1252"], sample.decode("cp1257", errors="replace")) \
            and sample.decode("cp1257", errors="replace").count("\ufffd") <= readings[best].count("\ufffd"):
        return "cp1257"
    if best in _WESTERN and _central_european(readings[best]) \
            and readings["cp1250"].count("\ufffd") <= readings[best].count("\ufffd"):
        return "cp1250"
    return best


# Czech, Slovak, Croatian and Hungarian letters of Windows-1250 read as Windows-1252 are letters too ("Jiøí Dvoøák"
# for "Jiří Dvořák"), as plausible to the scores above as Nordic or French names. Where they stand tells them apart:
# ì, ù inside a word (ě, ů; Italian puts them last), è before a vowel (č; French è comes before a consonant),
# ø before í, á, é, i, ì (ř; Nordic ø mostly before a consonant), õ not before e (ő; Portuguese writes õe) in a text
# without ä (Estonian writes õ beside ä, Hungarian never ä),
# û before c, z, s, n, k, v (ű), æ ending a word (ć). Weaker: ø before e (Bøe, Høeg are Norwegian), ò in a word
# (Catalan Mònica). Nordic, Spanish, Portuguese and French letters count against.
_WESTERN = ("cp1252", "iso-8859-15", "iso-8859-1")
_CE_STRONG = re.compile("[\u00ec\u00f9](?=[^\\W\\d_])"  # ì, ù inside a word
                        "|[\u00e8\u00c8](?=[aeiouy\u00e1\u00e9\u00ed\u00f3\u00fa\u00fd\u00ec])"  # è before a vowel
                        "|[\u00f8\u00d8](?=[\u00ed\u00e1\u00e9i\u00ec])"  # ø before í, á, é, i, ì
                        "|\u00fb(?=[czsnkv])|\u00e6\\b")  # û, æ ending a word
_CE_O_TILDE = re.compile("\u00f5(?!e)")  # õ not before e
_CE_WEAK = re.compile("[\u00f8\u00d8](?=e)|\u00f2(?=[^\\W\\d_])")
_WESTERN_SIGNS = re.compile("[\u00f8\u00d8](?=[b-df-hj-np-tv-z])"  # ø before a consonant
                            "|[\u00e5\u00c5\u00e0\u00c0\u00f1\u00d1\u00e7\u00c7\u00e3]")  # å à ñ ç ã


def _central_european(text: str) -> bool:
    """True when a Windows-1252 reading shows Central European letters read wrongly more than Western ones."""
    strong = len(_CE_STRONG.findall(text)) + (0 if "\u00e4" in text.lower() else len(_CE_O_TILDE.findall(text)))
    return strong > 0 and 2 * strong + len(_CE_WEAK.findall(text)) > 2 * len(_WESTERN_SIGNS.findall(text))


# Estonian, Latvian and Lithuanian letters of Windows-1257 read as Windows-1252 ("Bçrziòð" for "Bērziņš", "Ðimkutë"
# for "Šimkutė"): ð, þ (š, ž), ç between a letter and a consonant (ē; French and Portuguese put a, o, u after it,
# Turkish and Albanian start or end words with it: Çelik, Koç), ë after a consonant (ė), ò before a, e, u, ð (ņ),
# ï after a consonant (ļ); weaker: â, î, û before a consonant (ā, ī, ū, which French writes too). é, ó, ñ and ã,
# letters no Baltic name has, count twice as much against (Icelandic "Þór Eiðsson" stays Western); and every letter
# the two readings differ on must be one of the Baltic alphabets'.
_BALTIC_STRONG = re.compile("[\u00f0\u00d0\u00fe\u00de]|(?<=[^\\W\\d_])\u00e7(?=[b-df-hj-np-tv-z])"
                            "|(?<=[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z])[\u00eb\u00ef]|\u00f2(?=[aeu\u00f0])")
_BALTIC_WEAK = re.compile("[\u00e2\u00ee\u00fb\u00c2\u00ce\u00db](?=[b-df-hj-np-tv-z])")
_NOT_BALTIC_SIGNS = re.compile("[\u00e9\u00c9\u00f3\u00d3\u00f1\u00d1\u00e3\u00c3]")
# Not ŗ (dropped from Latvian in 1946) nor ę (rare in names): a Romanian ş and a Croatian ć read as those.
_BALTIC_LETTERS = frozenset("\u0101\u0113\u012b\u016b\u0123\u0137\u013c\u0146\u0117\u012f\u0173\u0105"
                            "\u010d\u0161\u017e")  # ā ē ī ū ģ ķ ļ ņ ė į ų ą č š ž


def _baltic(western: str, baltic: str) -> bool:
    """True when a Windows-1252 reading shows Baltic letters read wrongly, and the Windows-1257 one shows them."""
    if len(western) != len(baltic) or any(char.lower() not in _BALTIC_LETTERS
                                          for char, other in zip(baltic, western) if char != other):
        return False
    strong = len(_BALTIC_STRONG.findall(western))
    return strong > 0 and 2 * strong + len(_BALTIC_WEAK.findall(western)) > 4 * len(_NOT_BALTIC_SIGNS.findall(western))


# The commonest surnames (about 85% of people): a short file of names is a few cells, and a name cell in the right
# code page starts with one of these far more often than another code page's bytes read as one by chance.
_SURNAMES = {
    "gb18030": set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                   "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"),
    "big5": set("陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫"
                "戴范方宋鄧杜傅侯曹薛丁卓阮馬董溫唐藍石蔣古紀姚連馮歐程湯田康姜汪白鄒尤巫鐘黎涂龔嚴韓袁金童陸夏柳邵"),
    "cp949": set("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현"
                 "함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용"),
}
# Column names of people tables in Chinese (simplified, traditional), Korean and Japanese, whole cells; other
# languages' are locating's HEADER_WORDS.
_EAST_ASIAN_HEADERS = frozenset("""
姓名 姓 名 名字 姓氏 邮箱 电子邮件 电子邮箱 邮件 电邮 邮件地址 邮箱地址 部门 工号 手机 电话 职位 员工姓名
電郵 電子郵件 電子信箱 郵件 郵件地址 部門 員工編號 電話 職稱 員工姓名
이름 성명 성 이메일 전자우편 메일 메일주소 이메일주소 부서 사번 전화번호 직급 직원이름
氏名 名前 メール メールアドレス 部署 社員番号
""".split()) | {"이메일 주소", "전자 메일", "직원 이름"}
_CELL_SPLIT = re.compile(r"[,;\t|\n\r]")
_HEADER_LINES = 3


def _evidence(text: str, encoding: str) -> int:
    """How much a reading looks like a table of people: column names ("姓名", "이메일", "Имя") in its first lines,
    and for Chinese and Korean, name cells that start with a common surname. 0 to 16."""
    found = 0
    for line in text.split("\n")[:_HEADER_LINES]:
        cells = [cell.strip(' "') for cell in _CELL_SPLIT.split(line) if not cell.isascii()]
        found += sum(1 for cell in cells if cell in _EAST_ASIAN_HEADERS or header_word_count([cell]))
    score = 6 * min(found, 2)
    surnames = _SURNAMES.get(encoding)
    if surnames:
        names = [cell for cell in (part.strip(' "') for part in _CELL_SPLIT.split(text))
                 if 1 <= len(cell) <= 4 and all(ord(char) >= 0x3000 for char in cell)]
        if names and 2 * sum(1 for cell in names if cell[0] in surnames) >= len(names):
            score += 4
    return score


def _rare(char: str, encoding: str) -> bool:
    """True for a character from the rarely used part of a double-byte code page: what another code page's bytes
    read as. Names and headers come from the common part (GB2312's 6,763 hanzi, Big5's frequent ones, the 2,350
    Hangul syllables of EUC-KR, Shift_JIS's level-1 kanji); half-width katakana and hanja are rare in them too."""
    if encoding == "cp932":
        if "\uff61" <= char <= "\uff9f":
            return True
        code = char.encode("cp932", errors="ignore")
        return len(code) == 2 and code >= b"\x98\x9f" and unicodedata.name(char, "").startswith("CJK")
    if encoding == "gb18030":
        return not _encodes(char, "gb2312")
    if encoding == "big5":
        code = char.encode("big5", errors="ignore")
        return len(code) == 2 and code[0] >= 0xc9
    if encoding == "cp949":  # Windows-949 adds 8,822 syllables to EUC-KR, with a byte below 0xA1
        code = char.encode("cp949", errors="ignore")
        return len(code) == 2 and (min(code) < 0xa1 or unicodedata.name(char, "").startswith("CJK"))
    return False


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _rarity(text: str, encoding: str) -> int:
    """0 to 6: how much of a double-byte code page's reading of the sample is its rarely used characters."""
    wide = [char for char in text if ord(char) >= 0x3000 and char != "\ufffd"]
    if not wide:
        return 0
    rare = sum(1 for char in wide if _rare(char, encoding))
    return 6 * rare // len(wide)


def _language_coherence(sample: bytes) -> tuple[dict[str, float], list[str]]:
    """charset-normalizer's language coherence for each legacy code page it finds possible, and its order of them
    (the likeliest first)."""
    from charset_normalizer import from_bytes

    try:
        matches = from_bytes(sample, cp_isolation=list(_SCORED))
    except Exception:  # a detector failure only costs us its opinion
        return {}, []
    found, order = {}, []
    for match in matches:
        name = _NORMALISED.get(match.encoding.lower())
        if name:
            found.setdefault(name, match.coherence)
            order.append(name)
    return found, order


_WORD = re.compile(r"[^\s,;|\t\"'()<>@.0-9_-]+")
_MOJIBAKE = re.compile(
    "[\u00c2-\u00df][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"  # UTF-8 read as Windows-1252
    "|[\u00e2-\u00ef][\u0080-\u00bf\u20ac\u201a\u201c\u201d\u2122][\u0080-\u00bf\u0152-\u0178\u2018-\u203a\u20ac\u2122]"
    "|[\u0420\u0421][\u0400-\u040f\u0452-\u045f\u0490\u0491\u2018-\u203a\u00a0-\u00bf]"  # UTF-8 read as Windows-1251
    "|[a-z\u00df-\u00ff][\u0152\u0160\u0178\u017d][a-z\u00df-\u00ff]"  # Mac Roman read as Windows-1252: RenŽe
    "|[\u201a\u0192]\\S[\u201a\u0192]"  # Shift_JIS kana read as Windows-1252 or -1250: ƒPƒ“, ‚Đ‚ë
    "|[\u0080-\u009f\ufffd]"  # C1 controls, replacement characters
)


def looks_like_mojibake(text: str) -> bool:
    """True when text shows signs of being decoded with the wrong encoding (Ã©, Å‚, Ð¸, RenŽe, C1 controls)."""
    if text.isascii():
        return False
    return _MOJIBAKE.search(text) is not None


def implausibility(text: str) -> int:
    """How unlike names and words the non-ASCII words in text are: 0 is perfectly plausible."""
    penalty = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if looks_like_mojibake(word):
            penalty += 4
        penalty += _word_penalty(word)
    return penalty


# Apostrophes and middle dots sit in names; Windows-1252 files carry Word's curly quotes and dashes ("Smith–Jones");
# U+FFFD is counted by looks_like_mojibake.
# Japanese writes one name in kanji and kana together ("山田たろう", "メールアドレス"): one script, not three.
_SCRIPT_FAMILY = dict.fromkeys(("CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"), "CJK")
_NAME_PUNCTUATION = frozenset("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00b7\ufffd")


def _word_penalty(word: str) -> int:
    """Mixed scripts, symbols between letters, and Latin words made mostly of accented letters."""
    scripts = set()
    symbols = latin_accented = latin = 0
    for char in word:
        if char.isascii():
            if char.isalpha():
                latin += 1
            continue
        if char.isalpha():
            script = unicodedata.name(char, "?").split(" ")[0]
            scripts.add(_SCRIPT_FAMILY.get(script, script))
            if script == "LATIN":
                latin += 1
                latin_accented += 1
        elif char not in _NAME_PUNCTUATION:
            symbols += 1
    if latin:
        scripts.add("LATIN")
    penalty = 3 * symbols + 6 * (len(scripts) - 1 if scripts else 0)
    # A capital after a small letter ("АоДИ", "ŔîÄČ"): Chinese and Korean bytes read as a Western code page.
    penalty += 4 * sum(1 for before, after in zip(word, word[1:]) if before.islower() and after.isupper())
    if latin >= 3 and latin_accented * 2 > latin:
        penalty += 2  # "Àëåêñàíäð" is Cyrillic read as Windows-1252
    if latin >= 2 and latin_accented == latin:
        penalty += 3  # no plain letter at all ("ĽÖĐŔ"): Chinese or Korean read as a Western code page
    # Capitals, then a small letter ("РХГы", "УКПд"): a word is capitalised or all capitals, not both.
    penalty += 4 * sum(1 for first, second, third in zip(word, word[1:], word[2:])
                       if first.isupper() and second.isupper() and third.islower())
    return penalty
