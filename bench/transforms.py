"""Does a verdict survive what transport and archives do to a message? (issue #25)

    python bench/transforms.py FOLDER…                # every transform, the files that flip
    python bench/transforms.py --only dedent,upper FOLDER…
    python bench/transforms.py --list                 # the transforms and what each does

Every message of the folders is read as it is and after each transform on its own (a
small pure function on bytes: the damage forwarding, gateways, clients' exports, list
archives and old servers do), and the two readings are compared: per transform, how many
verdicts changed (hard→soft, soft→hard, bounce→reply…) and which files. The undamaged
reading is the reference; where a folder says what the message is (sisimai's
`expected.json`, a `labels.tsv` as bench/bounces.py reads it), a flip is shown with that
label, and the messages the undamaged reading already gets wrong are counted apart. A
verdict is bench/bounces.py's (hard, soft, delay, auto_reply, reply, complaint…); a
bounce whose verdict stays but whose failed recipients change is listed apart
("recipients"), since the lead it finds is what the verdict is for.

The folders stay outside the repository (public sample mail is other projects' data):
typically ../shared/corpora/{bounces,autoreplies,replies} and tests/fixtures.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import codecs
import collections
import email
import email.errors
import email.header
import email.policy
import email.utils
import html
import json
import quopri
import re
import sys
import textwrap
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bounces import verdict  # noqa: E402  (bench/bounces.py: the same verdict as the measure)

from leadloop.classify import Unreadable, classify  # noqa: E402

# --- a MIME walker that rewrites leaves and leaves every other byte alone -----------------

_BLANK = re.compile(rb"\r?\n\r?\n")
_TEXTUAL = ("message/delivery-status", "message/global-delivery-status", "message/disposition-notification",
            "message/feedback-report")


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """A header block, the blank line after it (with the header's last newline), its body."""
    if raw.startswith((b"\n", b"\r\n")):
        newline = b"\r\n" if raw.startswith(b"\r\n") else b"\n"
        return b"", newline, raw[len(newline):]
    blank = _BLANK.search(raw)
    if blank is None:
        return raw, b"", b""
    return raw[:blank.start()], blank.group(), raw[blank.end():]


def _info(head: bytes) -> email.message.Message:
    return email.message_from_bytes(head + b"\n\n", policy=email.policy.compat32)


def _newline(raw: bytes) -> bytes:
    line_end = raw.find(b"\n")
    return b"\r\n" if line_end > 0 and raw[line_end - 1:line_end] == b"\r" else b"\n"


def walk(raw: bytes, leaf, head=None, *, role: str = "top") -> bytes:
    """`raw` with every leaf part rewritten by `leaf(head, info, body) -> (head, body)` and,
    when given, every header block by `head(block, role)` (role: "top", a "part"'s or an
    attached "message"'s); multipart delimiters, preambles and an attached message's
    structure are kept byte for byte."""
    block, blank, body = _split(raw)
    info = _info(block)
    kind = info.get_content_type()
    changed_block = head(block, role) if head is not None else block
    boundary = info.get_param("boundary") if kind.startswith("multipart/") else None
    if isinstance(boundary, tuple):
        boundary = email.utils.collapse_rfc2231_value(boundary)
    if boundary:
        delimiter = re.compile(rb"^--" + re.escape(boundary.encode("ascii", "replace"))
                               + rb"(?:--)?[ \t]*\r?(?:\n|\Z)", re.M)
        marks = list(delimiter.finditer(body))
        if not marks:
            return changed_block + blank + body
        out = [body[:marks[0].end()]]
        for mark, following in zip(marks, marks[1:] + [None]):
            if mark.group().lstrip(b"-").rstrip().endswith(b"--"):
                out.append(body[mark.end():] if following is None else body[mark.end():following.end()])
                continue
            stop = len(body) if following is None else following.start()
            part = body[mark.end():stop]
            # The newline before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
            tail = b"\r\n" if part.endswith(b"\r\n") else b"\n" if part.endswith(b"\n") else b""
            out.append(walk(part[:len(part) - len(tail)], leaf, head, role="part") + tail)
            if following is not None:
                out.append(following.group())
        return changed_block + blank + b"".join(out)
    if kind in ("message/rfc822", "message/global") and body:
        return changed_block + blank + walk(body, leaf, head, role="message")
    new_block, new_body = leaf(changed_block, info, body)
    return new_block + blank + new_body


def _text_part(info) -> bool:
    # What a gateway re-encodes: a delivery or feedback report's fields (message/*) may
    # only be 7bit or 8bit (RFC 2046 §5.2.4 for message/*; RFC 3464 §2.1's "header" syntax).
    return info.get_content_maintype() == "text"


def _textual(info) -> bool:
    return info.get_content_maintype() == "text" or info.get_content_type() in _TEXTUAL


def _payload(info, body: bytes) -> bytes:
    encoding = (info.get("content-transfer-encoding") or "").strip().lower()
    if encoding == "base64":
        try:
            return binascii.a2b_base64(body)
        except binascii.Error:
            return body
    if encoding == "quoted-printable":
        return quopri.decodestring(body)
    return body


def _charset(info) -> str | None:
    charset = info.get_content_charset()
    try:
        return codecs.lookup(charset).name if charset else None
    except LookupError:
        return None


def _decode(info, body: bytes) -> str:
    data, charset = _payload(info, body), _charset(info)
    for name in (charset, "utf-8"):
        if name:
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                pass
    return data.decode("cp1252", "replace")


def _encode(block: bytes, info, text: str, newline: bytes) -> tuple[bytes, bytes]:
    """`text` back in the part's own charset and transfer encoding; in UTF-8 (declared)
    where its charset cannot hold it."""
    charset = _charset(info) or "us-ascii"
    try:
        data = text.encode(charset)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
        block = _set_header(block, "Content-Type", f'{info.get_content_type()}; charset="utf-8"')
    data = data.replace(b"\r\n", b"\n")
    encoding = (info.get("content-transfer-encoding") or "").strip().lower()
    if encoding == "base64":
        data = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        data = quopri.encodestring(data)
    return block, data.replace(b"\n", newline)


_HEADER_LINE = r"^{name}[ \t]*:[^\n]*\n?(?:[ \t][^\n]*\n?)*"


def _without_header(block: bytes, name: str) -> bytes:
    return re.sub(_HEADER_LINE.format(name=re.escape(name)).encode(), b"", block, flags=re.M | re.I)


def _set_header(block: bytes, name: str, value: str) -> bytes:
    newline = _newline(block + b"\n")
    kept = _without_header(block, name).rstrip(b"\r\n")
    return (kept + newline if kept else b"") + f"{name}: {value}".encode() + (newline if not kept else b"")


def texts(change):
    """A transform that rewrites every textual part's decoded text with `change(text)`."""
    def transform(raw: bytes) -> bytes:
        newline = _newline(raw)

        def leaf(block, info, body):
            if not _textual(info):
                return block, body
            text = _decode(info, body).replace("\r\n", "\n")
            changed = change(text, info)
            return (block, body) if changed == text else _encode(block, info, changed, newline)
        return walk(raw, leaf)
    return transform


def leaves(rewrite, *, kinds=None):
    """A transform that rewrites each textual leaf whole: `rewrite(block, info, text, newline)`
    returns its new header block and body bytes. `kinds`: only leaves of which it is true."""
    def transform(raw: bytes) -> bytes:
        newline = _newline(raw)

        def leaf(block, info, body):
            if not _textual(info) or (kinds and not kinds(info)):
                return block, body
            return rewrite(block, info, _decode(info, body).replace("\r\n", "\n"), newline)
        return walk(raw, leaf)
    return transform


# --- the transforms ------------------------------------------------------------------------

def _wrap(width: int):
    def change(text, info):
        return "\n".join(
            "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False,
                                    drop_whitespace=True)) if len(line) > width else line
            for line in text.split("\n"))
    return texts(change)


def _joined(text, info):
    # A line that starts with white space continues the one above (RFC 5322 folding, and
    # the indented continuations of reports' texts), joined the way an unfolding copy does.
    return re.sub(r"\n[ \t]+(?=\S)", " ", text)


def _dedented(text, info):
    return re.sub(r"(?m)^[ \t]+(?=\S)", "", text)


def _question_marks(text, info):
    return re.sub(r"[^\x00-\x7f]", "?", text)


def _unaccented(text, info):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _undeclared(encoding: str, *, read_as: str | None = None):
    """The part's text in `encoding` (read as `read_as` first: mojibake), sent 8bit with no
    charset: what an old server or a client's export leaves."""
    def rewrite(block, info, text, newline):
        if read_as is not None:
            try:
                text = text.encode(encoding).decode(read_as)
            except UnicodeError:
                pass
        data = text.encode(encoding, "replace").replace(b"\n", newline)
        block = _set_header(block, "Content-Type", info.get_content_type())
        return _set_header(block, "Content-Transfer-Encoding", "8bit"), data
    return leaves(rewrite)


def _qp_left(block, info, text, newline):
    charset = _charset(info) or "utf-8"
    try:
        data = text.encode(charset)
    except UnicodeEncodeError:
        data, charset = text.encode("utf-8"), "utf-8"
    block = _without_header(block, "Content-Transfer-Encoding")
    block = _set_header(block, "Content-Type", f'{info.get_content_type()}; charset="{charset}"')
    return block, quopri.encodestring(data).replace(b"\n", newline)


def _html(style: str):
    def rewrite(block, info, text, newline):
        if style == "pre":
            markup = f"<html><body><pre>{html.escape(text)}</pre></body></html>"
        else:
            paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
            markup = "<html><body>" + "".join(
                "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>\n"
                for p in paragraphs) + "</body></html>"
        block = _set_header(block, "Content-Type", 'text/html; charset="utf-8"')
        block = _set_header(block, "Content-Transfer-Encoding", "8bit")
        return block, markup.encode("utf-8").replace(b"\n", newline)
    return leaves(rewrite, kinds=lambda info: info.get_content_type() == "text/plain")


def _base64(block, info, text, newline):
    block = _set_header(block, "Content-Type", f'{info.get_content_type()}; charset="utf-8"')
    block = _set_header(block, "Content-Transfer-Encoding", "base64")
    return block, base64.encodebytes(text.encode("utf-8")).replace(b"\n", newline)


def _tabs(text, info):
    text = re.sub(r"(?m)^ +(?=\S)", "\t", text)
    return re.sub(r"(?<=\S) {2,}(?=\S)", "\t", text)


_ADDRESS = re.compile(r"([A-Za-z0-9._%+=-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def _at_addresses(raw: bytes) -> bytes:
    """A list archive's obfuscation (Mailman's pipermail): `From: local at domain (Name)`
    and every address in the texts as `local at domain`."""
    def head(block, role):
        if role != "top":
            return block
        info = _info(block)
        # (str(): a field with raw 8-bit bytes comes back as an email.header.Header.)
        name, address = email.utils.parseaddr(str(info.get("from", "")))
        if "@" not in address:
            return block
        local, _, domain = address.rpartition("@")
        shown = f"{local} at {domain}" + (f" ({name})" if name else "")
        return _set_header(block, "From", shown)

    def leaf(block, info, body):
        if not _textual(info):
            return block, body
        text = _decode(info, body).replace("\r\n", "\n")
        changed = _ADDRESS.sub(r"\1 at \2", text)
        return (block, body) if changed == text else _encode(block, info, changed, _newline(raw))
    return walk(raw, leaf, head)


def _upper_field(value: bytes) -> bytes:
    def word(match):
        try:
            text = str(email.header.make_header(email.header.decode_header(match.group().decode())))
            return email.header.Header(text.upper(), "utf-8").encode().encode()
        except (UnicodeError, LookupError, email.errors.HeaderParseError):
            return match.group()
    plain = re.split(rb"(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)", value)
    return b"".join(word(re.match(rb".*", piece, re.S)) if index % 2 else piece.upper()
                    for index, piece in enumerate(plain))


def _upper(raw: bytes) -> bytes:
    def head(block, role):
        # Content-* fields stay: a boundary is case-sensitive (RFC 2046 §5.1.1).
        # An encoded word's text is upper-cased as the words around it, never its base64.
        return re.sub(rb"(?m)^(?!content-)([^:\r\n]+:)(.*(?:\r?\n[ \t].*)*)",
                      lambda m: m.group(1) + _upper_field(m.group(2)), block, flags=re.I)
    return walk(texts(lambda text, info: text.upper())(raw), lambda b, i, body: (b, body), head)


def _flattened(raw: bytes) -> bytes:
    """A multipart as a client's export or a forward shows it: the texts one after the
    other (an attached message's header block too), one text/plain part."""
    shown = []

    def head(block, role):
        if role == "message":
            shown.append(block.decode("utf-8", "replace").replace("\r\n", "\n"))
        return block

    def leaf(block, info, body):
        if _textual(info):
            text = _decode(info, body).replace("\r\n", "\n")
            if info.get_content_type() == "text/html":
                text = re.sub(r"<[^>]+>", " ", html.unescape(text))
            shown.append(text)
        return block, body
    walk(raw, leaf, head)
    block, blank, _ = _split(raw)
    newline = _newline(raw)
    for name in ("Content-Type", "Content-Transfer-Encoding", "MIME-Version"):
        block = _without_header(block, name)
    block = _set_header(block.rstrip(b"\r\n"), "MIME-Version", "1.0")
    block = _set_header(block, "Content-Type", 'text/plain; charset="utf-8"')
    block = _set_header(block, "Content-Transfer-Encoding", "8bit")
    body = "\n\n".join(t.strip("\n") for t in shown if t.strip()) + "\n"
    return block + (blank or newline * 2) + body.encode("utf-8").replace(b"\n", newline)


def _top(change):
    def transform(raw: bytes) -> bytes:
        block, blank, body = _split(raw)
        return change(block) + blank + body
    return transform


def _archive_headers(block: bytes) -> bytes:
    kept = re.findall(_HEADER_LINE.format(name=r"(?:from|date|subject|message-id)").encode(),
                      block + b"\n", flags=re.M | re.I)
    return b"".join(kept).rstrip(b"\r\n")


def _header_dedented(block: bytes) -> bytes:
    # A sample anonymised by hand, or a header pasted: each field's continuation lines at
    # the margin.
    return re.sub(rb"(?m)^[ \t]+(?=\S)", b"", block)


def _hard_wrapped(block: bytes) -> bytes:
    # An editor's hard wrap at 72 columns: the rest of a long line on the next one, with
    # no indent.
    wrapped = []
    for line in block.split(b"\n"):
        end = b"\r" if line.endswith(b"\r") else b""
        line = line.rstrip(b"\r")
        while len(line) > 72 and (cut := line.rfind(b" ", 20, 72)) > 0:
            wrapped.append(line[:cut] + end)
            line = line[cut + 1:]
        wrapped.append(line + end)
    return b"\n".join(wrapped)


def _doubled(raw: bytes) -> bytes:
    # A blank line after every line: lines doubled by a copy.
    return re.sub(rb"\r?\n", lambda end: end.group() * 2, raw)


def _crlf(raw: bytes) -> bytes:
    return re.sub(rb"(?<!\r)\n", b"\r\n", raw)


def _trailing_spaces(raw: bytes) -> bytes:
    # Only lines with text: a blank line that gained spaces is no longer the end of a header.
    return re.sub(rb"(?m)(?<=\S)(?=\r?$)", b"  ", raw)


def _mbox(raw: bytes) -> bytes:
    newline = _newline(raw)
    if raw.startswith(b"From "):
        # Saved with its envelope line already: that one stays, the rest is escaped.
        envelope, _, raw = raw.partition(b"\n")
        envelope += b"\n"
    else:
        envelope = b"From MAILER-DAEMON  Sat Dec  5 10:00:00 2026" + newline
    return envelope + re.sub(rb"(?m)^(>*From )", rb">\1", raw)


TRANSFORMS = {
    "wrap72": (_wrap(72), "texts' lines over 72 columns re-wrapped at words (a client's re-flow, a copy)"),
    "wrap76": (_wrap(76), "texts' lines over 76 columns re-wrapped at words"),
    "unfold": (texts(_joined), "every text's continuation lines joined to the line above"),
    "dedent": (texts(_dedented), "every text's lines lose their indent (a copy)"),
    "question-marks": (texts(_question_marks), "non-ASCII characters in texts replaced by '?'"),
    "unaccented": (texts(_unaccented), "accented letters in texts replaced by their bare letters"),
    "undeclared-utf8": (_undeclared("utf-8"), "texts in UTF-8, 8bit, no charset declared"),
    "undeclared-latin1": (_undeclared("latin-1"), "texts in Latin-1, 8bit, no charset declared"),
    "mojibake": (_undeclared("utf-8", read_as="cp1252"),
                 "texts' UTF-8 read once as Windows-1252 ('UsuÃ¡rio'), no charset declared"),
    "no-content-type": (_top(lambda b: _without_header(b, "Content-Type")),
                        "the top-level Content-Type removed: MIME boundaries read as text"),
    "flattened": (_flattened, "a multipart flattened to its texts one after the other"),
    "qp-undecoded": (leaves(_qp_left, kinds=_text_part), "texts quoted-printable with no Content-Transfer-Encoding ('=3D', soft breaks)"),
    "header-dedent": (_top(_header_dedented), "the top header's continuation lines lose their indent (a copy)"),
    "archive-headers": (_top(_archive_headers), "the top header cut to From, Date, Subject, Message-ID"),
    "at-addresses": (_at_addresses, "From as 'local at domain (Name)', addresses in texts as 'local at domain'"),
    "header-wrap72": (_top(_hard_wrapped), "the top header's long lines hard-wrapped at 72 columns, no indent"),
    "indented": (lambda raw: re.sub(rb"(?m)^", b"    ", raw), "every line indented by four spaces (a message kept in code)"),
    "doubled": (_doubled, "a blank line after every line"),
    "cr-cr-lf": (lambda raw: re.sub(rb"\r?\n", b"\r\r\n", raw), "line ends as CR CR LF (CRLF converted twice)"),
    "cr": (lambda raw: re.sub(rb"\r?\n", b"\r", raw), "line ends as CR alone (classic Mac OS)"),
    "no-blank": (lambda raw: re.sub(rb"\r?\n(?=\r?\n)", b"", raw, count=1), "the blank line after the header lost"),
    "crlf": (_crlf, "LF line ends as CRLF"),
    "lf": (lambda raw: raw.replace(b"\r\n", b"\n"), "CRLF line ends as LF"),
    "trailing-spaces": (_trailing_spaces, "two spaces after every line with text"),
    "tabs": (texts(_tabs), "texts' indents and runs of spaces as tabs"),
    "upper": (_upper, "texts and header values upper-cased (an old system)"),
    "html-pre": (_html("pre"), "each text/plain part as text/html in a <pre>"),
    "html-p": (_html("p"), "each text/plain part as text/html, <p> paragraphs and <br> lines"),
    "base64": (leaves(_base64, kinds=_text_part), "texts re-encoded base64 in UTF-8 (a gateway; should change nothing)"),
    "mbox": (_mbox, "an mbox 'From ' line first and '>From ' in the text (RFC 4155)"),
}


# --- reading -------------------------------------------------------------------------------

def labelled(folder: Path) -> dict[str, str | None]:
    """The folder's messages, each with what it is when the folder says so."""
    expected = folder / "expected.json"
    labels = folder / "labels.tsv"
    if expected.is_file():
        found: dict[str, str | None] = {}
        for entry in json.loads(expected.read_text(encoding="utf-8"))["expectations"]:
            hard = entry["hard"] or found.get(entry["file"]) == "hard"
            found[entry["file"]] = "hard" if hard else "soft"
        return found
    if labels.is_file():
        return {name: label for name, label, *_ in
                (line.split("\t") for line in labels.read_text().splitlines() if "\t" in line)
                if label != "skip"}
    return {str(p.relative_to(folder)): None for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in ("", ".eml") and not p.name.startswith(("README", "."))}


def reading(raw: bytes) -> tuple[str, str, tuple[str, ...]]:
    label, why = verdict(raw)
    try:
        incoming = classify(raw)
        hard = tuple(sorted(str(f.address) for f in incoming.failures if f.hard))
    except Unreadable:
        hard = ()
    return label, why, hard


def _same(a: str, b: str) -> bool:
    return a == b or {a, b} == {"soft", "delay"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--only", help="comma-separated transforms (default: all)")
    parser.add_argument("--list", action="store_true", help="list the transforms and stop")
    args = parser.parse_args()
    if args.list or not args.folders:
        for name, (_, what) in TRANSFORMS.items():
            print(f"{name:18} {what}")
        return
    chosen = args.only.split(",") if args.only else list(TRANSFORMS)
    unknown = [name for name in chosen if name not in TRANSFORMS]
    if unknown:
        parser.error(f"no transform {', '.join(unknown)} (see --list)")

    messages = []
    for folder in args.folders:
        for name, label in labelled(folder).items():
            path = folder / name
            if path.is_file():
                raw = path.read_bytes()
                assert walk(raw, lambda b, i, body: (b, body)) == raw, f"{path}: the walker changed it"
                messages.append((f"{folder.name}/{name}", raw, label))
    read = {name: reading(raw) for name, raw, _ in messages}
    wrong = [name for name, _, label in messages if label and not _same(read[name][0], label)]
    print(f"{len(messages)} messages; the undamaged reading differs from the label in {len(wrong)}"
          + (f" ({', '.join(wrong)})" if wrong else ""))

    total = collections.Counter()
    for transform_name in chosen:
        transform, what = TRANSFORMS[transform_name]
        flips, lost, unchanged = [], [], 0
        for name, raw, label in messages:
            damaged = transform(raw)
            if damaged == raw:
                unchanged += 1
                continue
            before, after = read[name], reading(damaged)
            if not _same(before[0], after[0]):
                flips.append((name, label, before, after))
            elif before[0] == "hard" and before[2] != after[2]:
                lost.append((name, before, after))
        kinds = collections.Counter(f"{b[0]}→{a[0]}" for _, _, b, a in flips)
        total[transform_name] = len(flips)
        print(f"\n{transform_name}: {len(flips)} changed, {len(lost)} recipients changed, "
              f"of {len(messages) - unchanged} damaged ({what})")
        if kinds:
            print("  " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()))
        for name, label, before, after in flips:
            print(f"  {name}{f' [{label}]' if label else ''}: {before[0]} ({before[1][:50]}) → "
                  f"{after[0]} ({after[1][:50]})")
        for name, before, after in lost:
            print(f"  recipients {name}: {', '.join(before[2])} → {', '.join(after[2]) or 'none'}")
    print("\nchanged: " + ", ".join(f"{name} {count}" for name, count in total.items()))


if __name__ == "__main__":
    main()
