"""python manage.py check_dates — list the stored dates that could not be true (a
decision's letter dated after it was recorded or before what it decided on, a
delivery before the State approved its plan or in the future), by the rules the
services apply today (``tracker.workflow.dates``). It changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from django.core.management.base import BaseCommand

from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput
from tracker.models import Activity, Consent
from tracker.workflow import Decision, dates

#: The requested decision's date is the formal request's, checked when it is logged.
LETTERS = Consent.objects.exclude(document_date=None).exclude(decision=Decision.REQUESTED)


def _broken() -> Iterator[str]:
    for consent in LETTERS.select_related("request", "plan").order_by("pk"):
        # As the rule stood when it was recorded: "the future" is after that moment.
        with clock.at(consent.recorded_at):
            yield from _refusal(
                f"{consent.request.reference}: {consent.get_decision_display()} "
                f"({consent.document_date})",
                partial(dates.check_letter, consent.document_date, consent.request, consent.plan),
            )
    delivered = Activity.objects.exclude(delivered_on=None).select_related("plan__request")
    for activity in delivered.order_by("pk"):
        if activity.delivered_on is None:  # excluded above: for the type checker
            continue
        yield from _refusal(
            f"{activity.plan.request.reference}: {activity.title} ({activity.delivered_on})",
            partial(dates.check_delivery, activity.delivered_on, activity.plan.approved_on()),
        )


def _refusal(what: str, check: Callable[[], None]) -> Iterator[str]:
    try:
        check()
    except InvalidInput as refused:
        yield f"{what}: {refused.message}"


class Command(BaseCommand):
    help = "List the stored dates the rules would refuse today; changes nothing."

    def handle(self, *args, **options):
        found = list(_broken())
        for line in found:
            self.stdout.write(line)
        self.stdout.write(f"{len(found)} dates could not be true.")
