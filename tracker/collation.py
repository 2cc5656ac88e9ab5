"""Sorting words as a reader expects: by the Unicode Collation Algorithm, not by code
points, so that "Égypte" comes before "Eswatini" and not after "Zimbabwe"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import pyuca
from django import forms


@cache
def _collator() -> pyuca.Collator:
    # Loading the collation table takes a moment: once per process, when first needed.
    return pyuca.Collator()


def sort_key(text: str) -> tuple[int, ...]:
    return _collator().sort_key(text)


def collated[T](items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``key(item)`` in collation order."""
    return sorted(items, key=lambda item: sort_key(key(item)))


class CollatedChoices(forms.models.ModelChoiceIterator):
    """Choices in the reader's alphabetical order (names follow the active language)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from (self.choice(obj) for obj in collated(self.queryset, key=str))


class NamedChoiceField(forms.ModelChoiceField):
    iterator = CollatedChoices


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = CollatedChoices
