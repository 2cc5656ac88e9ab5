"""Sorting words as a reader expects: by the Unicode Collation Algorithm, not by code
points, so that "Égypte" comes before "Eswatini" and not after "Zimbabwe"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import pyuca


@cache
def _collator() -> pyuca.Collator:
    # Loading the collation table takes a moment: once per process, when first needed.
    return pyuca.Collator()


def sort_key(text: str) -> tuple[int, ...]:
    return _collator().sort_key(text)


def collated[T](items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` in collation order."""
    return sorted(items, key=lambda item: sort_key(key(item)))
