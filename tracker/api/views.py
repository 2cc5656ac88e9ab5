"""API views: parse, call a selector, service or report, serialize. No rule lives here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import FileResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, renderers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker import figures, selectors, services, workflow
from tracker.api import examples, parsers
from tracker.api import figures_schema as shapes
from tracker.api import serializers as s
from tracker.api.errors import errors
from tracker.api.filters import (
    KnownParameters,
    Pagination,
    RequestFilter,
    StrictOrdering,
    check_parameters,
)
from tracker.api.throttles import AnonThrottle, ExportThrottle, UserThrottle
from tracker.figures import reports
from tracker.interop import iati
from tracker.interop.exports import REQUEST_COLUMNS, csv_response, request_rows
from tracker.kernel.errors import InvalidInput
from tracker.models import (
    NAME_FIELDS,
    AssistanceRequest,
)
from tracker.services import (
    ActivityDraft,
    FormalRequest,
    FundingDraft,
    IndicatorDraft,
    RecommendationDraft,
    drafted,
    drafts,
)
from tracker.web import figures_page, http


class CSVRenderer(renderers.BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; the views stream the CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class FileRenderer(renderers.BaseRenderer):
    """Lets a download through content negotiation whatever the client accepts; the
    view answers with the file itself (errors are still JSON)."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


#: The API's names of a recommendation's fields that the services name otherwise.
FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: the whole result as a CSV file"
)
CSV_OR_JSON = "application/json", "text/csv"


# --- auth and reference data ----------------------------------------------------------------


@extend_schema(
    request=s.TokenInput,
    responses={200: s.TokenOutput, **errors(400, 415)},
    examples=examples.TOKEN,
    auth=[],
)
class TokenView(ObtainAuthToken):
    """Exchange a username and password for a token: `Authorization: Token <token>`.

    A staff account with two-factor sign-in also sends its current code as `otp_token`
    (or a backup code); where the policy requires two-factor sign-in, an account that
    has not turned it on gets no token."""

    throttle_classes = (AnonThrottle, UserThrottle)  # not the defaults-free ObtainAuthToken
    # Not ObtainAuthToken's own parsers: JSON only, nested no deeper than ours allow.
    parser_classes = (parsers.JSONParser,)
    serializer_class = s.TokenInput

    def get_serializer_context(self):
        # The login lockout (django-axes) marks the Django request it was given; the
        # middleware turns that mark into 429, as for the admin and portal logins.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"token": services.issue_token(serializer.validated_data["user"]).key})


@extend_schema(responses={200: s.MemberStateSerializer(many=True), **errors(400, 404)})
class MemberStateList(generics.ListAPIView):
    """The 193 UN Member States and 2 observer States."""

    serializer_class = s.MemberStateSerializer
    queryset = selectors.member_states().order_by("code")
    filter_backends = (KnownParameters,)


@extend_schema(
    parameters=[s.BriefQuery],
    responses={200: s.BriefSerializer(many=True), **errors(400, 404)},
)
class BriefList(generics.ListAPIView):
    """Good-practice briefs their States chose to publish (A/HRC/43/31 para 114), newest
    first, found by words, domain, region and year of closing."""

    serializer_class = s.BriefSerializer
    pagination_class = Pagination
    filter_backends = ()

    def get_queryset(self):
        searched = frozenset({"q", "domain", "region", "year"})
        check_parameters(self.request, {*searched, "page", "page_size", "cursor"}, searched)
        query = s.BriefQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        found = query.validated_data
        return selectors.published_briefs(
            found.get("q", ""),
            found["domain"].code if found.get("domain") else "",
            found.get("region", ""),
            found.get("year"),
        )


# --- requests -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[FORMAT],
        responses={
            (200, "application/json"): s.RequestSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **errors(400, 404),
        },
    ),
    retrieve=extend_schema(responses={200: s.RequestDetailSerializer, **errors(404)}),
    create=extend_schema(
        request=s.OpenRequestInput,
        responses={201: s.RequestDetailSerializer, **errors(400, 403, 415)},
        examples=examples.OPEN,
    ),
)
class RequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assistance requests the caller may see: a focal point sees its own State's only."""

    lookup_field = "reference"
    lookup_value_regex = r"TA-\d{4}-\d{4,}"
    serializer_class = s.RequestSerializer
    pagination_class = Pagination
    filter_backends = (KnownParameters, DjangoFilterBackend, SearchFilter, StrictOrdering)
    filterset_class = RequestFilter
    search_fields = ("reference", "title", *(f"requesting_state__{f}" for f in NAME_FIELDS))
    ordering_fields = ("reference", "opened_at", "stage_entered_at", "priority", "title", "stage")
    ordering = ("-opened_at",)

    def get_renderers(self):
        # CSV only where it is built (the list); ?format=csv elsewhere is a 404.
        renderers_ = super().get_renderers()
        return [*renderers_, CSVRenderer()] if self.action == "list" else renderers_

    def get_queryset(self):
        # "overdue" in the answer is worked out per row (a page is 50 rows); the filter
        # ?overdue= has its own condition. No annotation to compile and compute here.
        return selectors.visible_requests(self.request.user)

    def paginate_queryset(self, queryset):
        return selectors.with_codes(super().paginate_queryset(queryset))

    def get_serializer_class(self):
        return s.RequestDetailSerializer if self.action != "list" else s.RequestSerializer

    def get_object(self):
        obj = super().get_object()
        if self.action == "retrieve":
            obj = (
                self.get_queryset()
                .prefetch_related("recommendations", "funding", "plans")
                .get(pk=obj.pk)
            )
        return obj

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            rows = request_rows(self.filter_queryset(self.get_queryset()))
            return csv_response("requests.csv", REQUEST_COLUMNS, rows)
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        workflow.require_opener(request.user)  # who first, then the body
        data = self._valid(s.OpenRequestInput)
        formal = data.get("formal_request")
        opened = services.open_request(
            by=request.user,
            title=data["title"],
            description=data.get("description", ""),
            requesting_state=data.get("requesting_state"),
            formal_request=drafted(FormalRequest, formal) if formal else None,
            domains=data.get("domains", ()),
            forms=data.get("forms", ()),
            recommendations=drafts(RecommendationDraft, data.get("recommendations", ())),
            funding=drafts(FundingDraft, data.get("funding", ())),
        )
        return Response(
            self._detail(opened),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/requests/{opened.reference}/"},
        )

    @extend_schema(
        request=s.TransitionInput,
        responses={200: s.RequestDetailSerializer, **errors(400, 403, 404, 409, 415)},
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=[*workflow.TRANSITION_NAMES])
        ],
        examples=examples.TRANSITIONS,
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, reference=None, name=None):
        """Apply a workflow transition; the body carries what it needs."""
        obj = self.get_object()
        permit = workflow.check(obj, name, request.user)  # who, stage and guards first
        data = self._valid(s.TransitionInput)
        expected = data.pop("expected_revision", None)
        accepted = workflow.inputs_of(name)  # 404 for an unknown transition
        extra = sorted(set(data) - set(accepted))
        if extra:
            raise ValidationError(
                {
                    "detail": _(
                        "%(name)s does not take %(extra)s; it takes %(accepted)s (and "
                        "expected_revision)."
                    )
                    % {
                        "name": name,
                        "extra": ", ".join(extra),
                        "accepted": ", ".join(accepted) or "—",
                    }
                }
            )
        if "officer" in data:
            data["officer"] = selectors.user_named(data["officer"])
            if data["officer"] is None:
                raise InvalidInput(_("There is no user with that username."))
        updated = services.take_transition(
            ta_request=obj,
            name=name,
            by=request.user,
            expected_revision=expected,
            permit=permit,
            **data,
        )
        return Response(self._detail(updated))

    @extend_schema(responses={200: s.HistorySerializer(many=True), **errors(404)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=())
    def history(self, request, reference=None):
        """Every transition of the request, oldest first."""
        rows = self.get_object().history.select_related("actor").order_by("at", "pk")
        return Response(s.HistorySerializer(rows, many=True).data)

    @extend_schema(
        request=s.PriorityInput,
        responses={200: s.RequestDetailSerializer, **errors(400, 403, 404, 409, 415)},
        examples=examples.PRIORITY,
    )
    @action(detail=True, methods=["put"], filter_backends=())
    def priority(self, request, reference=None):
        """The State ranks the request among its own open requests (1 = highest)."""
        obj = self.get_object()
        workflow.require_focal_point_of(request.user, obj.requesting_state, _("rank its requests"))
        services.set_priority(ta_request=obj, by=request.user, **self._valid(s.PriorityInput))
        return Response(self._detail(obj))

    @extend_schema(
        request=s.AssessmentInput,
        responses={200: s.RequestDetailSerializer, **errors(400, 403, 404, 409, 415)},
        examples=examples.ASSESSMENT,
    )
    @action(detail=True, methods=["put"], filter_backends=())
    def assessment(self, request, reference=None):
        """Staff record the needs assessment: its findings and the gaps identified."""
        obj = self.get_object()
        workflow.check_content(obj, "assessment", request.user)
        services.record_assessment(
            ta_request=obj, by=request.user, **self._valid(s.AssessmentInput)
        )
        return Response(self._detail(obj))

    @extend_schema(methods=["GET"], responses={200: s.PlanSerializer(many=True), **errors(404)})
    @extend_schema(
        methods=["POST"],
        request=s.PlanInput,
        responses={201: s.PlanSerializer, **errors(400, 403, 404, 409, 415)},
        examples=examples.PLAN,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=())
    def plans(self, request, reference=None):
        """Plan versions (GET); staff propose the next version (POST)."""
        obj = self.get_object()
        if request.method == "GET":
            return Response(s.PlanSerializer(selectors.plans_of(obj), many=True).data)
        workflow.check_content(obj, "plan", request.user)
        data = self._valid(s.PlanInput)
        names = data.pop("providers", [])
        providers = selectors.providers_named(names)
        if len(providers) != len(set(names)):
            unknown = sorted(set(names) - {p.name for p in providers})
            raise InvalidInput(_("Unknown provider(s): %(names)s.") % {"names": ", ".join(unknown)})
        plan = services.propose_plan(
            ta_request=obj,
            by=request.user,
            providers=providers,
            activities=drafts(ActivityDraft, data.pop("activities")),
            **data,
        )
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.DeliveryInput,
        responses={200: s.ActivitySerializer, **errors(400, 403, 404, 409, 415)},
        examples=examples.DELIVERY,
    )
    @action(detail=True, methods=["post", "patch"], filter_backends=())
    def activities(self, request, reference=None):
        """Staff record the delivery of an activity of the approved plan."""
        obj = self.get_object()
        workflow.check_content(obj, "delivery", request.user)
        data = self._valid(s.DeliveryInput)
        activity = selectors.activity_of(obj, data.pop("activity"))
        if activity is None:
            raise InvalidInput(_("There is no such activity in this request's plans."))
        delivered = services.record_delivery(activity=activity, by=request.user, **data)
        return Response(s.ActivitySerializer(delivered).data)

    @extend_schema(methods=["GET"], responses={200: s.EvaluationSerializer, **errors(404)})
    @extend_schema(
        methods=["PUT"],
        request=s.EvaluationInput,
        responses={200: s.EvaluationSerializer, **errors(400, 403, 404, 409, 415)},
        examples=examples.EVALUATION,
    )
    @action(detail=True, methods=["get", "put"], filter_backends=())
    def evaluation(self, request, reference=None):
        """The final evaluation; the State alone decides whether its lessons are published."""
        obj = self.get_object()
        if request.method == "PUT":
            # Staff record the evaluation; the State publishes its lessons: others never.
            if not workflow.is_officer(request.user):
                workflow.require_focal_point_of(
                    request.user, obj.requesting_state, _("publish the lessons of its requests")
                )
            data = self._valid(s.EvaluationInput)
            if set(data) == {"lessons_published"}:
                services.publish_lessons(
                    ta_request=obj, by=request.user, publish=data["lessons_published"]
                )
            else:
                if "lessons_published" in data:
                    raise InvalidInput(
                        _(
                            "Publishing lessons is the State's own choice: send "
                            "lessons_published alone."
                        )
                    )
                services.record_evaluation(
                    ta_request=obj,
                    by=request.user,
                    indicators=drafts(IndicatorDraft, data.pop("indicators", [])),
                    **data,
                )
        evaluation = selectors.final_evaluation(obj)
        if evaluation is None:
            raise NotFound(_("This request has no evaluation yet."))
        return Response(s.EvaluationSerializer(evaluation).data)

    # the dialogue: messages and documents

    @extend_schema(methods=["GET"], responses={200: s.MessageSerializer(many=True), **errors(404)})
    @extend_schema(
        methods=["POST"],
        request=s.MessageInput,
        responses={201: s.MessageSerializer, **errors(400, 403, 404, 415)},
        examples=examples.MESSAGE,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=())
    def messages(self, request, reference=None):
        """The conversation between the State and the secretariat (GET); write to the
        other side (POST), who is told by e-mail. Internal notes are staff only."""
        obj = self.get_object()
        if request.method == "POST":
            data = self._valid(s.MessageInput)
            message = services.write_message(ta_request=obj, by=request.user, **data)
            return self._out(s.MessageSerializer, message, status=status.HTTP_201_CREATED)
        return self._out(s.MessageSerializer, selectors.messages_for(obj, request.user), many=True)

    @extend_schema(methods=["GET"], responses={200: s.DocumentSerializer(many=True), **errors(404)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.DocumentUpload},
        responses={201: s.DocumentSerializer, **errors(400, 403, 404, 415, 503)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filter_backends=(),
        parser_classes=(parsers.UploadParser,),
    )
    def documents(self, request, reference=None):
        """Documents of the request (GET); attach one (POST, multipart/form-data), judged
        on its content. A correction names the document it supersedes; both are kept."""
        obj = self.get_object()
        if request.method == "POST":
            data = self._valid(s.DocumentUpload)
            document = services.attach_document(
                ta_request=obj, by=request.user, upload=http.upload_of(data.pop("file")), **data
            )
            return self._out(s.DocumentSerializer, document, status=status.HTTP_201_CREATED)
        found = selectors.documents_for(obj, request.user)
        return self._out(s.DocumentSerializer, found, many=True)

    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY, **errors(404)},
        parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<pk>[0-9]+)",
        url_name="document",
        renderer_classes=(FileRenderer,),
        filter_backends=(),
    )
    def document(self, request, reference=None, pk=None):
        """The file itself, as an attachment under its original name."""
        obj = self.get_object()
        return http.download(selectors.document_for(request.user, obj.reference, int(pk)))

    # helpers

    def _out(self, serializer_class, data, *, many=False, status=status.HTTP_200_OK):
        context = self.get_serializer_context()
        return Response(serializer_class(data, many=many, context=context).data, status=status)

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, obj: AssistanceRequest) -> dict:
        fresh = self.get_queryset().prefetch_related("recommendations", "funding").get(pk=obj.pk)
        return s.RequestDetailSerializer(fresh, context=self.get_serializer_context()).data


# --- reports ------------------------------------------------------------------------------


@extend_schema(
    parameters=[FORMAT],
    responses={
        (200, "application/json"): shapes.Summary,
        (200, "text/csv"): OpenApiTypes.STR,
        **errors(400, 404),
    },
)
class SummaryView(APIView):
    """Counts by stage, region, domain and year; median days per stage; withdrawal rate;
    overdue count — over the requests the caller may see."""

    renderer_classes = (renderers.JSONRenderer, CSVRenderer)

    def get(self, request):
        check_parameters(request, {"format"})
        found = figures.summary_for(request.user)
        if request.accepted_renderer.format == "csv":
            return _counted(
                found.counted_up_to,
                csv_response("summary.csv", ("figure", "key", "value"), _flatten(found)),
            )
        return _counted(found.counted_up_to, Response(found))


def _counted(counted_up_to: datetime | None, response: Any) -> Any:
    """Figures that leave out changes still being counted say up to when they count
    every change (``figures.Reading``)."""
    if counted_up_to is not None:
        response["Figures-Counted-Up-To"] = counted_up_to.isoformat()
    return response


@extend_schema(
    parameters=[s.FiguresQuery],
    responses={
        (200, "application/json"): shapes.Figures,
        (200, "text/csv"): OpenApiTypes.STR,
        **errors(400, 404),
    },
)
class FiguresView(APIView):
    """The Figures page's figures over the requests the caller may see: requests opened
    per year with the change, time in each stage, shares of least developed countries,
    agenda-item-10 States, UPR follow-up and follow-up of imported UPR records, funding
    by source, and ownership. Narrowed by years of opening, region and domain;
    `format=csv` gives them as rows."""

    renderer_classes = (renderers.JSONRenderer, CSVRenderer)

    def get(self, request):
        names = {"first_year", "last_year", "region", "domain", "figure", "format"}
        check_parameters(request, names, frozenset(names))
        query = s.FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = figures.figures_for(request.user, query.filters())
        if request.accepted_renderer.format == "csv":
            only = query.validated_data.get("figure", "")
            return _counted(
                found.counted_up_to,
                csv_response(
                    f"figures{'-' + only if only else ''}.csv",
                    figures.COLUMNS,
                    figures.rows(found, only),
                ),
            )
        return _counted(found.counted_up_to, Response(found))


@extend_schema(parameters=[s.ChartsQuery], responses={200: OpenApiTypes.OBJECT, **errors(400, 404)})
class ChartsView(APIView):
    """The Figures page's sections as data: each one's title, the Vega-Lite
    specification of its chart (draw it with any Vega-Lite renderer) and its table."""

    def get(self, request):
        names = {"first_year", "last_year", "region", "domain", "on", "compare"}
        check_parameters(request, names, frozenset(names))
        query = s.ChartsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        shown, counted_up_to = figures_page.sections(
            request.user, query.filters(), data.get("on"), data.get("compare")
        )
        return _counted(
            counted_up_to,
            Response(
                {
                    "sections": [
                        {
                            "id": section["id"],
                            "title": section["title"],
                            "vega_lite": section["spec"],
                            "table": section["table"],
                        }
                        for section in shown
                    ]
                }
            ),
        )


def _flatten(figures: dict) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, value in figures.items():
        if isinstance(value, dict):
            rows += [[name, key, v] for key, v in value.items()]
        else:
            rows.append([name, "", value])
    return rows


@extend_schema(
    parameters=[s.BacklogQuery],
    responses={
        (200, "application/json"): shapes.Backlog,
        (200, "text/csv"): OpenApiTypes.STR,
        **errors(400, 404),
    },
    examples=examples.BACKLOG,
)
class BacklogView(APIView):
    """Open requests per stage as they stood on a date (from the history), and the change
    in % from ``compare`` to ``on`` (A/HRC/43/31 paras 95-97); narrowed as the Figures are."""

    renderer_classes = (renderers.JSONRenderer, CSVRenderer)

    def get(self, request):
        names = {"on", "compare", "first_year", "last_year", "region", "domain", "format"}
        check_parameters(request, names, frozenset(names))
        query = s.BacklogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        found = figures.backlog(request.user, query.filters(), data["on"], data.get("compare"))
        if request.accepted_renderer.format == "csv":
            return csv_response("backlog.csv", reports.BACKLOG_COLUMNS, reports.backlog_rows(found))
        return Response(found)


# --- open data ----------------------------------------------------------------------------


class XMLRenderer(renderers.BaseRenderer):
    """Lets the XML export through content negotiation; the view streams it."""

    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


@extend_schema(
    responses={(200, "application/xml"): OpenApiTypes.BINARY, **errors(400, 404, 503)},
    auth=[],
)
class IatiActivitiesView(APIView):
    """The requests whose State agreed to their open publication, as an IATI 2.03
    `iati-activities` document: the file the secretariat publishes, refreshed every hour
    and at once after a State's decision. Open data: no authentication needed; only what
    the States agreed to publish is in it."""

    permission_classes = ()
    throttle_classes = (ExportThrottle,)
    throttle_scope = "export"
    renderer_classes = (XMLRenderer,)  # errors are JSON all the same (api.errors)

    def get(self, request):
        check_parameters(request, {"format"})
        path = iati.published_file()  # a clear 503 when there is none to serve
        response = FileResponse(path.open("rb"), content_type="application/xml")
        response["Content-Disposition"] = 'inline; filename="activities.xml"'
        response["Last-Modified"] = http_date(path.stat().st_mtime)
        return response
