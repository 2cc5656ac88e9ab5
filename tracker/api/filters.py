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
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tracker.models import RegionalGroup
from tracker.web import pagination
from tracker.web.pagination import BoundedPaginator, Keyset
from tracker.workflow import Stage, deadlines

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
    empty = sorted(
        name
        for name in valued | {"page", "page_size", "format", "cursor"}
        if request.query_params.get(name, None) == ""
    )
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
                {
                    name: _("%(name)s is a whole number from 1%(to)s.")
                    % {"name": name, "to": _(" to %(n)s") % {"n": most} if most else ""}
                }
            )
    if "format" in request.query_params and request.query_params["format"] not in FORMATS:
        raise ValidationError({"format": _("format is json or csv.")})


def _whole(raw: str, most: int | None) -> bool:
    return raw.isascii() and raw.isdigit() and 1 <= int(raw) <= (most or int(raw))


class KnownParameters(filters.BaseFilterBackend):
    """The parameters a list view knows: its filters, search, ordering, pagination."""

    def filter_queryset(self, request, queryset, view):
        allowed = {"page", "page_size", "format", "cursor"}
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
    """Page numbers, as before, with a count that reads at most 10 001 rows; and keyset
    pages (``cursor``) that cost the same at any depth (``tracker.web.pagination``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    django_paginator_class = BoundedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keyset = Keyset(queryset)
        queryset = self.keyset.order(queryset)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is None:
            self.invalid_page_message = _(
                "There is no such page. Page numbers reach the first %(cap)s rows; beyond, "
                "follow next_cursor."
            ) % {"cap": f"{pagination.COUNT_CAP:,}"}
            self.rows = super().paginate_queryset(queryset, request, view) or []
            self.counted = self.page.paginator
            self.more = self.page.has_next() or not self.counted.exact
            return self.rows
        if self.page_query_param in request.query_params:
            raise ValidationError({"cursor": _("Give page or cursor, not both.")})
        size = self.get_page_size(request)
        found = list(self.keyset.after(queryset, cursor)[: size + 1])
        self.rows, self.more = found[:size], len(found) > size
        self.counted = BoundedPaginator(queryset, size)
        self.page = None
        return self.rows

    def next_cursor(self) -> str | None:
        return self.keyset.cursor(self.rows[-1]) if self.rows and self.more else None

    def get_next_link(self):
        if self.page is not None and self.page.has_next():
            return super().get_next_link()
        cursor = self.next_cursor()
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_previous_link(self):
        return super().get_previous_link() if self.page is not None else None

    def get_paginated_response(self, data):
        return Response(
            {
                "count": min(self.counted.count, pagination.COUNT_CAP),
                "count_exact": self.counted.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "next_cursor": self.next_cursor(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"] |= {
            "description": f"rows that match, counted up to {pagination.COUNT_CAP:,}: past "
            f"that, {pagination.COUNT_CAP} with count_exact false"
        }
        described["properties"]["count_exact"] = {"type": "boolean"}
        described["properties"]["next_cursor"] = {
            "type": "string",
            "nullable": True,
            "description": "pass as cursor for the rows after this page (any depth, same cost)",
        }
        described["required"] = [*described.get("required", []), "count_exact", "next_cursor"]
        return described

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
                {
                    "page_size": _("page_size is a whole number from 1 to %(max)s.")
                    % {"max": MAX_PAGE_SIZE}
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        # The bounds the view enforces, so that clients (and fuzzers) know them.
        parameters = [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "next_cursor of the page before: keyset pages, at any depth",
                "schema": {"type": "string", "minLength": 1},
            },
        ]
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": MAX_PAGE_SIZE}
        return parameters
