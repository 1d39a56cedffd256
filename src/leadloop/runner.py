r"""Sending what is due, at most once (SPEC §6), and the `run-daily` sequence.

The life of one message row:

    (due) --claim--> claimed --begin_send--> sending --server reply--> sent
                                                                   \-> deferred (the mailbox's refusal; retried)
                                                                   \-> bounced  (the address's refusal)
                                                                   \-> failed   (retried for 5 days in vain)
                                                                   \-> held     (the sender's refusal: back to
                                                                                  `deferred`, still due, no lead charged)
                                                                   \-> unknown  (lost after the content went)

`claimed` is taken in one BEGIN IMMEDIATE transaction under a unique (lead, kind, step)
key, so no two runs own the same message. The row becomes `sending`, committed, *before*
the DATA command of its SMTP transaction (MAIL and RCPT may already be on the wire: an
envelope without DATA delivers nothing). A process killed while a row is `claimed` sent
no DATA, so the next run releases it and it goes normally; killed while
`sending`, the server may have it, so the next run marks it `unknown`: reported, counted
as a contact, never resent automatically. Every run holds the sending lock shared
while it owns rows, and rows are only recovered under that lock held exclusive (`flock`,
released by the kernel when its holder dies; runlock.py), when no live run can own them:
a batch `send` and serve's info packs run at once without taking each other's rows for
a dead run's. `show`, `due` and `leads` recover the same way (`settle_abandoned`), so a
killed run's message never reads `sending`, or due again, while no run is live. The
day's budget is counted inside the claim's transaction, `claimed` rows included, so two
runs claiming at once never pass `daily_limit` together.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .alike import ALIKE_FAILURES, refusal_key
from .config import Config
from .errors import DatabaseError, DeliveryError, LeadloopError, MessageError, SenderRefused
from .runlock import (BRIEF_HOLD_WAIT, BRIEF_HOLDER, RunLock, SendingLock,  # noqa: F401
                      recover_if_alone, settle_abandoned)  # (settle_abandoned: re-exported)
from .store import Claim, Store
from .transport import BOUNCED, DEFERRED, FAILED, NOT_STARTED, SENT, UNKNOWN, Outcome, transport_for

# A message the lead's mailbox refuses (full, disabled, greylisted, any 4xx) is retried
# with growing waits, and given up only after they add up to at least 5 days: Postfix's
# maximal_queue_lifetime (https://www.postfix.org/postconf.5.html#maximal_queue_lifetime).
RETRY_BACKOFF = [timedelta(minutes=30), timedelta(hours=2), timedelta(hours=8)] + [timedelta(days=1)] * 5
MAX_ATTEMPTS = len(RETRY_BACKOFF) + 1


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    bounced: int = 0
    failed: int = 0
    unknown: int = 0
    cancelled: int = 0
    recovered_unknown: int = 0   # left `unknown` by an earlier run that died
    held_back: int = 0           # due, but over the day's sending budget: for a later run
    held_for_sender: int = 0     # refused because of the sender: still due, no lead charged
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # sent, but worth a look (a heavy message)

    @property
    def attempted(self) -> int:
        return self.sent + self.deferred + self.bounced + self.failed + self.unknown


class AnotherRunActive(LeadloopError):
    """Not a failure: another leadloop run holds the lock, so this one steps aside."""

    exit_code = 0


def run_token() -> str:
    return f"{os.getpid()}-{os.urandom(4).hex()}"


def send_due(
    store: Store,
    config: Config,
    clock: Callable[[], datetime],
    *,
    limit: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    transport=None,
) -> SendReport:
    """Send what is due now. Raises TemplateError before anything is sent when a template
    does not render (for any lead), DeliveryError when the run had to stop."""

    def claim(report: SendReport, run_id: str, now: datetime) -> list[Claim]:
        left = store.budget_left(now)
        due = store.due(now, limit)
        if len(due) >= left and (limit is None or limit >= left):
            # The day's budget, not --limit, ends this run: what else is due waits for
            # the next day the window opens (backlog.py says which).
            from .backlog import due_counts

            counts = due_counts(store.conn, now)
            report.held_back = max(0, counts.info + counts.followups - len(due))
        return store.claim(due, run_id, now, config.sender.domain) if due else []

    return _run(store, config, clock, claim, extra=None, on_progress=on_progress, transport=transport)


def send_once(
    store: Store,
    config: Config,
    clock: Callable[[], datetime],
    leads: list,
    *,
    kind: str,
    template: str,
    statuses: tuple[str, ...],
    extra: dict | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    transport=None,
) -> SendReport:
    """Send a one-off message (a survey, its results) to each of `leads` that has not had
    it, with the same guarantees as the sequence: claimed under the run lock, rendered
    before anything goes, at most once per lead, crash-safe. The day's sending budget
    ([cadence] daily_limit) is respected: the rest goes with the next call."""

    def claim(report: SendReport, run_id: str, now: datetime) -> list[Claim]:
        claims = store.claim_once(leads, kind, template, statuses, run_id, now, config.sender.domain)
        # After the claim, beside what other runs (serve) hold: daily_limit holds for both.
        budget = store.budget_beside(now, run_id)
        if len(claims) > budget:
            _release_all(store, claims[budget:], run_id)
            report.held_back = len(claims) - budget
            claims = claims[:budget]
        return claims

    return _run(store, config, clock, claim, extra=extra, on_progress=on_progress, transport=transport)


def send_info(
    store: Store,
    config: Config,
    clock: Callable[[], datetime],
    lead_ids: list[int],
    *,
    transport=None,
) -> SendReport:
    """The info packs of these leads, those due now, at once: what `leadloop serve` does
    seconds after it accepts an inquiry (SPEC §11). The same run as `send` (claimed,
    `sending` committed before the SMTP transaction, `unknown` on a lost answer), within
    the day's budget; suppressed, answered or already served leads have no info pack due,
    so none goes. It does not take the run lock: it goes while a batch `send` runs, the
    per-message claim keeping the two apart (runlock.py)."""

    def claim(report: SendReport, run_id: str, now: datetime) -> list[Claim]:
        due = store.due_info(lead_ids, now)
        return store.claim(due, run_id, now, config.sender.domain) if due else []

    return _run(store, config, clock, claim, extra=None, on_progress=None, transport=transport,
                holder=BRIEF_HOLDER)


def _run(store, config, clock, claim, *, extra, on_progress, transport, holder="run") -> SendReport:
    """Under the run lock (a batch; serve's info packs go beside it) and the sending lock
    shared: recover what a dead run left if no live run can own it, claim, render every
    message (a template error stops the run before anything goes; a message that fails
    for its lead alone is `failed` and the others go), then deliver."""
    from .render import Renderer

    report = SendReport()
    lock = None
    if holder != BRIEF_HOLDER:
        lock = RunLock(store.path, holder)
        if not lock.acquire():
            # A serve of an earlier release holds it for a moment: wait for its burst
            # rather than skip the day's run.
            if not (lock.held_briefly() and lock.acquire(BRIEF_HOLD_WAIT)):
                raise AnotherRunActive(
                    "another leadloop run is sending from this database; this one stopped")
    sending = SendingLock(store.path)
    try:
        report.recovered_unknown = recover_if_alone(store, sending, clock())
        sending.share()  # from here until the finally, this run may own rows
        now = clock()
        run_id = run_token()
        claims = claim(report, run_id, now)
        if not claims:
            return report
        from .links import links_for

        renderer = Renderer(config, links_for(config, store))
        prepared, unrenderable = [], []
        try:
            sign = _signer(config)
            for c in claims:
                try:
                    outgoing = renderer.render(c.lead, c.step, c.template, c.message_id, now, extra)
                    prepared.append((c, sign(outgoing) if sign else outgoing))
                except MessageError as err:  # this lead's fault alone: the others go
                    unrenderable.append((c, str(err)))
        except LeadloopError:
            _release_all(store, claims, run_id)
            raise
        report.warnings += renderer.warnings
        for c, reason in unrenderable:
            store.fail_unsent(c, run_id, now, reason)
            report.failed += 1
            report.problems.append(reason)
        if not prepared:
            return report
        transport = transport or transport_for(config)
        try:
            transport.open()
        except BaseException:
            _release_all(store, claims, run_id)
            raise
        # A message held back last time as the sender's problem goes after the others:
        # were the refusal about one recipient (a relay's policy on that lead's domain),
        # it would otherwise stop every run before anyone else's mail (_refused_alone).
        prepared.sort(key=lambda item: item[0].held is not None)
        try:
            _deliver(store, transport, prepared, run_id, clock, report, on_progress)
        except SenderRefused as err:
            err.report = report  # what went before the refusal, for the summary
            raise
        finally:
            transport.close()
    finally:
        sending.release()
        if lock is not None:
            lock.release()
    return report


def _signer(config):
    """DKIM signing with [dkim] key_file (SPEC §6 "Signing"), else None; dkimpy is
    imported only then. A key that cannot be read stops the run before anything goes."""
    if not config.dkim.signs:
        return None
    from .deliverability.signing import signer_for

    return signer_for(config).sign


def _deliver(store, transport, prepared, run_id, clock, report, on_progress) -> None:
    recorder = _Recorder(store, report, transport.name)
    streak = _Streak()
    # An SMTP transport asks `ready` once MAIL is on the wire, and sends no DATA unless it
    # answers True: the commit that makes the row `sending` overlaps the server's work on
    # MAIL instead of adding to each message (BENCH.md B3). Others are asked first.
    asks_ready = getattr(transport, "asks_ready_before_data", False)
    went = 0  # messages the server took in this run
    try:
        for index, (claim, outgoing) in enumerate(prepared):
            began: list[bool] = []

            def ready(claim=claim, began=began) -> bool:
                if not began:
                    began.append(recorder.begin(claim, run_id, clock()))
                return began[0]

            try:
                try:
                    if asks_ready:
                        outcome = transport.send(outgoing, ready=ready)
                    else:
                        outcome = transport.send(outgoing) if ready() else NOT_STARTED
                except SenderRefused as err:
                    ready()  # (already asked: the refusal answers MAIL or later)
                    if not _refused_alone(claim, err, went):
                        # The sender's problem (SPEC §6): this message and the refusals
                        # alike just before it are charged to no lead; the run stops.
                        _hold(store, [claim], run_id, err.reply, err.failure, report)
                        raise
                    # One lead never stops the others (SPEC §6): refused again for this
                    # recipient alone, it is this lead's failure.
                    streak.flush(recorder)
                    recorder.record(claim, Outcome(
                        FAILED, f"{err.reply} (refused for this address alone, again, while the server "
                                "took the other messages)", "mailbox", err.failure), clock())
                    if on_progress:
                        on_progress(index + 1, len(prepared))
                    continue
                except DeliveryError:
                    # The run stops (server gone, our login refused): this message
                    # certainly did not go, and neither did the rest; all go back to
                    # waiting, no lead penalised.
                    store.unsend(claim, run_id)
                    raise
                # An outcome reached before MAIL (no SMTPUTF8) is recorded on a `sending`
                # row, as every other.
                if not ready():
                    # The lead left the sequence since the claim (marked, erased): the
                    # claim was given back, and the transport sent no DATA.
                    report.cancelled += 1
                    continue
                now = clock()
                went += outcome.state == SENT
                if outcome.owner is None:  # sent, or an outcome that is no refusal
                    streak.flush(recorder)
                    recorder.record(claim, outcome, now)
                elif streak.add(claim, outcome, now, recorder):
                    alike = streak.take()
                    sentence = _alike_sentence(alike, outgoing.sender)
                    _hold(store, [c for c, _, _ in alike], run_id, alike[-1][1].detail,
                          alike[-1][1].failure or "undefined", report)
                    raise SenderRefused(sentence)
            except BaseException as err:
                streak.flush(recorder)
                _release_all(store, [c for c, _ in prepared[index + 1:]], run_id)
                if isinstance(err, SenderRefused):  # not offered: they wait for the sender too
                    report.held_for_sender += len(prepared) - index - 1
                raise
            if on_progress:
                on_progress(index + 1, len(prepared))
        streak.flush(recorder)
    finally:
        recorder.close()


class _Streak:
    """Refusals in a row, held back from the recorder (the rows stay `sending`) until a
    different outcome shows they were about their leads, or ALIKE_FAILURES of them show
    they were about the sender. A dead address (the address's owner) counts only across
    different domains: on one domain, several dead addresses in a row are plausible."""

    def __init__(self):
        self.items: list = []

    def add(self, claim, outcome, now, recorder) -> bool:
        key = refusal_key(outcome.detail)
        if self.items and (
                refusal_key(self.items[-1][1].detail) != key
                or any(c.lead["id"] == claim.lead["id"] for c, _, _ in self.items)
                or (outcome.owner == "address" and _domain(claim) in {_domain(c) for c, _, _ in self.items})):
            self.flush(recorder)
        self.items.append((claim, outcome, now))
        return len(self.items) >= ALIKE_FAILURES

    def take(self) -> list:
        items, self.items = self.items, []
        return items

    def flush(self, recorder) -> None:
        for claim, outcome, now in self.take():
            recorder.record(claim, outcome, now)


def _domain(claim) -> str:
    return str(claim.lead["email"]).rpartition("@")[2].lower()


def _alike_sentence(alike, sender: str) -> str:
    words = " ".join(alike[-1][1].detail.split())
    return (f"the mail server refused {len(alike)} leads in a row alike ({words[:200]}), so the "
            f"problem is most likely the sender's ({sender}) or the message's, not the leads': "
            "check the sender's settings and the server's words; no lead was charged, and the "
            "messages wait for the next run")


# Refusals that a server gives for its limits: the last messages of any run meet them,
# whoever they are for.
_LIMIT_WORDS = ("too many", "rate", "limit", "quota", "exceed")


def _refused_alone(claim, refused, went: int) -> bool:
    """Whether a refusal of the sender is this recipient's alone: the message was held
    back last time for the same permanent refusal of its recipient or content (RCPT,
    DATA), and this run, which offered it after the others, saw the server take some of
    them. A server's limits are left out (every run's last messages meet them)."""
    if claim.held is None or went == 0 or refused.command not in ("RCPT", "DATA"):
        return False
    words = refused.reply.lower()
    return (words.startswith("5") and not any(word in words for word in _LIMIT_WORDS)
            and refusal_key(refused.reply) == refusal_key(claim.held))


def _hold(store, claims, run_id, sentence, failure, report) -> None:
    for claim in claims:
        store.hold_for_sender(claim, run_id, sentence, failure)
    report.held_for_sender += len(claims)


class _Recorder:
    """Each server answer is written in the transaction that marks the next message
    `sending` (or, after the last, in one of its own): one commit a message instead of
    two. The mark is made while the server reads that message's MAIL (transport.py asks
    `ready` once MAIL is on the wire), so the bookkeeping overlaps the server's work
    instead of adding to each message (BENCH.md B3). It ran on a thread of its own
    before; on two cores shared with the server, that thread's turns and the write lock
    it held delayed the main thread's mark more than they saved.

    The order that makes sending at-most-once is untouched: a row is `sending`, committed,
    before its DATA command. Only what follows an answer waits; a crash before it is
    written leaves that row `sending`, which recovery turns into `unknown`, exactly as a
    crash just after the server's answer always did."""

    def __init__(self, store: Store, report: SendReport, transport_name: str):
        self.store, self.report, self.transport_name = store, report, transport_name
        self.pending: list[tuple[Claim, object, datetime]] = []

    def record(self, claim: Claim, outcome, now: datetime) -> None:
        self.pending.append((claim, outcome, now))

    def begin(self, claim: Claim, run_id: str, now: datetime) -> bool:
        """The answers so far, then this message's `sending` mark, in one transaction
        (each in a savepoint: Store.write nests). False: the lead left the sequence."""
        with self.store.write():
            self._write_pending()
            return self.store.begin_send(claim, run_id, now)

    def _write_pending(self) -> None:
        pending, self.pending = self.pending, []
        for claim, outcome, now in pending:
            _record(self.store, claim, outcome, now, self.report, self.transport_name)

    def close(self) -> None:
        if self.pending:
            with self.store.write():
                self._write_pending()


def _record(store: Store, claim: Claim, outcome, now: datetime, report: SendReport,
            transport_name: str) -> None:
    if outcome.state == SENT:
        store.finish_sent(claim, now, transport_name)
        report.sent += 1
    elif outcome.state == DEFERRED:
        attempts = store.attempts(claim)
        if attempts >= MAX_ATTEMPTS:
            store.finish_failed(claim, now, f"gave up after {attempts} attempts: {outcome.detail}")
            report.failed += 1
            report.problems.append(f"{claim.lead['email']}: gave up after {attempts} attempts ({outcome.detail})")
        else:
            wait = RETRY_BACKOFF[min(attempts, len(RETRY_BACKOFF)) - 1]
            store.finish_deferred(claim, now, now + wait, outcome.detail, outcome.failure)
            report.deferred += 1
    elif outcome.state == BOUNCED:
        store.finish_bounced(claim, now, outcome.detail)
        report.bounced += 1
    elif outcome.state == FAILED:
        store.finish_failed(claim, now, outcome.detail)
        report.failed += 1
        report.problems.append(f"{claim.lead['email']}: {outcome.detail}")
    elif outcome.state == UNKNOWN:
        store.finish_unknown(claim, now, outcome.detail)
        report.unknown += 1
        report.problems.append(f"{claim.lead['email']}: {outcome.detail}")


def _release_all(store: Store, claims: list[Claim], run_id: str) -> None:
    for claim in claims:
        try:
            store.release(claim, run_id)
        except DatabaseError:
            # Busy, full or read-only: the rest would fail alike, each after the busy
            # timeout. Claims left `claimed` sent nothing; the next run releases them.
            return

