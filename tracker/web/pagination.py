"""Lists that cost what they show, whatever their size.

- A bounded count: at most ``COUNT_CAP`` + 1 rows are counted, so a page of a list of
  a million rows does not count a million rows; past the cap the count says "more
  than 10 000" (``exact`` is False).
- Keyset ("cursor") pages: the next page starts after the last row shown, found
  through the index of the list's ordering, so page 20 000 costs what page 1 costs.
  The ordering always ends with the primary key, so that rows never tie and a cursor
  is exact; empty values sort last in both directions, on every database.

The admin, the portal and the API share these.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext as _

from tracker.kernel.errors import InvalidInput

#: How many rows a count reads at most.
COUNT_CAP = 1_000


class BoundedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` + 1 rows."""

    @cached_property
    def count(self) -> int:
        # A sliced queryset counts in a subquery with a LIMIT: the cap bounds the work.
        # Only the keys are read: no ordering, no annotated columns (filters still apply).
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # always a queryset here
        return rows.order_by().values("pk")[: COUNT_CAP + 1].count()

    @property
    def exact(self) -> bool:
        return self.count <= COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP

    def page(self, number: Any) -> Any:
        # Django cuts the last page at the count; past the cap the count is not the end.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.exact and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)  # type: ignore[attr-defined]  # Django API, not in the stubs


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool
    field: models.Field[Any, Any]

    def expression(self) -> models.OrderBy:
        # NULLS LAST only where a column can be empty: on a NOT NULL column it would
        # only keep the database from walking its index in order (DESC is NULLS FIRST).
        column = F(self.name)
        nulls_last = True if self.field.null else None
        return (
            column.desc(nulls_last=nulls_last)
            if self.descending
            else column.asc(nulls_last=nulls_last)
        )


class Keyset:
    """The ordering of a list as keys (the primary key last), and how to go past a row."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        model = queryset.model
        names = [str(o) for o in queryset.query.order_by] or list(model._meta.ordering)
        keys = []
        for name in names:
            bare = name.lstrip("-")
            bare = model._meta.pk.name if bare == "pk" else bare
            keys.append(Key(bare, name.startswith("-"), model._meta.get_field(bare)))
        pk = model._meta.pk.name
        if not keys or keys[-1].name != pk:
            last_descending = keys[-1].descending if keys else False
            keys.append(Key(pk, last_descending, model._meta.pk))
        self.keys = keys

    def order(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.order_by(*(key.expression() for key in self.keys))

    def cursor(self, row: models.Model) -> str:
        values = [_dump(getattr(row, key.field.attname)) for key in self.keys]
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def after(self, queryset: QuerySet[Any], cursor: str) -> QuerySet[Any]:
        """The rows that come after the one ``cursor`` names, in this ordering."""
        values = self._values(cursor)
        directions = {key.descending for key in self.keys}
        if len(directions) == 1 and not any(key.field.null for key in self.keys):
            # One direction, no empty values: a row comparison, (a, b) < (x, y), which
            # the database answers by starting its index scan at the cursor.
            compare = TupleLessThan if directions == {True} else TupleGreaterThan
            columns = tuple(F(key.field.attname) for key in self.keys)
            return queryset.filter(compare(columns, tuple(values)))
        beyond, equal = Q(pk__in=[]), Q()
        for key, value in zip(self.keys, values, strict=True):
            column = key.field.attname
            if value is None:  # empty values come last: only other empty ones follow
                here, same = Q(pk__in=[]), Q(**{f"{column}__isnull": True})
            else:
                here = Q(**{f"{column}__{'lt' if key.descending else 'gt'}": value})
                if key.field.null:
                    here |= Q(**{f"{column}__isnull": True})
                same = Q(**{column: value})
            beyond |= equal & here
            equal &= same
        first = self.keys[0]
        if values[0] is not None and not first.field.null:
            # Redundant, but it lets the database start its index scan at the cursor.
            bound = f"{first.field.attname}__{'lte' if first.descending else 'gte'}"
            return queryset.filter(Q(**{bound: values[0]}), beyond)
        return queryset.filter(beyond)

    def _values(self, cursor: str) -> list[Any]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise ValueError
            return [_load(key.field, value) for key, value in zip(self.keys, values, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise InvalidInput(
                fields={
                    "cursor": _(
                        "This cursor was not given for this list and ordering: "
                        "start again from the first page."
                    )
                }
            ) from error


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _load(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    if isinstance(field, models.IntegerField | models.AutoField | models.BigAutoField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(value)
        return value
    if not isinstance(value, str):
        raise TypeError(value)
    return value
