"""The French catalogue is complete, and the compiled file says what the source says."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from django.utils import translation

CATALOGUE = Path(__file__).resolve().parent.parent / "tracker/locale/fr/LC_MESSAGES/django.po"


def _unquote(block: str, key: str) -> str:
    """The text of ``msgid``/``msgstr`` in one .po entry (its quoted lines joined)."""
    match = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.MULTILINE)
    if match is None:
        return ""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def entries() -> list[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n\n") if "msgid" in b and "#~ msgid" not in b]
    # Comments (#: places, #| the previous wording) say nothing of the translation.
    return [
        "\n".join(line for line in b.splitlines() if not line.startswith("#|")) for b in blocks[1:]
    ]  # fmt: skip  (the first is the header)


def test_no_message_is_untranslated_or_fuzzy():
    problems = []
    for block in entries():
        msgid = _unquote(block, "msgid")
        if "#, fuzzy" in block or "fuzzy," in block:
            problems.append(f"fuzzy: {msgid}")
        elif "msgid_plural" in block:
            if any(not _unquote(block, f"msgstr\\[{n}\\]") for n in (0, 1)):
                problems.append(f"untranslated plural: {msgid}")
        elif not _unquote(block, "msgstr"):
            problems.append(f"untranslated: {msgid}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_matches_its_source():
    # A message whose .mo is stale comes back in English.
    stale = []
    with translation.override("fr"):
        for block in entries():
            if "msgid_plural" in block or "msgctxt" in block:
                continue
            msgid, msgstr = _unquote(block, "msgid"), _unquote(block, "msgstr")
            if msgid and translation.gettext(msgid) != msgstr:
                stale.append(msgid)
    assert not stale, "compile the catalogue (manage.py compilemessages):\n" + "\n".join(stale)


def _in_french(name: object) -> bool:
    """Marked for translation, and the French catalogue has it (Django's own included)."""
    from django.utils.functional import Promise
    from django.utils.translation import trans_real

    if not isinstance(name, Promise):
        return False
    with translation.override("en"):
        english = str(name)
    return english in trans_real.translation("fr")._catalog


def test_every_model_and_field_of_tracker_has_a_french_name():
    from django.apps import apps

    missing = []
    for model in apps.get_app_config("tracker").get_models():
        for meta_name in ("verbose_name", "verbose_name_plural"):
            if not _in_french(getattr(model._meta, meta_name)):
                missing.append(f"{model.__name__}.{meta_name}")
        for field in model._meta.get_fields():
            if field.auto_created or field.name == "id" or not hasattr(field, "verbose_name"):
                continue
            if not _in_french(field.verbose_name):
                missing.append(f"{model.__name__}.{field.name}")
    assert not missing, "no French name: " + ", ".join(missing)


GLOSSARY = CATALOGUE.parent.parent.parent / "glossary.csv"


def glossary() -> list[dict[str, str]]:
    with GLOSSARY.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_the_glossary_names_each_word_in_the_six_languages():
    rows = glossary()
    assert rows
    languages = ("en", "fr", "es", "ar", "ru", "zh")
    missing = [(row["en"], code) for row in rows for code in languages if not row[code].strip()]
    assert not missing, missing
    assert len({row["en"] for row in rows}) == len(rows), "a word twice"


def test_the_french_catalogue_follows_the_glossary():
    """Where the catalogue has a glossary word as a message of its own, it says it as
    the glossary does."""
    words = {row["en"]: row["fr"] for row in glossary()}
    catalogue = {_unquote(block, "msgid"): _unquote(block, "msgstr") for block in entries()}
    differing = {word: (catalogue[word], french) for word, french in words.items()
                 if word in catalogue and catalogue[word] != french}  # fmt: skip
    assert not differing, differing
    assert sum(word in catalogue for word in words) >= 10
