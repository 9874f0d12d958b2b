"""What validation derives from a file's content alone, kept for the next run over the same content.

A long-lived process (the web server, a notebook, the test suite) validates the same files again
and again. Keyed by the arguments, the content itself among them, so an edited file is read anew;
an error is never kept; nothing over the item limit is kept, and past the total limit everything
kept is dropped first. Kept values are shared: callers must not change them.

>>> memo: ContentMemo[str] = ContentMemo(item_limit=10, total_limit=15)
>>> memo.get_or_make(str.upper, "abc", size=3)
'ABC'
>>> memo.get_or_make(lambda text: "made again", "abc", size=3)
'ABC'
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ContentMemo(Generic[V]):
    """A bounded memo; ``size`` is the length of the content among the arguments (bytes or characters)."""

    def __init__(self, *, item_limit: int = 1 << 20, total_limit: int = 8 << 20) -> None:
        self.item_limit, self.total_limit = item_limit, total_limit
        self._kept: dict[tuple[Hashable, ...], V] = {}
        self._total = 0

    def get_or_make(self, make: Callable[..., V], *args: Hashable, size: int) -> V:
        """The value kept for ``args``, else ``make(*args)``, then kept if ``size`` is within the limits."""
        if args in self._kept:
            return self._kept[args]
        value = make(*args)
        if size <= self.item_limit:
            if self._total + size > self.total_limit:
                self._kept.clear()
                self._total = 0
            self._kept[args] = value
            self._total += size
        return value
