"""`export` from the core, without the CLI (issue #28 item 10): JSON goes through the
writer the caller gives, else the core's own, never through output.py."""

import io
import json

from leadloop.clock import zone
from leadloop.config import load_config
from leadloop.export import export
from leadloop.store import Store


def test_the_core_exports_json_through_its_own_writer_or_the_one_it_is_given(tmp_path, run):
    (tmp_path / "l.csv").write_text("email,nombre\nana@example.com,Ana \u202eNúñez\nbea@example.com,Bea\n",
                                    encoding="utf-8")
    assert run("import", "l.csv").exit_code == 0
    store = Store.open(tmp_path / "leadloop.db", load_config(None).cadence)
    out = io.StringIO()
    assert export(store, out, zone("Europe/Madrid"), "json") == 2
    text = out.getvalue()
    assert text.isascii()  # a bidi override in a name cannot act on a terminal
    leads = json.loads(text)
    assert [lead["email"] for lead in leads] == ["ana@example.com", "bea@example.com"]
    assert leads[0]["name"] == "Ana \u202eNúñez"
    given = []

    def collect(items, handle):
        given.extend(items)
        handle.write("done")
        return len(given)

    other = io.StringIO()
    assert export(store, other, zone("Europe/Madrid"), "json", write_json=collect) == 2
    assert other.getvalue() == "done" and given == leads
