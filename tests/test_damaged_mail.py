"""A verdict survives what transport and archives do to a message (issue #25): the
damage bench/transforms.py applies to the corpora, each case here a hand-written message
in a documented layout, damaged the same way, whose words a person still reads. The
addresses and hosts are made up."""

from __future__ import annotations

from leadloop.classify import classify

LEAD = "ana.pena@example.org"


def postfix_report(*, original_to: str = LEAD, newline: str = "\r\n") -> bytes:
    """Postfix's bounce (bounce(8)'s default template), its returned original's headers
    in a text/rfc822-headers part."""
    return newline.join([
        "Return-Path: <>",
        "From: MAILER-DAEMON@relay.lauravidal.es (Mail Delivery System)",
        "To: laura@lauravidal.es",
        "Subject: Undelivered Mail Returned to Sender",
        "Message-ID: <pf-damage@relay.lauravidal.es>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="PF"',
        "",
        "--PF",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host relay.lauravidal.es.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        "                   The mail system",
        "",
        f"<{LEAD}>: host mx.example.org[192.0.2.25] said: 550 5.1.1 <{LEAD}>:",
        "    Recipient address rejected: User unknown in virtual mailbox table (in",
        "    reply to RCPT TO command)",
        "",
        "--PF",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; relay.lauravidal.es",
        "",
        f"Final-Recipient: rfc822; {LEAD}",
        f"Original-Recipient: rfc822;{LEAD}",
        "Action: failed",
        "Status: 5.1.1",
        "Remote-MTA: dns; mx.example.org",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{LEAD}>: Recipient address rejected:",
        "    User unknown in virtual mailbox table",
        "",
        "--PF",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        "From: Laura Vidal <laura@lauravidal.es>",
        f"To: {original_to}",
        "Subject: La informacion que me pidio",
        "Message-ID: <info-1@lauravidal.es>",
        "",
        "--PF--",
        "",
    ]).encode("ascii")


def test_a_group_with_a_space_after_it_leaves_the_message_readable():
    # "To: undisclosed-recipients:; " (a space after the ';', as some clients write a
    # Bcc-only message) makes the email package raise on reading the field; the message
    # was Unreadable, a lead's reply lost and a hard bounce unread.
    reply = classify(b"From: Ana Pena <ana.pena@example.org>\r\n"
                     b"To: undisclosed-recipients:; \r\n"
                     b"Subject: Re: La informacion que me pidio\r\n"
                     b"Message-ID: <r1@example.org>\r\nIn-Reply-To: <info-1@lauravidal.es>\r\n\r\n"
                     b"Gracias, me interesa. Llamadme el lunes.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD
    bounce = classify(postfix_report(original_to="undisclosed-recipients:; "))
    assert bounce.kind == "bounce" and bounce.permanent == (LEAD,)


def test_a_display_name_whose_encoded_word_holds_a_line_break_is_read():
    # An encoded word may decode to anything, a CR LF too; the email package refuses
    # such a display name (ValueError) and the message was Unreadable.
    reply = classify(b"From: =?utf-8?q?Ana_Pe=C3=B1a=0D=0AVentas?= <ana.pena@example.org>\r\n"
                     b"To: laura@lauravidal.es\r\nSubject: Re: Hola\r\n"
                     b"Message-ID: <r2@example.org>\r\n\r\nSi, gracias.\r\n")
    assert reply.kind == "reply" and reply.sender == LEAD

