"""forked.in_child: a generator run in a forked process, its items and its errors
brought back as they were."""

import multiprocessing
import os

import pytest

from leadloop import forked
from leadloop.errors import InputError


def numbers(count, fail_with=None):
    for n in range(count):
        yield n, os.getpid()
    if fail_with is not None:
        raise fail_with


def test_items_come_back_in_order_from_another_process():
    items = list(forked.in_child(numbers(1000)))
    assert [n for n, _ in items] == list(range(1000))
    assert {pid for _, pid in items} != {os.getpid()}


def test_an_expected_error_is_raised_again_as_it_was():
    with pytest.raises(InputError, match="leads.csv:7: cannot decode"):
        list(forked.in_child(numbers(3, InputError("leads.csv:7: cannot decode"))))


def test_anything_else_brings_its_traceback():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        list(forked.in_child(numbers(3, ZeroDivisionError("boom"))))


def test_a_child_that_dies_is_reported():
    def dies():
        yield 1
        os._exit(3)

    with pytest.raises(RuntimeError, match="exit code 3"):
        list(forked.in_child(dies()))


def test_stopping_early_ends_the_child():
    items = forked.in_child(numbers(10**9))
    assert next(items)[0] == 0
    items.close()  # what a failed import does: the child is terminated, not left running
    assert multiprocessing.active_children() == []
