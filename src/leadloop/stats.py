"""The funnel and the numbers behind the method (SPEC §8): does "up to 7 contacts" hold
for this list, which step earns the answers, is the sender's reputation at risk?

Everything is counted from statuses, contact counts and message rows, which erasure
keeps (SPEC §10): an erased lead still counts, without its address, by the status it had
before its erasure (`erased_from`), and the funnel says how many inquiries are erased. A
lead's answer and purchase are attributed to the last sequence step it had received
before them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from .clock import from_db, to_db
from .delivery_status import BLOCKED_REASONS
from .orders import orders_summary
from .store import CONTACT_STATES, OUTCOMES_SQL, STATUSES, Store

# Mailbox providers start filtering senders whose bounces pass 2 % of what they send
# (and complaints 0.1 %); the warning comes early enough to act.
BOUNCE_LIMIT = 0.02
# Unsubscribes are the visible part of the same annoyance as spam complaints, and run
# several times higher.
UNSUBSCRIBE_LIMIT = 0.01
# Spam complaints that providers' feedback loops report (ARF, RFC 5965): Gmail's bulk
# sender guidelines ask to stay below 0.1 % and never reach 0.3 %
# (support.google.com/a/answer/81126); the warning starts at 0.1 %.
COMPLAINT_WARNING = 0.001
COMPLAINT_LIMIT = 0.003
# Messages refused by the receiving provider as spam or by policy (5.7.x): past about one
# in a hundred, the sender's reputation or authentication (SPF, DKIM, DMARC) is failing,
# and the rest of the list follows soon.
BLOCKED_LIMIT = 0.01
APPROACHING = 0.75

# Message states that count as a contact, as SQL: `unknown` may have reached the lead.
SENT = "(" + ", ".join(f"'{state}'" for state in CONTACT_STATES) + ")"
ANSWERED = ("replied", "customer")
# Buyers who became customers by an order without ever asking (orders.py) are no
# inquiry: the funnel and the contacts before buying leave them out (orders_summary
# counts them apart).
NEVER_ASKED = ("NOT EXISTS (SELECT 1 FROM orders o WHERE o.lead_id = l.id AND o.new_buyer = 1)")
# What a lead answered or bought is read from its status before erasure when it is erased
# (SPEC §10 keeps what stats need): forgetting a customer takes no customer from the
# figures. An erased lead whose earlier status is unknown (m014) stays only `erased`.
WAS = "CASE WHEN {0}status = 'erased' THEN coalesce({0}erased_from, 'erased') ELSE {0}status END"
WAS_AT = "CASE WHEN {0}status = 'erased' THEN {0}erased_from_at ELSE {0}status_at END"


@dataclass
class Stats:
    document: dict
    warnings: list[str]


def compute(store: Store, *, since: datetime | None = None) -> Stats:
    conn = store.conn
    where, params = ("WHERE l.requested_at >= ?", [to_db(since)]) if since else ("", [])
    by_status = dict.fromkeys(STATUSES, 0)
    for status, count in conn.execute(
            f"SELECT status, count(*) FROM leads l {where} GROUP BY status", params):
        by_status[status] = count
    total = sum(by_status.values())
    # The list-health rates count a lead by what it was too: forgetting a bounced or
    # unsubscribed lead takes nothing from them. Only the erased rows are read (the status
    # index); the rest are as they are.
    was = {**by_status, "erased": 0}
    for status, count in conn.execute(
            f"SELECT coalesce(erased_from, 'erased'), count(*) FROM leads l "
            f"{where + ' AND' if where else 'WHERE'} status = 'erased' GROUP BY 1", params):
        was[status] = was.get(status, 0) + count

    # Leads grouped by what happened to them: a handful of groups, however many leads.
    # An answer (a reply, or being marked replied or customer) is put on the last step
    # sent before it, and a purchase counts the contacts before it: a sequence resumed
    # later does not move either.
    mine = "m.lead_id = marked.id AND m.kind = 'sequence' AND m.state IN " + SENT
    when = "coalesce(m.sent_at, m.attempted_at)"
    groups = conn.execute(
        f"""WITH per AS (
              SELECT l.id, {WAS.format('l.')} AS status, {WAS_AT.format('l.')} AS status_at,
                     l.status = 'erased' AS erased,
                     (SELECT min(e.at) FROM events e WHERE e.lead_id = l.id AND e.kind = 'reply') AS replied_at
              FROM leads l {where + ' AND' if where else 'WHERE'} {NEVER_ASKED}
            ), marked AS (
              SELECT id, status, erased,
                     CASE WHEN status IN ('replied', 'customer')
                               AND (replied_at IS NULL OR status_at < replied_at) THEN status_at
                          ELSE replied_at END AS answer_at,
                     CASE WHEN status = 'customer' THEN status_at END AS bought_at
              FROM per
            )
            SELECT status, answer_at IS NOT NULL AS answered,
                   (SELECT count(*) FROM messages m WHERE {mine}) AS contacts,
                   (SELECT max(m.step) FROM messages m WHERE {mine}) AS last_step,
                   (SELECT count(*) FROM messages m WHERE {mine} AND m.step = 0) AS had_info,
                   (SELECT max(m.step) FROM messages m WHERE {mine} AND {when} <= answer_at) AS answer_step,
                   (SELECT count(*) FROM messages m WHERE {mine} AND {when} <= bought_at) AS bought_after,
                   EXISTS (SELECT 1 FROM messages m WHERE m.lead_id = marked.id AND m.kind = 'sequence'
                           AND m.state IN {OUTCOMES_SQL}) AS mailed,
                   erased, count(*) AS n
            FROM marked GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""", params).fetchall()
    sent_by_step: dict[int, int] = {}
    for step, count in conn.execute(
            f"""SELECT m.step, count(*) FROM messages m JOIN leads l ON l.id = m.lead_id
                {where + ' AND' if where else 'WHERE'} m.kind = 'sequence' AND m.state IN {SENT}
                GROUP BY m.step ORDER BY m.step""", params):
        sent_by_step[step] = count

    def count(condition) -> int:
        return sum(group["n"] for group in groups if condition(group))

    def bought(group) -> bool:
        return group["status"] == "customer"

    contacted = count(lambda g: g["contacts"] > 0)
    funnel = {
        "inquiries": count(lambda g: True),
        "info_sent": count(lambda g: g["had_info"]),
        "followed_up": count(lambda g: (g["last_step"] or 0) >= 1),
        "replied": count(lambda g: g["answered"]),
        "customers": count(bought),
        # Of these inquiries, how many are erased now: each still counts above by what it
        # did before its erasure (an erased customer is among `customers`).
        "erased": count(lambda g: g["erased"]),
    }
    by_step = []
    for step, sent in sent_by_step.items():
        replies = count(lambda g: g["answered"] and g["answer_step"] == step)
        customers = count(lambda g: bought(g) and g["answer_step"] == step)
        by_step.append({"step": step, "sent": sent, "replies": replies, "reply_rate": _rate(replies, sent),
                        "customers": customers, "conversion_rate": _rate(customers, sent)})
    before_buying: dict[int, int] = {}
    for group in groups:
        if bought(group):
            before_buying[group["bought_after"]] = before_buying.get(group["bought_after"], 0) + group["n"]
    most = max((group["contacts"] for group in groups), default=0)
    by_contacts = []
    for k in range(1, most + 1):
        reached = count(lambda g: g["contacts"] >= k)
        by_contacts.append({"contacts": k, "reached": reached, "customers": before_buying.get(k, 0),
                            "conversion_rate": _rate(before_buying.get(k, 0), reached)})

    # Rates of the leads mailed (whatever became of the message): a message that bounced or
    # failed is no contact, but its lead was mailed all the same (issue #28 item 3).
    mailed = count(lambda g: g["mailed"])
    bounce_rate = _rate(was["bounced"], mailed)
    unsubscribe_rate = _rate(was["unsubscribed"], mailed)
    complained = conn.execute(
        f"""SELECT count(DISTINCT e.lead_id) FROM events e JOIN leads l ON l.id = e.lead_id
            {where + ' AND' if where else 'WHERE'} e.kind = 'complaint'""", params).fetchone()[0]
    complaint_rate = _rate(complained, mailed)
    blocked_marks = ",".join("?" * len(BLOCKED_REASONS))
    # A message refused because of the sender stays due (SPEC §6), but it was offered and
    # blocked all the same: it counts in the blocked rate, and by owner.
    attempted, blocked, *owned = conn.execute(
        f"""SELECT count(*),
                   coalesce(sum((m.state = 'failed' OR m.owner = 'sender')
                                AND m.failure IN ({blocked_marks})), 0),
                   coalesce(sum(m.owner = 'address'), 0), coalesce(sum(m.owner = 'mailbox'), 0),
                   coalesce(sum(m.owner = 'sender'), 0)
            FROM messages m JOIN leads l ON l.id = m.lead_id
            {where + ' AND' if where else 'WHERE'} m.kind = 'sequence'
            AND (m.state IN {OUTCOMES_SQL} OR m.owner = 'sender')""",
        [*sorted(BLOCKED_REASONS), *params]).fetchone()
    failures_by_owner = dict(zip(("address", "mailbox", "sender"), owned))
    blocked_rate = _rate(blocked, attempted)
    warnings = []
    for label, rate, limit in (("bounce", bounce_rate, BOUNCE_LIMIT),
                               ("unsubscribe", unsubscribe_rate, UNSUBSCRIBE_LIMIT)):
        if rate is not None and rate >= limit * APPROACHING:
            verb = "is over" if rate > limit else "is approaching"
            warnings.append(f"the {label} rate ({rate:.1%}) {verb} {limit:.0%}, where mailbox "
                            "providers start filtering senders: clean the list before sending more")
    if complaint_rate is not None and complaint_rate >= COMPLAINT_WARNING:
        verb = "is over" if complaint_rate >= COMPLAINT_LIMIT else "has reached"
        line = COMPLAINT_LIMIT if complaint_rate >= COMPLAINT_LIMIT else COMPLAINT_WARNING
        warnings.append(f"the spam complaint rate ({complaint_rate:.2%}) {verb} {line:.1%}, where Gmail "
                        "and other providers start filtering senders (0.3 % is Gmail's line): mail "
                        "only people who asked, and make unsubscribing easy")
    if blocked_rate is not None and blocked_rate >= BLOCKED_LIMIT * APPROACHING:
        verb = "is over" if blocked_rate > BLOCKED_LIMIT else "is approaching"
        warnings.append(f"the blocked-by-provider rate ({blocked_rate:.1%}) {verb} {BLOCKED_LIMIT:.0%}: "
                        "mailbox providers refuse your mail as spam or by policy (5.7.x); check SPF, "
                        "DKIM and DMARC and your sending reputation before the whole list goes dark")

    document = {
        "since": since.isoformat() if since else None,
        "leads": total,
        "leads_by_status": by_status,
        "funnel": funnel,
        "sent_by_step": {str(step): count for step, count in sent_by_step.items()},
        "by_step": by_step,
        "contacts_before_buying": {str(k): before_buying[k] for k in sorted(before_buying)},
        "conversion_by_contacts": by_contacts,
        "contacted": contacted,
        "mailed": mailed,
        "bounced": was["bounced"],
        "bounce_rate": bounce_rate,
        "unsubscribed": was["unsubscribed"],
        "unsubscribe_rate": unsubscribe_rate,
        "complaints": complained,
        "complaint_rate": complaint_rate,
        "blocked": blocked,
        "blocked_rate": blocked_rate,
        "failures_by_owner": failures_by_owner,
        "erased": by_status["erased"],
        "referrals": referrals(store, since),
        "questions": questions_summary(store, since),
        "orders": orders_summary(store, since),
    }
    return Stats(document, warnings)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def referrals(store: Store, since: datetime | None = None, limit: int = 10) -> list[dict]:
    """Referrers ranked by referred customers, then referred leads. A referral whose
    address erasure took is kept by the referrer's row id (`referrer_erased_id`): a living
    referrer is named through it and counts its erased referrals with the rest, an erased
    one counts with `referrer` null, its address gone (SPEC §10)."""
    where, params = ("AND l.requested_at >= ?", [to_db(since)]) if since else ("", [])
    bought = f"({WAS.format('l.')}) = 'customer'"
    rows = store.conn.execute(
        f"""SELECT referrer, sum(referred) AS referred, sum(customers) AS customers FROM (
              SELECT l.referred_by AS referrer, NULL AS kept, count(*) AS referred, sum({bought}) AS customers
              FROM leads l WHERE l.referred_by IS NOT NULL {where} GROUP BY referred_by
              UNION ALL
              SELECT r.email, CASE WHEN r.email IS NULL THEN l.referrer_erased_id END, count(*), sum({bought})
              FROM leads l LEFT JOIN leads r ON r.id = l.referrer_erased_id
              WHERE l.referrer_erased_id IS NOT NULL AND l.referred_by IS NULL {where}
              GROUP BY l.referrer_erased_id)
            GROUP BY referrer, kept
            ORDER BY customers DESC, referred DESC, referrer IS NULL, referrer, kept LIMIT ?""",
        [*params, *params, limit]).fetchall()
    return [{"referrer": row["referrer"], "referred": row["referred"], "customers": row["customers"]}
            for row in rows]


def questions_summary(store: Store, since: datetime | None = None) -> dict:
    where, params = ("WHERE opened_at >= ?", [to_db(since)]) if since else ("", [])
    rows = store.conn.execute(f"SELECT opened_at, answered_at FROM questions {where}", params).fetchall()
    waits = [(from_db(row["answered_at"]) - from_db(row["opened_at"])).total_seconds() / 3600
             for row in rows if row["answered_at"]]
    return {
        "open": sum(1 for row in rows if row["answered_at"] is None),
        "answered": len(waits),
        "median_hours_to_answer": round(statistics.median(waits), 1) if waits else None,
    }
