"""P3 — national ownership: only the State ranks its requests (A/HRC/43/31 paras 40, 54)."""

from __future__ import annotations

import pytest

from tests.factories import open_request
from tracker import services
from tracker.kernel.errors import InvalidInput, NotAllowed, Refused

pytestmark = pytest.mark.django_db


def ranking(state_focal):
    requests = state_focal.member_state.requests.exclude(priority=None).order_by("priority")
    return [r.title for r in requests]


@pytest.fixture
def three(togo_focal):
    return [open_request(togo_focal, title=t) for t in ("A", "B", "C")]


def test_new_requests_join_the_end_of_the_states_ranking(togo_focal, three):
    assert ranking(togo_focal) == ["A", "B", "C"]


def test_the_state_moves_a_request_to_the_top(togo_focal, three):
    services.set_priority(ta_request=three[2], by=togo_focal, rank=1)
    assert ranking(togo_focal) == ["C", "A", "B"]


def test_a_rank_past_the_end_puts_the_request_last(togo_focal, three):
    services.set_priority(ta_request=three[0], by=togo_focal, rank=99)
    assert ranking(togo_focal) == ["B", "C", "A"]


@pytest.mark.parametrize("persona", ["officer", "analyst", "senegal_focal"])
def test_nobody_but_the_state_changes_its_ranking(togo_focal, three, persona, persona_user):
    with pytest.raises(NotAllowed, match="Only Togo can do this: rank its requests"):
        services.set_priority(ta_request=three[2], by=persona_user(persona), rank=1)
    assert ranking(togo_focal) == ["A", "B", "C"]


@pytest.mark.parametrize("rank", [0, -1, "1", 1.5, True])
def test_a_rank_is_a_whole_number_from_one(togo_focal, three, rank):
    with pytest.raises(InvalidInput, match="whole number from 1"):
        services.set_priority(ta_request=three[0], by=togo_focal, rank=rank)


def test_closed_requests_leave_the_ranking(togo_focal, three, officer):
    withdrawn = services.take_transition(ta_request=three[0], name="withdraw", by=togo_focal)
    assert withdrawn.priority is None
    with pytest.raises(Refused, match="no longer open"):
        services.set_priority(ta_request=withdrawn, by=togo_focal, rank=1)
    services.set_priority(ta_request=three[2], by=togo_focal, rank=1)
    assert ranking(togo_focal) == ["C", "B"]


def test_a_transition_keeps_the_rank_the_state_gave(togo_focal, three, officer):
    from django_fsm.signals import pre_transition

    from tracker.models import AssistanceRequest

    def state_reranks_meanwhile(sender, **kwargs):
        # After the transition read C (rank 3), the State moves A to the end: C is now 2.
        services.set_priority(ta_request=three[0], by=togo_focal, rank=3)

    pre_transition.connect(state_reranks_meanwhile, sender=AssistanceRequest)
    try:
        services.take_transition(ta_request=three[2], name="accept", by=officer)
    finally:
        pre_transition.disconnect(state_reranks_meanwhile, sender=AssistanceRequest)
    assert ranking(togo_focal) == ["B", "C", "A"]


def test_the_state_reranks_all_at_once(togo_focal, three):
    a, _b, c = three
    services.rank_requests(
        by=togo_focal, state=togo_focal.member_state, ranks={c.reference: 1, a.reference: 2}
    )
    assert ranking(togo_focal) == ["C", "A", "B"]


def test_reranking_refuses_requests_that_are_not_the_states_open_ones(
    togo_focal, senegal_focal, three
):
    theirs = open_request(senegal_focal, title="Theirs")
    with pytest.raises(Refused, match="Not open requests of Togo"):
        services.rank_requests(
            by=togo_focal, state=togo_focal.member_state, ranks={theirs.reference: 1}
        )
    assert ranking(togo_focal) == ["A", "B", "C"]


@pytest.mark.parametrize("persona", ["officer", "senegal_focal"])
def test_nobody_else_reranks(togo_focal, three, persona, persona_user):
    with pytest.raises(NotAllowed):
        services.rank_requests(
            by=persona_user(persona), state=togo_focal.member_state, ranks={three[2].reference: 1}
        )
