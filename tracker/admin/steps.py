"""The pages where the secretariat moves a request on: log a request received on paper,
take a transition, record the content of a stage (assessment, plan, delivery,
evaluation). Each page only collects input and calls the service once; a refusal is
shown as a message with what was typed kept, and nothing is half-applied because each
service call is one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _

from tracker import selectors, services, workflow
from tracker.admin import forms
from tracker.kernel.errors import DomainError, InvalidInput, NotFound
from tracker.models import AssistanceRequest, Plan
from tracker.services import (
    ActivityDraft,
    FormalRequest,
    FundingDraft,
    IndicatorDraft,
    RecommendationDraft,
    drafts,
)
from tracker.web import http
from tracker.web.forms import DocumentForm, error_summary, place_problems
from tracker.web.http import SignedInRequest
from tracker.workflow import Stage

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AssistanceRequest]
else:
    _ModelAdmin = object


class RequestSteps(_ModelAdmin):
    """The step pages of ``AssistanceRequestAdmin`` (a ModelAdmin mixin)."""

    def step_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/documents/<int:pk>/",
                view(self.download_view),
                name="tracker_assistancerequest_document_download",
            ),
            path(
                "<path:object_id>/transition/<str:name>/",
                view(self.transition_view),
                name="tracker_assistancerequest_transition",
            ),
            *(
                path(
                    f"<path:object_id>/{action}/",
                    view(self._officers_only(getattr(self, f"{action}_view"))),
                    name=f"tracker_assistancerequest_{action}",
                )
                for action in workflow.CONTENT_STEPS
            ),
        ]

    def step_buttons(
        self, request: SignedInRequest, obj: AssistanceRequest
    ) -> list[dict[str, Any]]:
        """A button for each transition this user may take from here: a link when it is
        possible now, else disabled with the guard's own reason; the step the workflow
        expects next comes first, as the primary action. Then the content pages."""
        steps = sorted(workflow.steps_for(obj, request.user), key=lambda step: not step.expected)
        buttons: list[dict[str, Any]] = [
            {
                "label": step.label,
                "url": reverse(
                    "admin:tracker_assistancerequest_transition", args=[obj.pk, step.name]
                )
                if step.possible
                else "",
                "reason": step.reason,
                "primary": step.expected and step.possible,
            }
            for step in steps
        ]
        if workflow.is_officer(request.user):
            selectors.with_consents(obj)  # the content steps' guards read them once
            for action, content in workflow.CONTENT_STEPS.items():
                if obj.stage not in content.stages:
                    continue
                refusal = workflow.content_refusal(obj, action)
                url = reverse(f"admin:tracker_assistancerequest_{action}", args=[obj.pk])
                buttons.append(
                    {
                        "label": content.label,
                        "url": "" if refusal else url,
                        "reason": refusal,
                        "primary": False,
                    }
                )
        return buttons

    # Opening a request received on paper (P1).

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = forms.OpenRequestForm(request.POST or None)

        def perform() -> AssistanceRequest:
            data = form.cleaned_data
            return services.open_request(
                by=request.user,
                title=data["title"],
                description=data["description"],
                requesting_state=data["requesting_state"],
                formal_request=FormalRequest(
                    data["received_via"], data["document_number"], data["document_date"]
                )
                if data["document_number"] or data["document_date"]
                else None,
                domains=[d.code for d in data["domains"]],
                forms=[f.code for f in data["assistance_forms"]],
            )

        return self._action(
            request,
            None,
            title=_("Log a request received from a State"),
            forms=[form],
            perform=perform,
            done=_("Request %(reference)s logged."),
        )

    # Transitions.

    def transition_view(self, request: SignedInRequest, object_id: str, name: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        if name not in workflow.TRANSITION_NAMES:
            raise Http404
        try:
            permit = workflow.check(obj, name, request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        latest = obj.latest_plan()
        form = forms.transition_form(name)(
            request.POST or None,
            initial={"revision": obj.revision, "plan_version": latest and latest.version},
        )
        confirms = ""
        if name in ("approve_plan", "reject_plan") and latest is not None:
            confirms = _plan_confirmed(latest)
        if name == "complete_implementation" and (
            undelivered := selectors.undelivered_activities(obj)
        ):
            form.ask_knowingly(undelivered)
        return self._action(
            request,
            obj,
            title=str(workflow.about(name).label),
            forms=[form],
            perform=lambda: services.take_transition(
                ta_request=obj,
                name=name,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                permit=permit,
                **form.inputs(),
            ),
            done=lambda target: _taken(target, name),
            confirms=confirms,
        )

    # Content.

    def assessment_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        current = selectors.needs_assessment(obj)
        form = forms.AssessmentForm(
            request.POST or None,
            initial={"findings": current.findings, "gaps": current.gaps} if current else None,
        )
        return self._form_step(
            request,
            obj,
            form,
            services.record_assessment,
            title=_("Record needs assessment"),
            done=_("%(reference)s: needs assessment recorded."),
        )

    def plan_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.PlanForm(request.POST or None)
        activities = _rows(forms.ActivityFormSet, request, "activities")

        def perform() -> Plan:
            return services.propose_plan(
                ta_request=obj,
                by=request.user,
                activities=drafts(ActivityDraft, _entered(activities)),
                **form.cleaned_data,
            )

        return self._action(
            request,
            obj,
            title=_("Propose a plan version"),
            forms=[form, activities],
            perform=perform,
            done=_("%(reference)s: plan version proposed; the State must approve it."),
        )

    def delivery_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.DeliveryForm(
            request.POST or None, activities=selectors.activities_to_deliver(obj)
        )

        def perform() -> object:
            data = dict(form.cleaned_data)
            return services.record_delivery(
                activity=data.pop("activity"),
                by=request.user,
                delivered_on=data["delivered_on"],
                participants=data["participants"],
                place=data["place"] or None,
            )

        return self._action(
            request,
            obj,
            title=_("Record the delivery of an activity"),
            forms=[form],
            perform=perform,
            done=_("%(reference)s: delivery recorded."),
        )

    def evaluation_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        current = selectors.final_evaluation(obj)
        form = forms.EvaluationForm(
            request.POST or None,
            initial={"summary": current.summary, "lessons_learned": current.lessons_learned}
            if current
            else None,
        )
        indicators = _rows(
            forms.IndicatorFormSet,
            request,
            "indicators",
            initial=list(
                current.indicators.values("name", "unit", "baseline", "target", "measured")
            )
            if current
            else None,
        )
        return self._action(
            request,
            obj,
            title=_("Record the evaluation"),
            forms=[form, indicators],
            perform=lambda: services.record_evaluation(
                ta_request=obj,
                by=request.user,
                indicators=drafts(IndicatorDraft, _entered(indicators)),
                **form.cleaned_data,
            ),
            done=_("%(reference)s: evaluation recorded."),
        )

    def follow_up_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        final = selectors.final_evaluation(obj)
        form = forms.FollowUpForm(
            request.POST or None,
            indicators=final.indicators.order_by("pk") if final else (),
        )
        return self._action(
            request,
            obj,
            title=_("Record a follow-up evaluation"),
            forms=[form],
            perform=lambda: services.record_follow_up(
                ta_request=obj,
                by=request.user,
                kind=form.cleaned_data["kind"],
                measured_on=form.cleaned_data["measured_on"],
                measured=form.measured(),
                summary=form.cleaned_data["summary"],
            ),
            done=_("%(reference)s: follow-up evaluation recorded."),
            fields={
                f"indicators.{row}.measured": f"indicator_{row}"
                for row in range(len(form.indicators))
            },
        )

    def brief_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        current = selectors.brief_of(obj)
        form = forms.BriefDraftForm(
            request.POST or None,
            initial=forms.BriefDraftForm.initial_of(current),
        )
        return self._form_step(
            request,
            obj,
            form,
            services.write_brief,
            title=_("Draft the good-practice brief"),
            done=_("%(reference)s: brief saved, unpublished until the State approves it."),
        )

    def funding_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        lines = _rows(
            forms.FundingFormSet,
            request,
            "funding",
            initial=list(selectors.funding_of(obj).values("source", "amount", "currency")),
        )
        return self._action(
            request,
            obj,
            title=_("Record funding"),
            forms=[lines],
            perform=lambda: services.record_funding(
                ta_request=obj,
                by=request.user,
                funding=drafts(FundingDraft, _entered(lines)),
            ),
            done=_("%(reference)s: funding recorded."),
        )

    def recommendations_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        links = _rows(
            forms.RecommendationFormSet,
            request,
            "recommendations",
            initial=list(selectors.recommendations_of(obj).values(*RECOMMENDATION_FIELDS)),
            form_kwargs={"records": selectors.upr_records_for(obj)},
        )
        note = forms.CorrectionForm(request.POST or None)
        return self._action(
            request,
            obj,
            title=_("Correct linked recommendations"),
            forms=[links, note],
            perform=lambda: services.correct_recommendations(
                ta_request=obj,
                by=request.user,
                recommendations=drafts(RecommendationDraft, _entered(links)),
                **note.cleaned_data,
            ),
            done=_(
                "%(reference)s: linked recommendations corrected; the history keeps the old ones."
            ),
        )

    def open_data_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.OpenPublicationForm(
            request.POST or None,
            initial={"agree": "no" if obj.open_publication_since else "yes"},
        )
        return self._form_step(
            request,
            obj,
            form,
            services.decide_open_publication,
            title=_("Record the State's decision on open publication"),
            done=_("%(reference)s: the State's decision on open publication is recorded."),
        )

    def follow_up_consent_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.StateLetterForm(request.POST or None)
        return self._form_step(
            request,
            obj,
            form,
            services.withdraw_follow_up_consent,
            title=_("Record the State's withdrawal of consent to follow-up"),
            done=_(
                "%(reference)s: the State's withdrawal of consent to follow-up is recorded; "
                "no follow-up evaluation will be asked for."
            ),
        )

    def message_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = forms.StaffMessageForm(request.POST or None, request.FILES or None)

        def perform() -> object:
            attachment = http.upload_of(form.cleaned_data["attachment"])
            return services.write_message(
                ta_request=obj,
                by=request.user,
                text=form.cleaned_data["text"],
                internal=form.cleaned_data["internal"],
                attachments=[attachment] if attachment else [],
            )

        return self._action(
            request,
            obj,
            title=_("Write a message"),
            forms=[form],
            perform=perform,
            done=_("%(reference)s: message recorded."),
            fields={"file": "attachment"},
        )

    def document_view(self, request: SignedInRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        form = DocumentForm(
            request.POST or None,
            request.FILES or None,
            targets=selectors.document_targets(obj),
            current=selectors.current_documents(obj, request.user),
        )
        return self._action(
            request,
            obj,
            title=_("Attach a document"),
            forms=[form],
            perform=lambda: services.attach_document(
                ta_request=obj,
                by=request.user,
                upload=http.upload_of(form.cleaned_data["file"]),
                kind=form.cleaned_data["kind"],
                about=form.cleaned_data["about"],
                supersedes=form.cleaned_data["supersedes"],
            ),
            done=_("%(reference)s: document attached."),
        )

    def download_view(self, request: SignedInRequest, object_id: str, pk: int) -> FileResponse:
        obj = self._get_or_404(request, object_id)
        try:
            return http.download(selectors.document_for(request.user, obj.reference, pk))
        except NotFound as missing:
            raise Http404(str(missing)) from missing

    # Helpers.

    def _get_or_404(self, request: SignedInRequest, object_id: str) -> AssistanceRequest:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return obj

    def _officers_only(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Content forms are the secretariat's; others are sent back with the reason."""

        def guarded(request: SignedInRequest, object_id: str) -> HttpResponse:
            if workflow.is_officer(request.user):
                return view(request, object_id)
            obj = self._get_or_404(request, object_id)
            self.message_user(
                request,
                workflow.STAFF.denial(obj, _("record the content of a request")),
                messages.ERROR,
            )
            return HttpResponseRedirect(self._change_url(obj))

        return guarded

    def _change_url(self, obj: AssistanceRequest) -> str:
        return reverse("admin:tracker_assistancerequest_change", args=[obj.pk])

    def _form_step(
        self,
        request: SignedInRequest,
        obj: AssistanceRequest,
        form: Any,
        service: Callable[..., Any],
        *,
        title: str,
        done: str,
    ) -> HttpResponse:
        """A step of one form whose fields are the service's inputs, named alike."""
        return self._action(
            request,
            obj,
            title=title,
            forms=[form],
            done=done,
            perform=lambda: service(ta_request=obj, by=request.user, **form.cleaned_data),
        )

    def _action(
        self,
        request: SignedInRequest,
        obj: AssistanceRequest | None,
        *,
        title: str,
        forms: list[Any],
        perform: Callable[[], Any],
        done: str | Callable[[AssistanceRequest], str],
        fields: Mapping[str, str] | None = None,
        confirms: str = "",
    ) -> HttpResponse:
        """Show the forms; on a valid POST call the service once.

        A refusal becomes an admin message and the form is shown again with what was
        typed; success goes back to the request.
        """
        if ADD_ROW in request.POST:
            # One more row was asked for, not a decision: show no errors yet.
            for form in forms:
                _quiet(form)
        elif request.method == "POST" and _validate(forms):
            try:
                result = perform()
            except InvalidInput as error:
                # What has no field of its own heads the summary, above the fields'.
                if unplaced := place_problems(error, forms, fields or {}):
                    forms[0].add_error(None, unplaced)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                target = result if isinstance(result, AssistanceRequest) else obj
                if target is not None:
                    said = (
                        done(target) if callable(done) else done % {"reference": target.reference}
                    )
                    self.message_user(request, said, messages.SUCCESS)
                    return HttpResponseRedirect(self._change_url(target))
        return TemplateResponse(
            request,
            "admin/tracker/action_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "original": obj,
                "forms": forms,
                "stage_label": Stage(obj.stage).label if obj else "",
                "confirms": confirms,
                "add_row": ADD_ROW,
                "has_errors": request.method == "POST" and any(_errors(f) for f in forms),
                "problems": error_summary(forms) if request.method == "POST" else [],
                "multipart": any(f.is_multipart() for f in forms),
            },
        )


RECOMMENDATION_FIELDS = tuple(f.name for f in dataclasses.fields(RecommendationDraft))

#: The name of the button that posts a form back with one more row in a list.
ADD_ROW = "_add_row"


def _rows(
    formset: type[forms.Rows],
    request: SignedInRequest,
    prefix: str,
    initial: Iterable[Mapping[str, Any]] | None = None,
    form_kwargs: dict[str, Any] | None = None,
) -> forms.Rows:
    """A list of rows, with one more when its "add a row" button was pressed."""
    data: QueryDict | None = request.POST or None
    if data is not None and data.get(ADD_ROW) == prefix:
        data = data.copy()
        total = f"{prefix}-TOTAL_FORMS"
        data[total] = str(int(data.get(total) or 0) + 1)
    return formset(
        data, prefix=prefix, initial=list(initial) if initial else None, form_kwargs=form_kwargs
    )


def _validate(shown: list[Any]) -> bool:
    # Every form is validated, without a short cut, so that all errors show at once.
    results = [form.is_valid() for form in shown]
    return all(results)


def _errors(form: Any) -> bool:
    if isinstance(form, forms.Rows):
        return form.total_error_count() > 0
    return bool(form.errors)


def _quiet(form: Any) -> None:
    # Django renders a bound form with its errors; a form posted back only to grow a
    # list is bound to keep what was typed, so its errors are emptied instead.
    for each in getattr(form, "forms", [form]):
        each._errors = ErrorDict()
    if isinstance(form, forms.Rows):
        form._errors = [ErrorDict() for _each in form.forms]  # type: ignore[attr-defined]
        form._non_form_errors = form.error_class()  # type: ignore[attr-defined]


def _entered(formset: forms.Rows) -> list[dict[str, Any]]:
    """What was typed in the rows to record, without the "remove" box."""
    return [{k: v for k, v in row.cleaned_data.items() if k != "DELETE"} for row in formset.rows()]


def _taken(ta_request: AssistanceRequest, name: str) -> str:
    """What a transition did, and where the request stands now: its stage, who has it."""
    said = {
        "reference": ta_request.reference,
        "label": workflow.about(name).label,
        "stage": Stage(ta_request.stage).label,
    }
    if ta_request.stage in workflow.TERMINAL or ta_request.officer is None:
        done = (
            _("%(reference)s: “%(label)s” done. The request is now at the stage “%(stage)s”.")
            % said
        )
    else:
        said["officer"] = str(ta_request.officer)
        done = (
            _(
                "%(reference)s: “%(label)s” done. The request is now at the stage “%(stage)s”, "
                "with %(officer)s."
            )
            % said
        )
    return f"{done} {workflow.what_comes_next(ta_request.stage)}"


def _plan_confirmed(plan: Plan) -> str:
    """What a decision on a plan is about: its version, budget and activities."""
    titles = ", ".join(activity.title for activity in plan.activities.all()) or "—"
    return _(
        "Plan version %(version)s: budget %(budget)s %(currency)s; activities: %(activities)s."
    ) % {
        "version": plan.version,
        "budget": formats.number_format(plan.budget_amount, 2, use_l10n=True, force_grouping=True),
        "currency": plan.budget_currency,
        "activities": titles,
    }
