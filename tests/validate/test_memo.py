"""The bounded memo behind the file caches of validation: same content, same answer, without a second
reading; other content read anew; errors and oversized content never kept; the total stays bounded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from szsemi.validate.memo import ContentMemo


def _counting() -> tuple[list[str], Callable[[str], str]]:
    calls: list[str] = []

    def read(text: str) -> str:
        calls.append(text)
        return text.upper()

    return calls, read


def test_the_same_content_is_read_once_and_edited_content_again():
    calls, read = _counting()
    memo: ContentMemo[str] = ContentMemo()
    assert memo.get_or_make(read, "abc", size=3) == "ABC"
    assert memo.get_or_make(read, "abc", size=3) == "ABC"
    assert memo.get_or_make(read, "abd", size=3) == "ABD"
    assert calls == ["abc", "abd"]


def test_an_error_is_raised_each_time_and_never_kept():
    memo: ContentMemo[str] = ContentMemo()
    tries: list[int] = []

    def fail(text: str) -> str:
        tries.append(1)
        raise ValueError(text)

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get_or_make(fail, "bad", size=3)
    assert len(tries) == 2


def test_content_over_the_item_limit_is_not_kept_and_the_total_is_bounded():
    calls, read = _counting()
    memo: ContentMemo[str] = ContentMemo(item_limit=4, total_limit=6)
    memo.get_or_make(read, "long!", size=5)  # over the item limit
    memo.get_or_make(read, "long!", size=5)
    assert calls == ["long!", "long!"]
    memo.get_or_make(read, "aaa", size=3)
    memo.get_or_make(read, "bbb", size=3)  # 6 in all: both kept
    memo.get_or_make(read, "aaa", size=3)
    assert calls[2:] == ["aaa", "bbb"]
    memo.get_or_make(read, "ccc", size=3)  # past the total: what was kept is dropped first
    memo.get_or_make(read, "aaa", size=3)
    assert calls[4:] == ["ccc", "aaa"]
