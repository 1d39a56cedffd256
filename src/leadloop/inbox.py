"""Read the mailbox and let what arrived change the leads (SPEC §7).

Each message is applied in its own transaction together with the record that it was
handled (inbox_seen) and, for IMAP, the UID watermark: a crash between two messages
leaves every message either fully applied or not at all, and reading again never acts
twice. Mail that matches no lead leaves nothing behind but its key: leadloop keeps no
personal data of people who are not leads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .classify import Incoming, Unreadable, classify
from .clock import to_db
from .config import Config
from .errors import InputError
from .mailbox import Mail, open_mailbox
from .questions import add_question
from .store import Store
from .surveys import record_answer, survey_of_message

# A reply changes these statuses to `replied`; a customer's mail becomes a question
# instead, and a lead that unsubscribed or bounced keeps its status.
REPLY_ENDS = ("active", "lost")


@dataclass
class InboxReport:
    replies: int = 0
    auto_replies: int = 0
    bounces: int = 0
    delays: int = 0
    unsubscribes: int = 0
    questions: int = 0
    survey_answers: int = 0
    unmatched: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in (
            "replies", "auto_replies", "bounces", "delays", "unsubscribes", "questions",
            "survey_answers", "unmatched", "skipped")}

    def line(self) -> str:
        text = (f"inbox: {self.replies} replies, {self.auto_replies} auto-replies, "
                f"{self.bounces} bounces, {self.unsubscribes} unsubscribes, "
                f"{self.unmatched} unmatched")
        extras = [(self.questions, "customer questions"), (self.survey_answers, "survey answers"),
                  (self.delays, "delayed"),
                  (self.skipped, "skipped")]
        return text + "".join(f", {count} {label}" for count, label in extras if count)


def read_inbox(store: Store, config: Config, now: datetime) -> InboxReport:
    if config.inbox is None:
        raise InputError("no [inbox] is configured: set [inbox] maildir or host in leadloop.toml")
    report = InboxReport()
    sender = config.sender
    # Mail to a separate unsubscribe address is a request whatever it says; when it is
    # the address replies go to, only the words decide.
    unsubscribe = sender.unsubscribe_address.lower()
    if unsubscribe in (sender.address.lower(), (sender.reply_to or sender.address).lower()):
        unsubscribe = None

    def seen(key: str) -> bool:
        return store.conn.execute("SELECT 1 FROM inbox_seen WHERE key = ?", (key,)).fetchone() is not None

    with open_mailbox(config.inbox) as source:
        mailbox = source.mailbox_name  # None for a Maildir: file names are its watermark
        after = _watermark(store, mailbox, source.uidvalidity) if mailbox else 0
        for mail in source.messages(seen, after):
            incoming = None
            if not mail.known:
                if mail.raw is None:
                    report.skipped += 1
                    report.problems.append(f"{_where(source, mail)}: larger than 10 MB, skipped")
                else:
                    try:
                        incoming = classify(mail.raw, unsubscribe_address=unsubscribe)
                    except Unreadable as err:
                        report.skipped += 1
                        report.problems.append(f"{_where(source, mail)}: {err}, skipped")
            with store.write():
                if incoming is not None:
                    _apply(store, incoming, now, report)
                store.conn.execute("INSERT OR IGNORE INTO inbox_seen (key, at) VALUES (?, ?)",
                                   (mail.key, to_db(now)))
                if mailbox:
                    _set_watermark(store, mailbox, source.uidvalidity, mail.handle)
            source.done(mail)
    return report


def _where(source, mail: Mail) -> str:
    return f"{source.label}: message {mail.handle or mail.key}"


def _watermark(store: Store, mailbox: str, uidvalidity: int) -> int:
    row = store.conn.execute("SELECT uidvalidity, last_uid FROM inbox_state WHERE mailbox = ?",
                             (mailbox,)).fetchone()
    # A new UIDVALIDITY renumbers the folder: read it all again; inbox_seen knows the
    # messages by content, so nothing is applied twice.
    return row["last_uid"] if row is not None and row["uidvalidity"] == uidvalidity else 0


def _set_watermark(store: Store, mailbox: str, uidvalidity: int, uid: int) -> None:
    store.conn.execute(
        "INSERT INTO inbox_state (mailbox, uidvalidity, last_uid) VALUES (?, ?, ?) "
        "ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
        "last_uid = MAX(CASE WHEN inbox_state.uidvalidity = excluded.uidvalidity "
        "THEN inbox_state.last_uid ELSE 0 END, excluded.last_uid)",
        (mailbox, uidvalidity, uid),
    )


def _lead(store: Store, incoming: Incoming):
    """The lead a message is about: the one we sent the message it answers, else its sender."""
    if incoming.references:
        marks = ",".join("?" * len(incoming.references))
        rows = store.conn.execute(
            f"SELECT message_id, lead_id FROM messages WHERE message_id IN ({marks})",
            incoming.references).fetchall()
        by_id = {row["message_id"]: row["lead_id"] for row in rows}
        for reference in incoming.references:
            if reference in by_id:
                lead = store.lead_by_id(by_id[reference])
                return lead if lead is not None and lead["email"] is not None else None
    if incoming.sender:
        return _lead_by_address(store, incoming.sender)
    return None


def _lead_by_address(store: Store, address: str):
    return store.conn.execute("SELECT * FROM leads WHERE email = ?", (address,)).fetchone()


def _apply(store: Store, incoming: Incoming, now: datetime, report: InboxReport) -> None:
    if incoming.kind == "bounce":
        _apply_bounce(store, incoming, now, report)
        return
    lead = _lead(store, incoming)
    if incoming.kind == "unsubscribe":
        if lead is not None:
            if lead["status"] not in ("unsubscribed", "bounced", "erased"):
                store.change_status(lead, "unsubscribed", now, "asked by e-mail")
        elif incoming.sender:
            # Not a lead (yet): remember the wish without keeping the address.
            store.suppress(incoming.sender, "unsubscribed", now)
        report.unsubscribes += 1
        return
    if incoming.kind == "reply":
        survey = survey_of_message(store, incoming.references)
        if survey is not None:
            lead_id, name = survey
            if record_answer(store, lead_id, name, incoming.text, now):
                report.survey_answers += 1
                return
    if lead is None:
        report.unmatched += 1
        return
    detail = {"subject": incoming.subject, "message_id": incoming.message_id}
    if incoming.kind == "auto_reply":
        store.event(lead["id"], now, "auto_reply", detail)
        report.auto_replies += 1
        return
    if lead["status"] == "customer":
        # The customer has waited since they wrote, not since leadloop read it.
        asked = incoming.written_at if incoming.written_at and incoming.written_at < now else now
        add_question(store, lead["id"], incoming.text or incoming.subject, asked, now,
                     {**detail, "text": incoming.text})
        report.questions += 1
        return
    store.event(lead["id"], now, "reply", {**detail, "text": incoming.text})
    if lead["status"] in REPLY_ENDS:
        store.change_status(lead, "replied", now, "answered by e-mail")
    report.replies += 1


def _apply_bounce(store: Store, incoming: Incoming, now: datetime, report: InboxReport) -> None:
    matched = False
    for address in incoming.permanent:
        lead = _lead_by_address(store, address)
        if lead is None:
            continue
        matched = True
        store.event(lead["id"], now, "bounce", {"permanent": True, "subject": incoming.subject})
        report.bounces += 1
        store.mark_bounced(lead, now, "delivery failed for good")
    for address in incoming.temporary:
        lead = _lead_by_address(store, address)
        if lead is None:
            continue
        matched = True
        store.event(lead["id"], now, "bounce", {"permanent": False, "subject": incoming.subject})
        report.delays += 1
    if not matched:
        report.unmatched += 1
