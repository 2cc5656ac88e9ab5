"""Dates that can be true. A date a person gives for something that happened — the
date of the State's letter an officer records a decision from, a delivery, a formal
request — can be neither in the future nor before what it depends on: a consent
recorded from a letter is only the State's consent if the letter could have been
written then (A/HRC/43/31 paras 6, 62, 73, 89). Every surface goes through the
services, which ask here; each refusal names its field, so that every form shows it
there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.models import AssistanceRequest, Plan


def today() -> date:
    """Today in the deployment's time zone, on the service clock."""
    return timezone.localdate(clock.now())


def day_of(moment: datetime) -> date:
    return timezone.localdate(moment)


def _shown(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _refuse(field: str, message: str) -> None:
    raise InvalidInput(fields={field: message})


def _not_in_the_future(day: date, field: str, message: str) -> None:
    if day > today():
        _refuse(field, message)


def check_letter(
    day: date | None,
    ta_request: AssistanceRequest,
    plan: Plan | None = None,
    field: str = "document_date",
) -> None:
    """The date of the State's letter a decision is recorded from: not in the future,
    not before the request was logged, and for a decision on a plan version not before
    that version was proposed."""
    if day is None:
        return
    _not_in_the_future(day, field, _("The letter cannot be dated in the future."))
    if plan is not None and day < day_of(plan.proposed_at):
        _refuse(
            field,
            _(
                "The letter cannot be dated before plan version %(version)s was "
                "proposed (%(proposed)s)."
            )
            % {"version": plan.version, "proposed": _shown(day_of(plan.proposed_at))},
        )
    if ta_request.opened_at is not None and day < day_of(ta_request.opened_at):
        _refuse(
            field,
            _("The letter cannot be dated before the request was logged (%(logged)s).")
            % {"logged": _shown(day_of(ta_request.opened_at))},
        )


def check_delivery(day: date, approved_on: date | None, field: str = "delivered_on") -> None:
    """A delivery: not in the future, not before the State approved the plan."""
    _not_in_the_future(day, field, _("An activity cannot be delivered in the future."))
    if approved_on is not None and day < approved_on:
        _refuse(
            field,
            _("An activity cannot be delivered before the State approved the plan (%(on)s).")
            % {"on": _shown(approved_on)},
        )


def check_formal_request(day: date, field: str = "document_date") -> None:
    """The date of the State's formal request an officer logs a request from: not in
    the future (the request is logged now)."""
    _not_in_the_future(day, field, _("The formal request cannot be dated in the future."))
