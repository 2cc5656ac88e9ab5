"""Forms of the admin's actions. They only collect input: the service layer decides,
and its refusal is shown to the officer with everything they typed kept."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker import selectors, workflow
from tracker.kernel import money
from tracker.kernel.collation import NamedChoiceField, NamedMultipleChoiceField
from tracker.kernel.vocabulary import FOLLOW_UPS, EvaluationKind
from tracker.models import FORMAL_CHANNELS, Brief, FundingSource, RecommendationSource
from tracker.web.forms import BriefForm, MessageForm, RecordChoice
from tracker.workflow import StrOrPromise

DATE = forms.DateInput(attrs={"type": "date"})


class Rows(forms.BaseFormSet):
    """Numbered rows that can be added and removed without JavaScript: the page's
    "add a row" button posts the form back with one more row, and a row's "remove"
    box drops it when the form is confirmed. ``rows()`` are the rows to record."""

    row_name: StrOrPromise = _("Row")
    add_label: StrOrPromise = _("Add a row")

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def rows(self) -> list[forms.Form]:
        """The rows recorded before (unless removed) and the new rows filled in."""
        kept = self.initial_forms
        return [
            form
            for form in self.forms
            if (form in kept or form.has_changed())
            and not getattr(form, "cleaned_data", {}).get("DELETE")
        ]


def rows(form_class: type[forms.Form], name: StrOrPromise, add: StrOrPromise, extra: int = 1):
    formset = cast(
        type[Rows],
        forms.formset_factory(form_class, formset=Rows, extra=extra, can_delete=True),
    )
    formset.row_name, formset.add_label = name, add
    return formset


class OpenRequestForm(forms.Form):
    requesting_state = NamedChoiceField(
        selectors.member_states(), label=_("Requesting State"), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    domains = NamedMultipleChoiceField(selectors.domains(), label=_("Domains"), required=False)
    assistance_forms = NamedMultipleChoiceField(
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
        return {k: v for k, v in self.cleaned_data.items() if k not in ("revision", KNOWINGLY)}

    def ask_knowingly(self, undelivered: list[Any]) -> None:
        """Completing implementation with activities not delivered: said, and confirmed."""
        titles = ", ".join(activity.title for activity in undelivered)
        self.fields[KNOWINGLY] = forms.BooleanField(
            label=ngettext(
                "Complete without the activity not delivered: %(titles)s.",
                "Complete without the %(n)s activities not delivered: %(titles)s.",
                len(undelivered),
            )
            % {"n": len(undelivered), "titles": titles},
            error_messages={
                "required": _("Tick this box to complete implementation without them.")
            },
        )


#: The confirmation that implementation completes with activities not delivered.
KNOWINGLY = "without_undelivered"


#: A form field for each input a transition may take (``workflow.inputs_of``). Every
#: field is optional here: the service layer says what is missing, in its own words.
INPUT_FIELDS: dict[str, Callable[[], forms.Field]] = {
    "reason": lambda: forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False),
    "comment": lambda: forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False),
    "officer": lambda: forms.ModelChoiceField(
        selectors.officers(),
        label=_("Assign to"),
        required=False,
        help_text=_("Empty: yourself."),
    ),
    "plan_version": lambda: forms.IntegerField(widget=forms.HiddenInput, required=False),
    # Staff act for the State only on the strength of its written communication (P2, P4).
    "document_reference": lambda: forms.CharField(
        label=_("The State's document reference"),
        required=False,
        help_text=_("Note verbale or letter in which the State communicated its decision."),
    ),
    "document_date": lambda: forms.DateField(label=_("Document date"), widget=DATE, required=False),
}


def transition_form(name: str) -> type[TransitionForm]:
    """The form of one transition: a field per input it takes, the reason first."""
    inputs = sorted(workflow.inputs_of(name), key=lambda i: i != "reason")
    return type(f"{name}_form", (TransitionForm,), {i: INPUT_FIELDS[i]() for i in inputs})


class AssessmentForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea, required=False)
    gaps = forms.CharField(label=_("Gaps identified"), widget=forms.Textarea, required=False)


def currency_field() -> forms.ChoiceField:
    # A callable: the names are read in the language of each page.
    return forms.ChoiceField(label=_("Currency"), choices=money.currency_choices, initial="USD")


class PlanForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)
    budget_amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2)
    budget_currency = currency_field()
    providers = forms.ModelMultipleChoiceField(
        selectors.providers(), label=_("Providers"), required=False
    )


class ActivityForm(forms.Form):
    # Every field optional: a row left empty is no activity, and the service says
    # what a row that was started still needs, next to its field.
    form = NamedChoiceField(selectors.assistance_forms(), label=_("Kind"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)


ActivityFormSet = rows(ActivityForm, _("Activity"), _("Add an activity"), extra=2)


class FundingForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "---------"), *FundingSource.choices], required=False
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, required=False)
    currency = currency_field()


FundingFormSet = rows(FundingForm, _("Funding line"), _("Add a funding line"))


class RecommendationForm(RecordChoice):
    source = forms.ChoiceField(
        label=_("Mechanism"),
        choices=[("", "---------"), *RecommendationSource.choices],
        required=False,
    )
    document_symbol = forms.CharField(
        label=_("Document symbol"),
        max_length=100,
        required=False,
        help_text=_("For example CEDAW/C/SEN/CO/3-7."),
    )
    upr_cycle = forms.IntegerField(label=_("UPR cycle"), min_value=1, required=False)
    recommending_state = NamedChoiceField(
        selectors.member_states(), label=_("Recommending State"), required=False
    )
    mandate = forms.CharField(label=_("Special procedure mandate"), max_length=200, required=False)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea, required=False)


RecommendationFormSet = rows(
    RecommendationForm, _("Recommendation"), _("Add a recommendation"), extra=1
)


class CorrectionForm(forms.Form):
    comment = forms.CharField(
        label=_("What was corrected, and why"), widget=forms.Textarea, required=False
    )


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


IndicatorFormSet = rows(IndicatorForm, _("Outcome indicator"), _("Add an indicator"), extra=1)


class AssignOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(selectors.officers(), label=_("Officer"))


class StaffMessageForm(MessageForm):
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_("Only the secretariat sees it; the State is not told."),
    )


class StateLetterForm(forms.Form):
    """The State's written communication of a decision an officer records: its
    reference and date, and a comment."""

    document_reference = INPUT_FIELDS["document_reference"]()
    document_date = INPUT_FIELDS["document_date"]()
    comment = INPUT_FIELDS["comment"]()


class OpenPublicationForm(StateLetterForm):
    """The State's written decision on the open publication of its request."""

    field_order = ("agree",)

    agree = forms.TypedChoiceField(
        label=_("The State"),
        choices=[
            ("yes", _("agrees to the open publication of this request")),
            ("no", _("revokes its agreement to open publication")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class BriefDraftForm(BriefForm):
    """The State's good-practice brief as an officer drafts it for the State to approve:
    its last part is what the State, not the secretariat, would do differently."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["differently"].label = capfirst(
            Brief._meta.get_field("differently").verbose_name
        )


class FollowUpForm(forms.Form):
    """A follow-up evaluation: which one, when measured, and a value for each of the
    final evaluation's outcome indicators (one field per indicator)."""

    kind = forms.ChoiceField(
        label=_("Follow-up"),
        choices=[(k.value, k.label) for k in EvaluationKind if k in FOLLOW_UPS],
    )
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea, required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for row, indicator in enumerate(self.indicators):
            self.fields[f"indicator_{row}"] = forms.DecimalField(
                label=indicator.name,
                max_digits=14,
                decimal_places=2,
                required=False,
                help_text=_("Baseline %(baseline)s, target %(target)s, %(measured)s at closing.")
                % {
                    "baseline": indicator.baseline,
                    "target": indicator.target,
                    "measured": indicator.measured,
                },
            )

    def measured(self) -> dict[str, Decimal | None]:
        return {
            indicator.name: self.cleaned_data.get(f"indicator_{row}")
            for row, indicator in enumerate(self.indicators)
        }
