"""Every read that the admin, the portal, the API and the reports share.

Scoping lives here and only here: a view never builds its own "requests this user
may see". A focal point sees its own State's requests and nothing else of another
State (A/HRC/43/31 para 114); officers and analysts see everything.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import reduce
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.kernel.errors import NotFound
from tracker.kernel.names import name_language
from tracker.kernel.vocabulary import EvaluationKind
from tracker.models import (
    NAME_FIELDS,
    AccessChange,
    Activity,
    AssistanceForm,
    AssistanceRequest,
    Brief,
    Document,
    Domain,
    Evaluation,
    Funding,
    HistoryEntry,
    Invitation,
    LinkedRecommendation,
    MemberState,
    Message,
    NeedsAssessment,
    OutcomeIndicator,
    Plan,
    Provider,
    Reading,
    UprRecommendation,
    User,
)
from tracker.workflow import Role, Stage, deadlines


def figures_scope(user: User | None) -> str | None:
    """Whose requests the user sees, the one rule of it: "" every State's, a State's
    code its own (a focal point), None none."""
    if workflow.sees_everything(user):
        return ""
    if user is not None and workflow.is_focal_point(user):
        return str(user.member_state_id)
    return None


def in_scope(scope: str | None) -> QuerySet[AssistanceRequest]:
    """The requests of a scope ``figures_scope`` gives."""
    requests = AssistanceRequest.objects.select_related("requesting_state", "officer")
    if scope is None:
        return requests.none()
    return requests.filter(requesting_state_id=scope) if scope else requests


def visible_requests(user: User | None) -> QuerySet[AssistanceRequest]:
    return in_scope(figures_scope(user))


def with_codes(rows: Sequence[AssistanceRequest]) -> Sequence[AssistanceRequest]:
    """Fill the domain and form codes of ``rows`` in two queries on the join tables (no
    model objects, no join to the vocabularies)."""
    by_id = {row.pk: row for row in rows}
    for attribute, relation, column in (
        ("_domain_codes", AssistanceRequest.domains, "domain_id"),
        ("_form_codes", AssistanceRequest.assistance_forms, "assistanceform_id"),
    ):
        found: dict[int, list[str]] = {pk: [] for pk in by_id}
        links = relation.through.objects.filter(assistancerequest_id__in=list(by_id))
        for request_id, code in links.values_list("assistancerequest_id", column):
            found[request_id].append(code)
        for pk, codes in found.items():
            by_id[pk].__dict__[attribute] = sorted(codes)
    return rows


def with_progress(requests: QuerySet[AssistanceRequest]) -> QuerySet[AssistanceRequest]:
    """What a list needs to say where each request stands and whether the State must
    decide (plans with their consents, evaluations) in a constant number of queries."""
    return requests.prefetch_related(
        Prefetch("plans", queryset=Plan.objects.prefetch_related("consents")), "evaluations"
    )


def get_request(user: User | None, reference: str) -> AssistanceRequest:
    """The request with this reference, if ``user`` may see it.

    Another State's request answers exactly like one that does not exist.
    """
    ta_request = visible_requests(user).filter(reference=reference).first()
    if ta_request is None:
        raise NotFound(_("There is no request %(reference)s.") % {"reference": reference})
    return ta_request


def published_lessons(user: User | None) -> QuerySet[Evaluation]:
    """Lessons of closed requests a user may read: its own State's, and those other
    States chose to publish (A/HRC/43/31 para 114)."""
    if not (workflow.sees_everything(user) or workflow.is_focal_point(user)):
        return Evaluation.objects.none()
    lessons = Evaluation.objects.filter(
        kind=EvaluationKind.FINAL, request__stage=Stage.CLOSED
    ).exclude(lessons_learned="")
    if workflow.sees_everything(user) or user is None:
        return lessons.select_related("request__requesting_state")
    return lessons.filter(
        Q(lessons_published=True) | Q(request__requesting_state_id=user.member_state_id)
    ).select_related("request__requesting_state")


# --- the dialogue: messages and documents ----------------------------------------------------


def messages_for(ta_request: AssistanceRequest, user: User | None) -> QuerySet[Message]:
    """The conversation on a request as ``user`` may read it: a State never sees the
    secretariat's internal notes."""
    messages = (
        Message.objects.filter(request=ta_request)
        .select_related("author")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("pk")))
        .order_by("at", "pk")
    )
    return messages if workflow.sees_internal_notes(user) else messages.filter(internal=False)


def documents_for(ta_request: AssistanceRequest, user: User | None) -> QuerySet[Document]:
    documents = (
        Document.objects.filter(request=ta_request)
        .select_related("uploaded_by", "superseded_by", "supersedes")
        .order_by("uploaded_at", "pk")
    )
    return documents if workflow.sees_internal_notes(user) else documents.filter(internal=False)


def document_for(user: User | None, reference: str, pk: int) -> Document:
    """A document ``user`` may download: of a request they may see, and not internal
    unless they are staff. Anything else answers like a document that does not exist."""
    ta_request = get_request(user, reference)
    document = documents_for(ta_request, user).filter(pk=pk).first()
    if document is None:
        raise NotFound(_("There is no such document on %(reference)s.") % {"reference": reference})
    return document


def document_targets(ta_request: AssistanceRequest) -> list[tuple[str, str]]:
    """What a document can belong to on this request, as (value, label) choices: the
    request itself, a plan version, a consent record, the assessment, an evaluation
    (the values ``services.attach_document`` takes as ``about``)."""
    choices = [("", _("The request itself"))]
    choices += [
        (f"plan:{plan.pk}", _("Plan version %(version)s") % {"version": plan.version})
        for plan in ta_request.plans.order_by("version")
    ]
    choices += [
        (
            f"consent:{c.pk}",
            _("Consent record: %(decision)s, %(date)s")
            % {"decision": c.get_decision_display(), "date": formats.date_format(c.recorded_at)},
        )
        for c in ta_request.consents.order_by("recorded_at", "pk")
    ]
    assessment = NeedsAssessment.objects.filter(request=ta_request).first()
    if assessment is not None:
        choices.append((f"assessment:{assessment.pk}", _("Needs assessment")))
    final = final_evaluation(ta_request)
    if final is not None:
        choices.append(
            (
                f"evaluation:{final.pk}",
                _("Evaluation: %(kind)s") % {"kind": final.get_kind_display()},
            )
        )
    choices += [
        (
            f"evaluation:{e.pk}",
            _("Evaluation: %(kind)s, measured on %(date)s")
            % {"kind": e.get_kind_display(), "date": formats.date_format(e.measured_when)},
        )
        for e in follow_ups_of(ta_request)
    ]
    return choices


def current_documents(ta_request: AssistanceRequest, user: User | None) -> list[Document]:
    """Documents that a new one may replace: those not replaced yet."""
    return list(documents_for(ta_request, user).filter(superseded_by__isnull=True))


def with_unread(requests: QuerySet[AssistanceRequest], user: User) -> QuerySet[AssistanceRequest]:
    """Each request annotated with ``unread``: messages from others that ``user`` may
    read and has not read yet (since they last opened the request)."""
    seen = Reading.objects.filter(user=user, request=OuterRef("request")).values("seen_at")[:1]
    unread = Message.objects.filter(request=OuterRef("pk")).exclude(author=user)
    if not workflow.sees_internal_notes(user):
        unread = unread.filter(internal=False)
    unread = (
        unread.annotate(seen=Subquery(seen))
        .filter(Q(seen__isnull=True) | Q(at__gt=F("seen")))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return requests.annotate(unread=Coalesce(Subquery(unread), 0))


def published_briefs(
    query: str = "", domain: str = "", region: str = "", year: int | None = None
) -> QuerySet[Brief]:
    """Briefs their States chose to publish, found by words (in the brief, the request's
    title, the State's name in the reader's language or in English, or the name of an
    outcome indicator), domain, region and year of closing (A/HRC/43/31 para 114)."""
    briefs = (
        Brief.objects.filter(published_at__isnull=False, request__stage=Stage.CLOSED)
        .select_related("request__requesting_state")
        .prefetch_related("request__domains", "request__evaluations__indicators")
        .order_by("-published_at")
    )
    if query:
        state = "request__requesting_state__name_"
        fields = (
            "context",
            "done",
            "results",
            "differently",
            "request__title",
            f"{state}{name_language(get_language())}",
            f"{state}en",
        )
        words = reduce(
            operator.or_, (Q(**{f"{f}__icontains": query}) for f in dict.fromkeys(fields))
        )
        measured = OutcomeIndicator.objects.filter(
            evaluation__request=OuterRef("request"), name__icontains=query
        )
        briefs = briefs.filter(words | Q(Exists(measured)))
    if domain:
        briefs = briefs.filter(request__domains__code=domain)
    if region:
        briefs = briefs.filter(request__requesting_state__region=region)
    if year:
        briefs = briefs.filter(request__stage_entered_at__year=year)
    return briefs.distinct()


def open_brief(reference: str) -> Brief:
    """A brief anyone may read, signed in or not: its State published it and agreed to
    the open publication of its request (the IATI export links to it)."""
    found = (
        published_briefs()
        .filter(request__reference=reference, request__open_publication_since__isnull=False)
        .first()
    )
    if found is None:
        raise NotFound(
            _("There is no openly published brief of %(reference)s.") % {"reference": reference}
        )
    return found


def brief_of(ta_request: AssistanceRequest) -> Brief | None:
    return Brief.objects.filter(request=ta_request).select_related("written_by").first()


def state_decisions(user: User) -> dict[str, list[Any]]:
    """Everything the State must decide now, on every request of its own: the plan
    versions awaiting its approval (A/HRC/43/31 para 62) and the briefs the secretariat
    drafted for it to approve (para 114). Two or three queries, whatever the number."""
    visible = visible_requests(user)
    consulting = visible.filter(stage=workflow.Stage.CONSULTATION).prefetch_related(
        "plans__consents"
    )
    briefs = (
        Brief.objects.filter(request__in=visible, published_at=None)
        .exclude(written_by__role=workflow.Role.FOCAL_POINT)
        .select_related("request")
        .order_by("updated_at", "pk")
    )
    return {
        "plans": [
            (ta_request, plan)
            for ta_request in consulting.order_by("priority", "opened_at")
            if (plan := ta_request.plan_awaiting_decision()) is not None
        ],
        "briefs": list(briefs),
    }


# --- what a staff member's first screen shows ----------------------------------------------

#: How many requests the admin's home page lists in an officer's queue.
QUEUE_SHOWN = 10


def officer_queue(user: User, now: datetime) -> QuerySet[AssistanceRequest]:
    """Open requests assigned to ``user``: overdue first, then the State's own ranking
    (A/HRC/43/31 para 40: the State's priorities lead), then the longest waiting."""
    return (
        visible_requests(user)
        .filter(officer_id=user.pk, stage__in=workflow.OPEN)
        .annotate(overdue=deadlines.overdue_annotation(now))
        .order_by("-overdue", F("priority").asc(nulls_last=True), "stage_entered_at")
    )


def unassigned_new_requests(user: User) -> QuerySet[AssistanceRequest]:
    """New requests no officer has taken yet, oldest first."""
    return (
        visible_requests(user)
        .filter(stage=Stage.REQUESTED, officer__isnull=True)
        .order_by("opened_at")
    )


def stage_figures(user: User, now: datetime) -> dict[str, Any]:
    """Requests per stage (open, then ended) and how many open ones are overdue, in two
    grouped queries."""
    requests = visible_requests(user)
    per_stage = dict(requests.values_list("stage").annotate(n=Count("pk")).order_by())
    return {
        "open": [(Stage(s).label, per_stage.get(s, 0)) for s in workflow.OPEN],
        "ended": [(Stage(s).label, per_stage.get(s, 0)) for s in workflow.TERMINAL],
        "open_total": sum(per_stage.get(s, 0) for s in workflow.OPEN),
        "overdue": requests.filter(deadlines.overdue_q(now)).count(),
    }


def timeline(ta_request: AssistanceRequest) -> list[HistoryEntry]:
    """The request's history, oldest first, each row with its actor and the consent
    record written with it (``entry.consent``, when there is one)."""
    return list(
        ta_request.history.select_related("actor", "consent__plan")
        .prefetch_related(
            Prefetch("consent__documents", queryset=Document.objects.filter(internal=False))
        )
        .order_by("at", "pk")
    )


# --- reference data and choices the forms offer -----------------------------------------------


def sections_with_rows(
    ta_request: AssistanceRequest, models: Sequence[type[Model]]
) -> set[type[Model]]:
    """Which of ``models`` (each with a ``request`` key) have rows for this request."""
    if not models:
        return set()
    flags = {
        f"has_{model._meta.model_name}": Exists(
            model._default_manager.filter(request=OuterRef("pk"))
        )
        for model in models
    }
    found: dict[str, bool] = (
        AssistanceRequest.objects.filter(pk=ta_request.pk).values(**flags).get()  # type: ignore[assignment]
    )
    return {model for model in models if found[f"has_{model._meta.model_name}"]}


def member_states() -> QuerySet[MemberState]:
    return MemberState.objects.all()


def domains() -> QuerySet[Domain]:
    return Domain.objects.all()


def assistance_forms() -> QuerySet[AssistanceForm]:
    return AssistanceForm.objects.all()


def upr_records_for(ta_request_or_state: AssistanceRequest | MemberState) -> list[tuple[int, str]]:
    """The imported UPR recommendations made to a State, as choices for a form."""
    state_id = (
        ta_request_or_state.requesting_state_id
        if isinstance(ta_request_or_state, AssistanceRequest)
        else ta_request_or_state.pk
    )
    records = UprRecommendation.objects.filter(state_under_review_id=state_id).select_related(
        "recommending_state"
    )
    return [
        (r.pk, f"{r.cycle}.{r.session} — {r.recommending_state.name}: {r.text[:120]}")
        for r in records.order_by("-cycle", "recommending_state__name_en", "pk")
    ]


def providers() -> QuerySet[Provider]:
    return Provider.objects.all()


def officers() -> QuerySet[User]:
    """Active secretariat officers, who may be assigned a request."""
    return User.objects.filter(role=Role.OFFICER, is_active=True).order_by("username")


def user_named(username: str) -> User | None:
    """Whoever has this username; the rules then say whether that person may be named."""
    return User.objects.filter(username=username).first()


def providers_named(names: Iterable[str]) -> list[Provider]:
    return list(Provider.objects.filter(name__in=list(names)))


def activities_to_deliver(ta_request: AssistanceRequest | None) -> QuerySet[Activity]:
    """Activities of the plan version the State approved: only those are delivered."""
    approved = ta_request.approved_plan() if ta_request is not None else None
    return approved.activities.all() if approved is not None else Activity.objects.none()


def undelivered_activities(ta_request: AssistanceRequest) -> list[Activity]:
    """The approved plan's activities not delivered yet."""
    return list(activities_to_deliver(ta_request).filter(delivered_on=None))


def activity_of(ta_request: AssistanceRequest, activity_id: int) -> Activity | None:
    """One activity of this request's plans, or None (another request's is not found)."""
    return Activity.objects.filter(pk=activity_id, plan__request=ta_request).first()


def needs_assessment(ta_request: AssistanceRequest) -> NeedsAssessment | None:
    return NeedsAssessment.objects.filter(request=ta_request).first()


def final_evaluation(ta_request: AssistanceRequest) -> Evaluation | None:
    """The request's final evaluation with its indicators (one rule: the model's)."""
    prefetch_related_objects([ta_request], "evaluations__indicators")
    return ta_request.final_evaluation()


def with_consents(ta_request: AssistanceRequest) -> AssistanceRequest:
    """The request with its consent records read once, for the rules that ask them."""
    prefetch_related_objects([ta_request], "consents")
    return ta_request


def follow_ups_of(ta_request: AssistanceRequest) -> list[Evaluation]:
    """The request's follow-up evaluations in the order measured, with their indicators."""
    prefetch_related_objects([ta_request], "evaluations__indicators")
    return ta_request.follow_ups()


def plans_of(ta_request: AssistanceRequest) -> QuerySet[Plan]:
    """Every plan version of the request, newest first, with what a page shows of each."""
    return (
        ta_request.plans.prefetch_related("providers", "activities__form")
        .select_related("proposed_by")
        .order_by("-version")
    )


def recommendations_of(ta_request: AssistanceRequest) -> QuerySet[LinkedRecommendation]:
    return ta_request.recommendations.select_related("recommending_state").order_by("pk")


def funding_of(ta_request: AssistanceRequest) -> QuerySet[Funding]:
    return ta_request.funding.order_by("pk")


def search_requests(
    user: User, words: str = "", stage: str = "", year: int | None = None
) -> QuerySet[AssistanceRequest]:
    """The requests ``user`` may see that match: words in the reference, the title or a
    domain's name or code; a stage; the year they were opened. Newest first."""
    found = visible_requests(user)
    if words:
        found = found.filter(
            Q(reference__icontains=words)
            | Q(title__icontains=words)
            | Q(domains__code__icontains=words)
            | reduce(operator.or_, (Q(**{f"domains__{f}__icontains": words}) for f in NAME_FIELDS))
        ).distinct()
    if stage:
        found = found.filter(stage=stage)
    if year:
        found = found.filter(opened_at__year=year)
    return found.order_by("-opened_at", "-pk")


def state_access(state: MemberState) -> dict[str, Any]:
    """Who has access to a State's requests: its focal points, the secretariat staff
    assigned to its requests (each with their last sign-in), the invitations waiting,
    and every change of access."""
    return {
        "focal_points": User.objects.filter(member_state=state, is_active=True).order_by(
            "last_name", "first_name", "username"
        ),
        "staff": User.objects.filter(
            pk__in=AssistanceRequest.objects.filter(requesting_state=state, officer__isnull=False)
            .values("officer")
            .distinct(),
            is_active=True,
        ).order_by("last_name", "first_name"),
        "waiting": Invitation.objects.filter(
            member_state=state, accepted_at__isnull=True, cancelled_at__isnull=True
        ),
        "changes": AccessChange.objects.filter(member_state=state).select_related("by")[:50],
    }


def visible_focal_points(user: User, pk: Any) -> User:
    """A focal point of the user's own State (``NotFound`` otherwise: another State's
    people are not shown, even by number)."""
    found = (
        User.objects.filter(
            pk=int(pk), member_state_id=user.member_state_id, is_active=True
        ).first()
        if str(pk).isdigit() and user.member_state_id
        else None
    )
    if found is None:
        raise NotFound(_("There is no such focal point of your State."))
    return found


def api_token_of(user: User) -> Any:
    """The person's API token, if they have one."""
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).first()
