"""UPR recommendations from the public databases' CSV layout, checked row by row.

One row per recommendation, with a header line naming the columns (any order; other
columns are ignored): ``Recommendation``, ``Recommending State``, ``State under
Review``, ``Cycle``, ``Session``, ``Response`` ("Supported" or "Noted") and
``Themes`` (optional, separated by semicolons). States may be given by their English
short name or their ISO 3166 alpha-3 code.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from tracker.models import MemberState, UprRecommendation, UprResponse

COLUMNS = {
    "recommendation": "Recommendation",
    "recommending_state": "Recommending State",
    "state_under_review": "State under Review",
    "cycle": "Cycle",
    "session": "Session",
    "response": "Response",
}
OPTIONAL = {"themes": "Themes"}


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def load(lines: Iterable[str]) -> Outcome:
    """Check every row; import them all in one transaction only if none is wrong."""
    outcome = Outcome()
    reader = csv.DictReader(lines)
    headers = {(name or "").strip().casefold(): name for name in reader.fieldnames or []}
    missing = [title for title in COLUMNS.values() if title.casefold() not in headers]
    if missing:
        outcome.problems.append(f"line 1: missing column(s): {', '.join(missing)}")
        return outcome
    states = _states()
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {key: (raw.get(headers[title.casefold()]) or "").strip()
               for key, title in {**COLUMNS, **OPTIONAL}.items()
               if title.casefold() in headers}  # fmt: skip
        problems, record = _check(row, states)
        outcome.problems += [f"line {line}: {problem}" for problem in problems]
        if record is not None:
            rows.append(record)
    if outcome.problems or not rows:
        if not rows and not outcome.problems:
            outcome.problems.append("the file has no recommendation")
        return outcome
    with transaction.atomic():
        for record in rows:
            _, created = UprRecommendation.objects.update_or_create(
                state_under_review=record["state_under_review"],
                recommending_state=record["recommending_state"],
                cycle=record["cycle"],
                fingerprint=record["fingerprint"],
                defaults={k: record[k] for k in ("session", "text", "response", "themes")},
            )
            outcome.created += created
            outcome.updated += not created
    return outcome


def load_file(path: str) -> Outcome:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return load(handle)


def _states() -> dict[str, MemberState]:
    found: dict[str, MemberState] = {}
    for state in MemberState.objects.all():
        for name in (state.code, state.name_en, state.in_text_en.removeprefix("the ")):
            found[name.casefold()] = state
    return found


def _check(row: dict[str, str], states: dict[str, MemberState]) -> tuple[list[str], dict | None]:
    problems = []
    text = row["recommendation"]
    if not text:
        problems.append("the recommendation's text is empty")
    named = {}
    for key, title in (("recommending_state", "Recommending State"),
                       ("state_under_review", "State under Review")):  # fmt: skip
        named[key] = states.get(row[key].casefold())
        if named[key] is None:
            problems.append(f"{title} “{row[key]}” is not a State we know")
    numbers = {}
    for key, title in (("cycle", "Cycle"), ("session", "Session")):
        value = row[key]
        if not (value.isascii() and value.isdigit() and 0 < int(value) < 1000):
            problems.append(f"{title} “{value}” is not a whole number from 1")
        else:
            numbers[key] = int(value)
    response = row["response"].casefold()
    if response not in UprResponse.values:
        problems.append(f"Response “{row['response']}” is neither Supported nor Noted")
    if problems:
        return problems, None
    themes = "; ".join(t.strip() for t in row.get("themes", "").split(";") if t.strip())
    return [], {
        **named, **numbers, "text": text, "response": response, "themes": themes[:500],
        "fingerprint": fingerprint(text),
    }  # fmt: skip
