"""A lead's story as `show` tells it: the inquiry, its messages and what happened, merged
in time order, each as words a person reads ("replied: «Gracias, ahora no puedo…»",
"resumed by hand"), not as stored fields (issue #20). `show --json` keeps the fields.

Pure: it takes the rows as the store gives them (messages, events with their JSON detail
decoded) and knows no terminal; the CLI cuts the words to the screen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Moment:
    at: str | None           # stored UTC text; None: not yet (a claim never attempted)
    words: str
    message_id: str | None = None


def _quoted(text) -> str:
    """The first line of a subject or reply, in «» as Spanish quotes it."""
    first = next((line.strip() for line in str(text or "").splitlines() if line.strip()), "")
    return f"«{first}»" if first else "(no text)"


def _message_name(kind: str, step: int, template: str) -> str:
    if kind == "sequence":
        return "info pack" if step == 0 else f"follow-up {step}"
    if kind.startswith("survey-results:"):
        return f'results of survey "{kind.partition(":")[2]}"'
    if kind.startswith("survey:"):
        return f'survey "{kind.partition(":")[2]}"'
    return template


def message_moment(message: dict) -> Moment:
    name = _message_name(message["kind"], message["step"], message["template"])
    state, error = message["state"], message.get("error")
    if state == "sent":
        words = f"{name} sent"
    elif state == "deferred" and message.get("owner") == "sender":
        # SPEC §6: a refusal of the sender or the message is never the lead's.
        from .delivery_status import LABELS, find_status

        status = find_status(error or "")
        cause = LABELS.get(message.get("failure") or "", "refused") + (f", {status}" if status else "")
        words = f"{name} not sent: {cause} (the sender's problem); will be offered again"
    elif state == "deferred":
        words = f"{name}: not delivered yet ({error or 'no reason given'}); retried"
    elif state == "failed":
        words = f"{name} failed: {error or 'no reason given'}"
    elif state == "bounced":
        words = f"{name} refused for good: {error or 'no reason given'}"
    elif state == "unknown":
        words = f"{name}: outcome unknown ({error or 'the run stopped'}); counted, never resent"
    else:  # claimed, sending: a run holds it now
        words = f"{name} being sent"
    at = message.get("sent_at") or message.get("attempted_at") or message.get("claimed_at")
    return Moment(at, words, message.get("message_id"))


_BECAME = {"replied": "marked replied", "customer": "became a customer", "lost": "marked lost",
           "unsubscribed": "unsubscribed", "bounced": "bounced", "active": "resumed"}


def event_moment(kind: str, at: str, detail: dict, locale: str = "es") -> Moment:
    note = detail.get("note")
    if kind == "reply":
        words = f"replied: {_quoted(detail.get('subject'))}"
        if detail.get("text"):
            words += f" {_quoted(detail['text'])}"
    elif kind == "auto_reply":
        words = f"auto-reply (not an answer): {_quoted(detail.get('subject'))}"
    elif kind == "status":
        target = detail.get("to", "?")
        words = _BECAME.get(target, f"became {target}")
        if detail.get("by") == "hand":
            words += " by hand"
        if note:
            words += f" ({note})"
    elif kind == "bounce":
        reason = detail.get("reason") or note or "no reason given"
        status = f" {detail['status']}" if detail.get("status") else ""
        if detail.get("owner") == "sender":  # SPEC §6: never the lead's failure
            words = f"refused{status}: {reason} (the sender's problem); will be offered again"
        else:
            words = (f"bounced{status}: {reason}" if detail.get("permanent")
                     else f"delivery failed{status}: {reason}")
    elif kind == "auth_failure":  # RFC 6591: never the lead's doing (SPEC §6)
        from .domain_reports import failed_methods

        who = detail.get("reporter") or "a receiving server"
        words = (f"{who} reported that this message failed {failed_methods(detail.get('auth_failure') or '')}"
                 " (the sender's set-up, not the lead's)")
    elif kind == "question":
        words = f"asked: {_quoted(detail.get('text'))}"
    elif kind == "answered":
        count = detail.get("questions", 1)
        words = f"question{'s' if count != 1 else ''} answered"
    elif kind == "survey_answer":
        words = f'answered survey "{detail.get("survey", "?")}": {_quoted(detail.get("answer"))}'
    elif kind == "asked_again":  # the same person's inquiry again (an import, SPEC §5)
        about = f" about {detail['product']}" if detail.get("product") else ""
        source = f", from {detail['source']}" if detail.get("source") else ""
        words = f"asked again{about}{source}"
    elif kind == "order":  # a paid order (orders.py); `timeline` adds what came before
        from .orders import format_amount

        amount = format_amount(detail.get("amount_minor"), detail.get("currency"), locale)
        words = "bought " + (detail.get("product") or f"order {detail.get('order', '?')}")
        if amount:
            words += f" ({amount})"
    elif kind == "erased":
        words = f"erased ({detail.get('reason') or 'on request'})"
    else:
        words = kind.replace("_", " ") + (f" ({note})" if note else "")
    return Moment(at, words, detail.get("message_id") if kind != "reply" else None)


def inquiry_moment(lead) -> Moment:
    about = " about " + lead["product"] if lead["product"] else ""
    source = f" (from {lead['source']})" if lead["source"] else ""
    return Moment(lead["requested_at"], f"asked for information{about}{source}")


def _days_after(later: str, earlier: str) -> str:
    from .clock import from_db

    days = (from_db(later) - from_db(earlier)).days
    return "the same day as" if days == 0 else f"{days} day{'s' if days != 1 else ''} after"


def timeline(lead, messages: list[dict], events: list[tuple[str, str, dict]],
             locale: str = "es") -> list[Moment]:
    """Every moment of the lead, oldest first; at the same instant, the order things
    happen in: the inquiry, then messages, then what came back. An order says which
    message it followed ("2 days after follow-up 3"), and a message sent after the
    first order is shown as such (issue #26)."""
    ordered = sorted(at for kind, at, _ in events if kind == "order")
    first_order = ordered[0] if ordered else None
    new_buyer = any(kind == "order" and detail.get("new_buyer") for kind, _, detail in events)
    # A buyer who never asked: no inquiry to tell.
    moments = [] if new_buyer else [(0, inquiry_moment(lead))]
    sent = sorted((m.get("sent_at") or m.get("attempted_at"), m) for m in messages
                  if m.get("kind") == "sequence" and m.get("state") in ("sent", "unknown")
                  and (m.get("sent_at") or m.get("attempted_at")))
    for m in messages:
        moment = message_moment(m)
        if first_order and moment.at and moment.at > first_order and m.get("state") == "sent":
            moment = Moment(moment.at, moment.words + " (after the order)", moment.message_id)
        moments.append((1, moment))
    for kind, at, detail in events:
        moment = event_moment(kind, at, detail, locale)
        if kind == "order":
            # What the purchase followed: the last message sent before it ("2 days after
            # follow-up 3", "3 days after the information"), else the inquiry itself; a
            # buyer who never asked says so (issue #26 item 3).
            before = [(when, m) for when, m in sent if when <= at]
            if new_buyer:
                after = "(never asked)"
            elif before:
                when, m = before[-1]
                name = ("the information" if m["kind"] == "sequence" and m["step"] == 0
                        else _message_name(m["kind"], m["step"], m["template"]))
                after = f", {_days_after(at, when)} {name}"
            elif at >= lead["requested_at"]:
                after = f", {_days_after(at, lead['requested_at'])} asking"
            else:
                after = ", before asking"  # an order dated before the inquiry
            moment = Moment(at, f"{moment.words}{' ' if new_buyer else ''}{after}")
        moments.append((2, moment))
    moments.sort(key=lambda pair: (pair[1].at is None, pair[1].at or "", pair[0]))
    return [moment for _, moment in moments]
