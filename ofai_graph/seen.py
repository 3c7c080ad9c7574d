"""Which ids an import has already seen, in memory that stops growing.

An import of a million records cannot keep every id to spot a repeat: :class:`SeenIds` remembers
ids exactly up to :data:`EXACT` of them, then in a Bloom filter of fixed size (:data:`BITS` bits,
64 MB): membership is then "probably seen", wrong for about one id in 10^8 at a million ids and
one in 10^5 at ten million. Callers treat "seen" as "look it up in the store", so a false positive
costs one look-up, never a wrong answer on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

EXACT = 200_000
BITS = 1 << 29
HASHES = 4


class SeenIds:
    """A set of strings with ``in`` and ``add``: exact while small, a Bloom filter once large.

    >>> s = SeenIds(exact=2)
    >>> s.update(["a", "b", "c"])
    >>> "a" in s, "c" in s, s.exact
    (True, True, False)
    """

    def __init__(self, exact: int = EXACT):
        self._limit = exact
        self._set: set[str] | None = set()
        self._bits = bytearray()

    @property
    def exact(self) -> bool:
        return self._set is not None

    def __contains__(self, key: str) -> bool:
        if self._set is not None:
            return key in self._set
        h = hash(key)
        step = (h >> 32) | 1
        bits = self._bits
        for i in range(HASHES):
            at = (h + i * step) & (BITS - 1)
            if not bits[at >> 3] & (1 << (at & 7)):
                return False
        return True

    def add(self, key: str) -> None:
        if self._set is not None:
            self._set.add(key)
            if len(self._set) > self._limit:
                self._spill()
            return
        h = hash(key)
        step = (h >> 32) | 1
        bits = self._bits
        for i in range(HASHES):
            at = (h + i * step) & (BITS - 1)
            bits[at >> 3] |= 1 << (at & 7)

    def update(self, keys: Iterable[str]) -> None:
        for k in keys:
            self.add(k)

    def _spill(self) -> None:
        keys, self._set = self._set or set(), None
        self._bits = bytearray(BITS // 8)
        for k in keys:
            self.add(k)
