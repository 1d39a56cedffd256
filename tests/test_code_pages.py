"""Files in a code page other than Windows-1252 import as they are (issue #25: exports as
they are; the lead must not read "Hola, JosŽ:").

Excel for Mac writes "Comma Separated Values" in Mac Roman, Excel's "MS-DOS Comma
Separated" is in code page 850, and Outlook writes the Windows code page of its country.
The files here are written from invented rows in each code page, as those programs write
them; the names must come back letter for letter, and the summary must say which code
page was chosen, with a word of the file as read in it."""

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadloop.sources import codepage

NOW = "2026-06-01T12:00"

# (Outlook's column names are in the language of its menus; leadloop reads the English
# and Spanish ones.)
OUTLOOK = "First Name,Last Name,E-mail Address\n"
FILES = {
    # Excel for Mac, a Spanish list.
    "mac_roman": ("Nombre;Apellidos;Correo electrónico\n", [
        ("José Luis", "Pérez Muñoz"), ("María", "Núñez Ibáñez"), ("Íñigo", "Sáez"),
        ("Begoña", "Martín")]),
    # Excel's "MS-DOS Comma Separated", the same list.
    "cp850": ("Nombre;Apellidos;Correo electrónico\n", [
        ("José Luis", "Pérez Muñoz"), ("María", "Núñez Ibáñez"), ("Íñigo", "Sáez"),
        ("Begoña", "Martín")]),
    "cp1252": ("Nombre;Apellidos;Correo electrónico\n", [
        ("José Luis", "Pérez Muñoz"), ("María", "Núñez Ibáñez"), ("Àngels", "Puig"),
        ("João", "Conceição")]),
    # Outlook in Russia, Poland, Greece, Turkey, Japan, China, Taiwan and Korea.
    "cp1251": (OUTLOOK, [
        ("Иван", "Петров"), ("Мария", "Смирнова"), ("Юрий", "Кузнецов")]),
    "koi8_r": (OUTLOOK, [
        ("Иван", "Петров"), ("Мария", "Смирнова"), ("Юрий", "Кузнецов")]),
    "cp1250": (OUTLOOK, [
        ("Łukasz", "Wróbel"), ("Małgorzata", "Żółkiewska"), ("Paweł", "Dąbrowski")]),
    "cp1253": (OUTLOOK, [
        ("Γιώργος", "Παπαδόπουλος"), ("Ελένη", "Οικονόμου")]),
    "cp1254": (OUTLOOK, [
        ("Şükrü", "Yılmaz"), ("Ayşe", "Çelik"), ("Gülşen", "Doğan")]),
    "cp932": (OUTLOOK, [
        ("太郎", "山田"), ("花子", "佐藤"), ("健一", "鈴木")]),
    "gb18030": (OUTLOOK, [
        ("伟", "张"), ("芳", "王"), ("建国", "李")]),
    "big5": (OUTLOOK, [
        ("美玲", "陳"), ("志明", "林"), ("淑芬", "黃")]),
    "cp949": (OUTLOOK, [
        ("민준", "김"), ("서연", "이"), ("지훈", "박")]),
}


def _write(path, codec):
    header, people = FILES[codec]
    delimiter = ";" if ";" in header else ","
    rows = [delimiter.join((given, family, f"p{n}@example.com")) for n, (given, family) in enumerate(people)]
    path.write_bytes((header + "\n".join(rows) + "\n").encode(codec))
    return {f"p{n}@example.com": f"{given} {family}" for n, (given, family) in enumerate(people)}


def _names(run):
    return {lead["email"]: lead["name"] for lead in json.loads(run("leads", "--json").stdout)}


@pytest.mark.parametrize("codec", FILES)
def test_a_file_in_its_countrys_code_page_imports_as_it_is(tmp_path, run, codec):
    expected = _write(tmp_path / "leads.csv", codec)
    result = run("--now", NOW, "import", "leads.csv", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["code_page"] == codec
    assert _names(run) == expected


@pytest.mark.parametrize("codec, said", [
    ("mac_roman", 'read as Mac Roman (Excel for Mac), as "Núñez" shows'),
    ("cp850", 'read as DOS Latin-1 (code page 850), as "Núñez" shows'),
    ("cp1251", "read as Windows-1251 (Cyrillic)"),
])
def test_the_summary_says_which_code_page_and_shows_a_word(tmp_path, run, codec, said):
    _write(tmp_path / "leads.csv", codec)
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    assert f"the file is not UTF-8: {said}" in result.stdout
    assert "--encoding names another" in result.stdout


def test_windows_1252_the_default_goes_unsaid(tmp_path, run):
    _write(tmp_path / "leads.csv", "cp1252")
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 0, result.stderr
    assert "not UTF-8" not in result.stdout


def test_utf8_files_name_no_code_page(tmp_path, run):
    (tmp_path / "leads.csv").write_text("email,name\nana@example.com,Ána Muñoz\n", encoding="utf-8")
    result = run("--now", NOW, "import", "leads.csv", "--json")
    assert json.loads(result.stdout)["code_page"] is None
    assert _names(run) == {"ana@example.com": "Ána Muñoz"}


def test_encoding_given_is_obeyed_and_nothing_is_guessed(tmp_path, run):
    _write(tmp_path / "leads.csv", "mac_roman")
    result = run("--now", NOW, "import", "leads.csv", "--encoding", "cp1252", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["code_page"] is None
    assert _names(run)["p0@example.com"] == "José Luis Pérez Muñoz".encode("mac_roman").decode("cp1252")


def test_a_later_line_the_chosen_code_page_cannot_read_is_one_sentence(tmp_path, run):
    """The code page is chosen on the first lines; a byte Windows-1251 leaves undefined
    (0x98) further down stops the import at that line, naming --encoding, and nothing
    is imported."""
    rows = "".join(f"Иван{n},Петров,p{n}@example.com\n" for n in range(2000)).encode("cp1251")
    data = OUTLOOK.encode("cp1251") + rows + b"\x98,x,late@example.com\n"
    (tmp_path / "leads.csv").write_bytes(data)
    result = run("--now", NOW, "import", "leads.csv")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "leads.csv:2002: cannot decode the bytes as cp1251 (use --encoding)" in result.stderr
    assert _names(run) == {}


@pytest.mark.parametrize("codec, names", [
    ("cp1251", ["Иван Петров", "Мария Смирнова"]),
    ("mac_roman", ["José Luis Pérez Muñoz", "María Núñez"]),
])
def test_a_vcard_without_charset_is_read_in_its_code_page(tmp_path, run, codec, names):
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:2.1\r\nN:{name.split(' ', 1)[1]};{name.split(' ', 1)[0]}\r\n"
        f"FN:{name}\r\nEMAIL;INTERNET:v{n}@example.com\r\nEND:VCARD\r\n"
        for n, name in enumerate(names))
    (tmp_path / "contacts.vcf").write_bytes(cards.encode(codec))
    result = run("--now", NOW, "import", "contacts.vcf", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["code_page"] == codec
    assert _names(run) == {f"v{n}@example.com": name for n, name in enumerate(names)}


# --- The guess on its own: Windows-1252 files, the users' own, are never read otherwise.

GIVEN = ["José Luis", "María", "Begoña", "Íñigo", "Ángel", "Jesús", "Iñaki", "Núria", "Raúl",
         "Mª José", "Àngels", "João", "Inês", "Hélène", "François", "Jürgen", "Zoë", "Óscar",
         "Rocío", "Joaquín", "Søren", "Åsa", "Ana", "Pedro", "Marta"]
FAMILY = ["Pérez Muñoz", "Núñez", "Ibáñez", "García", "Fernández", "Álvarez", "Díaz",
          "O’Donnell", "D’Angelo", "Col·lell", "Gonçalves", "Conceição", "Müller", "Groß",
          "Lefèvre", "Ruiz", "Peña", "Cortés", "Sáez", "Castro", "Dvořák"]
OTHER_CELLS = ["Nº 5", "3º 2ª", "100 €", "25€", "“Curso”", "Oferta – verano", "Sí", "¿Más info?",
               "¡Hola!", "20 °C", "½ kg", "2×1", "©2024", "Marca®", "…", "«Curso»", "Cataluña",
               "A Coruña", "Málaga", "Av. Constitución 3, 1ºA", "Teléfono", "Dirección", "O’Neill"]


def _row(draw_index, rng):
    cells = [rng.choice(GIVEN), rng.choice(FAMILY), f"p{draw_index}@example.com"]
    cells += rng.sample(OTHER_CELLS, rng.randrange(3))
    return ";".join(cells)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.sampled_from([1, 2, 3, 10, 50]))
def test_a_windows_1252_list_is_read_as_windows_1252(seed, size):
    rng = random.Random(seed)
    text = "\n".join(_row(n, rng) for n in range(size)) + "\n"
    raw = text.encode("cp1252", "replace")  # ("ř" has no cp1252 byte: "?")
    if raw.isascii():
        return
    chosen, _ = codepage.guess(codepage.non_ascii_lines(raw, whole=True))
    assert chosen == "cp1252", raw.decode(chosen)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), codec=st.sampled_from(["mac_roman", "cp850"]))
def test_a_spanish_list_from_a_mac_or_dos_is_read_so_from_three_rows(seed, codec):
    """Three rows of names are enough; one row may not be ("20 °C" is "20 ¡C" in Mac Roman
    read as Windows-1252, and nothing in it tells)."""
    rng = random.Random(seed)
    people = [f"{rng.choice(GIVEN[:20])};{rng.choice(FAMILY[:7])};p{n}@example.com" for n in range(3)]
    raw = "\n".join(people).encode(codec, "replace")
    chosen, _ = codepage.guess(codepage.non_ascii_lines(raw, whole=True))
    assert chosen == codec, raw.decode(chosen)


@pytest.mark.parametrize("text, codec", [
    ("ana@example.com,Begoña", "cp1252"),  # charset-normalizer and chardet: Windows-1250
    ("Şükrü,Yılmaz", "cp1254"),             # Windows-1252 reads "Þükrü,Yýlmaz"
    ("Γιώργος Παπαδόπουλος", "cp1253"),     # Windows-1251 reads "Гйюсгпт Рбрбдьрпхлпт"
    ("名前,メールアドレス\n山田太郎", "euc_jp"),  # GBK reads 山田太郎 as "怀拍吕虾"
    ("이름,이메일\n김민준", "cp949"),          # GBK reads 김민준 as "辫刮霖"
])
def test_readings_a_general_detector_gets_wrong(text, codec):
    chosen, _ = codepage.guess(codepage.non_ascii_lines(text.encode(codec), whole=True))
    assert chosen == codec


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=400))
def test_any_bytes_get_a_code_page_that_reads_them(data):
    chosen, shown = codepage.guess(data)
    text = data.decode(chosen)  # never raises: the guess is a code page the bytes decode in
    assert shown is None or shown in text
    try:
        text = codepage.small_file_text(data)  # (a config's, a template's reading)
    except codepage.NotText:
        assert b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"))
    else:
        assert isinstance(text, str)


def test_an_orders_export_from_a_mac_names_its_buyers_as_written(tmp_path, run):
    """A buyer who was never a lead is created from the orders file: in Mac Roman, as
    Excel for Mac saves it, the name is read as written and the summary says so."""
    (tmp_path / "orders.csv").write_bytes(
        "Order ID,Email,Name,Date,Total,Currency,Status\n"
        "A1,inigo@example.org,Íñigo Núñez,2026-02-20,49.00,EUR,paid\n"
        "A2,maria@example.org,María Peña,2026-02-21,49.00,EUR,paid\n".encode("mac_roman"))
    result = run("--now", NOW, "import", "--orders", "orders.csv")
    assert result.exit_code == 0, result.stderr
    assert 'read as Mac Roman (Excel for Mac), as "Íñigo" shows' in result.stdout
    assert _names(run) == {"inigo@example.org": "Íñigo Núñez", "maria@example.org": "María Peña"}
    again = run("--now", NOW, "import", "--orders", "orders.csv", "--json")
    assert json.loads(again.stdout)["code_page"] == "mac_roman"
