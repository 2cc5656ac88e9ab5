"""P7 — good practices are shared only by the State's choice (A/HRC/43/31 para 114)."""

from __future__ import annotations

import pytest

from tracker import selectors, services
from tracker.demo.scenarios import Content
from tracker.kernel.errors import InvalidInput, NotAllowed, Refused
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

LESSONS = Content(lessons="Involve the NHRI from the first consultation.")


def test_unpublished_lessons_stay_with_their_state(request_at, togo_focal, senegal_focal):
    closed = request_at(Stage.CLOSED, content=LESSONS)
    assert list(selectors.published_lessons(togo_focal).values_list("request", flat=True)) == [
        closed.pk
    ]
    assert not selectors.published_lessons(senegal_focal).exists()


def test_published_lessons_are_visible_to_other_states(request_at, togo_focal, senegal_focal):
    closed = request_at(Stage.CLOSED, content=LESSONS)
    services.publish_lessons(ta_request=closed, by=togo_focal, publish=True)
    lesson = selectors.published_lessons(senegal_focal).get()
    assert lesson.lessons_learned == "Involve the NHRI from the first consultation."


def test_the_state_can_unpublish(request_at, togo_focal, senegal_focal):
    closed = request_at(Stage.CLOSED, content=LESSONS)
    services.publish_lessons(ta_request=closed, by=togo_focal, publish=True)
    services.publish_lessons(ta_request=closed, by=togo_focal, publish=False)
    assert not selectors.published_lessons(senegal_focal).exists()


@pytest.mark.parametrize("persona", ["officer", "senegal_focal", "analyst"])
def test_only_the_state_publishes_its_lessons(request_at, persona, persona_user, senegal_focal):
    closed = request_at(Stage.CLOSED, content=LESSONS)
    with pytest.raises(NotAllowed, match="Only Togo can do this: publish"):
        services.publish_lessons(ta_request=closed, by=persona_user(persona), publish=True)
    assert not selectors.published_lessons(senegal_focal).exists()


def test_lessons_are_published_only_from_a_closed_request(request_at, togo_focal):
    with pytest.raises(Refused, match="only at the stage Closed"):
        services.publish_lessons(
            ta_request=request_at(Stage.EVALUATION), by=togo_focal, publish=True
        )


def test_there_must_be_lessons_to_publish(request_at, togo_focal):
    with pytest.raises(InvalidInput, match="no lessons learned"):
        services.publish_lessons(ta_request=request_at(Stage.CLOSED), by=togo_focal, publish=True)


def test_anonymous_users_read_no_lessons(request_at, togo_focal):
    from django.contrib.auth.models import AnonymousUser

    services.publish_lessons(
        ta_request=request_at(Stage.CLOSED, content=LESSONS), by=togo_focal, publish=True
    )
    assert not selectors.published_lessons(AnonymousUser()).exists()
