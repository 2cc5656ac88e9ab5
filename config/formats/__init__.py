"""Each language's way of writing a moment: its own date format (the one every page
uses, Django's ``DATE_FORMAT``) followed by the time and the time zone's name, so that
a timestamp read across time zones says which. Django's own formats give the rest."""
