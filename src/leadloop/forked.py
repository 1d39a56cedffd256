"""Iterate a generator that runs in a forked child process.

An import of a big file is two jobs of about the same size: reading and checking the
rows, and writing them into SQLite. Python runs one of them at a time; two processes
run both at once on two cores (BENCH.md B1). The child gets the generator ready-made
through fork(): nothing is pickled on the way in, and items come back pickled through a
pipe. The pipe holds little, so a child that runs ahead waits for the parent: memory
stays flat.

The child never touches the parent's SQLite connection; it ends with os._exit (what
multiprocessing does after a forked target), so nothing of the parent's is closed or
flushed twice. A LeadloopError in the child is raised again in the parent, as it was;
anything else ends the import with the child's traceback.
"""

from __future__ import annotations

import gc
import multiprocessing
import traceback
from collections.abc import Iterator

from .errors import LeadloopError

_ITEM, _DONE, _FAILED, _CRASHED = range(4)


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def in_child(items: Iterator) -> Iterator:
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(items, sending), daemon=True,
                            name="leadloop-reader")
    child.start()
    sending.close()
    try:
        while True:
            try:
                kind, payload = receiving.recv()
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the reading process ended without a word (exit code {child.exitcode})"
                ) from None
            if kind == _ITEM:
                yield payload
            elif kind == _DONE:
                return
            elif kind == _FAILED:
                raise payload
            else:
                raise RuntimeError(f"the reading process failed:\n{payload}")
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(items: Iterator, sending) -> None:
    # The cycle collector would walk the parent's whole heap, copied on write, page by
    # page: the child makes no cycles worth it.
    gc.disable()
    try:
        for item in items:
            sending.send((_ITEM, item))
        sending.send((_DONE, None))
    except LeadloopError as err:
        sending.send((_FAILED, err))
    except BrokenPipeError:
        pass  # the parent stopped listening: it has its own error to report
    except BaseException:
        sending.send((_CRASHED, traceback.format_exc()))
    finally:
        sending.close()
