"""The State's own ranking of its open requests (P3, A/HRC/43/31 paras 40, 54, 56, 104)."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.kernel import clock, names
from tracker.kernel.errors import InvalidInput, Refused
from tracker.models import (
    AssistanceRequest,
    MemberState,
    User,
)


def _require_state(by: User, state: MemberState) -> None:
    workflow.require_focal_point_of(by, state, _("rank its requests"))


def _valid_rank(rank: object) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise InvalidInput(_("A priority is a whole number from 1 (highest)."))
    return rank


def _open_queue(state: MemberState) -> list[AssistanceRequest]:
    """The State's open requests in their current order, locked while they are renumbered."""
    return list(
        AssistanceRequest.objects.select_for_update()
        .filter(requesting_state=state, stage__in=workflow.OPEN)
        .order_by(F("priority").asc(nulls_last=True), "opened_at")
    )


def _renumber(state: MemberState, queue: list[AssistanceRequest]) -> None:
    """Store the State's ranking, and when it last ranked (the portal asks it to rank
    the requests opened since)."""
    for position, item in enumerate(queue, start=1):
        item.priority = position
    AssistanceRequest.objects.bulk_update(queue, ["priority"])
    MemberState.objects.filter(pk=state.pk).update(priorities_reviewed_at=clock.now())


def set_priority(*, ta_request: AssistanceRequest, by: User, rank: int) -> AssistanceRequest:
    """Put ``request`` at ``rank`` among its State's open requests (1 = highest).

    A/HRC/43/31 paras 40, 54, 56, 104: the State's priorities lead; only the State
    ranks its requests, and staff cannot change the ranking.
    """
    _require_state(by, ta_request.requesting_state)
    rank = _valid_rank(rank)
    with transaction.atomic():
        queue = _open_queue(ta_request.requesting_state)
        target = next((r for r in queue if r.pk == ta_request.pk), None)
        if target is None:
            raise Refused(
                _("%(reference)s is no longer open: only open requests are ranked.")
                % {"reference": ta_request.reference}
            )
        queue.remove(target)
        queue.insert(min(rank, len(queue) + 1) - 1, target)
        _renumber(ta_request.requesting_state, queue)
    target.requesting_state = ta_request.requesting_state
    return target


def rank_requests(*, by: User, state: MemberState, ranks: dict[str, int]) -> None:
    """Re-rank the State's open requests at once: ``ranks`` maps references to ranks.

    Two requests cannot share a rank: the State says which comes first (it is refused
    at each, never renumbered silently); requests not named keep their order after the
    named ones (P3, as ``set_priority``).
    """
    _require_state(by, state)
    invalid = {}
    for reference, rank in ranks.items():
        try:
            _valid_rank(rank)
        except InvalidInput as error:
            invalid[reference] = error.message
    if invalid:
        raise InvalidInput(fields=invalid)
    given = Counter(ranks.values())
    shared = {
        reference: _("Priority %(rank)s is given to more than one request: give each its own.")
        % {"rank": rank}
        for reference, rank in ranks.items()
        if given[rank] > 1
    }
    if shared:
        raise InvalidInput(fields=shared)
    with transaction.atomic():
        queue = _open_queue(state)
        unknown = set(ranks) - {r.reference for r in queue}
        if unknown:
            raise Refused(
                _("Not open requests %(of_state)s: %(references)s.")
                % {**names.words(state), "references": ", ".join(sorted(unknown))}
            )
        last = len(queue) + 1
        queue.sort(key=lambda r: ranks.get(r.reference, last))  # stable: ties keep order
        _renumber(state, queue)
