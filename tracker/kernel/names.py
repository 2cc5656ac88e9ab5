"""A State's name inside a sentence, in the active language.

Messages never glue an article to a name: they take the forms below as placeholders,
and each catalogue puts them where its grammar wants them. For a State keyed
``state`` a message may use:

- ``%(state)s``: the name with its article, "the Niger" / "le Togo", "Cuba";
- ``%(of_state)s``: after "of", "of the Niger" / "du Togo", "de la Tunisie", "d’Israël";
- ``%(only_state)s``: "only Togo" / "seul le Togo", "seule la Tunisie", "seules les
  Comores" (French agrees with the name's gender and number).

The articles, contractions and genders are data (``MemberState.in_text_*``, loaded
from ``tracker/data/member_states.csv``), never guessed from the spelling.

Spanish, Arabic, Russian and Chinese get the official short name itself in all three
places, and each catalogue writes the words around it ("de", "solo", "государства",
"的") in its own messages: the name stays in the form the UN lists give it, which a
sentence can always hold (Russian puts it in apposition, "государства Тунис").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.text import capfirst
from django.utils.translation import get_language, to_locale

if TYPE_CHECKING:
    from tracker.models import MemberState

#: The column suffix of each language's name: ``name_zh`` holds Simplified Chinese.
NAME_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")


def name_language(language: str | None) -> str:
    """The two-letter code of ``language`` ("zh-hans" → "zh"), the suffix of its
    ``name_*`` column; English for a language without names."""
    prefix = (language or "en").split("-")[0]
    return prefix if prefix in NAME_LANGUAGES else "en"


def active_locale() -> str:
    """The active language as CLDR/ICU name it ("zh_Hans"), for Babel's formats."""
    return to_locale(get_language() or "en")


#: French "seul" agrees with the State's name.
_ONLY_FR = {"m": "seul", "f": "seule", "mp": "seuls", "fp": "seules"}


def words(state: MemberState, key: str = "state") -> dict[str, str]:
    """The placeholders of ``state`` for a message, named after ``key``."""
    language = name_language(get_language())
    if language == "fr":
        the = state.in_text_fr or state.name_fr
        of = state.of_fr or f"de {state.name_fr}"
        only = f"{_ONLY_FR.get(state.gender_fr, 'seul')} {the}"
    elif language == "en":
        the = state.in_text_en or state.name_en
        of, only = f"of {the}", f"only {the}"
    else:
        the = of = only = state.name
    return {key: the, f"of_{key}": of, f"only_{key}": only}


def sentence(text: str) -> str:
    """A message that may begin with a name in its running form: "le Togo a…" → "Le
    Togo a…"."""
    return capfirst(text) or ""
