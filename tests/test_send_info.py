"""runner.send_info, what `leadloop serve` sends with: the same at-most-once run as
`send`, for the info packs of the leads it names, and the run lock shared with `send`."""

import threading
from datetime import datetime, timezone

import pytest

from leadloop.config import load_config
from leadloop.importer import import_rows
from leadloop.runner import AnotherRunActive, RunLock, send_due, send_info
from leadloop.runlock import SendingLock, settle_abandoned
from leadloop.store import Store
from leadloop.web.intake import Inquiry

NOW = datetime(2026, 3, 7, 22, 30, tzinfo=timezone.utc)  # a Saturday night in Madrid


@pytest.fixture
def project(tmp_path, smtp_server):
    def make(extra=""):
        path = tmp_path / "leadloop.toml"
        path.write_text(f'[smtp]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\n'
                        f'security = "none"\n{extra}', encoding="utf-8")
        config = load_config(path)
        return Store.open(config.database_path, config.cadence), config
    return make


def add(store, *addresses):
    rows = [Inquiry(email=a, requested_at="2026-03-07T22:00:00+00:00").row(n)
            for n, a in enumerate(addresses)]
    import_rows(store, rows, NOW)
    return [store.lead(a)["id"] for a in addresses]


def clock():
    return NOW


def test_only_the_named_leads_info_packs_go(project, smtp_server):
    store, config = project()
    web, imported = add(store, "web@example.com", "imported@example.com")
    report = send_info(store, config, clock, [web])
    assert report.sent == 1 and smtp_server.recipients() == ["web@example.com"]
    # Its info pack is done: asking again sends nothing.
    assert send_info(store, config, clock, [web]).sent == 0
    assert smtp_server.recipients() == ["web@example.com"]
    assert store.lead("imported@example.com")["next_step"] == 0  # still due, for `send`


def test_the_daily_limit_holds(project, smtp_server):
    store, config = project("\n[cadence]\ndaily_limit = 2\n")
    ids = add(store, "a@example.com", "b@example.com", "c@example.com")
    assert send_info(store, config, clock, ids).sent == 2
    assert send_info(store, config, clock, ids).sent == 0
    assert smtp_server.count == 2


def test_a_lost_answer_is_unknown_and_never_resent(project, smtp_server):
    store, config = project()
    [lead] = add(store, "ana@example.com")
    smtp_server.data_replies = {"ana@example.com": "hello"}  # not an SMTP reply
    report = send_info(store, config, clock, [lead])
    assert report.unknown == 1
    assert [m["state"] for m in store.messages(lead)] == ["unknown"]
    assert send_info(store, config, clock, [lead]).attempted == 0
    assert smtp_server.count == 1


def test_a_burst_of_serve_makes_a_batch_run_wait_not_step_aside(project, smtp_server):
    store, config = project()
    add(store, "a@example.com", "b@example.com")
    burst = RunLock(store.path, "serve")
    assert burst.acquire()
    result = {}

    def batch():
        own = Store.open(store.path, config.cadence)
        try:
            result["report"] = send_due(own, config, clock)
        except AnotherRunActive as err:
            result["error"] = err
        finally:
            own.close()

    thread = threading.Thread(target=batch)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive(), result  # waiting for the burst, not gone
    burst.release()
    thread.join(60)
    assert result["report"].sent == 2


def test_a_batch_run_makes_another_batch_step_aside_but_not_serve(project, smtp_server):
    store, config = project()
    ids = add(store, "a@example.com", "b@example.com")
    batch = RunLock(store.path)
    assert batch.acquire()
    try:
        with pytest.raises(AnotherRunActive):
            send_due(store, config, clock)
        # serve's info pack does not wait for the batch (issue #28 item 4).
        assert send_info(store, config, clock, ids[:1]).sent == 1
    finally:
        batch.release()
    assert smtp_server.recipients() == ["a@example.com"]


def claim_as_live_run(store, config, addresses, run_id="batch-run"):
    """What a live batch run holds mid-send: the sending lock shared, one message
    `sending` (in the server's hands) and the others `claimed`."""
    lock = SendingLock(store.path)
    lock.share()
    due = [item for item in store.due(NOW) if item.lead["email"] in addresses]
    claims = store.claim(due, run_id, NOW, config.sender.domain)
    assert store.begin_send(claims[0], run_id, NOW)
    return lock, claims


def message_states(store, addresses):
    return {a: [m["state"] for m in store.messages(store.lead(a)["id"])] for a in addresses}


def test_serve_leaves_a_live_batch_runs_rows_alone_and_recovers_a_dead_ones(project, smtp_server):
    store, config = project()
    batch_addresses = ["a@example.com", "b@example.com", "c@example.com"]
    add(store, *batch_addresses)
    [web] = add(store, "web@example.com")
    lock, claims = claim_as_live_run(store, config, batch_addresses)
    before = message_states(store, batch_addresses)
    assert before == {"a@example.com": ["sending"], "b@example.com": ["claimed"],
                      "c@example.com": ["claimed"]}
    report = send_info(store, config, clock, [web])
    assert report.sent == 1 and report.recovered_unknown == 0
    # `show`, `due` and `leads` leave them alone too.
    assert settle_abandoned(store, NOW) == 0
    assert message_states(store, batch_addresses) == before
    # The batch dies (the kernel drops its lock): the next run recovers its rows.
    lock.release()
    assert send_info(store, config, clock, [web]).recovered_unknown == 1
    assert message_states(store, batch_addresses) == {
        "a@example.com": ["unknown"], "b@example.com": [], "c@example.com": []}
    assert smtp_server.recipients() == ["web@example.com"]


def test_a_batch_leaves_serves_live_rows_alone(project, smtp_server):
    store, config = project()
    add(store, "a@example.com", "b@example.com")
    [web] = add(store, "web@example.com")
    lock, claims = claim_as_live_run(store, config, ["web@example.com"], run_id="serve-run")
    report = send_due(store, config, clock)
    assert report.recovered_unknown == 0 and report.sent == 2
    assert message_states(store, ["web@example.com"]) == {"web@example.com": ["sending"]}
    lock.release()
    assert settle_abandoned(store, NOW) == 1
    assert message_states(store, ["web@example.com"]) == {"web@example.com": ["unknown"]}


def test_claims_of_a_live_run_count_against_the_daily_limit(project, smtp_server):
    store, config = project("\n[cadence]\ndaily_limit = 3\n")
    batch_addresses = ["a@example.com", "b@example.com", "c@example.com"]
    add(store, *batch_addresses)
    [web] = add(store, "web@example.com")
    lock, claims = claim_as_live_run(store, config, batch_addresses)
    try:
        # One attempted and two claimed: the day's three are taken, serve sends none.
        assert send_info(store, config, clock, [web]).attempted == 0
    finally:
        lock.release()
    assert smtp_server.count == 0


def test_serve_and_send_at_once_deliver_each_info_pack_once(project, smtp_server):
    store, config = project("\n[cadence]\ndaily_limit = 10000\n")
    addresses = [f"lead{n}@example.com" for n in range(60)]
    ids = add(store, *addresses)
    errors = []

    def run(kind, part):
        own = Store.open(store.path, config.cadence)
        try:
            for _ in range(20):
                try:
                    if kind == "serve":
                        send_info(own, config, clock, part)
                    else:
                        send_due(own, config, clock)
                except AnotherRunActive:
                    pass
        except Exception as err:  # handed to the test
            errors.append(err)
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=("serve", ids[n::3])) for n in range(3)]
    threads.append(threading.Thread(target=run, args=("send", None)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    send_due(store, config, clock)
    assert sorted(smtp_server.recipients()) == sorted(addresses)


def test_serve_and_send_racing_never_pass_the_daily_limit(project, smtp_server):
    store, config = project("\n[cadence]\ndaily_limit = 25\n")
    addresses = [f"lead{n}@example.com" for n in range(60)]
    ids = add(store, *addresses)
    errors = []

    def run(kind, part):
        own = Store.open(store.path, config.cadence)
        try:
            for _ in range(10):
                if kind == "serve":
                    send_info(own, config, clock, part)
                else:
                    try:
                        send_due(own, config, clock)
                    except AnotherRunActive:
                        pass
        except Exception as err:  # handed to the test
            errors.append(err)
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=("serve", ids[n::3])) for n in range(3)]
    threads += [threading.Thread(target=run, args=("send", None)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    received = smtp_server.recipients()
    assert len(received) == 25 and len(set(received)) == 25


def test_a_claim_in_chunks_stops_at_the_daily_limit_across_chunks(project):
    """Store.claim commits CLAIM_CHUNK claims a transaction (serve writes between them);
    the day's budget still holds across the chunks, its own earlier ones included."""
    from leadloop.store import CLAIM_CHUNK

    store, config = project("\n[cadence]\ndaily_limit = 70\n")
    add(store, *[f"lead{n}@example.com" for n in range(2 * CLAIM_CHUNK + 20)])
    due = store.due(NOW, daily_limit=False)
    assert len(due) > 70 > CLAIM_CHUNK
    claims = store.claim(due, "batch-run", NOW, config.sender.domain)
    assert len(claims) == 70
    assert store.claim(due, "other-run", NOW, config.sender.domain) == []
