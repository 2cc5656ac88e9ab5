"""What the surfaces hand to the services: a request's parts as typed data, a file
as it arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO


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
