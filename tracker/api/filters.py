"""Listing: filters, search, ordering and pagination — each refusing what it does not know
with a 400 that says so, rather than silently ignoring a typo."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from tracker import deadlines
from tracker.models import RegionalGroup
from tracker.workflow import Stage

MAX_PAGE_SIZE = 100


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
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_overdue"
    )

    def filter_overdue(self, queryset, name, value):
        condition = deadlines.overdue_q(timezone.now())
        return queryset.filter(condition) if value == "true" else queryset.exclude(condition)


def check_parameters(request, allowed: set[str]) -> None:
    """Refuse unknown query parameters and NUL characters (400)."""
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


class KnownParameters(filters.BaseFilterBackend):
    """The parameters a list view knows: its filters, search, ordering, pagination."""

    def filter_queryset(self, request, queryset, view):
        allowed = {"page", "page_size", "format"}
        filterset = getattr(view, "filterset_class", None)
        if filterset is not None:
            allowed |= set(filterset.base_filters)
        if getattr(view, "search_fields", None):
            allowed.add("search")
        if getattr(view, "ordering_fields", None):
            allowed.add("ordering")
        check_parameters(request, allowed)
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
                        "ordering": f"Cannot order by {', '.join(unknown)}; use "
                        f"{', '.join(sorted(known))} (prefix '-' for descending)."
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
                {"page_size": f"page_size is a whole number from 1 to {MAX_PAGE_SIZE}."}
            )
        return size
