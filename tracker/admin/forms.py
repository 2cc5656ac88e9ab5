"""Forms of the admin's actions. They only collect input: the service layer decides,
and its refusal is shown to the officer with everything they typed kept."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import selectors, workflow
from tracker.models import FORMAL_CHANNELS

DATE = forms.DateInput(attrs={"type": "date"})


class OpenRequestForm(forms.Form):
    requesting_state = forms.ModelChoiceField(
        selectors.member_states(), label=_("Requesting State"), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    domains = forms.ModelMultipleChoiceField(selectors.domains(), required=False)
    assistance_forms = forms.ModelMultipleChoiceField(
        selectors.assistance_forms(), label=_("Forms of assistance"), required=False
    )
    received_via = forms.ChoiceField(
        label=_("Formal request: kind"), choices=[(c.value, c.label) for c in FORMAL_CHANNELS]
    )
    document_number = forms.CharField(label=_("Formal request: number"), required=False)
    document_date = forms.DateField(label=_("Formal request: date"), widget=DATE, required=False)


class TransitionForm(forms.Form):
    """What every transition form carries: the revision the officer saw. The rest is
    built from the transition's own inputs (``transition_form``)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def inputs(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


#: A form field for each input a transition may take (``workflow.inputs_of``). Every
#: field is optional here: the service layer says what is missing, in its own words.
INPUT_FIELDS: dict[str, Callable[[], forms.Field]] = {
    "reason": lambda: forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False),
    "comment": lambda: forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False),
    "officer": lambda: forms.ModelChoiceField(
        selectors.officers(), label=_("Assign to"), required=False,
        help_text=_("Empty: yourself."),
    ),
    "plan_version": lambda: forms.IntegerField(widget=forms.HiddenInput, required=False),
    # Staff act for the State only on the strength of its written communication (P2, P4).
    "document_reference": lambda: forms.CharField(
        label=_("The State's document reference"), required=False,
        help_text=_("Note verbale or letter in which the State communicated its decision."),
    ),
    "document_date": lambda: forms.DateField(label=_("Document date"), widget=DATE,
                                             required=False),
}  # fmt: skip


def transition_form(name: str) -> type[TransitionForm]:
    """The form of one transition: a field per input it takes, the reason first."""
    inputs = sorted(workflow.inputs_of(name), key=lambda i: i != "reason")
    return type(f"{name}_form", (TransitionForm,), {i: INPUT_FIELDS[i]() for i in inputs})


class AssessmentForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea, required=False)
    gaps = forms.CharField(label=_("Gaps identified"), widget=forms.Textarea, required=False)


class PlanForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    budget_amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2)
    budget_currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    providers = forms.ModelMultipleChoiceField(selectors.providers(), required=False)


class ActivityForm(forms.Form):
    form = forms.ModelChoiceField(selectors.assistance_forms(), label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)


ActivityFormSet = forms.formset_factory(ActivityForm, extra=3)


class DeliveryForm(forms.Form):
    activity = forms.ModelChoiceField(selectors.activities_to_deliver(None), label=_("Activity"))
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities


class EvaluationForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    lessons_learned = forms.CharField(
        label=_("Lessons learned"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Other States see them only if the State chooses to publish them."),
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=14, decimal_places=2, required=False
    )
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2, required=False)
    measured = forms.DecimalField(
        label=_("Measured"), max_digits=14, decimal_places=2, required=False
    )


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2)


class AssignOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(selectors.officers(), label=_("Officer"))
