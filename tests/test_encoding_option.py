"""`import --encoding NAME` with what Python's codecs do on their own (issue #28 item 5):
UTF-16 and UTF-32 without a byte-order mark, and codecs that raise UnicodeError rather
than UnicodeDecodeError, end in one sentence and exit 2, or import."""

import json

import pytest

TEXT = "email,name\nana@example.com,Ána\n"


def test_utf16_and_utf32_without_a_bom_take_the_order_from_the_text(tmp_path, run):
    for codec, option in [("utf-16-le", "utf-16"), ("utf-16-be", "UTF16"),
                          ("utf-32-le", "utf-32"), ("utf-32-be", "utf_32")]:
        (tmp_path / "f.csv").write_bytes(TEXT.encode(codec))
        result = run("import", "--encoding", option, "f.csv")
        assert result.exit_code == 0, (codec, result.stderr)
    [lead] = json.loads(run("leads", "--json").stdout)
    assert lead["name"] == "Ána"


@pytest.mark.parametrize("codec, data", [
    ("utf-16", TEXT.encode("utf-8")),  # not UTF-16 at all: no NUL bytes
    ("utf-32", TEXT.encode("utf-8")),
    ("utf-16", "email\n".encode("utf-16-le")[:-1]),  # ends half-way through a character
    ("punycode", TEXT.encode("utf-8")),
    ("idna", TEXT.encode("utf-16-le")),
])
def test_a_file_the_named_encoding_cannot_read_is_one_sentence(tmp_path, run, codec, data):
    (tmp_path / "f.csv").write_bytes(data)
    result = run("import", "--encoding", codec, "f.csv")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"cannot decode the bytes as {codec}" in result.stderr
    assert json.loads(run("leads", "--json").stdout) == []


def test_a_codec_error_after_the_first_lines_is_one_sentence(tmp_path, run):
    rows = "".join(f"p{n}@example.com,P\n" for n in range(3000))
    (tmp_path / "f.csv").write_bytes(f"email,name\n{rows}".encode("utf-8") + b"\xff\xfe,x\n")
    result = run("import", "--encoding", "punycode", "f.csv")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_needs_no_option(tmp_path, run, order):
    """Text in UTF-16 without a BOM (RFC 2781 §4.3) is told by its NUL bytes: no
    --encoding needed, either byte order; a file in UTF-8 or Windows-1252 has no NUL."""
    text = "Nombre\tCorreo\r\nMaría Ibáñez\tmaria@example.org\r\nJosé Muñoz\tjose@example.com\r\n"
    (tmp_path / "u16.txt").write_bytes(text.encode(order))
    result = run("--now", "2026-06-01T12:00", "import", "u16.txt")
    assert result.exit_code == 0, result.stderr
    names = {lead["email"]: lead["name"]
             for lead in json.loads(run("leads", "--json").stdout)}
    assert names == {"maria@example.org": "María Ibáñez", "jose@example.com": "José Muñoz"}
