"""Bulk work: what makes a million-record pass fast in CPython."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """``items`` in lists of ``n``, the last one possibly shorter (``itertools.batched`` is 3.12+).

    Every chunked pass uses it: SQL ``IN (...)`` lists under SQLite's variable limit, Cypher
    ``UNWIND`` batches, an import's chunks of records.

    >>> list(batched("abcde", 2))
    [['a', 'b'], ['c', 'd'], ['e']]
    >>> list(batched([], 3))
    []
    """
    if n < 1:
        raise ValueError(f"a batch holds at least one item, not {n}")
    if isinstance(items, (list, tuple)):  # slicing beats pulling items one at a time
        for i in range(0, len(items), n):
            yield list(items[i : i + n])
        return
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of a bulk pass that holds its data.

    An import or a scoring pass allocates millions of small, acyclic objects (models, tuples, dicts);
    each allocation burst triggers a collection that walks every live object, so the collector's
    cost grows with the size of the import. Reference counting still frees everything acyclic at
    once, and cycles left behind are collected when the pass ends. Measured on 200,000 interactions:
    13.1 s with the collector, 8.3 s without (``benchmarks/bench_import.py`` has the full-size figures).
    Streaming work that creates cycles as it goes collects them itself now and then (a push through
    the Neo4j driver, never collected, grew to 2 GB: see :func:`ofai_graph.sync.copy`).

    Also a decorator (``@paused_gc()``).

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cache
def _malloc_trim() -> Any:
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    numpy's arrays of a few megabytes come from the heap, and glibc keeps what they freed: summing a
    million interactions' contributions per pair held 660 MB of resident memory for 110 MB of live
    arrays (253 MB after a trim). A bulk pass calls this between its steps, so that its peak is what
    it holds, not what it once held.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
