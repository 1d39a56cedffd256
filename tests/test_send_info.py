"""runner.send_info, what `leadloop serve` sends with: the same at-most-once run as
`send`, for the info packs of the leads it names, and the run lock shared with `send`."""

import threading
from datetime import datetime, timezone

import pytest

from leadloop.config import load_config
from leadloop.importer import import_rows
from leadloop.runner import AnotherRunActive, RunLock, send_due, send_info
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


def test_a_batch_run_makes_serve_and_another_batch_step_aside(project, smtp_server):
    store, config = project()
    ids = add(store, "a@example.com")
    batch = RunLock(store.path)
    assert batch.acquire()
    try:
        with pytest.raises(AnotherRunActive):
            send_info(store, config, clock, ids)
        with pytest.raises(AnotherRunActive):
            send_due(store, config, clock)
    finally:
        batch.release()
    assert smtp_server.count == 0
    assert send_info(store, config, clock, ids).sent == 1


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
