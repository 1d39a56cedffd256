"""Chinese, Japanese and Korean text sent with no charset (issue #25).

Servers and mail programs in China, Japan and Korea write their reports and answers in
GB2312/GBK, Shift_JIS, EUC-JP, EUC-KR or Big5, and some send them with no charset at all
(no Content-Type, or "text/plain" with none) or under a wrong one (US-ASCII, ISO-8859-1).
Read as Windows-1252 such text is mojibake that no table or grammar reads. The texts
here are written for this test (the layouts are RFC 3464's and plain-text reports');
addresses and hosts are made up (RFC 2606)."""

from __future__ import annotations

import json

import pytest
from test_inbox import leads, project, read, sent_message_id, status  # noqa: F401  (fixtures)

from leadloop.bounces import decoded

CHINESE_REPORT = "您发送的邮件未能投递到以下收件人：\n\n  {recipient}\n\n原因：收件人不存在，请核对后重新发送。"
JAPANESE_AWAY = ("お問い合わせありがとうございます。\nただいま不在にしております。"
                 "12月10日（水）に戻りますので、戻り次第ご連絡いたします。\n\n山田 太郎")
KOREAN_REPLY = "안녕하세요. 보내주신 자료를 읽었습니다.\n4월 수업에 참가하고 싶습니다. 가격을 알려주세요.\n\n김민지 드림"

# What each charset's servers write, undeclared.
EAST_ASIAN = [
    ("gb2312", CHINESE_REPORT.format(recipient="jose.munoz@example.com")),
    ("gb2312", "用户不存在"),
    ("gb2312", "Re: 课程咨询"),
    ("gbk", "您好：這是一封自動回复邮件，我会尽快回复您。"),
    ("shift_jis", JAPANESE_AWAY),
    ("shift_jis", "宛先のユーザーは存在しません"),
    ("euc_jp", "このメールは自動送信されています。ただいま不在にしております。"),
    ("euc_kr", KOREAN_REPLY),
    ("euc_kr", "존재하지 않는 사용자입니다"),
    ("euc_kr", "Re: 수업 문의"),
    ("big5", "您好：\n感謝您的來信，收件人不存在，您的郵件無法傳遞。"),
]

# Western 8-bit text: Windows-1252's, whatever its accents pair into in another charset.
WESTERN = [
    "Estaré fuera de la oficina",
    "Réponse automatique : je suis absent",
    "Estaré fuera de la oficina hasta el 10 de marzo. Para asuntos urgentes, escriba a "
    "Begoña Ibáñez (begona@example.com). Atención: no leeré el correo.",
    "Je suis absent du bureau jusqu'au 10 mars. En cas d'urgence, contactez Hélène Lefèvre.",
    "Informação: não estarei disponível até 5 de dezembro. Ação necessária? Ligue-me.",
    "AÇÃO INFORMAÇÃO",
    "Ich bin bis zum 10. Dezember nicht im Büro. Mit freundlichen Grüßen, Jürgen Weiß",
    "Továbbítás: Re: Ajánlat",
    # A Latin-1 name in a signature, and a report that is ASCII but for one line.
    "Thanks, I will look at it on Monday.\n\n-- \nJosé Muñoz Núñez\nDirector Comercial",
    "This is the mail system at host mx.example.com.\n\n<ana.pena@example.org>: host "
    "mx.example.org said: 550 5.1.1 Usuario desconocido: la dirección no existe (en "
    "respuesta a RCPT TO)\n\nReporting-MTA: dns; mx.example.com\n",
]


@pytest.mark.parametrize("charset, text", EAST_ASIAN)
@pytest.mark.parametrize("declared", [None, "us-ascii", "iso-8859-1"])
def test_undeclared_east_asian_text_is_read_in_its_charset(charset, text, declared):
    assert decoded(text.encode(charset), declared) == text


@pytest.mark.parametrize("text", WESTERN)
@pytest.mark.parametrize("declared", [None, "us-ascii", "iso-8859-1"])
def test_western_text_stays_windows_1252(text, declared):
    assert decoded(text.encode("windows-1252"), declared) == text


def test_a_long_text_is_judged_by_its_start():
    """A long text is judged by its first 16 KB (cut inside a character here): past them a
    stray byte costs one character, as in a text's declared charset."""
    start = "x" + CHINESE_REPORT.format(recipient="jose.munoz@example.com") * 200
    raw = start.encode("gb2312") + b"\x80" + "收件人不存在".encode("gb2312")
    assert len(start.encode("gb2312")) > 16_384
    assert decoded(raw, None) == start + "\ufffd收件人不存在"


def test_the_charset_the_report_declares_elsewhere_comes_before_any_guess():
    """The hint (the charset another part of the report declares) is read first; the
    guess is only for bytes it does not read. Korean bytes beside a GB2312 part are read
    as GB18030 reads them; Shift_JIS bytes beside an EUC-JP part, which EUC-JP does not
    read, are guessed."""
    korean = KOREAN_REPLY.encode("euc_kr")
    assert decoded(korean, None, lambda: "gb2312") == korean.decode("gb18030")
    assert decoded(JAPANESE_AWAY.encode("cp932"), None, lambda: "euc-jp") == JAPANESE_AWAY


def test_a_short_chinese_text_is_not_read_as_korean():
    """GB2312's commonest hanzi rows are KS X 1001's Hangul rows: "回复" reads as two
    Hangul, but with none of Korean's particles or endings."""
    assert decoded("回复：课程".encode("gb2312"), None) == "回复：课程"
    assert decoded("发件人".encode("gb2312"), None) == "发件人"


def test_cyrillic_read_as_hanzi_is_left_to_windows_1252():
    """A Russian text whose words all have an even number of letters decodes as GB18030
    and Big5; Chinese writes no space between its characters."""
    raw = "Ваше письмо не доставлено".encode("cp1251")
    assert decoded(raw, None) == raw.decode("windows-1252")


# --- A real Maildir, through `leadloop inbox` ----------------------------------------------


def undeclared(sender: str, subject: str, body: bytes, *, content_type: str | None = "text/plain",
               **headers: str) -> bytes:
    """A message whose 8-bit body declares no charset."""
    lines = [f"From: {sender}", "To: laura@lauravidal.es", f"Subject: {subject}",
             "Date: Tue, 03 Mar 2026 08:00:00 +0000",
             f"Message-ID: <{abs(hash((sender, subject, body)))}@mail.example.net>", "MIME-Version: 1.0"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append("Content-Transfer-Encoding: 8bit")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body.replace(b"\n", b"\r\n") + b"\r\n"


def events(run, email: str, kind: str) -> list[dict]:
    shown = json.loads(run("show", email, "--json").stdout)
    return [event for event in shown["events"] if event["kind"] == kind]


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_an_undeclared_chinese_report_bounces_its_lead(project, run, content_type):
    """A Chinese server's plain-text report, GB2312 with no charset: its words say the
    account does not exist ("收件人不存在"), so the address failed for good."""
    report = CHINESE_REPORT.format(recipient="jose.munoz@example.com").encode("gb2312")
    project.deliver(undeclared("MAILER-DAEMON@mx.example.cn", "Undelivered Mail Returned to Sender",
                               report, content_type=content_type))
    summary = read(run)
    assert summary["bounces"] == 1
    assert status(run, "jose.munoz@example.com") == "bounced"
    [bounce] = events(run, "jose.munoz@example.com", "bounce")
    assert bounce["permanent"] and bounce["reason"] == "no such mailbox"
    assert json.loads(run("inbox", "--review", "--json").stdout) == []


def test_an_undeclared_japanese_out_of_office_is_an_automatic_reply(project, run):
    """Shift_JIS with no charset: "ただいま不在にしております" (I am away) is an
    out-of-office, not the lead's answer: the sequence goes on."""
    project.deliver(undeclared("tom@example.net", "Re: Consultoria de marca", JAPANESE_AWAY.encode("shift_jis")))
    summary = read(run)
    assert summary["auto_replies"] == 1 and summary["replies"] == 0
    assert status(run, "tom@example.net") == "active"


def test_an_undeclared_korean_reply_keeps_its_text(project, run):
    """EUC-KR with no charset: the lead's answer is a reply, and `show` gives its words."""
    project.deliver(undeclared("ana.pena@example.org", "Re: Taller de acuarela", KOREAN_REPLY.encode("euc_kr")))
    assert read(run)["replies"] == 1
    assert status(run, "ana.pena@example.org") == "replied"
    [reply] = events(run, "ana.pena@example.org", "reply")
    assert reply["text"] == KOREAN_REPLY
    assert "«안녕하세요. 보내주신" in run("show", "ana.pena@example.org").stdout


def test_an_undeclared_korean_subject_is_read_as_its_body(project, run):
    """A subject written in raw EUC-KR bytes, as the body: read by the same rules."""
    subject = "Re: 수업 문의".encode("euc_kr").decode("utf-8", "surrogateescape")
    project.deliver(undeclared("ana.pena@example.org", subject, KOREAN_REPLY.encode("euc_kr")))
    assert read(run)["replies"] == 1
    [reply] = events(run, "ana.pena@example.org", "reply")
    assert reply["subject"] == "Re: 수업 문의"


def test_an_undeclared_spanish_reply_is_read_as_before(project, run):
    """Windows-1252 stays the last resort: a Spanish answer's accents are read."""
    text = "Sí, me interesa. ¿Tienen plazas en abril?\n\nJosé Muñoz Núñez"
    project.deliver(undeclared("ana.pena@example.org", "Re: Taller de acuarela", text.encode("cp1252")))
    assert read(run)["replies"] == 1
    [reply] = events(run, "ana.pena@example.org", "reply")
    assert reply["text"] == text
