"""Django's admin sentences that put a model's name into a sentence, worded again for the
languages whose grammar the original breaks: Russian declines the name ("Выберите
просьба" is wrong; "Выберите объект для изменения: просьба" is right whatever the
name), and Chinese takes no space between a verb and its object. Marked here so that
the project's catalogues carry them; the project's catalogue comes before Django's."""

from django.utils.translation import gettext_noop

REWORDED = (
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop(" By %(filter_title)s "),
)
