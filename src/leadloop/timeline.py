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


def event_moment(kind: str, at: str, detail: dict) -> Moment:
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
    elif kind == "erased":
        words = f"erased ({detail.get('reason') or 'on request'})"
    else:
        words = kind.replace("_", " ") + (f" ({note})" if note else "")
    return Moment(at, words, detail.get("message_id") if kind != "reply" else None)


def inquiry_moment(lead) -> Moment:
    about = " about " + lead["product"] if lead["product"] else ""
    source = f" (from {lead['source']})" if lead["source"] else ""
    return Moment(lead["requested_at"], f"asked for information{about}{source}")


def timeline(lead, messages: list[dict], events: list[tuple[str, str, dict]]) -> list[Moment]:
    """Every moment of the lead, oldest first; at the same instant, the order things
    happen in: the inquiry, then messages, then what came back."""
    moments = [(0, inquiry_moment(lead))]
    moments += [(1, message_moment(m)) for m in messages]
    moments += [(2, event_moment(kind, at, detail)) for kind, at, detail in events]
    moments.sort(key=lambda pair: (pair[1].at is None, pair[1].at or "", pair[0]))
    return [moment for _, moment in moments]
