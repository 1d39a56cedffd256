"""Whose refusal the run makes of a relay's live SMTP answers (SPEC §6 "Outcomes").

    python bench/answers.py FOLDER…            # a summary per folder and in all
    python bench/answers.py --misses FOLDER…   # and every answer read otherwise

Each folder holds an `answers.jsonl` (anywhere below it): one answer a real relay gave, per
line, as smtplib returned it, with the owner its cause gives:

    {"file": "001", "command": "RCPT", "code": 550, "reply": "5.1.1 <ana@x.test>: …",
     "recipient": "ana@x.test", "owner": "address", "situation": "…"}

`command` is the command answered: MAIL, RCPT, DATA (the DATA command itself) or EOD (the
final dot); AUTH, EHLO, STARTTLS and CONNECT stop the run before any lead is judged
(transport.open), so they are counted as the sender's. `owner` is address, mailbox, sender or
skip. Each answer is replayed by a server on 127.0.0.1 that gives it at that command, a
421 on every connection, and leadloop's own SmtpTransport sends one message to it, so
what is measured is the run's path: the reply's code and lines, the command, a 421's
reconnect. The folders stay outside the repository, like bounces.py's.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections import Counter
from pathlib import Path

from leadloop.config import Smtp
from leadloop.errors import DeliveryError
from leadloop.message import Outgoing
from leadloop.transport import SENT, SmtpTransport

_BEFORE_ANY_LEAD = {"AUTH", "EHLO", "HELO", "STARTTLS", "CONNECT"}
_MESSAGE = (b"From: ana@tienda.test\r\nTo: lead@example.test\r\nSubject: Informaci\xc3\xb3n\r\n"
            b"Message-ID: <bench-answers@tienda.test>\r\n\r\nHola.\r\n")


def _wire(code: int, reply: str) -> bytes:
    lines = reply.split("\n") or [""]
    return b"".join(f"{code}{' ' if i == len(lines) - 1 else '-'}{line}\r\n".encode()
                    for i, line in enumerate(lines))


class Replay:
    """An SMTP server that says yes to everything but the one command it replays."""

    def __init__(self, command: str, code: int, reply: str):
        self.command, self.answer, self.closes = command, _wire(code, reply), code == 421
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                try:
                    self._session(conn.makefile("rb"), conn)
                except OSError:
                    pass

    def _say(self, conn, command: str, otherwise: bytes) -> bool:
        """The replayed answer at its command (False: the connection closes), else yes."""
        if command == self.command:
            conn.sendall(self.answer)
            return not self.closes
        conn.sendall(otherwise)
        return True

    def _session(self, lines, conn) -> None:
        conn.sendall(b"220 replay ESMTP\r\n")
        while line := lines.readline():
            verb = line[:4].upper().decode("ascii", "replace")
            if verb in ("EHLO", "HELO"):
                conn.sendall(b"250-replay\r\n250 8BITMIME\r\n")
            elif verb in ("MAIL", "RCPT"):
                if not self._say(conn, verb, b"250 2.0.0 Ok\r\n"):
                    return
            elif verb == "DATA":
                if not self._say(conn, "DATA", b"354 go on\r\n"):
                    return
                if self.command == "DATA":
                    continue
                while (body := lines.readline()) and body != b".\r\n":
                    pass
                if not self._say(conn, "EOD", b"250 2.0.0 queued\r\n"):
                    return
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 2.0.0 Ok\r\n")

    def close(self) -> None:
        self.listener.close()


def owner_read(answer: dict) -> str:
    """address, mailbox or sender: what the run makes of this answer."""
    if answer["command"].upper() in _BEFORE_ANY_LEAD:
        return "sender"
    replay = Replay(answer["command"].upper(), int(answer["code"]), answer["reply"])
    transport = SmtpTransport(Smtp(host="127.0.0.1", port=replay.port, security="none", timeout=10))
    message = Outgoing(sender=answer.get("sender") or "ana@tienda.test",
                       recipient=answer["recipient"], message_id="<bench-answers@tienda.test>",
                       chunks=(_MESSAGE,))
    try:
        transport.open()
        outcome = transport.send(message)
    except DeliveryError:  # SenderRefused, or the run stopped: nobody charged
        return "sender"
    finally:
        transport.close()
        replay.close()
    if outcome.state == SENT:
        return "sent"
    return outcome.owner or "mailbox"


def main(args: list[str]) -> int:
    misses = "--misses" in args
    folders = [Path(a) for a in args if a != "--misses"]
    if not folders:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    total: Counter = Counter()
    for folder in folders:
        scores: Counter = Counter()
        for path in sorted(folder.rglob("answers.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                answer = json.loads(line)
                if answer["owner"] == "skip":
                    continue
                read = owner_read(answer)
                right = read == answer["owner"]
                scores[answer["owner"], right] += 1
                if misses and not right:
                    where = path.parent.relative_to(folder) / answer["file"]
                    print(f"  {folder.name}/{where}\t{answer['owner']}→{read}\t{answer['command']} "
                          f"{answer['code']} {answer['reply']!r}")
        print(folder.name + ":  " + "  ".join(
            f"{owner}: {scores[owner, True]}/{scores[owner, True] + scores[owner, False]}"
            for owner in ("address", "mailbox", "sender")))
        total.update(scores)
    if len(folders) > 1:
        print("all:  " + "  ".join(
            f"{owner}: {total[owner, True]}/{total[owner, True] + total[owner, False]}"
            for owner in ("address", "mailbox", "sender")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
