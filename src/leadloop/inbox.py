"""Read the mailbox and let what arrived change the leads (SPEC §7).

Each message is applied in its own transaction together with the record that it was
handled (inbox_seen) and, for IMAP, the UID watermark: a crash between two messages
leaves every message either fully applied or not at all, and reading again never acts
twice. Mail that matches no lead leaves nothing behind but its key: leadloop keeps no
personal data of people who are not leads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .classify import Incoming, Unreadable, classify
from .clock import to_db
from .config import Config
from .errors import InputError, MailboxError
from .mailbox import Mail, open_mailbox
from .questions import add_question
from .alike import TROUBLE_WORDS, Failed, report_key, sender_groups
from .bounces import MAX_DIAGNOSTIC
from .delivery_status import ADDRESS, LABELS, MAILBOX, SENDER, SERVER_TROUBLE
from .store import OUTCOMES_SQL, Store
from .surveys import record_answer, survey_of_message

# A reply changes these statuses to `replied`; a customer's mail becomes a question
# instead, and a lead that unsubscribed or bounced keeps its status.
REPLY_ENDS = ("active", "lost")
# What decided a message too large to read whole, in the note of its event.
HEADERS_DECIDED = "too large to read whole: its headers decided"
REPORT_DECIDED = "too large to read whole: the report's fields at its start decided"
# A suppression of these reasons for an address no lead has any more is a lead erased
# since: only a lead is ever bounced; an `unsubscribed` one may be a stranger's wish.
_ERASED_LEAD_REASONS = ("erased", "bounced")


@dataclass
class InboxReport:
    replies: int = 0
    auto_replies: int = 0
    bounces: int = 0        # leads now `bounced` (the address failed, or undeliverable)
    failed: int = 0         # messages a soft bounce reported as not delivered
    delays: int = 0         # of which delay warnings
    unsubscribes: int = 0
    complaints: int = 0     # leads unsubscribed by a provider's complaint report (ARF)
    auth_failures: int = 0  # reports that our message failed SPF/DKIM/DMARC (RFC 6591): the sender's
    domain_reports: int = 0  # DMARC aggregate and TLS reports about our domain: left alone
    questions: int = 0
    survey_answers: int = 0
    unmatched: int = 0
    unrecognised: int = 0   # bounces naming no recipient leadloop sent to (kept for review)
    about_erased: int = 0   # complaints and bounces about a lead erased since: said, nothing recorded
    sender_refused: int = 0  # reports that the sender was refused: the message is due again
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in (
            "replies", "auto_replies", "bounces", "failed", "delays", "unsubscribes", "complaints", "questions",
            "survey_answers", "unmatched", "unrecognised", "about_erased", "sender_refused", "auth_failures",
            "domain_reports", "skipped")}

    def say_once(self, sentence: str) -> None:
        """A sentence for the marketer, said once however many reports give it."""
        if sentence not in self.problems:
            self.problems.append(sentence)

    def line(self) -> str:
        from .plurals import count

        text = (f"inbox: {count(self.replies, 'reply', 'replies')}, "
                f"{count(self.auto_replies, 'auto-reply', 'auto-replies')}, "
                f"{count(self.bounces, 'bounce')}, {count(self.unsubscribes, 'unsubscribe')}, "
                f"{self.unmatched} unmatched")
        extras = [(self.complaints, count(self.complaints, "spam complaint") + " (unsubscribed)"),
                  (self.failed, "not delivered (soft bounces)"), (self.delays, "delayed"),
                  (self.sender_refused, "refused because of the sender (offered again)"),
                  (self.auth_failures, count(self.auth_failures, "authentication failure report")
                   + " (the sender's set-up: `leadloop check --dns`)"),
                  (self.domain_reports, count(self.domain_reports, "DMARC or TLS report")
                   + " about your domain (left alone)"),
                  (self.unrecognised, count(self.unrecognised, "unrecognised bounce")
                   + " (see `leadloop inbox --review`)"),
                  (self.about_erased, count(self.about_erased, "complaint or bounce", "complaints or bounces")
                   + " about a lead erased since (nothing recorded)"),
                  (self.questions, count(self.questions, "customer question")),
                  (self.survey_answers, count(self.survey_answers, "survey answer")),
                  (self.skipped, "skipped")]
        return text + "".join(
            f", {label}" if label[0].isdigit() else f", {number} {label}"
            for number, label in extras if number)


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
    # Our own addresses: never a failed recipient, never a lead's reply.
    own = frozenset(a.lower() for a in (sender.address, sender.reply_to, sender.unsubscribe_address) if a)

    def seen(key: str) -> bool:
        return store.conn.execute("SELECT 1 FROM inbox_seen WHERE key = ?", (key,)).fetchone() is not None

    with open_mailbox(config.inbox) as source:
        mailbox = source.mailbox_name  # None for a Maildir: file names are its watermark
        after = _watermark(store, mailbox, source.uidvalidity) if mailbox else 0
        # Reports of a failure that may be one of many alike (alike.py) wait until the
        # reading has seen them all; until they are applied the watermark stays before
        # the first of them, so a crash between leaves them to be read again.
        held: list[tuple[Mail, Incoming]] = []
        last = after

        def settle(mail: Mail, incoming: Incoming | None, alike: str | None = None, move: bool = True) -> None:
            with store.write():
                if incoming is not None:
                    apply_incoming(store, incoming, now, report, own, sender.address, alike=alike)
                store.conn.execute("INSERT OR IGNORE INTO inbox_seen (key, at) VALUES (?, ?)",
                                   (mail.key, to_db(now)))
                if mailbox:
                    _set_watermark(store, mailbox, source.uidvalidity,
                                   held[0][0].handle - 1 if held else last)
            if move:
                source.done(mail)

        def settle_held(move: bool = True) -> None:
            sentences, earlier = _sender_alike(store, held, own, now) if held else ({}, [])
            if earlier:
                with store.write():
                    _charge_no_more(store, earlier, now, report)
            while held:
                mail, incoming = held.pop(0)
                settle(mail, incoming, sentences.get(id(incoming)), move)

        try:
            for mail in source.messages(seen, after):
                if mailbox:
                    last = max(last, mail.handle)
                incoming = None
                if not mail.known:
                    if mail.raw is None:
                        report.skipped += 1
                        report.problems.append(f"{_where(source, mail)}: its headers cannot be read, skipped")
                    else:
                        try:
                            # A message over the size limit comes as its headers only: they
                            # decide (a reply with a large attachment is still a reply), and a
                            # feedback or delivery report's first parts, read from its first bytes.
                            incoming = classify(mail.raw, unsubscribe_address=unsubscribe, own=own,
                                                headers_only=mail.truncated, start=mail.start)
                        except Unreadable as err:
                            report.skipped += 1
                            report.problems.append(f"{_where(source, mail)}: {err}, skipped")
                if incoming is not None and _holds(incoming):
                    held.append((mail, incoming))
                    continue
                settle(mail, incoming)
        except MailboxError:
            # What was read is kept, as mailbox.py's sentence says; the connection is gone,
            # so the held stay in the folder, to be moved when read again (inbox_seen).
            settle_held(move=False)
            raise
        settle_held()
    return report


# RFC 3463's statuses of a trouble on the way to the lead's server: network and routing
# (X.4.0-X.4.6: no answer, a bad connection, the DNS, routing; not X.4.7, time ran out,
# which names no trouble) and TLS (X.7.4, X.7.5). The server we send through is on that
# way too.
_ON_THE_WAY = re.compile(r"[45]\.(?:4\.[0-6]|7\.[45])")


def _alike_kind(failure) -> str | None:
    """What a failure could tell of the server we send through: "trouble" (the lead's
    mailbox's by the words, which name no cause of the mailbox's, under a status or in
    words of a trouble on the way; a delay warning too), "dead domain" (the lead's domain
    said not to exist), else None."""
    verdict = failure.verdict
    if verdict.owner == ADDRESS and verdict.reason == "hostunknown":
        return "dead domain"
    if verdict.owner != MAILBOX or verdict.reason not in SERVER_TROUBLE:
        return None
    status = verdict.status or ""
    if _ON_THE_WAY.fullmatch(status):
        return "trouble"
    # The same troubles in words (alike.TROUBLE_WORDS), where the status says nothing
    # (X.0.0, none) or only that time ran out (X.4.7): OpenSMTPD's "Temporary failure in MX
    # lookup", Sendmail's "Deferred: Connection refused by …". Not OpenSMTPD's "Envelope
    # expired", Exim's "retry timeout exceeded" or its delay warnings, which name no
    # trouble and so read alike whatever the cause.
    if (not status or status.endswith(".0.0") or status[1:] == ".4.7") and TROUBLE_WORDS.search(failure.diagnostic):
        return "trouble"
    return None


def _holds(incoming: Incoming) -> bool:
    """Whether read_inbox holds a report back until it has seen them all: a failure that
    may be one of many alike, or an expiry that names no cause, which the delay warning
    before it may show to be ours (_delayed_by_sender), when both come in one reading."""
    return incoming.kind == "bounce" and any(
        failure is not None and (_alike_kind(failure) is not None
                                 or failure.verdict.reason == "expired" and failure.verdict.owner == MAILBOX)
        for failure in (*incoming.failures, incoming.overall))


# How far back the reports of earlier readings join a reading's held ones: Postfix's
# default queue lifetime (SPEC §6), within which a relay's wave of reports arrives however
# often the inbox is read.
_ALIKE_WINDOW = timedelta(days=5)


@dataclass(frozen=True, slots=True)
class _Earlier:
    """A report an earlier reading applied that may be one of many alike (its bounce
    event keeps its key): what grouping and undoing it need."""
    event_id: int
    lead_id: int
    message_row: int | None
    owner: str
    reason: str


def _sender_alike(store: Store, held: list, own: frozenset[str],
                  now: datetime) -> tuple[dict[int, str], list[tuple[_Earlier, str]]]:
    """Of the reports held back by read_inbox, those alike for different leads (alike.py's
    rule): id of the Incoming → the sentence that says the trouble is the sender's. The
    reports alike that earlier readings applied (their bounce events keep the key, within
    _ALIKE_WINDOW) join the groups: an hourly reading sees one outage's reports one or two
    at a time. Those of them that now belong to a sender's group come back with the
    group's sentence, to be charged to no lead (_charge_no_more)."""
    from .deliverability.providers import FREE_MAIL

    failed, words, delayed = [], [], []  # (words: the held reports' own, for the sentence)
    for _, incoming in held:
        found = _lead_and_failure(store, incoming, own)
        if found is None:
            failed.append(None)
            words.append("")
            delayed.append(False)
            continue
        lead, failure = found
        message = _failed_message(store, lead, incoming)
        sent_at = message and (message["sent_at"] or message["attempted_at"])
        failed.append(Failed(report_key(failure.diagnostic, MAX_DIAGNOSTIC), lead["id"], lead["email"].rpartition("@")[2].lower(),
                             sent_at, _alike_kind(failure) == "dead domain") if sent_at and failure.diagnostic else None)
        words.append(failure.diagnostic)
        delayed.append(failure.verdict.reason == "delayed")
    earlier = _earlier_alike(store, {item.key for item in failed if item is not None}, now)
    for item, _ in earlier:
        failed.append(item)
    delayed.extend(row.reason == LABELS["delayed"] for _, row in earlier)

    def sent_between(first: str, last: str) -> int:
        # (A message an earlier reading offered again as ours was handed over all the same.)
        return store.conn.execute(
            "SELECT count(*) FROM messages WHERE coalesce(sent_at, attempted_at) BETWEEN ? AND ? "
            f"AND state IN {OUTCOMES_SQL} OR state = 'deferred' AND owner = 'sender' "
            "AND sent_at BETWEEN ? AND ?",
            (first, last, first, last)).fetchone()[0]

    looked_up = _TakingMail()
    ours = sorted(sender_groups(failed, sent_between, FREE_MAIL.keys(), looked_up))
    known = FREE_MAIL.keys() | looked_up.found
    sentences, said, undo = {}, {}, []
    for index in ours:
        key = failed[index].key
        if key not in said:  # the group's first report's words, one sentence per group
            group = [i for i in ours if failed[i].key == key]
            first_held = next(i for i in group if i < len(held))  # (every key is a held report's)
            said[key] = _alike_sentence([failed[i] for i in group], words[first_held],
                                        all(delayed[i] for i in group), known)
        if index < len(held):
            sentences[id(held[index][1])] = said[key]
        else:
            undo.append((earlier[index - len(held)][1], said[key]))
    return sentences, undo


# How many domains of one group said not to exist leadloop looks up before it judges.
_ASKED_PER_GROUP = 3


class _TakingMail:
    """alike.sender_groups' `taking_mail`: of a group's domains said not to exist alike
    (a batch of typing mistakes, or our relay's resolver saying so of every name?), the
    first that leadloop's own DNS finds taking mail (deliverability.lookup); one shows it
    is the resolver. It asks a few domains a group, and nothing more once DNS does not
    answer: a reading is never slowed by a lookup per report. `found`: what it found,
    for the sentence."""

    def __init__(self):
        self.found: set[str] = set()
        self._lookup = None
        self._unanswered = False

    def __call__(self, domains: list[str]) -> tuple[str, ...]:
        from .deliverability.lookup import Lookup
        from .errors import LeadloopError

        if self._unanswered:
            return ()
        for domain in domains[:_ASKED_PER_GROUP]:
            try:
                self._lookup = self._lookup or Lookup()
                if self._lookup.takes_mail(domain):
                    self.found.add(domain)
                    return (domain,)
            except LeadloopError:
                self._unanswered = True
                break
        return ()


def _earlier_alike(store: Store, keys: set[str], now: datetime) -> list[tuple[Failed, _Earlier]]:
    """The reports alike (by key) that earlier readings applied, within _ALIKE_WINDOW, of
    leads not erased since."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    rows = store.conn.execute(
        "SELECT e.id, e.lead_id, json_extract(e.detail, '$.alike') AS key, "
        "json_extract(e.detail, '$.owner') AS owner, json_extract(e.detail, '$.reason') AS reason, "
        "json_extract(e.detail, '$.dead_domain') AS dead, l.email, m.id AS message_row, "
        "coalesce(m.sent_at, m.attempted_at) AS sent_at "
        "FROM events e JOIN leads l ON l.id = e.lead_id "
        "LEFT JOIN messages m ON m.lead_id = e.lead_id AND m.message_id = json_extract(e.detail, '$.message_id') "
        f"WHERE e.kind = 'bounce' AND e.at >= ? AND json_extract(e.detail, '$.alike') IN ({marks}) "
        "AND l.email IS NOT NULL", (to_db(now - _ALIKE_WINDOW), *sorted(keys))).fetchall()
    return [(Failed(row["key"], row["lead_id"], row["email"].rpartition("@")[2].lower(), row["sent_at"],
                    bool(row["dead"])),
             _Earlier(row["id"], row["lead_id"], row["message_row"], row["owner"], row["reason"]))
            for row in rows if row["sent_at"]]


def _charge_no_more(store: Store, earlier: list[tuple[_Earlier, str]], now: datetime,
                    report: InboxReport) -> None:
    """Inside a write transaction: reports an earlier reading charged to their leads'
    mailboxes, now seen to be one of many alike (the sender's, SPEC §6): a message they
    failed is offered again, a delay they noted becomes ours (so the expiry after it is
    ours too, _delayed_by_sender), and each event says so. A lead an earlier reading
    bounced because its domain was said not to exist is restored (_unbounce)."""
    refresh = []
    for row, sentence in earlier:
        if row.owner == ADDRESS and row.reason == LABELS["hostunknown"]:
            if _unbounce(store, row, now):
                report.say_once(sentence)
                report.sender_refused += 1
                refresh.append(row.lead_id)
            continue
        if row.owner != MAILBOX:
            continue
        store.conn.execute("UPDATE events SET detail = json_set(detail, '$.owner', ?) WHERE id = ?",
                           (SENDER, row.event_id))
        report.say_once(sentence)
        if row.message_row is None:
            continue
        message = store.conn.execute("SELECT state, error, failure, message_id FROM messages WHERE id = ?",
                                     (row.message_row,)).fetchone()
        if row.reason == LABELS["delayed"]:
            # An expiry that named no cause, applied after this delay and before the group
            # was seen, ended these same tries: ours as well.
            if message["failure"] != "expired":
                continue
            store.conn.execute(
                "UPDATE events SET detail = json_set(detail, '$.owner', ?) WHERE lead_id = ? "
                "AND kind = 'bounce' AND json_extract(detail, '$.reason') = ? "
                "AND json_extract(detail, '$.owner') = ? AND json_extract(detail, '$.message_id') = ?",
                (SENDER, row.lead_id, LABELS["expired"], MAILBOX, message["message_id"]))
        lead = store.lead_by_id(row.lead_id)
        if message["state"] == "failed" and lead["status"] != "bounced":
            store.reoffer(row.message_row, now, message["error"], message["failure"])
            report.sender_refused += 1
            refresh.append(row.lead_id)
    if refresh:
        store.refresh(refresh)


def _unbounce(store: Store, row: _Earlier, now: datetime) -> bool:
    """Inside a write transaction: a lead an earlier reading bounced for a domain said
    not to exist, whose report is now one of many alike from our relay's resolver (the
    sender's, SPEC §6), gets back the status that bounce took, its suppression is lifted,
    its message is offered again, and its bounce event becomes the sender's. Only while
    that bounce is still the lead's last change of status; anything since stands."""
    import json

    from .store import BOUNCEABLE

    lead = store.lead_by_id(row.lead_id)
    bounced_at = store.conn.execute("SELECT at FROM events WHERE id = ?", (row.event_id,)).fetchone()[0]
    last = store.conn.execute(
        "SELECT at, detail FROM events WHERE lead_id = ? AND kind = 'status' ORDER BY at DESC, id DESC LIMIT 1",
        (row.lead_id,)).fetchone()
    if lead is None or lead["status"] != "bounced" or last is None or last["at"] != bounced_at:
        return False
    before = json.loads(last["detail"] or "{}").get("from")
    if before not in BOUNCEABLE:
        return False
    store.conn.execute("UPDATE leads SET status = ?, status_at = ?, updated_at = ? WHERE id = ?",
                       (before, to_db(now), to_db(now), row.lead_id))
    store.conn.execute("DELETE FROM suppressions WHERE hash = ? AND reason = 'bounced'",
                       (store.address_hash(lead["email"]),))
    store.event(row.lead_id, now, "status", {
        "from": "bounced", "to": before,
        "note": "its domain was said not to exist alike for many leads: the DNS resolver of the server "
                "leadloop sends through, not the lead's address"})
    store.conn.execute("UPDATE events SET detail = json_set(detail, '$.owner', ?, '$.permanent', json('false')) "
                       "WHERE id = ?", (SENDER, row.event_id))
    if row.message_row is not None:
        message = store.conn.execute("SELECT state, error, failure FROM messages WHERE id = ?",
                                     (row.message_row,)).fetchone()
        if message["state"] == "bounced":
            store.reoffer(row.message_row, now, message["error"], message["failure"])
    return True


def _alike_sentence(group: list[Failed], words: str, delays: bool, known) -> str:
    """One sentence for a group of reports alike (_sender_alike): what they say (`words`,
    its first report's), why it is the sender's, what to do."""
    words = " ".join(words.split())
    if len(words) > 200:
        words = words[:199] + "\u2026"
    leads = len({item.lead_id for item in group})
    domains = sorted({item.domain for item in group})
    if group[0].dead_domain:
        sure = [domain for domain in domains if domain in known][:3]
        said = (f"{domains[0]} was said not to exist ({words}), and it certainly exists" if leads == 1 else
                f"{leads} leads' domains were said not to exist ({words}), and {' and '.join(sure)} among them "
                + ("certainly exists" if len(sure) == 1 else "certainly exist"))
        return (said + ": the server leadloop sends through cannot look names up (its DNS resolver); check it: "
                "no lead was charged, and the messages are offered again")
    done = ("are delayed alike" if delays else "failed alike")
    return (f"{leads} leads' messages, at {len(domains)} different domains, {done} ({words}), and they "
            "are most of what was sent at that time: the trouble is most likely that of the server "
            "leadloop sends through (its DNS resolver, its way out to other servers, its TLS "
            "settings), not the leads'; check it: no lead was charged, and "
            + ("a failure after this delay is offered again" if delays else "the messages are offered again"))


def _lead_and_failure(store: Store, incoming: Incoming, own: frozenset[str]):
    """The lead a held report fails and its failure that may be one of many alike."""
    return next(((lead, failure) for lead, failure in _failed_leads(store, incoming, own)
                 if _alike_kind(failure) is not None), None)


def _failed_leads(store: Store, incoming: Incoming, own: frozenset[str]):
    """The leads a bounce fails, each with its failure (SPEC §7): the recipients the
    report names that leadloop sent to, else the lead whose message it returns (its
    Message-ID, else its To). Lazily: _apply_bounce applies each before the next."""
    found = False
    for failure in incoming.failures:
        if failure.address in own:
            continue
        lead = _sent_lead(store, failure.address)
        if lead is not None:
            found = True
            yield lead, failure
    if not found and incoming.overall is not None:
        lead = _lead_of_original(store, incoming, own)
        if lead is not None:
            yield lead, incoming.overall


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


def apply_incoming(store: Store, incoming: Incoming, now: datetime, report: InboxReport,
                   own: frozenset[str] = frozenset(), sender: str = "", *, alike: str | None = None) -> None:
    """Inside a write transaction: let one classified message change the leads. `alike`:
    a bounce is one of many alike (_sender_alike), the sender's, and this says so."""
    if incoming.kind == "bounce":
        _apply_bounce(store, incoming, now, report, own, sender, alike)
        return
    if incoming.kind == "complaint":
        _apply_complaint(store, incoming, now, report, own)
        return
    if incoming.kind == "auth_failure":
        _apply_auth_failure(store, incoming, now, report, own)
        return
    if incoming.kind == "domain_report":
        report.domain_reports += 1  # the domain owner's reading, not leadloop's
        return
    lead = _lead(store, incoming)
    if lead is not None and lead["email"] in own:
        lead = None  # our own mail come back (a copy, a test) is nobody's answer
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
    if incoming.truncated:
        detail["note"] = HEADERS_DECIDED
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


def _apply_bounce(store: Store, incoming: Incoming, now: datetime, report: InboxReport,
                  own: frozenset[str], sender: str = "", alike: str | None = None) -> None:
    """Only a lead leadloop sent to can have failed (SPEC §7): first the recipients the
    report names, then the lead whose message the report returns (its Message-ID, else
    its To); a bounce that points at none of them is kept for review."""
    applied = False
    for lead, failure in _failed_leads(store, incoming, own):
        _apply_failure(store, lead, failure, incoming, now, report, sender, alike)
        _say_departure(report, incoming, lead, failure)
        applied = True
    if not applied and _erased_since(store, incoming, own, _bounce_recipients(incoming)):
        _said_erased(report, "a bounce")
        _say_sender_refusal(report, incoming, sender)
        return
    if not applied and incoming.departed:
        # A person's answer about someone who is no lead: nothing of it is kept.
        report.unmatched += 1
        return
    if not applied and incoming.sender not in own and _sent_lead(store, incoming.sender) is not None:
        # A lead's own address wrote it and it fails no lead: that lead's answer, however
        # like a report it looks (a shop whose address is postmaster@, a report pasted
        # into the person's words). Kept for review, the lead would go on getting
        # follow-ups after answering (SPEC §7).
        apply_incoming(store, replace(incoming, kind="reply", text=incoming.writer_text, failures=(), overall=None),
                       now, report, own, sender)
        return
    if not applied:
        reason = incoming.overall.verdict.label if incoming.overall is not None else "not read (too large)"
        if incoming.overall is not None and incoming.overall.diagnostic:
            reason += f": {incoming.overall.diagnostic[:300]}"
        store.review_bounce(now, incoming.written_at, incoming.sender, incoming.subject, reason)
        report.unrecognised += 1


def _apply_complaint(store: Store, incoming: Incoming, now: datetime, report: InboxReport,
                     own: frozenset[str]) -> None:
    """A provider's feedback loop says a person marked our message as spam (RFC 5965):
    the lead it was sent to is `unsubscribed` and never mailed again, and the complaint
    counts in stats' complaint rate (SPEC §7, §8). The lead is found by the original's
    Message-ID (providers redact the complainer's address), else by the address. One
    about a lead erased since is only said: its row holds no personal data any more."""
    from .complaints import NOT_A_COMPLAINT

    lead = _lead_of_original(store, incoming, own) if incoming.original_ids else None
    if lead is None:
        for address in incoming.complainers:
            if address not in own:
                lead = _sent_lead(store, address)
                if lead is not None:
                    break
    what = f"spam complaint ({incoming.feedback_type or 'abuse'})"
    if lead is None and _erased_since(store, incoming, own, incoming.complainers):
        _said_erased(report, f"a {what}")
        return
    if lead is None:
        store.review_bounce(now, incoming.written_at, incoming.sender, incoming.subject,
                            f"{what} about a message leadloop did not send, or whose recipient it cannot tell")
        report.unrecognised += 1
        return
    # (Its lead was found, so its fields were read: over the size limit, from its start.)
    note = {"note": REPORT_DECIDED} if incoming.truncated else {}
    if incoming.feedback_type in NOT_A_COMPLAINT:
        store.event(lead["id"], now, "complaint_withdrawn", {"feedback_type": incoming.feedback_type, **note})
        return
    store.event(lead["id"], now, "complaint", {"feedback_type": incoming.feedback_type or "abuse",
                                               "reporter": incoming.sender, **note})
    if lead["status"] not in ("unsubscribed", "bounced", "erased"):
        store.change_status(lead, "unsubscribed", now, "marked our message as spam (provider's complaint report)")
    report.complaints += 1


def _apply_auth_failure(store: Store, incoming: Incoming, now: datetime, report: InboxReport,
                        own: frozenset[str]) -> None:
    """A receiving server says our message failed SPF, DKIM or DMARC (RFC 6591; RFC 7489
    §7.3's failure reports). Nobody complained: the sender's set-up failed (SPEC §6's third
    owner), so no lead changes status and nothing counts as a complaint. The lead whose
    message it was (by the original's Message-ID, else the recipient) gets an
    `auth_failure` event, for `show`; a report about a lead erased since, or about mail
    leadloop did not send, is only said."""
    from .domain_reports import failure_sentence

    lead = _lead_of_original(store, incoming, own) if incoming.original_ids else None
    if lead is None and not incoming.original_ids:
        lead = next((found for found in (_sent_lead(store, a) for a in incoming.complainers if a not in own)
                     if found is not None), None)
    reporter = incoming.reporting_mta or (incoming.sender or "").rpartition("@")[2]
    if lead is not None:
        message = _failed_message(store, lead, incoming)
        detail = {
            "auth_failure": incoming.auth_failure, "reported_domain": incoming.reported_domain,
            "reporter": reporter, "subject": incoming.subject,
            "message_id": message["message_id"] if message is not None else None}
        if incoming.truncated:
            detail["note"] = REPORT_DECIDED
        store.event(lead["id"], now, "auth_failure", detail)
    report.auth_failures += 1
    # An erased lead's row holds no personal data any more: nothing to record on it.
    erased = lead is None and _erased_since(store, incoming, own)
    sentence = failure_sentence(incoming.auth_failure, incoming.reported_domain, reporter,
                                ours=lead is not None, erased=erased)
    report.say_once(sentence)


def _erased_since(store: Store, incoming: Incoming, own: frozenset[str],
                  addresses: tuple[str, ...] | None = None) -> bool:
    """The report returns a message leadloop sent to a lead erased since: by the original's
    Message-ID (its message row stays, the lead's address is gone), else by a recipient's
    keyed hash among the suppressions (SPEC §10) that no lead has. The recipients are
    `addresses` when the caller looks a living lead up by them even past a Message-ID
    that finds nothing (a complaint's, a bounce's); by default a report's complainers,
    only when it carries no Message-ID (an authentication failure report)."""
    if incoming.original_ids:
        marks = ",".join("?" * len(incoming.original_ids))
        rows = store.conn.execute(
            f"SELECT l.email IS NULL AS erased FROM messages m JOIN leads l ON l.id = m.lead_id "
            f"WHERE m.message_id IN ({marks}) AND m.state IN {OUTCOMES_SQL}", incoming.original_ids).fetchall()
        if rows or addresses is None:
            return any(row["erased"] for row in rows)
    for address in incoming.complainers if addresses is None else addresses:
        if address in own or _lead_by_address(store, address) is not None:
            continue
        entry = store.suppression(address)
        if entry is not None and entry["reason"] in _ERASED_LEAD_REASONS:
            return True
    return False


def _bounce_recipients(incoming: Incoming) -> tuple[str, ...]:
    """The addresses _apply_bounce looks a lead up by: the failed recipients, and the
    returned original's To when it carries no Message-ID (_lead_of_original)."""
    failed = tuple(failure.address for failure in incoming.failures if failure.address)
    return failed + (() if incoming.original_ids else incoming.original_to)


def _say_sender_refusal(report: InboxReport, incoming: Incoming, sender: str | None) -> None:
    """A report whose refusal is the sender's (SPF, a blocklist…) says so even when its
    lead is gone: the next leads' messages meet the same refusal (SPEC §6's third owner)."""
    from .refusals import sender_sentence

    for failure in (*incoming.failures, incoming.overall):
        if failure is not None and failure.verdict.owner == SENDER:
            report.say_once(sender_sentence(failure.verdict, failure.diagnostic, sender=sender,
                                            server="the receiving server"))
            return


def _say_departure(report: InboxReport, incoming: Incoming, lead, failure) -> None:
    """An answer that says the person has left (classify.departed): the marketer reads
    what it said, and the new address it gives, which leadloop does not import."""
    if not incoming.departed:
        return
    sentence = f"{lead['email']} has left or its address is no longer used: \u201c{failure.diagnostic}\u201d"
    if incoming.new_address:
        sentence += (f"; it gives a new address, {incoming.new_address} (not imported: import it as a lead "
                     "if you want to write there)")
    report.say_once(sentence)


def _said_erased(report: InboxReport, what: str) -> None:
    """A complaint or bounce about a lead erased since: counted and said, never kept for
    review nor recorded, and no address in the sentence (nothing is kept of the lead)."""
    report.about_erased += 1
    sentence = (f"{what} is about a message leadloop sent to a lead erased since: nothing recorded, "
                "since nothing is kept of the lead")
    report.say_once(sentence)


def _sent_lead(store: Store, address: str | None):
    """The lead with this address, if leadloop sent it anything."""
    if not address:
        return None
    return store.conn.execute(
        "SELECT * FROM leads WHERE email = ? AND EXISTS (SELECT 1 FROM messages m "
        f"WHERE m.lead_id = leads.id AND m.state IN {OUTCOMES_SQL})",
        (address,)).fetchone()


def _lead_of_original(store: Store, incoming: Incoming, own: frozenset[str]):
    """The lead whose message the bounce returns: by its Message-ID (leadloop sends one
    recipient a message), else, when the original carries no Message-ID at all, by its To."""
    if incoming.original_ids:
        marks = ",".join("?" * len(incoming.original_ids))
        row = store.conn.execute(
            f"SELECT lead_id FROM messages WHERE message_id IN ({marks}) "
            f"AND state IN {OUTCOMES_SQL}", incoming.original_ids).fetchone()
        if row is None:
            return None  # a message leadloop did not send
        lead = store.lead_by_id(row["lead_id"])
        return lead if lead is not None and lead["email"] is not None else None
    for address in incoming.original_to:
        if address not in own:
            lead = _sent_lead(store, address)
            if lead is not None:
                return lead
    return None


def _failed_message(store: Store, lead, incoming: Incoming):
    """The message that failed: the one the report returns, else the lead's latest sent."""
    if incoming.original_ids:
        marks = ",".join("?" * len(incoming.original_ids))
        row = store.conn.execute(
            f"SELECT * FROM messages WHERE lead_id = ? AND message_id IN ({marks})",
            (lead["id"], *incoming.original_ids)).fetchone()
        if row is not None:
            return row
    return store.conn.execute(
        "SELECT * FROM messages WHERE lead_id = ? AND state IN ('sent', 'unknown') "
        "ORDER BY coalesce(sent_at, attempted_at) DESC, id DESC LIMIT 1", (lead["id"],)).fetchone()


def _delayed_by_sender(store: Store, lead_id: int, message_id: str | None) -> bool:
    """Whether a delay notice noted for this message said the sender was refused."""
    if not message_id:
        return False
    return store.conn.execute(
        "SELECT 1 FROM events WHERE lead_id = ? AND kind = 'bounce' AND json_extract(detail, '$.reason') = ? "
        "AND json_extract(detail, '$.owner') = ? AND json_extract(detail, '$.message_id') = ? LIMIT 1",
        (lead_id, LABELS["delayed"], SENDER, message_id)).fetchone() is not None


def _apply_failure(store: Store, lead, failure, incoming: Incoming, now: datetime,
                   report: InboxReport, sender: str = "", alike: str | None = None) -> None:
    verdict = failure.verdict
    if alike is not None and _alike_kind(failure) is not None:
        verdict = replace(verdict, hard=False, owner=SENDER)  # one of many alike: ours (SPEC §6)
    else:
        alike = None  # (another failure of the same report: its own words decide)
    message = _failed_message(store, lead, incoming)
    if verdict.reason == "expired" and verdict.owner != SENDER and message is not None \
            and _delayed_by_sender(store, lead["id"], message["message_id"]):
        # An expiry that names no cause (OpenSMTPD's "Envelope expired") ends the tries
        # whose delay notice named ours: the same refusal, the sender's (SPEC §6).
        verdict = replace(verdict, owner=SENDER)
    error = verdict.label + (f" ({verdict.status})" if verdict.status else "")
    if failure.diagnostic:
        error += f": {failure.diagnostic[:300]}"
    detail = {
        "permanent": verdict.hard, "reason": verdict.label, "status": verdict.status,
        "blocked": verdict.blocked, "owner": verdict.owner, "subject": incoming.subject,
        "message_id": message["message_id"] if message is not None else None}
    if incoming.truncated:
        # (A failure was read, so the report's start was: over the size limit.)
        detail["note"] = REPORT_DECIDED
    kind = _alike_kind(failure)
    if kind is not None and failure.diagnostic:
        # So that a later reading's reports alike find it (_earlier_alike).
        detail["alike"] = report_key(failure.diagnostic, MAX_DIAGNOSTIC)
        if kind == "dead domain":
            detail["dead_domain"] = True
    store.event(lead["id"], now, "bounce", detail)
    if verdict.owner == SENDER and verdict.reason != "delayed":
        # SPEC §6, §7: the sender or the message was refused, not the lead. The message
        # was never accepted, so it is due again; it is never one of the lead's three.
        if message is not None and message["state"] in ("sent", "unknown"):
            store.reoffer(message["id"], now, error, verdict.reason)
            store.refresh([lead["id"]])
        report.sender_refused += 1
        if alike is not None:
            report.say_once(alike)
            return
        from .refusals import sender_sentence

        sentence = sender_sentence(verdict, failure.diagnostic or error, sender=sender,
                                   server="the receiving server")
        report.say_once(f"{sentence}; the message is offered again, no lead was charged")
        return
    if verdict.hard:
        if message is not None:
            store.set_owner(message["id"], "address")
        before = lead["status"]
        if message is not None and message["state"] in ("sent", "unknown"):
            store.bounce_message(message["id"], error, verdict.reason)
        store.mark_bounced(lead, now, f"the address failed: {error}")
        store.refresh([lead["id"]])
        report.bounces += int(before != "bounced")
        return
    if verdict.reason == "delayed":
        # A delay warning says the server is still trying (RFC 3464 `Action: delayed`):
        # the message may yet arrive, so it is only noted (SPEC §7), never failed and never
        # one of the three failures that make a lead undeliverable. (One of many alike is
        # noted as the sender's: the expiry after it is then ours too, _delayed_by_sender.)
        report.delays += 1
        if alike is not None:
            report.say_once(alike)
        return
    if message is not None and message["state"] in ("sent", "unknown"):
        store.fail_message(message["id"], now, error, verdict.reason)
        store.refresh([lead["id"]])
    report.failed += 1
    if store.check_undeliverable(store.lead_by_id(lead["id"]), now):
        report.bounces += 1
