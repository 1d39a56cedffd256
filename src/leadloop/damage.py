"""What transport and archives do to a message, undone where the copy still shows what
it was (issue #25; bench/transforms.py measures each kind of damage on the corpora).

A header line that lost its folding whitespace (a sample anonymised by hand, a message
pasted into a tracker) ends the header where it stands, and every field after it, From,
Subject and Content-Type among them, becomes the body. A gateway or a client's export
that drops the top-level Content-Type leaves the MIME boundaries as text, and the
report's parts read as one text with the returned original inside it. A list archive
(Mailman's pipermail) writes `From: ana at example.org (Ana)` and every address in the
text as `local at domain`. Each repair is made only where the copy shows the damage
plainly, and only then costs anything.
"""

from __future__ import annotations

import functools
import quopri
import re
from email import errors
from email.message import Message

from .lazy_regex import LazyPattern

# A boundary's characters (RFC 2046 §5.1.1), and its last, which is never a space.
_BOUNDARY_CHAR = rb"[0-9A-Za-z'()+_,\-./:=? ]"
_BOUNDARY_LAST = rb"[0-9A-Za-z'()+_,\-./:=?]"
# A body part's delimiter line ("--" and a boundary of 1 to 70 characters, which some
# writers exceed), then the part's own fields.
_DELIMITER = LazyPattern(rb"^--(" + _BOUNDARY_CHAR + rb"{0,199}" + _BOUNDARY_LAST + rb")[ \t]*\r?\n"
                         rb"(?:[ \t]*\r?\n)?(?=content-[a-z-]+[ \t]*:)", re.M | re.I)
_REPORT_PART = LazyPattern(rb"^content-type:[ \t]*message/(global-)?(delivery-status|feedback-report"
                           rb"|disposition-notification)\b", re.M | re.I)
# Pipermail's From: "local at domain (Name)", or the bare "local at domain".
_ARCHIVED_FROM = LazyPattern(r"^[ \t]*([^\s@<>()\"]+) at ([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)[ \t]*(?:\((.*)\))?[ \t]*$")
# An address's local part (an RFC 2047 encoded word too, as servers write a UTF-8 one) and
# its domain, whose last label has a letter first ("at 12.30" is an hour).
_LOCAL = rb"(?:=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=|[A-Za-z0-9._%+=-]+)"
_DOMAIN = rb"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z][A-Za-z0-9-]*\b"
_ARCHIVED_ADDRESS = LazyPattern(rb"(?<![^\s<(\[\"';:,])" + _LOCAL + rb" at " + _DOMAIN)
# "local at domain" only where an address stands: in angle brackets or quotes (JSON's
# escaped ones too), as a field's value ("To:", "userid:", "rfc822;", X.400's "SMTP=")
# with nothing but a remark after it, or first on its line ("ana at example.org [User
# unknown]", "… on <date>").
# A report's own prose says "the qmail-send program at mx4.example.jp.", "DragonFly Mail
# Agent v0.13 at df.example.jp".
_PLACED_ADDRESS = LazyPattern(
    rb"(?<=[<\"'])[ \t]*" + _LOCAL + rb" at " + _DOMAIN + rb"(?=[ \t]*\\?[>\"'])"
    rb"|(?<=[:;=])[ \t]*" + _LOCAL + rb" at " + _DOMAIN
    + rb"(?=[ \t]*(?:\r?$|[,;>)\]]|\.\.\.)|[ \t]+[(\[])"
    rb"|^[ \t]*" + _LOCAL + rb" at " + _DOMAIN + rb"(?=[ \t]*(?:\r?$|[,;:]|\.\.\.)|[ \t]+\S)", re.M)
# A UTF-8 sequence's bytes as Windows-1252 shows them: a lead byte (Â…ß for two bytes,
# à…ï for three, ð…ô for four) and its continuation bytes 0x80-0xBF, which cp1252 shows
# as "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ" (and Latin-1 as C1 controls) or as " ¡…¿".
_CONTINUATION = "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc" \
                "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030" \
                "\u2039\u203a\u20ac\u2122]"
_MOJIBAKE = LazyPattern(f"(?:[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}"
                        f"|[\u00f0-\u00f4]{_CONTINUATION}{{3}})+")
# A word with a "?" (or a run of two, a two-byte letter's bytes) inside or before its
# letters; not an encoded word's "=?utf-8?", nor a link's query ("imp?s=899", "/?p=").
_MASKED_WORD = LazyPattern(r"(?<![\w?=/])(?=\w*\?)(?:[A-Za-z]|\?{1,2}(?=[A-Za-z]))+(?![\w?=])")
_BARE = "aeioucnysz"  # what á, ç, ñ, ý, š, ż… fold to
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# Quoted-printable (RFC 2045 §6.7): every "=" starts an escape, two upper-case hex
# digits, or ends a line (a soft break); an escape of an 8-bit byte or of "=" itself, or
# a soft break, is what a writer's own "=" never looks like.
_NOT_QP = LazyPattern(rb"=(?![0-9A-F]{2}|[ \t]*\r?(?:\n|\Z))")
_QP_SIGN = LazyPattern(rb"=(?:[89A-F][0-9A-F]|3D)|=[ \t]*\r?\n")


# A field's first line: a name of printable characters but the colon, then the colon
# (RFC 5322 §2.2), or mbox's "From " line, or a folded line's leading white space. This is
# the test Python's parser ends the header by.
_FIELD_OR_FOLD = LazyPattern(rb"[!-9;-~]+:|From |[ \t]")
# A field as mail has them: a name of letters, digits and hyphens. Not a line that only
# looks like one to that test once its fold is lost: a DKIM signature's list of signed
# fields ("h=From:To:Subject;", "Subject:Message-Id:To:From:Date"), a parameter
# ('boundary="host:8BE2"'), a time ("03:29:10 -0800").
_NAMED_FIELD = LazyPattern(rb"([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:(?![A-Za-z0-9-]+:[A-Za-z0-9-]*[:;])")
# The fields a header that goes on past a line without its fold plainly still holds:
# RFC 5322's, the trace fields and the extension fields ("X-…"). Not MIME's Content-*
# fields: a body that lost its blank line has them in its first part's header.
_HEADER_FIELD = LazyPattern(
    rb"(?:from|to|cc|subject|date|message-id|in-reply-to|references|reply-to|sender|return-path"
    rb"|received|delivered-to|mime-version|auto-submitted|precedence"
    rb"|dkim-signature|authentication-results|arc-[a-z-]+|list-[a-z-]+|x-[a-z0-9-]+)[ \t]*:"
    rb"(?![A-Za-z0-9-]+:[A-Za-z0-9-]*[:;])", re.I)
# A MIME delimiter line, a body's first line, whatever follows it.
_DELIMITER_LINE = LazyPattern(rb"--" + _BOUNDARY_CHAR + rb"*" + _BOUNDARY_LAST + rb"[ \t]*\r?$")


def _names(lines: list[bytes]) -> set[bytes]:
    return {found.group(1).lower() for line in lines if (found := _NAMED_FIELD.match(line))}


def _folded_or_field(at: int, line: bytes) -> bool:
    return at == 0 or line[:1] in (b" ", b"\t") or line.startswith(b"From ") or _NAMED_FIELD.match(line) is not None


# Fields a header holds once (RFC 5322 §3.6's table): met again past a line that lost its
# fold, they are another message's header.
_ONCE = frozenset((b"from", b"sender", b"reply-to", b"to", b"cc", b"subject", b"date", b"message-id",
                   b"in-reply-to", b"references", b"mime-version", b"content-type"))


def relined(raw: bytes) -> bytes:
    """`raw` with what a copy plainly did to its lines undone: blank lines before the
    header (a tool that added them), every line indented alike (a message kept inside
    code or a quoted block), a blank line after every line (CRLF written as CR CR LF, or
    lines doubled), and the classic Mac OS line end, CR alone. A message's first line is a
    field: none of these can be a message's own layout."""
    raw = raw.lstrip(b"\r\n")
    if raw[:1] in (b" ", b"\t"):
        lines = raw.split(b"\n")
        indent = min((len(line) - len(line.lstrip(b" \t")) for line in lines if line.strip()), default=0)
        if indent:
            raw = b"\n".join(line[indent:] for line in lines)
        raw = raw.lstrip(b" \t\r\n")
    start = raw[:4096]
    if b"\n" not in start and b"\r" in start:
        raw = raw.replace(b"\r", b"\n")
    elif b"\r\r\n" in start:
        raw = raw.replace(b"\r\r\n", b"\r\n")
    first_end = raw.find(b"\n")
    if first_end > 0 and (raw[first_end + 1:first_end + 2] == b"\n" or raw[first_end + 1:first_end + 3] == b"\r\n"):
        # (The header's first field, then a blank line: a header of one field, or every
        # line doubled, when another field follows and every second line of the whole is
        # blank.)
        newline = b"\r\n" if raw[first_end - 1:first_end] == b"\r" else b"\n"
        lines = raw.split(newline)
        if len(lines) > 4 and not any(lines[1::2]) and _FIELD_OR_FOLD.match(lines[2]):
            raw = newline.join(lines[0::2])
    return raw


def refolded(raw: bytes, msg: Message) -> bytes | None:
    """`raw` with a leading space given back to each line of its header that lost one,
    when fields follow those lines (so they are the header's, not a body that started
    without its blank line); None when the parse `msg` shows no such header."""
    if not any(isinstance(defect, errors.MissingHeaderBodySeparatorDefect) for defect in msg.defects):
        return None
    head_end = _HEADER_END.search(raw)
    if head_end is None:
        return None
    lines = raw[:head_end.start()].split(b"\n")
    # A MIME delimiter is a body's first line, whatever follows it.
    body_at = next((at for at, line in enumerate(lines) if _DELIMITER_LINE.match(line)), len(lines))
    last_field = max((at for at, line in enumerate(lines[:body_at]) if _HEADER_FIELD.match(line)), default=0)
    stray = [at for at, line in enumerate(lines[:last_field]) if not _folded_or_field(at, line)]
    if not stray or _names(lines[:stray[0]]) & _names(lines[stray[0]:last_field + 1]) & _ONCE:
        # (A field a header holds once, met on both sides of the first such line: the
        # fields after it are a returned message's, in a body that lost its blank line.)
        return None
    for at in stray:
        lines[at] = b" " + lines[at]
    return b"\n".join(lines) + raw[head_end.start():]


def mended(raw: bytes, msg: Message) -> bytes | None:
    """`raw` with the damage `msg` (its parse) plainly shows undone; None when it shows none."""
    head_end = _HEADER_END.search(raw)
    # (A message over the size limit is read from its header alone.)
    head, blank, body = (raw, b"", b"") if head_end is None else \
        (raw[:head_end.start()], head_end.group(), raw[head_end.end():])
    newline = b"\r\n" if b"\r\n" in head[:2000] else b"\n"
    changed = False
    if msg.get("content-type") is None:
        from .bounces import header_text, writers_subject

        field = _lost_content_type(body, forwarded=writers_subject(header_text(msg, "subject")))
    else:
        field = None
    if field is not None:
        head += newline + field
        changed = True
    elif not msg.is_multipart() and msg.get_content_maintype() == "text" and _FLAT_REPORT_FIELD.search(body) \
            and (msg.get("content-transfer-encoding") or "7bit").strip().lower() in ("7bit", "8bit", "binary"):
        rebuilt = _unflattened(body, newline, msg)
        if rebuilt is not None:
            field, body = rebuilt
            head = _without_content_fields(head) + newline + field
            changed = True
    sender = next((str(value) for name, value in msg.raw_items() if name.lower() == "from"), "")
    archived = _ARCHIVED_FROM.match(sender)
    if archived is not None:
        local, domain, name = archived.groups()
        # (Quoted: a name may hold a comma, "Pena, Ana".)
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '" ' if name else ""
        field = f"From: {quoted}<{local}@{domain}>".encode("utf-8", "surrogateescape")
        head = re.sub(rb"(?im)^from[ \t]*:.*(?:\r?\n[ \t].*)*", lambda _: field, head, count=1)
    if (archived is not None or "@" not in sender) and b" at " in body:
        # (An archived report's From may be a name with no domain, "mailer-daemon", or
        # none, "<>".) A person's words had their addresses anywhere ("my new address is
        # ana at example.net"); a mail system's only where an address stands, and so
        # does a text that names addresses with "@" too.
        from .bounces import names_mail_system

        prose = (archived is not None or b"@" not in body) and not names_mail_system(
            f"{name or ''} <{local}@{domain}>" if archived is not None else sender)
        restored = (_ARCHIVED_ADDRESS if prose else _PLACED_ADDRESS).sub(_at_sign, body)
        changed = changed or archived is not None or restored != body
        body = restored
    elif archived is not None:
        changed = True
    return head + blank + body if changed else None


def _at_sign(address: re.Match) -> bytes:
    # (The last " at " is the address's: a field's name before it may hold one.)
    before, _, after = address.group().rpartition(b" at ")
    return before + b"@" + after


def undecoded(part: Message, payload: bytes) -> bytes:
    """A text part's bytes, decoded from quoted-printable when its Content-Transfer-
    Encoding field was lost (a gateway or an export) and the bytes plainly are that."""
    if b"=" not in payload or (part.get("content-transfer-encoding") or "").strip().lower() \
            not in ("", "7bit", "8bit"):
        return payload
    if _NOT_QP.search(payload) is not None or _QP_SIGN.search(payload) is None:
        return payload
    return quopri.decodestring(payload)


def unmojibaked(text: str) -> str:
    """`text` with its runs of UTF-8 read once as Windows-1252 or Latin-1 ("UsuÃ¡rio nÃ£o
    existe", a relay or an export that decoded and re-encoded it) read as UTF-8 again."""
    if text.isascii() or _MOJIBAKE.search(text) is None:
        return text
    return _MOJIBAKE.sub(_as_utf8, text)


def _as_utf8(run: re.Match) -> str:
    for charset in ("cp1252", "latin-1"):  # (Latin-1 for the five bytes cp1252 leaves out)
        try:
            return run.group().encode(charset).decode("utf-8")
        except UnicodeError:
            continue
    return run.group()


def unmasked(text: str) -> str:
    """`text` with each "?" that stands for a lost accented letter inside a word
    ("Usu?rio n?o existe", "Adresse ?lectronique inconnue": a server or a relay that
    could not write the letter) given back the bare letter the report phrases' words
    have there, when they agree on one."""
    if "?" not in text or _MASKED_WORD.search(text) is None:
        return text
    return _MASKED_WORD.sub(_unmasked_word, text)


def _unmasked_word(match: re.Match) -> str:
    word = match.group().replace("??", "?")  # (a two-byte letter's bytes, each a "?")
    letters = list(word.lower())
    for index, char in enumerate(letters):
        if char == "?":
            found = set(_letters_at(letters, index))
            if len(found) != 1:
                return match.group()
            letters[index] = found.pop()
    unmasked = "".join(new if old == "?" else old for old, new in zip(word, letters))
    return unmasked.upper() if word.isupper() else unmasked


def _letters_at(letters: list[str], index: int) -> list[str]:
    """The letters the phrases' words have at `index` of the masked word: words that
    share every letter the masked one has (another "?" aside), with a bare letter an
    accented one folds to there, whole or a stem short of at most an ending's two
    letters ("valid" of "v?lida") that reaches past the masked position."""
    pattern = [f"([{_BARE}])" if at == index else "[a-z]" if char == "?" else re.escape(char)
               for at, char in enumerate(letters)]
    found = []
    for length in range(len(letters), max(len(letters) - 2, index + 2) - 1, -1):
        found += re.findall("^" + "".join(pattern[:length]) + "$", _phrase_words(), re.M)
    return found


@functools.cache
def _phrase_words() -> str:
    """The words of the phrases delivery_status.py reads reports by, folded, a line each."""
    from . import delivery_status
    from .lazy_regex import LazyPattern

    def strings(value, depth=0):
        if isinstance(value, str):
            yield value
        elif isinstance(value, LazyPattern) and isinstance(value._source, str):
            yield value._source
        elif isinstance(value, (tuple, list, set, frozenset)) and depth < 4:
            for item in value:
                yield from strings(item, depth + 1)
        elif isinstance(value, dict) and depth < 4:
            for key, item in value.items():
                yield from strings(key, depth + 1)
                yield from strings(item, depth + 1)
        elif type(value).__module__ == delivery_status.__name__ and hasattr(value, "__dict__") and depth < 4:
            yield from strings(tuple(vars(value).values()), depth + 1)

    # (One word a line: a masked word's pattern is matched against them all at once.)
    return "\n".join(sorted({word for name, value in vars(delivery_status).items() if not name.startswith("__")
                             for source in strings(value)
                             for word in re.findall(r"[a-z]{3,}", delivery_status.fold(source))}))


def _lost_content_type(body: bytes, *, forwarded: bool = False) -> bytes | None:
    """The Content-Type field a multipart body whose field was lost had: its boundary is
    a delimiter line followed by a part's fields, when that line also opens the body
    and the body closes it (or, cut short, holds a report's parts); a report when one of
    its own parts is a report's fields (RFC 6522), unless `forwarded` (a person's
    forward of a report carries the report's parts as its own: Pine/alpine, Roundcube)."""
    found = _DELIMITER.search(body)
    if found is None:
        return None
    boundary = re.escape(found.group(1))
    opening = re.search(rb"^--" + boundary + rb"[ \t]*\r?$", body, re.M)
    if sum(1 for line in body[:opening.start()].splitlines() if line.strip()) > 2:
        # A delimiter below the report's own text is the returned original's: only a
        # preamble's line or two ("This is a multi-part message in MIME format.") may
        # come before the first part (whose fields may be none: RFC 2046 §5.1.1).
        return None
    report = None
    for delimiter in re.finditer(rb"^--" + boundary + rb"[ \t]*\r?\n", body, re.M):
        # A report's part is one of this multipart's own parts: the same fields inside
        # an attached message (a person's forward of a report) are that message's.
        fields_end = _PARAGRAPH_END.search(body, delimiter.end())
        report = _REPORT_PART.search(body, delimiter.end(), fields_end.start() + 1 if fields_end else len(body))
        if report is not None:
            break
    if re.search(rb"^--" + boundary + rb"--[ \t]*\r?$", body, re.M) is None and (
            report is None or len(re.findall(rb"^--" + boundary + rb"[ \t]*\r?$", body, re.M)) < 2):
        # Not closed (a copy cut short): a report's parts still show a multipart.
        return None
    kind = (b'multipart/report; report-type=' + report.group(2).lower() if report is not None and not forwarded
            else b"multipart/mixed")
    return b'Content-Type: ' + kind + b'; boundary="' + found.group(1) + b'"'


# A report's fields a copy shows as plain text (a client's export, a forward, an archive
# that flattened the multipart to its texts one after the other): RFC 5965 §3.1's
# required Feedback-Type, User-Agent and Version; RFC 3464 §2.3's recipient fields with an
# Action or a Status (and §2.2's Reporting-MTA in a paragraph before them); the
# X-HmXmrOriginalRecipient field of the original Microsoft's JMRP returns.
_FLAT_REPORT_FIELD = LazyPattern(rb"^(?:feedback-type|final-recipient|original-recipient|x-hmxmroriginalrecipient)"
                                 rb"[ \t]*:", re.M | re.I)
_FIELD_NAME = LazyPattern(rb"^([A-Za-z][\w-]*)[ \t]*:", re.M)
_PARAGRAPH_END = LazyPattern(rb"\r?\n(?:[ \t]*\r?\n)+")


def _unflattened(body: bytes, newline: bytes, msg: Message) -> tuple[bytes, bytes] | None:
    """(Content-Type field, body) of the multipart a flattened report was: its own text,
    its fields as the report part they were, the returned message's header block as
    text/rfc822-headers (RFC 6522's layout); None unless the text is plainly that. Only
    the returned message's header may follow the fields (a person who pastes a report's
    fields writes on after them), and no forwarded header block may come before them (a
    person's forward of a report is the person's: classify reads it so)."""
    paragraphs, start = [], 0
    for end in _PARAGRAPH_END.finditer(body):
        paragraphs.append((start, end.start()))
        start = end.end()
    paragraphs.append((start, len(body)))
    names = [{name.lower() for name in _FIELD_NAME.findall(body[a:b])} for a, b in paragraphs]
    for index, found in enumerate(names):
        if not _FIELD_NAME.match(body, paragraphs[index][0]):
            continue
        if b"feedback-type" in found and (b"user-agent" in found or b"version" in found):
            kind, first, last = b"feedback-report", index, index
            break
        if (found & {b"final-recipient", b"original-recipient"}) and found & {b"action", b"status"}:
            kind, first, last = b"delivery-status", index, index
            if index and b"reporting-mta" in names[index - 1] and _FIELD_NAME.match(body, paragraphs[index - 1][0]):
                first = index - 1
            while last + 1 < len(paragraphs) and names[last + 1] & {b"final-recipient", b"original-recipient"} \
                    and _FIELD_NAME.match(body, paragraphs[last + 1][0]):
                last += 1
            break
        if b"x-hmxmroriginalrecipient" in found:
            kind, first, last = None, index, index - 1
            break
    else:
        return None
    from .bounces import FORWARD_BLOCK_FROM, reads_as_report_heading, sent_by_mail_system

    before = body[:paragraphs[first][0]]
    after = paragraphs[last + 1:]
    if FORWARD_BLOCK_FROM.search(before.decode("utf-8", "replace")) is not None:
        return None
    if after and not _header_block(body[after[0][0]:after[0][1]]):
        return None
    if msg.get("in-reply-to") is not None and not sent_by_mail_system(msg):
        return None  # a person's reply that quotes a report's fields
    if kind == b"delivery-status" and before.strip() and not sent_by_mail_system(msg) \
            and not reads_as_report_heading(before.decode("utf-8", "replace")):
        # Words before the fields that no report writes ("p.s. my last post bounced, I
        # had this error message:") under a From no mail system's: a person pasted them.
        return None
    boundary = b"=_unflattened_report"
    while boundary in body:
        boundary += b"_"
    charset = (msg.get_content_charset() or "us-ascii").encode("ascii", "replace")
    parts = []
    if before.strip():
        parts.append(b"Content-Type: text/plain; charset=" + charset + newline + newline + before.strip(b"\r\n"))
    if kind is not None:
        parts.append(b"Content-Type: message/" + kind + newline + newline
                     + body[paragraphs[first][0]:paragraphs[last][1]])
    if after:
        parts.append(b"Content-Type: text/rfc822-headers" + newline + newline + body[after[0][0]:after[0][1]])
    delimiter = newline + b"--" + boundary + newline
    rebuilt = (b"--" + boundary + newline + delimiter.join(parts) + newline + b"--" + boundary + b"--" + newline)
    kind_field = b"multipart/report; report-type=" + kind if kind is not None else b"multipart/mixed"
    return b"Content-Type: " + kind_field + b'; boundary="' + boundary + b'"', rebuilt


def _header_block(paragraph: bytes) -> bool:
    """Whether a paragraph is a message's header block: its lines fields or their
    continuations, two fields at least."""
    lines = paragraph.splitlines()
    return len(lines) >= 2 and _FIELD_NAME.match(lines[0]) is not None and all(
        _FIELD_NAME.match(line) or line[:1] in (b" ", b"\t") for line in lines)


def _without_content_fields(head: bytes) -> bytes:
    """The header block without its Content-Type and Content-Transfer-Encoding fields."""
    return re.sub(rb"(?im)^content-(?:type|transfer-encoding)[ \t]*:.*(?:\r?\n[ \t].*)*(?:\r?\n|\Z)", b"",
                  head).rstrip(b"\r\n")
