"""UPR recommendations from the public databases' CSV layout, checked row by row.

One row per recommendation, with a header line naming the columns (any order; other
columns are ignored): ``Recommendation``, ``Recommending State``, ``State under
Review``, ``Cycle``, ``Session``, ``Response`` ("Supported" or "Noted") and
``Themes`` (optional, separated by semicolons). States may be given by their English
short name or their ISO 3166 alpha-3 code. The columns may be separated by commas,
semicolons or tabs: spreadsheets save "CSV" with one or the other depending on their
language.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import UniqueConstraint

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
SEPARATORS = ",;\t"
#: What makes two rows one record: the fields of the model's unique constraint.
SAME: tuple[str, ...] = next(
    tuple(constraint.fields)
    for constraint in UprRecommendation._meta.constraints
    if isinstance(constraint, UniqueConstraint)
)


class Unreadable(Exception):
    """The file cannot be read as text at all; the message says why and what to do."""


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def load(text: str) -> Outcome:
    """Check every row; import them all in one transaction only if none is wrong."""
    outcome = Outcome()
    records = _checked(text, outcome.problems)
    if outcome.problems:
        return outcome
    with transaction.atomic():
        for record in records:
            _, created = UprRecommendation.objects.update_or_create(
                **{key: record[key] for key in SAME},
                defaults={k: record[k] for k in ("session", "text", "response", "themes")},
            )
            outcome.created += created
            outcome.updated += not created
    return outcome


def load_file(path: str) -> Outcome:
    """``load`` the file; ``Unreadable`` when it is missing, unreadable or not UTF-8."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise Unreadable(f"There is no file {path}.") from error
    except OSError as error:
        raise Unreadable(f"{path} cannot be read: {error.strerror or error}.") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Unreadable(
            f"{path} is not UTF-8 text (line {line} is the first that is not): "
            "save it again as “CSV UTF-8”."
        ) from error
    return load(text)


def _checked(text: str, problems: list[str]) -> list[dict]:
    """The records the file holds, each checked; every problem found is added to
    ``problems``, with its line."""
    if not text.strip():
        problems.append("The file is empty.")
        return []
    rows = _rows(text, _separator(text), problems)
    places = _places(rows, problems)
    if places is None:
        return []
    records = _records(rows, places, problems)
    if not records and not problems:
        problems.append("The file has no recommendations.")
    return records


def _places(rows: Iterator[tuple[int, list[str]]], problems: list[str]) -> dict[str, int] | None:
    """Where each column is, read from the first row; None when columns are missing."""
    line, header = next(rows, (1, []))
    if problems:  # the header line itself cannot be read
        return None
    headers = {name.strip().casefold(): index for index, name in enumerate(header)}
    missing = [title for title in COLUMNS.values() if title.casefold() not in headers]
    if missing:
        problems.append(f"line {line}: missing column(s): {', '.join(missing)}")
        return None
    return {
        key: headers[title.casefold()]
        for key, title in {**COLUMNS, **OPTIONAL}.items()
        if title.casefold() in headers
    }


def _records(
    rows: Iterator[tuple[int, list[str]]], places: dict[str, int], problems: list[str]
) -> list[dict]:
    """Each row checked, and each record once: a repeat is a problem of its line."""
    states = _states()
    records: list[dict] = []
    first_seen: dict[tuple, int] = {}  # a record's line, by what makes it one
    for line, raw in rows:
        row = {key: raw[index].strip() if index < len(raw) else "" for key, index in places.items()}
        found, record = _check(row, states)
        if record is not None:
            same = tuple(record[key] for key in SAME)
            if same in first_seen:
                found.append(
                    f"repeats the recommendation of line {first_seen[same]} "
                    "(same States, cycle and text)"
                )
            else:
                first_seen[same] = line
                records.append(record)
        problems.extend(f"line {line}: {problem}" for problem in found)
    return records


def _separator(text: str) -> str:
    """The separator with which the header line names the most columns (commas if
    none names more)."""
    first = next(line for line in text.splitlines() if line.strip())
    wanted = {title.casefold() for title in {**COLUMNS, **OPTIONAL}.values()}

    def named(separator: str) -> int:
        cells = next(csv.reader([first], delimiter=separator), [])
        return len(wanted & {cell.strip().casefold() for cell in cells})

    return max(SEPARATORS, key=named)


def _rows(text: str, separator: str, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Each row that holds something, with the line it starts on: a quoted text may
    span several lines, and blank lines are skipped. A row that cannot be read as CSV
    is a problem, and the reading stops there (what follows cannot be trusted)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    while True:
        line = reader.line_num + 1  # line_num is the line the last row read ended on
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(f"line {line}: {_csv_problem(error, separator)}")
            return
        if any(cell.strip() for cell in row):
            yield line, row


def _csv_problem(error: csv.Error, separator: str) -> str:
    """The csv module's error in words: a quotation mark is usually what is wrong."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return (
            f"a value is longer than {csv.field_size_limit()} characters: "
            "a quotation mark that opens it may have no closing one"
        )
    if message == "unexpected end of data":
        return "a quotation mark opens a value that the file never closes"
    if message.endswith("expected after '\"'"):
        return (
            "text follows the quotation mark that closes a value before the next "
            f'{_name(separator)}: write a quotation mark inside a quoted value twice ("")'
        )
    return f"cannot be read as CSV ({message})"


def _name(separator: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab"}[separator]


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
    for key, title in (
        ("recommending_state", "Recommending State"),
        ("state_under_review", "State under Review"),
    ):
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
    themes = "; ".join(t.strip() for t in row.get("themes", "").split(";") if t.strip())
    room = UprRecommendation._meta.get_field("themes").max_length or 0
    if len(themes) > room:
        problems.append(f"the themes take {len(themes)} characters; a record keeps {room} at most")
    if problems:
        return problems, None
    return [], {
        **named,
        **numbers,
        "text": text,
        "response": response,
        "themes": themes,
        "fingerprint": fingerprint(text),
    }
