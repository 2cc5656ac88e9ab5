"""Sharing by the State's choice (P7, A/HRC/43/31 para 114): good-practice briefs and
lessons."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tracker import workflow
from tracker.kernel import clock
from tracker.kernel.errors import Conflict, InvalidInput, Refused
from tracker.kernel.vocabulary import (
    EvaluationKind,
)
from tracker.models import (
    AssistanceRequest,
    Brief,
    Evaluation,
    User,
)
from tracker.services._writes import bump_revision, current_version, open_data_changed
from tracker.workflow import Stage


def write_brief(
    *,
    ta_request: AssistanceRequest,
    by: User,
    context: str,
    done: str,
    results: str,
    differently: str = "",
    version: str | None = None,
) -> Brief:
    """The State writes its brief, or an officer drafts it for the State to approve; a
    published brief changed by an officer goes back to unpublished (the State approves
    what is shared), and leaves the open-data file at once."""
    workflow.require_party(ta_request, by, str(workflow.CONTENT_STEPS["brief"].action))
    with transaction.atomic():
        current = current_version(ta_request, None)
        # Who, then the stage, then the inputs: the order of every refusal.
        workflow.require_content_allowed(current, "brief")
        texts = {"context": context, "done": done, "results": results}
        problems = {
            name: _("Write this part of the brief.")
            for name, text in texts.items()
            if not (text or "").strip()
        }
        if problems:
            raise InvalidInput(fields=problems)
        now = clock.now()
        existing = Brief.objects.filter(request=current).first()
        # Given the ``version`` the writer read, a text written since is not overwritten.
        if version is not None and existing is not None and existing.version != version:
            raise Conflict(
                _("The brief changed since you read it: read it again, then publish it.")
            )
        # Only a published brief is linked from the file (a draft saved is not).
        was_published = existing is not None and existing.published_at is not None
        open_data_changed(current, now, in_the_file=was_published)
        brief, _created = Brief.objects.update_or_create(
            request=current,
            defaults={
                **{name: text.strip() for name, text in texts.items()},
                "differently": (differently or "").strip(),
                "written_by": by,
                "updated_at": now,
                # The State's own edit stays published; anyone else's awaits its approval.
                "published_at": existing.published_at
                if existing is not None and workflow.is_focal_point(by)
                else None,
            },
        )
    return brief


def publish_brief(
    *, ta_request: AssistanceRequest, by: User, publish: bool, version: str | None = None
) -> Brief:
    """Only the State publishes its brief, and it may take it back at any time (P7);
    the open-data file follows at once. Publishing approves the text: given the
    ``version`` the State read, a text written since (an officer's correction) is not
    published unread."""
    workflow.require_focal_point_of(
        by, ta_request.requesting_state, _("publish the brief of its request")
    )
    with transaction.atomic():
        current = current_version(ta_request, None)
        now = clock.now()
        open_data_changed(current, now)
        brief = Brief.objects.filter(request=current).first()
        if brief is None:
            raise Refused(_("Write the brief before publishing it."))
        if publish and version is not None and version != brief.version:
            raise Conflict(
                _("The brief changed since you read it: read it again, then publish it.")
            )
        brief.published_at = now if publish else None
        brief.save(update_fields=["published_at"])
    return brief


def publish_lessons(*, ta_request: AssistanceRequest, by: User, publish: bool) -> Evaluation:
    """The State alone decides whether other States may read its lessons (A/HRC/43/31 para 114)."""
    workflow.require_focal_point_of(
        by, ta_request.requesting_state, _("publish the lessons of its requests")
    )
    with transaction.atomic():
        current = current_version(ta_request, None)
        workflow.require_stage(current, [Stage.CLOSED], _("publish lessons learned"))
        evaluation = Evaluation.objects.get(request=current, kind=EvaluationKind.FINAL)
        if publish and not evaluation.lessons_learned.strip():
            raise InvalidInput(_("There are no lessons learned to publish."))
        Evaluation.objects.filter(pk=evaluation.pk).update(lessons_published=publish)
        bump_revision(current, clock.now())
    evaluation.lessons_published = publish
    return evaluation
