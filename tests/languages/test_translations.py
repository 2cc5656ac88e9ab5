"""Every catalogue is complete and well formed, the compiled files say what the sources
say, the templates say nothing outside gettext, and the workflow's words follow the
glossary in every language."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import to_locale

LOCALE = Path(__file__).resolve().parents[2] / "tracker/locale"
TEMPLATES = LOCALE.parent / "templates"
GLOSSARY = LOCALE / "glossary.csv"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
#: How many plural forms each language's catalogue declares (CLDR / gettext).
PLURAL_FORMS = {"fr": 2, "es": 3, "ar": 6, "ru": 3, "zh-hans": 1}
#: The glossary's column for each language.
COLUMN = {"fr": "fr", "es": "es", "ar": "ar", "ru": "ru", "zh-hans": "zh"}


@cache
def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / to_locale(language) / "LC_MESSAGES/django.po"))


def messages(language: str) -> list[polib.POEntry]:
    return [entry for entry in catalogue(language) if not entry.obsolete]


def forms(entry: polib.POEntry) -> list[str]:
    """The translation, or each of its plural forms."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sd]|\{\w*\}")
TAG = re.compile(r"</?([a-z][a-z0-9]*)\b")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_service_speaks_the_six_official_languages_each_in_its_own_name():
    assert dict(settings.LANGUAGES) == {
        "en": "English",
        "fr": "Français",
        "es": "Español",
        "ar": "العربية",
        "ru": "Русский",
        "zh-hans": "中文",
    }
    assert translation.get_language_info("ar")["bidi"] is True


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_message_is_untranslated_or_fuzzy(language):
    problems = []
    for entry in messages(language):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid}")
        elif not all(text.strip() for text in forms(entry)):
            problems.append(f"untranslated: {entry.msgid}")
    assert messages(language)
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_plurals_have_every_form_of_the_language(language):
    header = catalogue(language).metadata["Plural-Forms"]
    assert f"nplurals={PLURAL_FORMS[language]};" in header.replace(" ", ""), header
    plural = [entry for entry in messages(language) if entry.msgid_plural]
    assert plural
    short = [e.msgid for e in plural if len(e.msgstr_plural) != PLURAL_FORMS[language]]
    assert not short, short


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_and_markup_are_kept(language):
    """A translation uses the placeholders of its message, no other, and keeps its HTML
    tags. A plural form may say its number in words (Arabic's one and two), so each
    form may leave out a placeholder, but together they use them all."""
    broken = []
    for entry in messages(language):
        source = entry.msgid_plural or entry.msgid
        wanted = placeholders(entry.msgid) | placeholders(source)
        said = [placeholders(text) for text in forms(entry)]
        if entry.msgid_plural:
            ok = all(s <= wanted for s in said) and set().union(*said) == wanted
        else:
            ok = said[0] == wanted
        tags = sorted(TAG.findall(entry.msgid))
        if not ok or any(sorted(TAG.findall(text)) != tags for text in forms(entry)):
            broken.append(f"{entry.msgid!r} → {forms(entry)!r}")
    assert not broken, f"{language}:\n" + "\n".join(broken)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is absent")
@pytest.mark.parametrize("language", TRANSLATED)
def test_gettext_accepts_each_catalogue(language, tmp_path):
    """msgfmt's own format checks, as compilemessages runs them."""
    source = LOCALE / to_locale(language) / "LC_MESSAGES/django.po"
    msgfmt = shutil.which("msgfmt") or "msgfmt"
    done = subprocess.run(  # noqa: S603 (a fixed command on the project's own files)
        [msgfmt, "--check-format", "-o", str(tmp_path / "django.mo"), str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def _compiled(entries) -> dict[tuple[str, str], tuple[str, ...]]:
    return {
        (entry.msgctxt or "", entry.msgid): tuple(forms(entry))
        for entry in entries
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_built_from_its_source(language):
    """The .mo beside each .po holds exactly its messages: a stale one would answer in
    English, or with last month's wording."""
    folder = LOCALE / to_locale(language) / "LC_MESSAGES"
    built = _compiled(polib.mofile(str(folder / "django.mo")))
    assert built == _compiled(messages(language)), (
        f"compile the catalogue: manage.py compilemessages -l {to_locale(language)}"
    )
    with translation.override(language):
        entry = next(e for e in messages(language) if not e.msgid_plural and not e.msgctxt)
        assert translation.gettext(entry.msgid) == entry.msgstr


def _marked(name: object, language: str) -> bool:
    """Marked for translation, and the language's catalogue has it (Django's own
    catalogues included)."""
    from django.utils.functional import Promise
    from django.utils.translation import trans_real

    if not isinstance(name, Promise):
        return False
    with translation.override("en"):
        english = str(name)
    with translation.override(language):
        said = str(name)
    # A message with a context (pgettext) is kept under another key: it shows translated.
    return english in trans_real.translation(language)._catalog or said != english


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_model_and_field_of_tracker_is_named_in_the_language(language):
    from django.apps import apps

    missing = []
    for model in apps.get_app_config("tracker").get_models():
        for meta_name in ("verbose_name", "verbose_name_plural"):
            if not _marked(getattr(model._meta, meta_name), language):
                missing.append(f"{model.__name__}.{meta_name}")
        for field in model._meta.get_fields():
            if field.auto_created or field.name == "id" or not hasattr(field, "verbose_name"):
                continue
            if not _marked(field.verbose_name, language):
                missing.append(f"{model.__name__}.{field.name}")
    assert not missing, f"no {language} name: " + ", ".join(missing)


#: Django's messages that a language writes as English does: units, the names of some
#: languages, "AM", Spanish "No", "total" and "hash".
SAME_WORD = {
    "%s GB",
    "%s KB",
    "%s MB",
    "%s PB",
    "%s TB",
    ":",
    "AM",
    "PM",
    "a.m.",
    "p.m.",
    "No",
    "Error:",
    "Esperanto",
    "Tamil",
    "Telugu",
    "Udmurt",
    "Urdu",
    "feb",
    "jun",
    "may",
    "%(full_result_count)s total",
    "hash",
}


@pytest.mark.parametrize("language", TRANSLATED)
def test_django_messages_are_translated_in_every_language(language):
    """What Django itself says in the admin and the forms (its catalogues, and ours
    where Django's leave a gap: tracker/framework_messages.py), checked against the
    messages Django's French catalogue translates, so a Django upgrade's new gap shows."""
    import django

    root = Path(django.__file__).parent
    english = set()
    for app in ("conf", "contrib/admin", "contrib/auth"):
        for entry in polib.pofile(str(root / app / "locale/fr/LC_MESSAGES/django.po")):
            if entry.msgstr and not entry.msgctxt and entry.msgstr != entry.msgid:
                english.add(entry.msgid)
    with translation.override(language):
        gaps = sorted(m for m in english - SAME_WORD if translation.gettext(m) == m)
    assert len(english) > 400
    assert not gaps, f"{language}: add them to tracker/framework_messages.py: {gaps}"


# --- templates --------------------------------------------------------------------------

#: Words a template may show as they are, in every language.
UNTRANSLATED = {"TA Tracker", "A/HRC/43/31", "CSV", "JSON", "IATI"}
_NOT_TEXT = [
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I),
    re.compile(r"{%.*?%}|{{.*?}}", re.S),
    re.compile(r"<!--.*?-->|<[^>]*>", re.S),
    re.compile(r"&[#\w]+;"),
]


#: Attributes a reader sees or hears (tooltips, placeholders, screen readers).
_READ_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"')


def words_outside_gettext(text: str) -> list[str]:
    """What a reader would see that no ``translate`` tag or variable says."""
    text = _READ_ATTRIBUTES.sub(lambda m: f"> {m.group(1)} <", text)
    for pattern in _NOT_TEXT:
        text = pattern.sub(" ", text)
    for word in UNTRANSLATED:
        text = text.replace(word, " ")
    return [bit.strip() for bit in re.split(r"\n|\s{2,}", text) if re.search(r"[^\W\d_]", bit)]


def test_no_template_says_words_outside_gettext():
    found = {
        str(path.relative_to(TEMPLATES)): words
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and (words := words_outside_gettext(path.read_text(encoding="utf-8")))
    }
    assert not found, found


def test_the_template_check_finds_a_bare_word():
    assert words_outside_gettext("<p>{% translate 'Save' %}</p><p>Cancel</p>") == ["Cancel"]
    assert words_outside_gettext('<a title="{{ x }}">{{ name }}</a> — TA Tracker') == []
    assert words_outside_gettext('<input placeholder="Search">') == ["Search"]


# --- the glossary -----------------------------------------------------------------------


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


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_follows_the_glossary(language):
    """Where the catalogue has a glossary word as a message of its own, it says it as
    the glossary does."""
    words = {row["en"]: row[COLUMN[language]] for row in glossary()}
    said = {e.msgid: e.msgstr for e in messages(language) if not e.msgctxt and not e.msgid_plural}
    # A label starts with a capital where the language writes one ("State" → "Государство").
    differing = {
        word: (said[word], wanted)
        for word, wanted in words.items()
        if word in said and said[word] not in (wanted, capfirst(wanted))
    }
    assert not differing, differing
    assert sum(word in said for word in words) >= 10


#: makemessages run on a copy of the sources, writing only into the copy's catalogues.
MAKEMESSAGES = """
import sys, django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.LOCALE_PATHS = [sys.argv[1]]
call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
"""


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext's xgettext is absent")
def test_every_message_of_the_sources_is_in_the_catalogues(tmp_path):
    """A message added to the code or a template, or changed there, and not carried
    into the catalogues, would read in English in every other language."""
    copy = tmp_path / "tracker"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    root = LOCALE.parent.parent
    made = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-P", "-c", MAKEMESSAGES, str(copy / "locale")],
        cwd=copy,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
    )
    assert made.returncode == 0, made.stderr
    fresh = polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))
    found = {(entry.msgctxt, entry.msgid) for entry in fresh if not entry.obsolete}
    kept = {(entry.msgctxt, entry.msgid) for entry in messages("fr")}
    assert (sorted(found - kept, key=str), sorted(kept - found, key=str)) == ([], []), (
        "run makemessages (docs/guide.md, 'Languages') and translate"
    )
    for language in TRANSLATED:
        assert {(e.msgctxt, e.msgid) for e in messages(language)} == kept, language
