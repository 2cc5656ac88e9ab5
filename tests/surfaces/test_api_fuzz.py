"""schemathesis against the OpenAPI schema, authenticated as each role: no 5xx, and
every response as the schema documents it.

The operations are driven with Hypothesis directly: schemathesis' lazy pytest loader
(``from_fixture``) needs a fixture-built schema but breaks on pytest 9 (it writes
``Function._nodeid``), and the schema needs the test database to be loaded.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tracker import tasks
from tracker.workflow import Stage

# Slow: bin/test --fast leaves it out; CI runs it.
pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 25
# Operations that take no input at all: no request to them can violate the schema.
NOTHING_TO_NEGATE = ["GET /api/v1/iati/activities.xml", "GET /api/v1/member-states/"]


@pytest.fixture
def in_process_wsgi():
    """Calls go straight to the WSGI app; like Django's test client, keep the test's
    database connection (and its transaction) open across them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, in_process_wsgi, request_at, senegal_focal, analyst):
    for stage in Stage.values:
        request_at(stage)
    tasks.publish_open_data()  # the open-data file, as the worker keeps it
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def every_check_but_positive_data_acceptance():
    """All of schemathesis' checks (what ``--checks all`` runs), but one:
    positive_data_acceptance. The schema cannot say which body fields a given
    transition or role needs (a decline needs a reason, staff approving need the
    State's document, a wrong password is refused), so schema-valid bodies rightly get
    a 400 with the reason. Every other check runs, negative_data_rejection included."""
    load_all_checks()
    return [check for check in CHECKS.get_all() if check is not positive_data_acceptance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("persona", ["togo_focal", "senegal_focal", "officer", "analyst", None])
def test_api_conforms_to_its_schema(api_schema, persona, persona_user, mode):
    headers = {}
    if persona is not None:
        token, _created = Token.objects.get_or_create(user=persona_user(persona))
        headers["Authorization"] = f"Token {token.key}"
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 26  # every operation of the API (docs/design.md, "Surfaces")
    checks = every_check_but_positive_data_acceptance()
    assert len(checks) > 10
    nothing_to_negate = []

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            check()
        except Unsatisfiable:
            # An operation that takes no input has no input to get wrong.
            nothing_to_negate.append(operation.label)
    if mode == GenerationMode.NEGATIVE:
        assert nothing_to_negate == NOTHING_TO_NEGATE
    else:
        assert nothing_to_negate == []
