"""CSV exports of requests, shared by the admin and the API."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from tracker.models import AssistanceRequest, Brief, Domain
from tracker.workflow import deadlines

REQUEST_COLUMNS = (
    "reference",
    "state_code",
    "state",
    "region",
    "title",
    "stage",
    "officer",
    "opened_at",
    "stage_entered_at",
    "days_in_stage",
    "overdue",
    "state_priority",
    "domains",
)


def request_rows(requests: QuerySet[AssistanceRequest]) -> Iterator[list[object]]:
    now = timezone.now()
    requests = (
        requests.select_related("requesting_state", "officer")
        .prefetch_related(None)
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("code")))
    )
    for r in requests:
        yield [
            r.reference,
            r.requesting_state_id,
            r.requesting_state.name_en,
            r.requesting_state.region,
            r.title,
            r.stage,
            r.officer.username if r.officer else "",
            r.opened_at.isoformat(),
            r.stage_entered_at.isoformat(),
            (now - r.stage_entered_at).days,
            "yes" if deadlines.is_overdue(r.stage, r.stage_entered_at, now) else "no",
            r.priority or "",
            ";".join(d.code for d in r.domains.all()),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


#: What makes a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, turned into plain text by a
    leading apostrophe; numbers and dates stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_response(filename: str, header: Iterable[str], rows: Iterable[list[object]]):
    """A streamed UTF-8 CSV with a byte-order mark, so spreadsheets read accents right.
    Every CSV of TA Tracker goes out through here, with its cells defused."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([defused(cell) for cell in header])
        for row in rows:
            yield writer.writerow([defused(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


BRIEF_COLUMNS = (
    "reference",
    "state",
    "region",
    "year_closed",
    "domains",
    "title",
    "context",
    "done",
    "results",
    "indicators",
    "differently",
    "published_at",
)


def brief_rows(briefs: Iterable[Brief]) -> Iterator[list[object]]:
    for brief in briefs:
        r = brief.request
        final = r.final_evaluation()
        yield [
            r.reference,
            r.requesting_state.name_en,
            r.requesting_state.region,
            r.stage_entered_at.year,
            " ".join(d.code for d in r.domains.all()),
            r.title,
            brief.context,
            brief.done,
            brief.results,
            "; ".join(
                f"{i.name}: {i.baseline} -> {i.measured} (target {i.target})"
                for i in (final.indicators.all() if final else [])
            ),
            brief.differently,
            brief.published_at.isoformat() if brief.published_at else "",
        ]
