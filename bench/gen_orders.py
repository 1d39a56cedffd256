"""Deterministic orders exports for B11 (`import --orders` against a big database).

    python bench/gen_orders.py ROWS LEADS.csv OUT.csv [--seed N]

A shop's orders CSV as WooCommerce and most carts write it (one row per order):
`Order ID,Order Date,Order Status,Billing Email,Billing Name,Product,Order Total,Currency`.
Buyers are drawn from LEADS.csv (gen_leads.py's file, the one the database was imported
from): 80 % of the orders are leads' paid orders (a few buy twice), 5 % leads' refunded,
cancelled, failed or pending ones (nobody becomes a customer by them), and 15 % are
buyers who never asked (new buyers).
Dates are day-first with a time (`dd/mm/yyyy hh:mm`), Nov 2026; amounts Spanish-style
("49,00"). Seeded, standard library only, no network: same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HEADER = ["Order ID", "Order Date", "Order Status", "Billing Email", "Billing Name", "Product",
          "Order Total", "Currency"]
PRODUCTS = [("Curso de inglés", "49,00"), ("Seguro de hogar", "180,00"),
            ("Plan de pensiones", "1.200,00"), ("Clases de guitarra", "35,50"),
            ("Reforma de cocina", "4.750,00")]
PAID = ["Completed"] * 17 + ["Processing"] * 2
NOT_PAID = ["Refunded", "Cancelled", "Failed", "Pending payment"]
P_LEAD, P_NOT_PAID = 0.80, 0.05  # the rest, 15 %, never asked


def lead_addresses(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        return [(row[0].strip().lower(), row[1]) for row in rows]


def generate(rows: int, leads: Path, out: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    people = lead_addresses(leads)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            draw = rng.random()
            if draw < P_LEAD + P_NOT_PAID:
                email, name = rng.choice(people)
            else:
                email, name = f"comprador{number}@example.net", f"Comprador {number}"
            status = rng.choice(NOT_PAID) if draw < P_NOT_PAID else rng.choice(PAID)
            product, total = rng.choice(PRODUCTS)
            day, minute = 1 + number * 30 // rows, rng.randrange(8 * 60, 23 * 60)
            writer.writerow([f"{100000 + number}", f"{day:02d}/11/2026 {minute // 60:02d}:{minute % 60:02d}",
                             status, email, name, product, total, "EUR"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("leads", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.rows, args.leads, args.out, args.seed)


if __name__ == "__main__":
    main()
