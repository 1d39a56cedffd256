"""Deterministic lead spreadsheets as Spanish marketers have them, for the benchmarks.

    python bench/gen_leads.py ROWS OUT.csv [--seed N]

`email,name,product,source,requested_at` with accented names and day-first dates
(`dd/mm/yyyy`, a quarter `dd/mm/yyyy hh:mm`, 2024-01-01..2026-10-31), seeded, standard
library only, no network. Addresses are built from the names plus the row number, so
every row's address is unique even once stripped and lower-cased. About 3 % have
capitals and surrounding spaces (normalisation has work to do) and 0.5 % are invalid:
missing @, double dot, space inside, trailing dot... (rejects have work to do).

Rows are drawn a chunk at a time with `random.choices` from precomputed tables, so a
million rows take about 3 s. Same ROWS and seed, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from datetime import date, timedelta
from pathlib import Path

HEADER = ["email", "name", "product", "source", "requested_at"]
FIRST = ["José", "María", "Lucía", "Álvaro", "Inés", "Martín", "Sofía", "Ramón", "Begoña",
         "Íñigo", "Nuria", "Andrés", "Pilar", "Jesús", "Carmen", "Raúl", "Elena", "Óscar",
         "Ana", "Javier", "Rocío", "Ángel", "Concepción", "Sergio"]
LAST = ["Muñoz", "Núñez", "Peña", "Ibáñez", "Álvarez", "Gómez", "García", "Martínez",
        "López", "Sánchez", "Pérez", "Díaz", "Castaño", "Rodríguez", "Fernández", "Zúñiga",
        "Ruiz", "Hernández", "Jiménez", "Moreno", "Muñiz", "Cañete", "Gutiérrez", "Ortega"]
PRODUCTS = ["Curso de inglés", "Seguro de hogar", "Plan de pensiones", "Clases de guitarra",
            "Reforma de cocina"]
SOURCES = ["Google Ads", "Facebook", "Revista", "Feria", "Radio"]
# (domain, weight): mostly the big free providers, as in a real list.
DOMAINS = [("gmail.com", 38), ("hotmail.es", 16), ("yahoo.es", 8), ("outlook.com", 9),
           ("telefonica.net", 5), ("movistar.es", 4), ("icloud.com", 6), ("orange.es", 4),
           ("hotmail.com", 6), ("example.org", 4)]
# Invalid shapes, each keeping the row's unique local part: missing @, double dot in the
# local part, space inside, trailing dot, empty domain, domain without a dot, two @.
INVALID = ["{local}.{domain}", "{local}..x@{domain}", "{local} x@{domain}", "{local}@{domain}.",
           "{local}@", "{local}@gmail", "{local}@@{domain}"]
PADDING = [("  ", " "), (" ", ""), ("", "  "), ("   ", "")]
ASCII = str.maketrans("áéíóúüÁÉÍÓÚÜñÑ", "aeiouuAEIOUUnN")
START, END = date(2024, 1, 1), date(2026, 10, 31)
P_INVALID, P_MESSY = 0.005, 0.03
P_TWO_SURNAMES, P_TIME = 0.6, 0.25
CHUNK = 50_000


def _local_styles(first: str, last: str) -> list[tuple[str, int]]:
    """Local-part prefixes people make from a name (the row number follows), weighted."""
    f, la = first.translate(ASCII).lower(), last.translate(ASCII).lower()
    return [(f"{f}.{la}", 11), (f"{f}{la}", 3), (f"{f}_{la}", 1), (f"{f[0]}{la}", 3),
            (f"{la}.{f}", 2)]


def _tables():
    """Populations in which weights are repetitions, so that every draw is an unweighted
    `random.choices` (a multiply and an index; weighted draws bisect, several times
    slower): (first name + surname, local prefix); second surnames or ""; domains;
    day-first dates; times of day or ""."""
    people = [(f"{first} {last}", prefix)
              for first, last in itertools.product(FIRST, LAST)
              for prefix, weight in _local_styles(first, last) for _ in range(weight)]
    # P_TWO_SURNAMES of the names get a second surname.
    no_second = round(len(LAST) * (1 - P_TWO_SURNAMES) / P_TWO_SURNAMES)
    seconds = [""] * no_second + [f" {last}" for last in LAST]
    domains = [domain for domain, weight in DOMAINS for _ in range(weight)]
    dates = [(START + timedelta(days=d)).strftime("%d/%m/%Y")
             for d in range((END - START).days + 1)]
    # P_TIME of the dates get " hh:mm", in office-ish hours.
    times = [f" {h:02d}:{m:02d}" for h in range(8, 22) for m in range(60)]
    times += [""] * round(len(times) * (1 - P_TIME) / P_TIME)
    return people, seconds, domains, dates, times


def chunks(count: int, seed: int, size: int = CHUNK):
    """Iterables of rows, `size` at a time, `count` in all."""
    rng = random.Random(seed)
    people, seconds, domains, dates, times = _tables()
    for start in range(0, count, size):
        k = min(size, count - start)
        who = rng.choices(people, k=k)
        doms = rng.choices(domains, k=k)
        emails = [f"{prefix}{n}@{dom}"
                  for (_, prefix), n, dom in zip(who, range(start, start + k), doms)]
        # The odd ones, at positions drawn without a per-row roll.
        odd = rng.sample(range(k), round(k * (P_INVALID + P_MESSY)))
        n_invalid = round(k * P_INVALID)
        for j, i in enumerate(odd):
            local, dom = f"{who[i][1]}{start + i}", doms[i]
            if j < n_invalid:
                emails[i] = INVALID[j % len(INVALID)].format(local=local, domain=dom)
            else:  # "  Ana.Perez12@Gmail.COM " and the like
                left, right = PADDING[j % len(PADDING)]
                shown = dom.upper() if j % 2 else dom[:-3].capitalize() + dom[-3:].upper()
                emails[i] = f"{left}{local.title()}@{shown}{right}"
        names = [name + second for (name, _), second in zip(who, rng.choices(seconds, k=k))]
        whens = [day + time for day, time in zip(rng.choices(dates, k=k), rng.choices(times, k=k))]
        yield zip(emails, names, rng.choices(PRODUCTS, k=k), rng.choices(SOURCES, k=k), whens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="how many leads, e.g. 100000 or 1000000")
    parser.add_argument("out", type=Path, help="the CSV to write, e.g. bench/data/leads-1m.csv")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    if args.rows < 0:
        parser.error("ROWS must be 0 or more")
    # bench/data/ is the conventional place (git-ignored); make it, or whatever was given.
    (Path(__file__).resolve().parent / "data").mkdir(exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for rows in chunks(args.rows, args.seed):
            writer.writerows(rows)


if __name__ == "__main__":
    main()
