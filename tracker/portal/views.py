"""Portal views: each reads through the selectors and writes through the services, for
the focal point's own State only."""

from __future__ import annotations

from contextlib import suppress
from functools import wraps
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tracker import selectors, services, workflow
from tracker.documents import files
from tracker.kernel.errors import DomainError, InvalidInput, NotFound
from tracker.models import AssistanceRequest, MemberState
from tracker.portal import status
from tracker.portal.forms import (
    BriefSearchForm,
    ChoosePasswordForm,
    ColleagueForm,
    DecisionForm,
    NewRequestForm,
    RecommendationFormSet,
    RequestSearchForm,
)
from tracker.services import RecommendationDraft, drafts
from tracker.web import charts, figures_page, http, signin
from tracker.web.forms import (
    BriefForm,
    DocumentForm,
    FilledRows,
    MessageForm,
    error_summary,
    place_problems,
)
from tracker.web.http import SignedInRequest
from tracker.web.pagination import BoundedPaginator
from tracker.workflow import Stage


def focal_point_required(view):
    """Focal points only; staff are sent to the admin, others refused."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if workflow.works_in_admin(user):
            return redirect("admin:index")
        if not workflow.is_focal_point(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _state(request: SignedInRequest) -> MemberState:
    """The State the focal point speaks for (a database constraint says it has one)."""
    state = request.user.member_state
    if state is None:
        raise PermissionDenied
    return state


def _own(request: SignedInRequest, reference: str) -> AssistanceRequest:
    try:
        return selectors.get_request(request.user, reference)
    except NotFound as missing:
        raise Http404(str(missing)) from missing


#: How many open requests the dashboard shows, the State's first-ranked first.
OPEN_SHOWN = 25
#: How many closed, withdrawn or declined requests the dashboard lists (newest first).
ENDED_SHOWN = 20


@focal_point_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    mine = selectors.with_unread(
        selectors.with_progress(selectors.visible_requests(request.user)), request.user
    )
    open_requests = mine.filter(stage__in=workflow.OPEN).order_by("priority", "-opened_at")
    opened = list(open_requests.values_list("opened_at", flat=True))
    ended = mine.filter(stage__in=workflow.TERMINAL).order_by("-stage_entered_at")
    ended_count = BoundedPaginator(ended, ENDED_SHOWN)

    state = _state(request)

    def rows(requests):
        return [
            {
                "request": r,
                "progress": status.progress(r),
                "action": status.state_action(r),
                # With more than one open, a place the State did not give is said so.
                "ranked": len(opened) < 2 or status.ranked_by_state(state, r.opened_at),
            }
            for r in requests
        ]

    decisions = selectors.state_decisions(request.user)
    return render(
        request,
        "portal/dashboard.html",
        {
            "decisions": decisions,
            "decisions_count": sum(len(found) for found in decisions.values()),
            # The State's first-ranked open requests; all of them are on "All our requests".
            "open_rows": rows(open_requests[:OPEN_SHOWN]),
            "open_count": len(opened),
            "awaiting_ranking": status.awaiting_ranking(state, opened),
            "ended_rows": rows(ended[:ENDED_SHOWN]),
            "ended_count": min(ended_count.count, ended_count.cap),
            "ended_count_exact": ended_count.exact,
        },
    )


#: Requests per page on the list of all of a State's requests.
LIST_PAGE_SIZE = 25


@focal_point_required
def all_requests(request: SignedInRequest) -> HttpResponse:
    """Every request of the State, found by words, stage and year, a page at a time."""
    form = RequestSearchForm(request.GET or None)
    found = selectors.visible_requests(request.user).none()
    if not form.is_bound:
        found = selectors.search_requests(request.user)
    elif form.is_valid():
        data = form.cleaned_data
        found = selectors.search_requests(request.user, data["q"], data["stage"], data["year"])
    page = BoundedPaginator(found, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/all_requests.html", {"form": form, "page": page})


@focal_point_required
def request_detail(request: SignedInRequest, reference: str) -> HttpResponse:
    obj = _own(request, reference)
    services.mark_read(ta_request=obj, by=request.user)
    return _request_page(request, obj)


def _request_page(
    request: SignedInRequest,
    obj: AssistanceRequest,
    message_form: MessageForm | None = None,
    document_form: DocumentForm | None = None,
    brief_form: BriefForm | None = None,
) -> HttpResponse:
    """The request's page; the forms of the conversation come back filled in, with
    their errors, when what was sent was refused."""
    plan = obj.latest_plan()
    evaluation = selectors.final_evaluation(obj)
    available = workflow.available_transitions(obj, request.user)
    follow_ups = selectors.follow_ups_of(obj)
    progress = status.indicator_progress(evaluation, follow_ups)
    chart = charts.indicator_progress(progress)
    return render(
        request,
        "portal/request.html",
        {
            "obj": obj,
            "problems": error_summary(
                [f for f in (message_form, document_form, brief_form) if f is not None]
            ),
            "progress": status.progress(obj),
            "action": status.state_action(obj),
            "timeline": status.timeline(
                obj, selectors.timeline(obj), list(selectors.plans_of(obj)), follow_ups
            ),
            "recommendations": selectors.recommendations_of(obj),
            "funding": selectors.funding_of(obj),
            "expected": status.expected_time(obj),
            "assessment": getattr(obj, "assessment", None),
            "plan": plan,
            "plan_decision": plan.decision() if plan else None,
            "activities": plan.activities.select_related("form") if plan else [],
            "evaluation": evaluation,
            "decisions": [name for name in workflow.STATE_DECISIONS if name in available],
            "can_publish": obj.stage == Stage.CLOSED
            and evaluation is not None
            and bool(evaluation.lessons_learned),
            "progress_over_time": progress,
            "progress_chart": charts.image_source(chart) if chart else None,
            "follow_up_open": workflow.content_allowed(obj, "follow_up_consent"),
            "brief": (current_brief := selectors.brief_of(obj)),
            "brief_form": brief_form or BriefForm(initial=BriefForm.initial_of(current_brief)),
            "conversation": selectors.messages_for(obj, request.user),
            "documents": selectors.documents_for(obj, request.user),
            "message_form": message_form or MessageForm(),
            "document_form": document_form or _document_form(request, obj),
            "max_megabytes": files.megabytes(settings.DOCUMENT_MAX_BYTES),
        },
    )


def _document_form(request: SignedInRequest, obj: AssistanceRequest, *args) -> DocumentForm:
    return DocumentForm(
        *args,
        targets=selectors.document_targets(obj),
        current=selectors.current_documents(obj, request.user),
    )


@require_POST
@focal_point_required
def write(request: SignedInRequest, reference: str) -> HttpResponse:
    """The State writes to the secretariat about its request."""
    obj = _own(request, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = http.upload_of(form.cleaned_data["attachment"])
        try:
            services.write_message(
                ta_request=obj,
                by=request.user,
                text=form.cleaned_data["text"],
                attachments=[attachment] if attachment else [],
            )
        except DomainError as error:
            _show(request, error, [form], {"text": "text", "file": "attachment"})
        else:
            messages.success(request, _("Your message was sent to the secretariat."))
            return redirect(reverse("portal:request", args=[obj.reference]) + "#conversation")
    return _request_page(request, obj, message_form=form)


@require_POST
@focal_point_required
def attach(request: SignedInRequest, reference: str) -> HttpResponse:
    """The State attaches a document (a note verbale, a written consent, a report)."""
    obj = _own(request, reference)
    form = _document_form(request, obj, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.attach_document(
                ta_request=obj,
                by=request.user,
                upload=http.upload_of(data["file"]),
                kind=data["kind"],
                about=data["about"],
                supersedes=data["supersedes"],
            )
        except DomainError as error:
            _show(request, error, [form], {name: name for name in form.fields})
        else:
            messages.success(
                request, _("“%(name)s” is attached to the request.") % {"name": document.name}
            )
            return redirect(reverse("portal:request", args=[obj.reference]) + "#documents")
    return _request_page(request, obj, document_form=form)


def _show(request: SignedInRequest, error: DomainError, shown, fields: dict[str, str]) -> None:
    """A refusal next to the fields it is about in the forms ``shown``; when some of it
    has no field, the whole refusal as a message."""
    if not isinstance(error, InvalidInput) or place_problems(error, shown, fields):
        messages.error(request, error.message)


@require_POST
@focal_point_required
def stop_follow_up(request: SignedInRequest, reference: str) -> HttpResponse:
    """The State withdraws its consent to follow-up evaluations (it is asked to tick
    that it means it: the withdrawal is final)."""
    obj = _own(request, reference)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that no follow-up is wanted."))
        return redirect(reverse("portal:request", args=[obj.reference]) + "#evaluation")
    try:
        services.withdraw_follow_up_consent(ta_request=obj, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("No follow-up evaluation will be asked for."))
    return redirect(reverse("portal:request", args=[obj.reference]) + "#evaluation")


@require_POST
@focal_point_required
def open_data(request: SignedInRequest, reference: str) -> HttpResponse:
    """The State agrees to the open publication of its request (it ticks that it means
    it), or revokes its agreement."""
    obj = _own(request, reference)
    back = redirect(reverse("portal:request", args=[obj.reference]) + "#open-data")
    agree = request.POST.get("agree") == "yes"
    if agree and request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that your State agrees."))
        return back
    try:
        services.decide_open_publication(ta_request=obj, by=request.user, agree=agree)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = (
            _("This request is published openly from the next export.")
            if agree
            else _("This request is no longer published openly.")
        )
        messages.success(request, done)
    return back


@focal_point_required
def document(request: SignedInRequest, reference: str, pk: int) -> FileResponse:
    try:
        found = selectors.document_for(request.user, reference, pk)
    except NotFound as missing:
        raise Http404(str(missing)) from missing
    return http.download(found)


@focal_point_required
def decide(request: SignedInRequest, reference: str, name: str) -> HttpResponse:
    """Confirm, then take the State's decision: approve or reject a plan, or withdraw."""
    if name not in workflow.STATE_DECISIONS:
        raise Http404
    # What the State writes is the transition's reason if it takes one, else a comment.
    inputs_taken = workflow.inputs_of(name)
    text_input = "reason" if "reason" in inputs_taken else "comment"
    obj = _own(request, reference)
    plan = obj.latest_plan()
    form = DecisionForm(
        request.POST or None,
        initial={"revision": obj.revision, "plan_version": plan.version if plan else None},
    )
    form.fields["text"].label = _("Reason") if text_input == "reason" else _("Comment (optional)")
    permit = None
    try:  # A decision no longer possible says so when its page opens, not on submit.
        permit = workflow.check(obj, name, request.user)
    except DomainError as error:
        refusal = error.message
    else:
        refusal = ""
    if request.method == "POST" and not refusal and form.is_valid():
        inputs = {text_input: form.cleaned_data["text"]}
        if "plan_version" in inputs_taken:
            inputs["plan_version"] = form.cleaned_data["plan_version"]
        try:
            taken = services.take_transition(
                ta_request=obj,
                name=name,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                permit=permit,
                **inputs,
            )
        except InvalidInput as error:
            form.add_error("text", error.message)  # what the State must write, at its field
        except DomainError as error:
            messages.error(request, error.message)
        else:
            done = str(workflow.about(name).done) % {"version": plan.version if plan else ""}
            messages.success(request, f"{done} {workflow.what_comes_next(taken.stage)}")
            return redirect("portal:request", reference=obj.reference)
    return render(
        request,
        "portal/decide.html",
        {
            "obj": obj,
            "plan": plan,
            "name": name,
            "label": _label(name),
            "form": form,
            "problems": error_summary([form]) if form.is_bound else [],
            "refusal": refusal,
            "text_required": text_input == "reason",
        },
    )


def _label(name: str) -> str:
    return str(workflow.about(name).label)


@require_POST
@focal_point_required
def publish(request: SignedInRequest, reference: str) -> HttpResponse:
    return _publish_or_withdraw(
        request,
        reference,
        services.publish_lessons,
        "",
        _("Your lessons learned are now visible to other States."),
        _("Your lessons learned are no longer visible to other States."),
    )


def _publish_or_withdraw(request, reference, service, anchor, published, withdrawn, **read):
    """What only the State decides to share, and may take back (P7)."""
    obj = _own(request, reference)
    publish_it = request.POST.get("publish") == "1"
    try:
        service(ta_request=obj, by=request.user, publish=publish_it, **read)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, published if publish_it else withdrawn)
    return redirect(reverse("portal:request", args=[obj.reference]) + anchor)


@focal_point_required
def new_request(request: SignedInRequest) -> HttpResponse:
    form = NewRequestForm(request.POST or None)
    recommendations = RecommendationFormSet(
        request.POST or None,
        prefix="rec",
        form_kwargs={"records": selectors.upr_records_for(_state(request))},
    )
    if request.method == "POST" and form.is_valid() and recommendations.is_valid():
        data = form.cleaned_data
        try:
            opened = services.open_request(
                by=request.user,
                title=data["title"],
                description=data["description"],
                domains=[d.code for d in data["domains"]],
                forms=[f.code for f in data["assistance_forms"]],
                recommendations=drafts(
                    RecommendationDraft,
                    (row.cleaned_data for row in cast(FilledRows, recommendations).rows()),
                ),
            )
        except DomainError as error:
            _show(request, error, [form, recommendations], {"recommendations": "rec"})
        else:
            messages.success(
                request,
                _("Your request %(reference)s has been sent to the secretariat.")
                % {"reference": opened.reference}
                + " "
                + workflow.what_comes_next(opened.stage),
            )
            return redirect("portal:request", reference=opened.reference)
    return render(
        request,
        "portal/new_request.html",
        {
            "form": form,
            "recommendations": recommendations,
            "problems": error_summary([form, recommendations]) if form.is_bound else [],
        },
    )


@focal_point_required
def priorities(request: SignedInRequest) -> HttpResponse:
    """The State ranks its open requests; plain form fields, no JavaScript needed."""
    state = _state(request)
    open_requests = list(
        selectors.visible_requests(request.user)
        .filter(stage__in=workflow.OPEN)
        .order_by("priority", "opened_at")
    )
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {
            r.reference: request.POST.get(f"rank-{r.reference}", "").strip() for r in open_requests
        }
        whole = _("A priority is a whole number from 1 (highest).")
        problems = {ref: whole for ref, value in typed.items() if value and not value.isdigit()}
        if not problems:
            try:
                services.rank_requests(
                    by=request.user,
                    state=state,
                    ranks={ref: int(value) for ref, value in typed.items() if value},
                )
            except InvalidInput as error:
                problems = error.fields
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Your priorities have been saved."))
                return redirect("portal:priorities")
    rows = [
        {
            "request": r,
            "rank": typed.get(r.reference) or r.priority or index,
            "problem": problems.get(r.reference, ""),
        }
        for index, r in enumerate(open_requests, start=1)
    ]
    summary = [
        {
            "href": f"#rank-{reference}",
            "text": _("Priority of %(ref)s") % {"ref": reference} + f": {problem}",
        }
        for reference, problem in problems.items()
    ]
    return render(request, "portal/priorities.html", {"rows": rows, "problems": summary})


@focal_point_required
def practices(request: SignedInRequest) -> HttpResponse:
    """Good-practice briefs and lessons learned that States chose to publish (A/HRC/43/31
    para 114), found by words, domain, region and year."""
    form = BriefSearchForm(request.GET or None)
    briefs = selectors.published_briefs()
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            briefs = selectors.published_briefs(
                data["q"],
                data["domain"].code if data["domain"] else "",
                data["region"],
                data["year"],
            )
        else:
            briefs = briefs.none()
    lessons = selectors.published_lessons(request.user).filter(lessons_published=True)
    page = BoundedPaginator(briefs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "portal/practices.html", {"form": form, "page": page, "lessons": lessons}
    )


@require_POST
@focal_point_required
def brief(request: SignedInRequest, reference: str) -> HttpResponse:
    """The State writes (or corrects) the brief of its closed request, and publishes
    it with the same press when it asks: what is published is the text on the page."""
    obj = _own(request, reference)
    form = BriefForm(request.POST)
    publish_it = request.POST.get("publish") == "1"
    if form.is_valid():
        try:
            saved = services.write_brief(
                ta_request=obj,
                by=request.user,
                version=request.POST.get("version") or None,  # the text the State read
                **form.cleaned_data,
            )
            if publish_it:
                services.publish_brief(
                    ta_request=obj, by=request.user, publish=True, version=saved.version
                )
        except DomainError as error:
            _show(request, error, [form], {name: name for name in form.fields})
        else:
            messages.success(
                request,
                _("Your brief is published: other States can read it.")
                if publish_it
                else _("Your brief is saved. Only your State sees it until you publish it."),
            )
            return redirect(reverse("portal:request", args=[obj.reference]) + "#brief")
    return _request_page(request, obj, brief_form=form)


@require_POST
@focal_point_required
def publish_brief(request: SignedInRequest, reference: str) -> HttpResponse:
    return _publish_or_withdraw(
        request,
        reference,
        services.publish_brief,
        "#brief",
        _("Your brief is published: other States can read it."),
        _("Your brief is no longer published."),
        version=request.POST.get("version", ""),  # the text the State read and approves
    )


def language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie, and on the account for e-mails."""
    response = set_language(request)
    signin.choose_language(request, request.POST.get("language", ""))
    if request.user.is_authenticated:
        # Django's view ignored an unknown code; the service refuses it the same way.
        with suppress(InvalidInput):
            services.set_language(user=request.user, language=request.POST.get("language", ""))
    return response


@focal_point_required
def figures(request: SignedInRequest) -> HttpResponse:
    """The State's own requests in figures, each chart with its table."""
    context = figures_page.context(
        request, lambda figure: reverse("portal:figures_csv", args=[figure])
    )
    return render(request, "portal/figures.html", context)


@focal_point_required
def figures_csv(request: SignedInRequest, figure: str) -> HttpResponse:
    """One table of the Figures page as CSV."""
    return figures_page.table_csv(request, figure)


def open_brief(request: HttpRequest, reference: str) -> HttpResponse:
    """A good-practice brief its State published and agreed to publish openly: the
    public page the open-data export links to; no sign-in."""
    try:
        found = selectors.open_brief(reference)
    except NotFound as missing:
        raise Http404(str(missing)) from missing
    return render(request, "portal/open_brief.html", {"brief": found})


def invitation(request: HttpRequest, key: str) -> HttpResponse:
    """An invited focal point chooses a password, in the language they were invited in,
    and lands in the portal signed in; a link used, cancelled or expired says so and
    whom to ask."""
    try:
        invited = services.invitation_for(key)
    except DomainError as error:
        return render(request, "portal/invitation.html", {"refusal": error.message}, status=410)
    translation.activate(invited.language)
    request.LANGUAGE_CODE = invited.language
    form = ChoosePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(key=key, password=form.cleaned_data["password1"])
        except DomainError as error:
            return render(request, "portal/invitation.html", {"refusal": error.message}, status=410)
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s: your account for %(state)s is ready.")
            % {"name": str(user), "state": invited.member_state.name},
        )
        return redirect("portal:dashboard")
    return render(
        request,
        "portal/invitation.html",
        {"invitation": invited, "form": form},
    )


@focal_point_required
def access(request: SignedInRequest) -> HttpResponse:
    """Who has access to our requests; the lead focal point invites and deactivates
    colleagues here; everyone ends their own API token here."""
    state = _state(request)
    form = ColleagueForm(request.POST if request.POST.get("do") == "invite" else None)
    if request.method == "POST":
        try:
            done = _access_change(request, state, form)
        except InvalidInput as error:
            _show(request, error, [form], {"state": "first_name"})
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if done:
                messages.success(request, done)
                return redirect("portal:access")
    token = selectors.api_token_of(request.user)
    return render(
        request,
        "portal/access.html",
        {
            **selectors.state_access(state),
            "form": form,
            "token": token,
            "problems": error_summary([form]) if form.is_bound else [],
        },
    )


def _access_change(request: SignedInRequest, state: MemberState, form: ColleagueForm) -> str:
    """What a POST of the access page does, said in a sentence ("" when nothing)."""
    action = request.POST.get("do")
    if action == "revoke_token":
        services.revoke_token(user=request.user)
        return _("Your API token is revoked: programs using it are refused from now on.")
    if action == "deactivate":
        person = selectors.visible_focal_points(request.user, request.POST.get("person"))
        services.deactivate_focal_point(by=request.user, person=person)
        return _("%(name)s no longer has access: their sessions and API token stop now.") % {
            "name": str(person)
        }
    if action == "invite" and form.is_valid():
        invited = services.invite_focal_point(by=request.user, state=state.pk, **form.cleaned_data)
        return _("%(name)s is invited: the link goes to %(email)s.") % {
            "name": str(invited),
            "email": invited.email,
        }
    return ""
