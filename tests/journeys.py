"""Each transition with what it needs recorded first, for the surface tests (admin, API,
portal) that drive every transition through their own forms."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import FocalPointFactory, open_request
from tracker import services, workflow
from tracker.kernel import clock
from tracker.kernel.errors import DomainError
from tracker.models import AssistanceRequest
from tracker.services import ActivityDraft, FormalRequest, IndicatorDraft

#: (stage the request is in, transition, inputs for an officer, stage after): each
#: transition from its first source stage, with the example its declaration gives, its
#: letter dated today (the requests of the tests are opened today: an earlier letter
#: could not be true).
TRANSITIONS = [
    (
        workflow.sources(name)[0],
        name,
        {
            **workflow.about(name).example,
            **(
                {"document_date": workflow.dates.today().isoformat()}
                if "document_date" in workflow.about(name).example
                else {}
            ),
        },
        workflow.target(name),
    )
    for name in workflow.TRANSITION_NAMES
]


def propose(ta_request, officer, budget="1000"):
    return services.propose_plan(
        ta_request=ta_request,
        by=officer,
        budget_amount=Decimal(budget),
        activities=[ActivityDraft(form="training", title="Training of judges")],
    )


def prepare(ta_request, name, officer) -> None:
    """Record what the transition's guard needs (see test_workflow for the guards)."""
    if name == "complete_assessment":
        services.record_assessment(ta_request=ta_request, by=officer, findings="f", gaps="g")
    elif name in ("approve_plan", "reject_plan", "revise_plan"):
        propose(ta_request, officer)
    elif name == "complete_implementation":
        activity = ta_request.approved_plan().activities.get()
        services.record_delivery(activity=activity, by=officer, delivered_on=timezone.localdate())
    elif name == "close":
        services.record_evaluation(
            ta_request=ta_request,
            by=officer,
            indicators=[IndicatorDraft("Judges trained", Decimal(0), Decimal(50), Decimal(42))],
        )


# --- random histories (the kept figures against the live ones) ---------------------------

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
STATES = ("TGO", "SEN", "KHM", "MEX")


def random_history(
    officer,
    seed: int,
    requests: int = 10,
    steps: int = 9,
    also: Callable | None = None,
    states_open: bool = False,
    domains: Sequence[str] = (),
) -> list[datetime]:
    """Requests of several regions, each taken through random transitions at random
    moments: mostly later, sometimes back-dated, sometimes twice on one day. ``also``
    (request, officer, chance) is called after each step, to change something else;
    with ``states_open``, some requests are opened by their State's focal point; with
    ``domains``, each is opened in none, one or two of them."""
    chance = random.Random(seed)
    moments = []
    for number in range(requests):
        moment = START + timedelta(days=chance.randint(0, 60), hours=chance.randint(0, 23))
        letter = FormalRequest("note_verbale", f"NV/{number}", moment.date())
        state = chance.choice(STATES)
        by_state = states_open and chance.random() < 0.4
        with clock.at(moment):
            ta_request = open_request(
                FocalPointFactory(member_state_id=state) if by_state else officer,
                title=f"Request {number}",
                state=state,
                domains=chance.sample(list(domains), chance.randint(0, 2)) if domains else [],
                **({} if by_state else {"formal_request": letter}),
            )
        moments.append(moment)
        for _step in range(steps):
            moment += chance.choice(
                [
                    timedelta(hours=3),
                    timedelta(days=chance.randint(1, 30)),
                    -timedelta(days=chance.randint(1, 20)),
                ]
            )
            moments.append(moment)
            with clock.at(moment):
                _act(ta_request, officer, chance)
                if also is not None:
                    also(AssistanceRequest.objects.get(pk=ta_request.pk), officer, chance)
            ta_request = AssistanceRequest.objects.get(pk=ta_request.pk)
    return moments


def _act(ta_request, officer, chance) -> None:
    if chance.random() < 0.15:  # a decision that leaves the stage as it is
        agreed = ta_request.open_publication_since is not None
        services.decide_open_publication(
            ta_request=ta_request, by=officer, agree=not agreed, document_reference="NV/1"
        )
        return
    # Every transition from here; its guard is satisfied first (tests.journeys.prepare).
    possible = [n for n in workflow.TRANSITION_NAMES if ta_request.stage in workflow.sources(n)]
    # Mostly onwards: a request that ends early (declined, withdrawn) ends the walk.
    onwards = [
        n
        for n in possible
        if workflow.target(n) not in workflow.TERMINAL or workflow.target(n) == "closed"
    ]
    if not possible:
        return
    name = chance.choice(onwards if onwards and chance.random() < 0.9 else possible)
    try:
        prepare(ta_request, name, officer)
        # The example's letter undated: the walk's clock moves, and a letter is refused
        # when dated before the plan or in the future (tracker.workflow.dates).
        example = workflow.about(name).example
        services.take_transition(
            ta_request=ta_request,
            name=name,
            by=officer,
            **{key: value for key, value in example.items() if key != "document_date"},
        )
    except DomainError:
        pass  # refused (a plan not yet proposed...): another step next time
