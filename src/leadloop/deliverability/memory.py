"""What the last `check --dns` found, for `run-daily` to remind of (issue #24 item 3).

`send` and `run-daily` never look DNS up: a look-up per run would make cron depend on
DNS. Instead `check --dns` stores its failing findings in the database (`meta`), and
`run-daily` warns once a day while they stand, until a later check finds none. Nothing
here imports DNS code.
"""

from __future__ import annotations

import json
from datetime import datetime

KEY = "dns_check"


def remember(store, findings, now: datetime) -> None:
    problems = [f"{f.check} {f.domain}: {f.status}" for f in findings if f.failing]
    store.set_meta(KEY, json.dumps({"checked_at": now.isoformat(), "problems": problems}))


def reminder(store, now: datetime) -> str | None:
    """The day's warning while the last check failed; None when it passed, when there
    was none, or when today's warning was given already (it is then remembered)."""
    stored = store.meta(KEY)
    if not stored:
        return None
    try:
        last = json.loads(stored)
        problems, checked_at = last["problems"], last["checked_at"]
    except (ValueError, KeyError, TypeError):
        return None
    today = now.date().isoformat()
    if not problems or last.get("warned_on") == today:
        return None
    store.set_meta(KEY, json.dumps({**last, "warned_on": today}))
    return (f"the last `leadloop check --dns` ({checked_at[:10]}) found what gets mail refused or "
            f"filed as spam ({'; '.join(problems[:3])}{'; …' if len(problems) > 3 else ''}): "
            "publish the records it printed and run it again")
