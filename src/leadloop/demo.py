"""`leadloop demo`: the method at work on a sample list, across 15 simulated months.

It imports the shipped sample, then runs what cron would run every day at 10:00 (read
the inbox, the give-up sweep, the send), writing to the outbox. A small script plays the
part of the leads: some buy, one answers by e-mail (her mail lands in the demo's inbox
Maildir and stops her sequence) and is later resumed, one writes "Baja"; the rest never
answer and are erased after their sixth contact, as SPEC §1 asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .clock import localize, zone
from .config import load_config
from .errors import InputError
from .importer import run_import
from .inbox import read_inbox
from .privacy import give_up_due
from .resources import builtin_path
from .runner import send_due
from .stats import compute
from .setup import init_directory
from .store import Store

FIRST_DAY = date(2026, 1, 5)
MONTHS = 15

DEMO_CONFIG = """\
# The demo's configuration: the defaults of example.toml, with a sender and an offer.
[sender]
name = "Laura Vidal"
address = "laura@example.com"
contact = "ofertas@example.com"
unsubscribe = "baja@example.com"

# Replies arrive here (in real life: an IMAP folder, or a Maildir your mail server fills).
[inbox]
maildir = "inbox"

[offers.default]
text = "Este mes, quienes ya pidieron información tienen un 20 % de descuento."
"""

# (address, contacts received before acting, what they do): how the sample leads
# behave. "mail:…" is an answer they send, which the inbox reads; "order:PRODUCT:AMOUNT"
# a purchase in the shop, which arrives as the shop's orders export (import --orders,
# a few days later, as a marketer downloads it); the rest is what the marketer records
# by hand (resuming a sequence).
SCRIPT = [
    ("javier.munoz@example.com", 1, "order:Curso de yoga:49,00"),
    ("maria.jose.gil@example.com", 3, "mail:Gracias, ahora no puedo; escríbame en unos meses."),
    ("maria.jose.gil@example.com", 3, "active"),
    ("andres.lopez@example.org", 2, "mail:Baja"),
    ("elena.castro@example.com", 4, "order:Retiro de yoga:180,00"),
]
# A buyer who never asked for information: a customer from the start, never followed up.
WALK_IN = ("carmen.ortega@example.net", "Carmen Ortega", "Bono de 10 clases", "90,00")


@dataclass
class DemoLead:
    email: str
    status: str
    sent: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class DemoResult:
    first_day: date
    last_day: date
    leads: list[DemoLead]
    by_status: dict[str, int]
    outbox_count: int
    stats: dict


def run_demo(directory: Path, on_day=None) -> DemoResult:
    if (directory / "leadloop.db").exists():
        raise InputError(f"{directory}: already holds a demo; remove it or choose another directory")
    list(init_directory(directory, config_text=DEMO_CONFIG))
    config = load_config(directory / "leadloop.toml")
    for sub in ("tmp", "new", "cur"):
        (config.inbox.maildir / sub).mkdir(parents=True, exist_ok=True)
    store = Store.open(config.database_path, config.cadence)
    tz = zone(config.cadence.timezone)

    def morning(day: date) -> datetime:
        return localize(datetime.combine(day, time(10, 0)), tz)

    run_import(store, config, str(builtin_path("sample/leads.csv")), morning(FIRST_DAY))
    ids = {row["email"]: row["id"] for row in store.leads()}
    script = list(SCRIPT)
    last_acted: dict[str, date] = {}
    last_day = FIRST_DAY.replace(year=FIRST_DAY.year + (FIRST_DAY.month - 1 + MONTHS) // 12,
                                 month=(FIRST_DAY.month - 1 + MONTHS) % 12 + 1)
    day = FIRST_DAY
    while day <= last_day:
        now = morning(day)
        _play_script(store, config, script, ids, last_acted, day, now)
        if day == FIRST_DAY + timedelta(days=60):
            _buy(store, config, *WALK_IN, now)
        read_inbox(store, config, now)
        give_up_due(store, now, config.outbox_path)
        send_due(store, config, lambda: now)
        if on_day:
            on_day(day)
        day += timedelta(days=1)

    leads = []
    by_status: dict[str, int] = {}
    for email, lead_id in ids.items():
        lead = store.lead_by_id(lead_id)
        by_status[lead["status"]] = by_status.get(lead["status"], 0) + 1
        sent = [
            (m["step"], m["sent_at"][:10]) for m in store.messages(lead_id) if m["state"] == "sent"
        ]
        leads.append(DemoLead(email, lead["status"], sent))
    outbox = config.outbox_path / "new"
    count = sum(1 for _ in outbox.iterdir()) if outbox.is_dir() else 0
    stats = compute(store).document
    store.close()
    return DemoResult(FIRST_DAY, last_day, leads, by_status, count, stats)


def _play_script(store, config, script, ids, last_acted, day, now) -> None:
    """Each lead acts at most once a week, a few days after the contact it answers."""
    for entry in list(script):
        email, after, action = entry
        if email in last_acted and (day - last_acted[email]).days < 7:
            continue
        lead = store.lead_by_id(ids[email])
        if lead["status"] == "erased" or lead["contacts"] < after or lead["last_contact_at"] is None:
            continue
        if (now - datetime.fromisoformat(lead["last_contact_at"])).days < 3:
            continue
        if action.startswith("mail:"):
            _answer(store, config, lead, action.removeprefix("mail:"), now)
        elif action.startswith("order:"):
            _, product, amount = action.split(":")
            _buy(store, config, lead["email"], lead["name"], product, amount, now)
        else:
            store.set_status(lead, action, now, note="demo script")
        last_acted[email] = day
        script.remove(entry)
        break


def _buy(store, config, email: str, name: str, product: str, amount: str, now: datetime) -> None:
    """A purchase in the shop the day before, imported from its export (Shopify's columns)."""
    import csv

    from .orders import import_orders

    path = config.database_path.parent / "pedidos.csv"
    number = len(store.conn.execute("SELECT id FROM orders").fetchall()) + 1001
    paid = (now - timedelta(days=1)).isoformat(sep=" ")
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Name", "Email", "Financial Status", "Paid at", "Currency", "Total",
                         "Lineitem name", "Billing Name"])
        writer.writerow([f"#{number}", email, "paid", paid, "EUR", amount, product, name])
    import_orders(store, config, str(path), now)


def _answer(store, config, lead, text: str, now: datetime) -> None:
    """The lead answers the last message it got: a mail into the demo's inbox."""
    from email.message import EmailMessage

    last = max((m for m in store.messages(lead["id"]) if m["message_id"]), key=lambda m: m["step"])
    mail = EmailMessage()
    mail["From"] = f"{lead['name']} <{lead['email']}>"
    mail["To"] = config.sender.address
    mail["Subject"] = text if len(text) < 10 else "Re: su mensaje"
    mail["Date"] = now
    mail["Message-ID"] = f"<demo-{lead['id']}-{last['step']}@example.com>"
    mail["In-Reply-To"] = last["message_id"]
    mail.set_content(text)
    name = f"{int(now.timestamp())}.demo{lead['id']}.leadloop"
    (config.inbox.maildir / "new" / name).write_bytes(mail.as_bytes())
