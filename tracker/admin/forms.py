"""Forms of the admin's actions. They only collect input: the service layer decides,
and its refusal is shown to the officer with everything they typed kept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    FORMAL_CHANNELS,
    Activity,
    AssistanceForm,
    Domain,
    MemberState,
    Provider,
    User,
)
from tracker.workflow import Role

DATE = forms.DateInput(attrs={"type": "date"})


def officers():
    return User.objects.filter(role=Role.OFFICER, is_active=True).order_by("username")


class OpenRequestForm(forms.Form):
    requesting_state = forms.ModelChoiceField(
        MemberState.objects.all(), label=_("Requesting State"), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    domains = forms.ModelMultipleChoiceField(Domain.objects.all(), required=False)
    assistance_forms = forms.ModelMultipleChoiceField(
        AssistanceForm.objects.all(), label=_("Forms of assistance"), required=False
    )
    received_via = forms.ChoiceField(
        label=_("Formal request: kind"), choices=[(c.value, c.label) for c in FORMAL_CHANNELS]
    )
    document_number = forms.CharField(label=_("Formal request: number"), required=False)
    document_date = forms.DateField(label=_("Formal request: date"), widget=DATE, required=False)


class TransitionForm(forms.Form):
    """What every transition takes: the revision the officer saw, and a comment."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)

    def inputs(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class AcceptForm(TransitionForm):
    officer = forms.ModelChoiceField(
        officers(), label=_("Assign to"), required=False, help_text=_("Empty: yourself.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()


class ReasonForm(TransitionForm):
    field_order = ["reason"]
    comment = None
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


class WrittenDecisionForm(TransitionForm):
    """An officer records what the State decided in writing (P2, P4)."""

    document_reference = forms.CharField(
        label=_("The State's document reference"),
        required=False,
        help_text=_("Note verbale or letter in which the State communicated its decision."),
    )
    document_date = forms.DateField(label=_("Document date"), widget=DATE, required=False)


class ApprovePlanForm(WrittenDecisionForm):
    plan_version = forms.IntegerField(widget=forms.HiddenInput)


class RejectPlanForm(WrittenDecisionForm):
    field_order = ["reason"]
    comment = None
    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


class WithdrawForm(WrittenDecisionForm):
    field_order = ["reason"]
    comment = None
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "accept": AcceptForm,
    "decline": ReasonForm,
    "complete_assessment": TransitionForm,
    "approve_plan": ApprovePlanForm,
    "reject_plan": RejectPlanForm,
    "revise_plan": TransitionForm,
    "complete_implementation": TransitionForm,
    "close": TransitionForm,
    "withdraw": WithdrawForm,
}


class AssessmentForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea, required=False)
    gaps = forms.CharField(label=_("Gaps identified"), widget=forms.Textarea, required=False)


class PlanForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    budget_amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2)
    budget_currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    providers = forms.ModelMultipleChoiceField(Provider.objects.all(), required=False)


class ActivityForm(forms.Form):
    form = forms.ModelChoiceField(AssistanceForm.objects.all(), label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)


ActivityFormSet = forms.formset_factory(ActivityForm, extra=3)


class DeliveryForm(forms.Form):
    activity = forms.ModelChoiceField(Activity.objects.none(), label=_("Activity"))
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
    officer = forms.ModelChoiceField(officers(), label=_("Officer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()
