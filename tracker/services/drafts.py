"""What the surfaces hand to the services: a request's parts as typed data, a file
as it arrived."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.db.models import Model


@dataclass(frozen=True)
class FormalRequest:
    """The State's written request, as staff log it (A/HRC/43/31 paras 30, 105)."""

    kind: str
    number: str
    date: date


@dataclass(frozen=True)
class ActivityDraft:
    form: str
    title: str
    place: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class IndicatorDraft:
    name: str
    baseline: Decimal | None = None
    target: Decimal | None = None
    measured: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class RecommendationDraft:
    source: str
    document_symbol: str = ""
    upr_cycle: int | None = None
    recommending_state: str | None = None
    mandate: str = ""
    text: str = ""
    #: An imported UPR record (``UprRecommendation`` id): the link takes its words.
    record: int | None = None


@dataclass(frozen=True)
class FundingDraft:
    source: str
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name as the sender gave it, its bytes, their size."""

    name: str
    content: IO[bytes]
    size: int


#: Names a surface may give a draft's field (a serializer's ``recommending_state_id``).
_ALIASES = {"recommending_state_id": "recommending_state", "record_id": "record"}


def drafted[D](kind: type[D], data: Mapping[str, Any]) -> D:
    """A draft from what a form or a serializer cleaned: the draft's own fields only, a
    chosen row (a State, a form of assistance) as its key, a text left unchosen as "".
    The admin, the portal and the API all map their input so."""
    fields = {field.name: field for field in dataclasses.fields(kind)}  # type: ignore[arg-type]
    values = {}
    for key, value in data.items():
        field = fields.get(_ALIASES.get(key, key))
        if field is None:
            continue
        if isinstance(value, Model):
            value = value.pk
        elif value is None and field.type == "str":
            value = ""
        values[field.name] = value
    return kind(**values)


def drafts[D](kind: type[D], rows: Iterable[Mapping[str, Any]]) -> list[D]:
    """``drafted`` for each row of a list or a formset."""
    return [drafted(kind, row) for row in rows]
