"""Which legacy code page a text that is not UTF-8 was written in.

Nothing in a CSV file says it. Excel writes "CSV (Comma delimited)" in the code page of
the writer's system: Windows-1252 on a Spanish, Latin American or western European
Windows, Mac Roman on a Mac ("Comma Separated Values" in Excel for Mac), the DOS code
page, 850, for "MS-DOS Comma Separated"; Outlook and address books write the Windows code
page of their country (1250 central Europe, 1251 Cyrillic, 1253 Greek, 1254 Turkish, 932
Japan, 936 China, 949 Korea, 950 Taiwan). A byte that is "é" in one is "Ž", "‚" or "й"
in another, and read in the wrong one a lead is greeted "Hola, JosŽ:".

General detectors answer by the statistics of prose, and a contact list is mostly names:
on "José Luis Pérez Muñoz" in Windows-1252 charset-normalizer 3.5 answers Windows-1250
("Muńoz"), chardet 7 does on "Begoña", and Mozilla's chardetng never answers Mac Roman or
DOS (tried on this module's tests' files). So each candidate reading is judged here by
what a name or a word must look like, whatever its language:
- letters of one script in a word (no "Josй", no Latin letter inside a kanji word), and
  of one language's alphabet (no "mûködésérõl": French "û" beside Portuguese "õ");
- a capital only at the start of a word or throughout it (no "JosŽ", no "йЧБО");
- no symbol between two letters ("Bego–a", "Mar¡a"), no control character;
- a vowel in a word, and not a Latin word that is all or nearly all accents
  ("Рбрбдьрпхлпт", "Ðáðáäüðïõëïò": Greek read as Cyrillic, as Western);
- East Asian characters in the rows their national standards give the everyday ones
  (JIS level 1, GB 2312 level 1, Big5's frequent block, KS X 1001's Hangul): read in the
  wrong one of them, a text becomes rare characters.
The reading with the most plausible letters wins. Windows-1252, the code page of
leadloop's users, wins a tie, and another must read clearly better (by more than a
letter; an East Asian one by more again), then the others in the order below. A
Windows-1252 reading whose every letter is one of the users' alphabets cannot be
beaten, so a Spanish Windows file is decided after its first reading.
tests/test_code_pages.py; the blind measures are in the commits' messages.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# In the order that breaks ties: the code page of Spain and western Europe first, then
# the Mac's and DOS's of the same languages, then the other countries'.
CANDIDATES = ("cp1252", "latin-1", "mac_roman", "cp850", "cp1254", "cp1250", "cp1251",
              "cp1253", "cp1257", "koi8_r", "cp866", "mac_cyrillic", "cp932", "gb18030",
              "big5", "cp949", "euc_jp")
# What a user is told the guess was, when it was not Windows-1252 (or Latin-1, its
# reading of the bytes Windows-1252 leaves undefined: neither is said).
LABELS = {"mac_roman": "Mac Roman (Excel for Mac)",
          "cp850": "DOS Latin-1 (code page 850)", "cp1250": "Windows-1250 (central Europe)",
          "cp1251": "Windows-1251 (Cyrillic)", "cp1253": "Windows-1253 (Greek)",
          "cp1254": "Windows-1254 (Turkish)", "cp1257": "Windows-1257 (Baltic)",
          "koi8_r": "KOI8-R (Cyrillic)", "cp866": "DOS Cyrillic (code page 866)",
          "mac_cyrillic": "Mac Cyrillic", "cp932": "Shift_JIS (Japanese)",
          "gb18030": "GBK/GB18030 (Chinese)", "big5": "Big5 (traditional Chinese)",
          "cp949": "EUC-KR (Korean)", "euc_jp": "EUC-JP (Japanese)"}

# How much more another reading must be worth than Windows-1252's (a letter is worth 2,
# one of a language not the users' 1), and an East Asian one than any single-byte one.
_OTHER_MARGIN = 2
_EAST_ASIAN_MARGIN = 3
# How much of a file's non-ASCII lines is read: enough names to decide, little time.
SAMPLE_BYTES = 8 * 1024

# What stands before a word's first letter and after its last ("¿", "»", "®").
_LETTERS_WITHIN = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_RUN = re.compile(r"[A-Za-z\u0080-\U0010ffff]*[\u0080-\U0010ffff][A-Za-z\u0080-\U0010ffff]*")
# Between two letters of a name: an apostrophe as Word types it, where one fits
# (_apostrophe_fits), Catalan's "l·l", Japanese's "・" between given and family name.
_APOSTROPHES = frozenset("’‘´ʼ")
_CATALAN_L = re.compile("l·l", re.IGNORECASE)
_ENGLISH_ENDINGS = frozenset(("t", "s", "m", "d", "re", "ve", "ll"))
# The small letters outside ASCII of each language's alphabet. A word's letters come
# from one of them: "Hélène" is French; "mûködésérõl" (Hungarian "működéséről" read as
# Windows-1252) has French "û" and Portuguese "õ", and no language writes both. First the
# languages of leadloop's users and their neighbours (Spanish, Catalan, Galician,
# Basque, Portuguese, French, Italian, German; Russian, Ukrainian, Belarusian,
# Bulgarian; Greek), then Europe's others and Turkish.
_PORTUGUESE = frozenset("áàâãçéêíóôõúü")
_USERS_ALPHABETS = (frozenset("áéíóúñüªº"), frozenset("àçéèíïòóúü"), _PORTUGUESE) + tuple(
    frozenset(letters) for letters in ("àâæçéèêëîïôœùûüÿ", "àèéìíîòóùú", "äöüß",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "абвгдеёжзійклмнопрстуўфхцчшыьэюя", "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ"))
_OTHER_ALPHABETS = tuple(frozenset(letters) for letters in (
    "áéíóúàèëïöüĳ", "æøåéóüäö", "åäöéü", "äöåšž", "áéíóúýþæöð", "äöõüšž", "āčēģīķļņšūž",
    "ąčęėįšųūž", "ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű",
    "ăâîșşțţ", "čćđšž", "çë", "çğıöşüâîûİ", "ċġħż", "âêîôûŵŷäëïöüáéíóú", "çəğıöşü",
    "абвгдђежзијклљмнњопрстћуфхцчџш", "абвгдѓежзѕијклљмнњопрстќуфхцчџш"))
# Portuguese nasal vowels end a syllable: "ã" before "o", "e", "s", "m", "n" or at the
# end (não, mãe, irmãs), "õ" before "e" (ões, põe). Elsewhere they are Romanian "ă" or
# Hungarian "ő" read as Windows-1252 ("Brãila", "elõzetesen").
_NOT_PORTUGUESE = re.compile(r"[ãÃ](?![oOeEsSmMnN]|$)|[õÕ](?![eE])")
# Marks that open and never close: German's low quotes, Spanish's inverted ones.
_ONLY_OPENING = ("‚", "„", "¿", "¡")
# French "œ" comes before "u", "i" or "e" (cœur, œil, œdème), and ends no word.
_STRAY_OE = re.compile(r"[œŒ](?![uUiIeE])")
# The ordinals stand after a number or one letter ("1ª", "Nº", "Mª José"); elsewhere they
# are Mac Roman's "»" and "∫" read as Windows-1252 ("«Curso»" as "´Cursoª").
_ORDINALS = frozenset("ªº")
# Spaces, and the East Asian scripts' own punctuation ("、", "。", "（"), part words.
_BETWEEN_WORDS = re.compile(r"[\s・\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff64]+")
# A word of the alphabets has a vowel (in its base letter: "é" is "e", "ώ" is "ω").
_ALPHABETS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
_VOWELS = frozenset("aeiouyıæøœ" "аеёиоуыэюяіїєў" "αεηιουω")
_EAST_ASIAN = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "FULLWIDTH", "HANGUL",
                         "IDEOGRAPHIC"})


def guess(sample: bytes) -> tuple[str, str | None]:
    """The code page `sample` (whole lines of a file that is not UTF-8) reads best in, and
    a word of it as read so, to show the user (the one with most letters outside ASCII)."""
    best, best_score, best_text = "latin-1", None, ""
    for name in CANDIDATES:
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        score, perfect = _plausibility(text, name)
        if perfect and best_score is None:
            return name, _example(text, name)
        if name in _COMMON_ROWS:
            # A few Western bytes read as one East Asian character prove nothing ("20 °C"
            # as Big5 "20 蚓"): a text of those scripts has many.
            score -= _EAST_ASIAN_MARGIN
        elif name != CANDIDATES[0]:
            # Nor does one letter: "al…" in Windows-1252 is "alà" in DOS.
            score -= _OTHER_MARGIN
        if best_score is None or score > best_score:
            best, best_score, best_text = name, score, text
    return best, _example(best_text or sample.decode(best), best)


class NotText(ValueError):
    """A file that no reading makes text: the sentence says why and what to do."""


_TEXT_BOMS = (  # longest first: the UTF-32-LE mark begins with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)


def small_file_text(data: bytes) -> str:
    """A small text file (the config, a template) as its editor saved it: what its byte
    order mark says (Notepad's "Unicode"), else UTF-8, else the code page all its lines
    read best in (Notepad's "ANSI", TextEdit's "Western (Mac OS Roman)"). NotText for
    a mark the text belies, or UTF-16 without one."""
    for bom, codec in _TEXT_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                name = codec.removesuffix("-sig").upper()
                raise NotText(f"starts with a {name} byte order mark but is not {name} text; "
                              "save it as UTF-8") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise NotText("not UTF-8 text (it has NUL bytes, as UTF-16 without a byte order mark "
                      "has); save it as UTF-8")
    chosen, _ = guess(non_ascii_lines(data, whole=True, limit=len(data) + 1))
    return data.decode(chosen)


def _example(text: str, codec: str) -> str | None:
    words = (word for run in _RUN.finditer(text) for word in _BETWEEN_WORDS.split(run.group()))
    plausible = [_LETTERS_WITHIN.sub("", word) for word in words if _word_points(word, codec)[0] > 0]
    return max(plausible, key=lambda word: sum(ord(ch) > 127 for ch in word), default=None)


def non_ascii_lines(data: bytes, *, whole: bool, limit: int = SAMPLE_BYTES) -> bytes:
    """The lines of `data` that hold a byte outside ASCII, up to about `limit` bytes of
    them; unless `data` is `whole`, its last line, which may be cut, is left out."""
    lines = data.split(b"\n")
    if not whole:
        lines.pop()
    kept, size = [], 0
    for line in lines:
        if not line.isascii():
            kept.append(line)
            size += len(line) + 1
            if size >= limit:
                break
    return b"\n".join(kept)


def _plausibility(text: str, codec: str) -> tuple[int, bool]:
    """A score (plausible letters count for, implausible characters against) and whether
    every character outside ASCII was a plausible letter."""
    score, flawless = 0, True
    for run in _RUN.finditer(text):
        for word in _BETWEEN_WORDS.split(run.group()):
            points, sound = _word_points(word, codec)
            score += points
            flawless = flawless and sound
    return score, flawless


def _word_points(word: str, codec: str) -> tuple[int, bool]:
    if word.isascii():
        return 0, True
    start, end = 0, len(word)
    while start < end and not _is_letter(word[start]):
        start += 1
    while end > start and not _is_letter(word[end - 1]):
        end -= 1
    core = word[start:end]
    # Punctuation and symbols at a word's ends ("¿Cómo", "«Hola»", "100 €", "Marca®")
    # tell little, unless no text has them there: a control character, anywhere, or a
    # symbol stuck to a letter that no one types beside one ("Jos▌", "¨Más").
    edges = word[:start] + word[end:]
    penalty = sum(-3 if _is_broken(ch) else -2 if core and _odd_beside_a_letter(ch) else 0
                  for ch in edges)
    if core and word[end:].startswith(_ONLY_OPENING):
        penalty -= 2  # "Chlo‚" ("Chloé" in DOS read as Windows-1252): "‚", "¿" open
    if not core.isascii():
        points, sound = _core_points(core, codec)
    else:
        points, sound = 0, True
    return points + penalty, sound and not edges


def _core_points(word: str, codec: str) -> tuple[int, bool]:
    """What a word from its first letter to its last is worth."""
    foreign = [ch for ch in word if ord(ch) > 127]
    against = -2 * len(foreign)
    if any(_is_broken(ch) for ch in word):
        return -3 * len(foreign), False
    inner = [i for i, ch in enumerate(word) if not _is_letter(ch)
             and not _CATALAN_L.match(word, max(i - 1, 0))]
    if any(word[i] not in _APOSTROPHES for i in inner):
        return against, False  # a symbol between two letters ("Bego–a", "Mar¡a")
    apostrophes = [_apostrophe_fits(word, i) for i in inner]
    if False in apostrophes:
        return against, False  # "Mar’a": Mac Roman's "María" read as Windows-1252
    letters = [ch for ch in word if _is_letter(ch)]
    scripts = {_script(ch) for ch in letters}
    if len(scripts) > 1 and not scripts <= _EAST_ASIAN:
        return against, False  # "Josй", "Pérez" as "P閞ez"
    if _case_broken(word):
        return against, False
    if scripts == {"LATIN"} and len(letters) >= 2 and (
            len(foreign) == len(letters) or (len(letters) >= 5 and len(foreign) * 4 >= len(letters) * 3)):
        return against, False  # "Èâàí" (Иван), "éá" (あ in Shift_JIS), "Ðáðáäüðïõëïò"
    if len(letters) >= (4 if scripts == {"LATIN"} else 2) and scripts & _ALPHABETS \
            and not any(map(_is_vowel, letters)):
        return against, False  # "Рбрбдьрпхлпт" (Greek read as Cyrillic), "дв" (EUC-JP's "あ")
    if scripts <= _EAST_ASIAN:
        if "HANGUL" in scripts and scripts - {"HANGUL", "CJK"}:
            return against, False  # Hangul beside kana
        if len(letters) == 1 and _script(letters[0]) == "HALFWIDTH":
            return 0, False  # "1ｪ" for "1ª": no word is one half-width kana
        points = [_east_asian_points(ch, codec) for ch in foreign]
        return sum(points), all(p > 0 for p in points)
    if len(letters) == 1:
        # A lone letter tells little ("à", "и" are words; "Å" may stand in a table),
        # unless no language writes it ("ƒ" for Mac Roman's "√").
        if _language_weight(frozenset(_small(letters[0]))) or scripts == {"GREEK"}:
            return 0, False
        return against, False
    if any(ch in _ORDINALS for ch in word) and not (len(word) == 2 and word[1] in _ORDINALS):
        return against, False
    if word[0] in "çÇ" and not _is_vowel(word[1]):
        return against, False  # "çlvaro" (Mac Roman "Álvaro"): no word starts so
    if _STRAY_OE.search(word):
        return against, False  # "Jesœs", "Raœl": Mac Roman's "ú" read as Windows-1252
    weight = _language_weight(frozenset(_small(ch) for ch in foreign if _is_letter(ch)),
                              portuguese=not _NOT_PORTUGUESE.search(word))
    if weight == 0:
        return against, False  # "mûködésérõl": Hungarian in Windows-1252, no language's
    points = weight * sum(map(_is_letter, foreign)) + apostrophes.count(True)
    # Flawless only with every letter in one of the users' own languages ("Jesœs", Mac
    # Roman's "Jesús" read as Windows-1252, is no Spanish word) and no doubtful mark.
    return points, weight == 2 and not apostrophes


def _apostrophe_fits(word: str, i: int) -> bool | None:
    """Whether a typographic apostrophe at `i` stands where one does in a name or a word:
    before a capital (O’Brien, D’Angelo, Dell’Acqua), after a one-letter article (l’eau,
    d’Artagnan, s’ha) or before an English ending (don’t, it’s, we’re). After a capital
    alone it may be French ("L’œuf") or Mac Roman's "í" ("D’az" for "Díaz"): None, the
    other readings decide. Elsewhere it is that "í" ("Mar’a"): False."""
    before, after = word[:i], word[i + 1:]
    if after[:1].isupper():
        return True
    if len(before) == 1:
        return True if before.islower() else None
    return len(before) > 1 and after in _ENGLISH_ENDINGS


def _case_broken(word: str) -> bool:
    """A capital after a small letter where either is not ASCII ("JosŽ", "йЧБО"), or a
    capital not ASCII inside a word that has small letters ("JÅrgen")."""
    for before, after in zip(word, word[1:]):
        if after.isupper() and before.islower() and before not in "ªº" \
                and (ord(before) > 127 or ord(after) > 127):
            return True
    if not any(ch.islower() for ch in word):
        return False
    if len(word) > 1 and ord(word[0]) > 127 and word[0].isupper() and word[1].isupper():
        return True  # "ÁHola" ("¡Hola" in Mac Roman), "ÃCurso"
    return any(ch.isupper() and ord(ch) > 127 and word[i - 1] not in _APOSTROPHES
               for i, ch in enumerate(word[1:], 1))


def _small(ch: str) -> str:
    small = ch.lower()
    return small if len(small) == 1 else ch  # ("İ".lower() is "i" and a combining dot)


@functools.lru_cache(maxsize=4096)
def _language_weight(letters: frozenset, portuguese: bool = True) -> int:
    """2 when one of the users' languages writes all these letters (small, outside ASCII),
    1 when another language does, 0 when none does: a misread word mixes alphabets."""
    if any(letters <= alphabet for alphabet in _USERS_ALPHABETS
           if portuguese or alphabet is not _PORTUGUESE):
        return 2
    if any(letters <= alphabet for alphabet in _OTHER_ALPHABETS):
        return 1
    return 0


@functools.lru_cache(maxsize=4096)
def _odd_beside_a_letter(ch: str) -> bool:
    """A symbol no one types against a letter: box drawing, arrows, mathematics, a
    spacing accent; not ®, ™, ©, °, a currency sign or an ordinal."""
    return unicodedata.category(ch) in ("So", "Sm", "Sk") and ch not in "®™©°€£$¢¥´"


@functools.lru_cache(maxsize=4096)
def _is_vowel(ch: str) -> bool:
    return unicodedata.normalize("NFD", ch)[0].lower() in _VOWELS


@functools.lru_cache(maxsize=4096)
def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM" or ch in "ー"


@functools.lru_cache(maxsize=4096)
def _is_broken(ch: str) -> bool:
    """A control character, a private-use one or one Unicode has not assigned: no text
    a person typed holds them."""
    return unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\r\n"


@functools.lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    if ord(ch) < 128 or ch in "ªº":
        return "LATIN"
    name = unicodedata.name(ch, "")
    first = name.replace("-", " ").split(" ", 1)[0]  # "KATAKANA-HIRAGANA PROLONGED…"
    if first in ("HALFWIDTH", "FULLWIDTH") and "LATIN" in name:
        return "LATIN"
    return first or "UNKNOWN"


@functools.lru_cache(maxsize=8192)
def _east_asian_points(ch: str, codec: str) -> int:
    """2 for a character of the everyday rows of `codec`'s national standard, 1 for its
    less common ones, -1 for the rare rest: a text read in the wrong East Asian code page
    lands on rare characters."""
    if codec not in _COMMON_ROWS:
        return 1  # (a Western or Cyrillic reading: kept by the script rules above)
    if ch in _FREQUENT or (codec in ("cp932", "euc_jp") and _script(ch) in ("HIRAGANA", "KATAKANA")):
        return 3  # (kana are the surest sign of Japanese)
    if codec not in ("cp932", "euc_jp") and _script(ch) in ("HIRAGANA", "KATAKANA"):
        return -1  # kana in a Chinese or Korean reading: a Japanese text misread
    try:
        raw = ch.encode(codec)
    except UnicodeEncodeError:
        return -1
    if len(raw) == 1:
        return 1  # Shift_JIS's half-width katakana (a lone one is worth nothing: below)
    if len(raw) != 2:
        return -1
    code = raw[0] << 8 | raw[1]
    common, less = _COMMON_ROWS[codec]
    if any(low <= code <= high for low, high in common):
        return 2
    if any(low <= code <= high for low, high in less):
        return 1
    return -1


# The characters that make up much of any text and of names in Chinese (simplified and
# traditional: the 100 most frequent and the commonest surnames) and Korean (syllables of
# particles, endings and the commonest names): read in the right code page a text meets
# them at every line, in a wrong one only by chance.
_FREQUENT = frozenset(
    "的一是不了人我在有他这這中大来來上国國个個到说說们們为為子和你地出道也时時年得就那要下以生"
    "会會自着著去之过過家学學对對可她里裡后後小么麼心多天而能好都然没沒日于於起还還发發成事只作当當"
    "想看文无無开開手十用主行方又如前所本见見经經头頭面公同三已老从從动動两兩长長电電话話名司市省区區"
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林高罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭"
    "曾肖田董潘袁蔡蒋蔣余杜叶葉程魏苏蘇吕呂丁任卢盧姚沈钟鍾姜崔谭譚陆陸范汪廖石金韦韋贾賈夏付邹鄒"
    "熊白孟秦邱侯江尹薛段雷龙龍黎史陶贺賀毛郝顾顧龚龔邵万萬武钱錢戴严嚴莫孔向常汤湯康易乔喬赖賴施洪"
    "伟偉芳娜敏静靜丽麗强強磊军軍洋勇艳艷杰傑涛濤明超秀霞平刚剛桂英华華玉兰蘭红紅梅建志春"
    "이의다는에가하고지기서사로을를자나리한대시수인도어정아전부구해일상면보주요그제국성진들적만여라"
    "소있과우무내조오원유실동신문비장경트없생계스위세후선마학것와게연중화방및김박최강윤임민준영현호"
    "희은혜미재석태용철숙순옥자경연훈지우서윤하"
)


def _euc_rows(first: int, last: int) -> tuple[int, int]:
    return first << 8 | 0xA1, last << 8 | 0xFE


# (everyday, less common) ranges of two-byte codes. JIS X 0208 (Shift_JIS and EUC-JP):
# symbols, kana and level-1 kanji, then level 2. GB 2312 (in GBK/GB18030): symbols and
# kana, level 1, then level 2. Big5: symbols and frequent hanzi (A140-C67E), then the
# less frequent (C940-F9D5). KS X 1001 (in Windows-949): symbols, jamo and the 2,350
# Hangul syllables, then hanja. Ranges are whole rows, so a few unassigned cells fall in
# them: those bytes fail to decode before they are scored.
_COMMON_ROWS = {
    "cp932": (((0x8140, 0x84FC), (0x889F, 0x9872)), ((0x989F, 0xEAA4),)),
    "euc_jp": ((_euc_rows(0xA1, 0xA8), _euc_rows(0xB0, 0xCF)), (_euc_rows(0xD0, 0xF4),)),
    "gb18030": ((_euc_rows(0xA1, 0xA9), _euc_rows(0xB0, 0xD7)), (_euc_rows(0xD8, 0xF7),)),
    "big5": (((0xA140, 0xC67E),), ((0xC940, 0xF9D5),)),
    "cp949": ((_euc_rows(0xA1, 0xAC), _euc_rows(0xB0, 0xC8)), (_euc_rows(0xCA, 0xFD),)),
}
