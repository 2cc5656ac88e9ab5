"""Listing: filters, search, ordering and pagination — each refusing what it does not know
with a 400 that says so, rather than silently ignoring a typo."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from tracker import deadlines
from tracker.models import RegionalGroup
from tracker.workflow import Stage

MAX_PAGE_SIZE = 100
#: The formats a list or a report may be asked for with ``?format=``.
FORMATS = ("json", "csv")


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueOrFalse(django_filters.ChoiceFilter):
    """``true`` or ``false`` and nothing else (a typo is a 400, not a filter ignored)."""


class RequestFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    state = django_filters.CharFilter(
        field_name="requesting_state__code", lookup_expr="iexact", help_text="ISO3 code, e.g. TGO"
    )
    region = django_filters.ChoiceFilter(
        field_name="requesting_state__region", choices=RegionalGroup.choices
    )
    domain = django_filters.CharFilter(field_name="domains__code", distinct=True)
    opened_after = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__gte")
    opened_before = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__lte")
    overdue = TrueOrFalse(choices=[("true", "true"), ("false", "false")], method="filter_overdue")

    def filter_overdue(self, queryset, name, value):
        condition = deadlines.overdue_q(timezone.now())
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)


def check_parameters(request, allowed: set[str], valued: frozenset[str] = frozenset()) -> None:
    """Refuse unknown query parameters, NUL characters, and an empty value where one of
    a set of values or a date is expected (400): never a filter silently dropped."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError(
            {
                "detail": _("Unknown query parameter(s): %(unknown)s. Known: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(allowed)) or "—"}
            }
        )
    if any("\x00" in v for _name, values in request.query_params.lists() for v in values):
        raise ValidationError({"detail": _("Query parameters cannot contain NUL characters.")})
    empty = sorted(name for name in valued | {"page", "page_size", "format"}
                   if request.query_params.get(name, None) == "")  # fmt: skip
    if empty:
        raise ValidationError(
            {
                "detail": _("Give a value to %(names)s, or leave it out.")
                % {"names": ", ".join(empty)}
            }
        )
    for name, most in (("page", None), ("page_size", MAX_PAGE_SIZE)):
        if name in request.query_params and not _whole(request.query_params[name], most):
            raise ValidationError(
                {name: _("%(name)s is a whole number from 1%(to)s.")
                       % {"name": name, "to": _(" to %(n)s") % {"n": most} if most else ""}}
            )  # fmt: skip
    if "format" in request.query_params and request.query_params["format"] not in FORMATS:
        raise ValidationError({"format": _("format is json or csv.")})


def _whole(raw: str, most: int | None) -> bool:
    return raw.isascii() and raw.isdigit() and 1 <= int(raw) <= (most or int(raw))


class KnownParameters(filters.BaseFilterBackend):
    """The parameters a list view knows: its filters, search, ordering, pagination."""

    def filter_queryset(self, request, queryset, view):
        allowed = {"page", "page_size", "format"}
        valued: set[str] = set()
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            allowed |= set(filterset.base_filters)
            valued = {
                name
                for name, found in filterset.base_filters.items()
                if isinstance(found, django_filters.ChoiceFilter | django_filters.DateFilter)
            }
        if getattr(view, "search_fields", None):
            allowed.add("search")
        if getattr(view, "ordering_fields", None):
            allowed.add("ordering")
        check_parameters(request, allowed, frozenset(valued))
        return queryset


class StrictOrdering(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        param = request.query_params.get(self.ordering_param)
        if param:
            fields = [f.strip() for f in param.split(",") if f.strip()]
            known = set(view.ordering_fields)
            unknown = [f for f in fields if f.lstrip("-") not in known]
            if unknown:
                raise ValidationError(
                    {
                        "ordering": _(
                            "Cannot order by %(unknown)s; use %(known)s (prefix '-' "
                            "for descending)."
                        )
                        % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
                    }
                )
        return super().get_ordering(request, queryset, view)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": _("page_size is a whole number from 1 to %(max)s.")
                              % {"max": MAX_PAGE_SIZE}}
            )  # fmt: skip
        return size

    def get_schema_operation_parameters(self, view):
        # The bounds the view enforces, so that clients (and fuzzers) know them.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": MAX_PAGE_SIZE}
        return parameters
