"""Sorting words as a reader of the active language expects: by ICU's collation for that
language, not by code points. "Égypte" comes before "Eswatini" and not after
"Zimbabwe"; Spanish puts "ñ" after "n"; Chinese names follow their pinyin; Arabic and
Russian follow their alphabets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import icu
from django import forms
from django.utils.translation import get_language, to_locale


@cache
def _collator(language: str) -> icu.Collator:
    # Building a collator takes a moment: once per language and process.
    return icu.Collator.createInstance(icu.Locale(to_locale(language)))


def sort_key(text: str) -> bytes:
    """The key that sorts ``text`` in the active language's order."""
    return _collator(get_language() or "en").getSortKey(text)


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
