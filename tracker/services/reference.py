"""The reference data the figures count by: a State's groups."""

from __future__ import annotations

from django.db import transaction

from tracker.models import MemberState
from tracker.services._writes import figures_moved


def set_state_groups(
    *, state: MemberState, is_ldc: bool | None = None, under_agenda_item_10: bool | None = None
) -> MemberState:
    """A State joins or leaves the least developed countries (the General Assembly's
    list, A/HRC/43/31 para 112) or the States under agenda item 10 (para 63): its
    requests count in the new groups from now on, in every figure."""
    changed = {
        name: value
        for name, value in (("is_ldc", is_ldc), ("under_agenda_item_10", under_agenda_item_10))
        if value is not None
    }
    with transaction.atomic():
        MemberState.objects.filter(pk=state.pk).update(**changed)
        figures_moved(*state.requests.values_list("pk", flat=True))
    for name, value in changed.items():
        setattr(state, name, value)
    return state
