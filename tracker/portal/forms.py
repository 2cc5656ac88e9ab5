"""Portal forms: they collect input; the service layer decides."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from tracker import selectors
from tracker.kernel.collation import NamedChoiceField
from tracker.models import RecommendationSource, RegionalGroup
from tracker.web.forms import FilledRows, RecordChoice
from tracker.workflow import Stage


class NewRequestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What do you need?"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    domains = forms.ModelMultipleChoiceField(
        selectors.domains(),
        label=_("Domains"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    assistance_forms = forms.ModelMultipleChoiceField(
        selectors.assistance_forms(),
        label=_("Forms of assistance"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class RecommendationForm(RecordChoice):
    """One recommendation; the page shows the fields of the mechanism chosen
    (``RecommendationSource.FIELDS``), by style sheet alone."""

    source = forms.ChoiceField(
        label=_("Mechanism"), choices=[("", "—"), *RecommendationSource.choices], required=False
    )
    text = forms.CharField(
        label=_("The recommendation's words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )
    document_symbol = forms.CharField(
        label=_("Document symbol"),
        max_length=100,
        required=False,
        help_text=_("For example CEDAW/C/SEN/CO/3-7."),
    )
    upr_cycle = forms.IntegerField(label=_("UPR cycle"), min_value=1, max_value=99, required=False)
    recommending_state = NamedChoiceField(
        selectors.member_states(), label=_("Recommending State"), required=False
    )
    mandate = forms.CharField(label=_("Special procedure"), max_length=200, required=False)

    def clean(self):
        data = super().clean() or {}
        if source := data.get("source"):
            # What another mechanism's fields held stays out: the page hid them.
            for name in self.fields:
                if name != "source" and source not in RecommendationSource.having(name):
                    data[name] = getattr(self.fields[name], "empty_value", None)
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if mechanisms := RecommendationSource.having(name):
                field.widget.attrs["data-mechanisms"] = " ".join(mechanisms)


RecommendationFormSet = forms.formset_factory(
    RecommendationForm, formset=FilledRows, extra=2, max_num=20
)


class RequestSearchForm(forms.Form):
    """Finding one of the State's requests: words, stage, year."""

    q = forms.CharField(label=_("Reference, title or domain"), required=False, max_length=200)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    year = forms.IntegerField(label=_("Opened in"), required=False, min_value=1990, max_value=2100)


class DecisionForm(forms.Form):
    """Approve, reject or withdraw: the revision and plan the State saw, and its words."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    plan_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class BriefSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    domain = forms.ModelChoiceField(
        selectors.domains(), label=_("Domain"), required=False, to_field_name="code"
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any region")), *RegionalGroup.choices]
    )
    year = forms.IntegerField(label=_("Closed in"), required=False, min_value=1990, max_value=2100)


class ChoosePasswordForm(forms.Form):
    """The password an invited person chooses, checked by the site's validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ColleagueForm(forms.Form):
    """A colleague the State's lead focal point invites."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
