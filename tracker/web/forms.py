"""Forms that the admin and the portal share: they collect input, the services decide
(every field optional where the service says what is missing, next to the field)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.kernel.errors import InvalidInput
from tracker.models import Brief, DocumentKind


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)


class DocumentForm(forms.Form):
    """What a document is, what it belongs to on the request, what it replaces."""

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    about = forms.ChoiceField(label=_("It belongs to"), required=False)
    supersedes = forms.TypedChoiceField(
        label=_("It replaces"), required=False, coerce=int, empty_value=None
    )
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args, targets, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = targets
        self.fields["supersedes"].choices = [("", _("Nothing: it is a new document"))] + [
            (d.pk, f"{d.name} ({d.get_kind_display()})") for d in current
        ]


class BriefForm(forms.Form):
    """A good-practice brief, as the State writes it in the portal or an officer drafts
    it in the admin: every part optional here, the service says what is missing next
    to it."""

    context = forms.CharField(
        label=_("Context"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    done = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    results = forms.CharField(
        label=_("Results"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("The outcome indicators of the evaluation are shown with the brief."),
    )
    differently = forms.CharField(
        label=_("What we would do differently"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    @classmethod
    def initial_of(cls, brief: Brief | None) -> dict[str, str] | None:
        """The brief as written so far, to start the form from."""
        return {name: getattr(brief, name) for name in cls.base_fields} if brief else None


class RecordChoice(forms.Form):
    """A linked recommendation may name an imported UPR record made to the State (a
    list of ``selectors.upr_records_for``); the record's words are then taken."""

    record = forms.TypedChoiceField(
        label=_("Imported UPR recommendation"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Its cycle, recommending State and text are taken as they were imported."),
    )

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "---------"), *records]


class FilledRows(forms.BaseFormSet):
    """Rows of a formset; ``rows()`` are those a person filled in, numbered as the
    service numbers its problems ("recommendations.0.text", ``place_problems``)."""

    def rows(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed()]


def place_problems(
    error: InvalidInput, shown: Sequence[Any], renamed: Mapping[str, str] | None = None
) -> str:
    """Put each problem of ``error`` next to its field in the forms ``shown`` (a form,
    or a list of rows whose problems are named "prefix.row.field"); ``renamed`` gives
    the form's name of a service's input (or of rows' prefix) where they differ.
    Returns what has no field."""
    unplaced = [
        problem
        for name, problem in error.fields.items()
        if not _placed(_renamed(name, renamed or {}), problem, shown)
    ]
    if not error.fields:
        unplaced.append(error.message)
    return " ".join(unplaced)


def _renamed(name: str, renamed: Mapping[str, str]) -> str:
    if name in renamed:
        return renamed[name]
    prefix, dot, rest = name.partition(".")
    return f"{renamed[prefix]}.{rest}" if dot and prefix in renamed else name


def _placed(name: str, problem: str, shown: Sequence[Any]) -> bool:
    prefix, _dot, rest = name.partition(".")
    for form in shown:
        if isinstance(form, forms.BaseFormSet):
            if form.prefix != prefix:
                continue
            row, _dot, field = rest.partition(".")
            if not field:
                form.non_form_errors().append(problem)
                return True
            rows = form.rows()  # type: ignore[attr-defined]  # our formsets are Rows
            if row.isdigit() and int(row) < len(rows) and field in rows[int(row)].fields:
                rows[int(row)].add_error(field, problem)
                return True
        elif name in form.fields:
            form.add_error(name, problem)
            return True
    return False


def error_summary(shown: Sequence[Any]) -> list[dict[str, str]]:
    """Every problem of a submission, in the order of the page, each with the id of its
    field (a form, or a list of rows): the summary at the top links to each (the
    pattern of GOV.UK's design system)."""
    found = []
    for form in shown:
        for each in getattr(form, "forms", [form]):
            found += [{"href": "", "text": str(problem)} for problem in each.non_field_errors()]
            for field in each.visible_fields():
                found += [
                    {"href": f"#{field.id_for_label}", "text": f"{field.label}: {problem}"}
                    for problem in field.errors
                ]
    return found
