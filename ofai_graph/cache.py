"""Results that stay valid while the store does not change: relationship graphs, neighbourhoods."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from .store.base import Store

T = TypeVar("T")


class RevisionCache:
    """The ``size`` most recently built results, each dropped when the store's revision moves on.

    >>> from ofai_graph.store.sqlite import SQLiteStore
    >>> cache = RevisionCache(SQLiteStore(":memory:"), size=2)
    >>> calls = []
    >>> build = lambda: calls.append(1) or len(calls)
    >>> cache.get("a", build), cache.get("a", build), len(calls)
    (1, 1, 1)
    """

    def __init__(self, store: Store, size: int = 8):
        self.store = store
        self.size = size  # graphs are big: keep the most recent few
        self._items: dict[Hashable, tuple[int, object]] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        rev = self.store.revision()
        hit = self._items.pop(key, None)
        if hit is None or hit[0] != rev:
            hit = (rev, build())
        self._items[key] = hit  # now the most recent
        while len(self._items) > self.size:
            self._items.pop(next(iter(self._items)))
        return hit[1]  # type: ignore[return-value]

    def clear(self) -> None:
        self._items.clear()
