"""Which ids an import has already seen, in memory that stops growing.

An import of a million records cannot keep every id to spot a repeat: :class:`SeenIds` remembers
ids exactly up to :data:`EXACT` of them, then in a Bloom filter of fixed size (:data:`BITS` bits,
64 MB): membership is then "probably seen", wrong for about one id in 10^8 at a million ids and
one in 10^5 at ten million. Callers treat "seen" as "look it up in the store", so a false positive
costs one look-up, never a wrong answer on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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

    def seen_before(self, keys: Sequence[str]) -> list[bool]:
        """``[k in self for k in keys]``, then every key added: one pass of array operations once
        the filter is in use (the bit tests one key at a time took 7 s of a million-record import).

        >>> s = SeenIds(exact=1)
        >>> s.seen_before(["a", "b"]), s.seen_before(["b", "c", "c"])
        ([False, False], [True, False, False])
        """
        if self._set is not None:
            found = [k in self._set for k in keys]
            self.update(keys)
            return found
        import numpy as np

        h = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        step = (h >> 32) | 1
        bits = np.frombuffer(self._bits, dtype=np.uint8)
        # Wrapping in 64 bits leaves the low bits that pick the bit as Python's unbounded sum has them.
        at = [(h + i * step) & (BITS - 1) for i in range(HASHES)]
        where = [(a >> 3, (1 << (a & 7)).astype(np.uint8)) for a in at]
        seen = np.ones(len(keys), dtype=bool)
        for byte, mask in where:  # all tested before any is set: "seen before these keys"
            seen &= (bits[byte] & mask) != 0
        for byte, mask in where:
            np.bitwise_or.at(bits, byte, mask)
        return list(seen.tolist())

    def _spill(self) -> None:
        keys, self._set = self._set or set(), None
        self._bits = bytearray(BITS // 8)
        for k in keys:
            self.add(k)
