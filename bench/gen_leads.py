"""Deterministic lead spreadsheets as Spanish marketers have them, for the benchmarks.

    python bench/gen_leads.py ROWS OUT.csv [--seed N]

`email,name,product,source,requested_at` with accented names and day-first dates (a
quarter with a time of day), seeded and without network. About 3 % of the addresses
have capitals and surrounding spaces (normalisation has work to do) and 0.5 % are
invalid (rejects have work to do); addresses are unique once normalised.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

FIRST = ["José", "María", "Lucía", "Álvaro", "Inés", "Martín", "Sofía", "Ramón", "Begoña",
         "Íñigo", "Nuria", "Andrés", "Pilar", "Jesús", "Carmen", "Raúl", "Elena", "Óscar"]
LAST = ["Muñoz", "Núñez", "Peña", "Ibáñez", "Álvarez", "Gómez", "García", "Martínez",
        "López", "Sánchez", "Pérez", "Díaz", "Castaño", "Rodríguez", "Fernández", "Zúñiga"]
PRODUCTS = ["Curso de inglés", "Seguro de hogar", "Plan de pensiones", "Clases de guitarra",
            "Reforma de cocina"]
SOURCES = ["Google Ads", "Facebook", "Revista", "Feria", "Radio"]
DOMAINS = ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.com", "example.org",
           "movistar.es", "icloud.com", "orange.es", "empresa.example"]
INVALID = ["{local}.example.com", "{local}..x@gmail.com", "{local} x@gmail.com", "{local}@gmail.com.",
           "{local}@", "@gmail.com", "{local}@gmail"]
ASCII = str.maketrans("áéíóúÁÉÍÓÚñÑ", "aeiouAEIOUnN")
DAYS = 1035  # 2024-01-01 .. 2026-10-31


def rows(count: int, seed: int):
    rng = random.Random(seed)
    dates = []
    from datetime import date, timedelta

    start = date(2024, 1, 1)
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        dates.append(f"{day.day:02d}/{day.month:02d}/{day.year}")
    for n in range(count):
        first, last, second = rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST)
        name = f"{first} {last} {second}" if rng.random() < 0.6 else f"{first} {last}"
        local = f"{first}.{last}{n}".translate(ASCII).lower()
        roll = rng.random()
        if roll < 0.005:
            email = rng.choice(INVALID).format(local=local)
        else:
            email = f"{local}@{rng.choice(DOMAINS)}"
            if roll < 0.035:
                local_part, domain = email.split("@")
                email = f"  {local_part.title()}@{domain.upper()} "
        when = rng.choice(dates)
        if rng.random() < 0.25:
            when += f" {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
        yield [email, name, rng.choice(PRODUCTS), rng.choice(SOURCES), when]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "product", "source", "requested_at"])
        writer.writerows(rows(args.rows, args.seed))


if __name__ == "__main__":
    main()
