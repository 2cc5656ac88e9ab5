"""Django's own messages that its catalogues leave untranslated in some of the languages
the service speaks (Django 6.1: the blank choice of a select, the admin's filter and
pagination labels, a few refusals). Marked here so that TA Tracker's catalogues carry
them, and ours take precedence over Django's (LOCALE_PATHS). The test
``test_django_messages_are_translated_in_every_language`` finds any new gap."""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Logout"),
    gettext_noop("Run"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("No %s matches the given query."),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of "
        "the following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop("Haitian Creole"),
    gettext_noop("hash"),
    gettext_noop("salt"),
]
