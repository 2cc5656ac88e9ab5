"""What officers record on a request: the needs assessment, plans, funding, linked
recommendations, delivery and the evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tracker.kernel import clock, money
from tracker.kernel.errors import InvalidInput
from tracker.kernel.vocabulary import (
    RECOMMENDATIONS_CORRECTED,
    EvaluationKind,
    NotificationKind,
)
from tracker.models import (
    Activity,
    AssistanceForm,
    AssistanceRequest,
    Evaluation,
    Funding,
    LinkedRecommendation,
    NeedsAssessment,
    OutcomeIndicator,
    Plan,
    Provider,
    User,
)
from tracker.notifications import reminders
from tracker.services._writes import (
    add_funding,
    add_recommendations,
    check_recommendations,
    claimed_for_step,
    queue_delivery,
    write_history,
)
from tracker.services.drafts import ActivityDraft, FundingDraft, IndicatorDraft, RecommendationDraft
from tracker.workflow import Stage, dates


def record_assessment(
    *, ta_request: AssistanceRequest, by: User, findings: str, gaps: str
) -> NeedsAssessment:
    """Staff record the needs assessment (A/HRC/43/31 paras 6, 73)."""
    with transaction.atomic():
        current = claimed_for_step(ta_request, by, "assessment")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        findings, gaps = (findings or "").strip(), (gaps or "").strip()
        missing = {
            name: problem
            for name, value, problem in (
                ("findings", findings, _("Give the findings of the needs assessment.")),
                ("gaps", gaps, _("Give the gaps the needs assessment found.")),
            )
            if not value
        }
        if missing:
            raise InvalidInput(fields=missing)
        now = clock.now()
        assessment, _created = NeedsAssessment.objects.update_or_create(
            request=current,
            defaults={"findings": findings, "gaps": gaps, "assessed_by": by, "updated_at": now},
        )
    return assessment


def propose_plan(
    *,
    ta_request: AssistanceRequest,
    by: User,
    budget_amount: Decimal,
    activities: Sequence[ActivityDraft],
    providers: Iterable[Provider | int] = (),
    summary: str = "",
    budget_currency: str = "USD",
) -> Plan:
    """Staff propose the next plan version; the State must approve it (P2)."""
    with transaction.atomic():
        current = claimed_for_step(ta_request, by, "plan")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        forms = _plan_problems(budget_amount, budget_currency, activities)
        now = clock.now()
        latest = current.latest_plan()
        plan = Plan.objects.create(
            request=current,
            version=(latest.version if latest else 0) + 1,
            summary=(summary or "").strip(),
            budget_amount=budget_amount,
            budget_currency=budget_currency,
            proposed_by=by,
            proposed_at=now,
        )
        plan.providers.set(list(providers))
        if current.stage == Stage.CONSULTATION:
            queue_delivery(reminders.notice(current, NotificationKind.PLAN_AWAITS_DECISION, now))
        Activity.objects.bulk_create(
            Activity(
                plan=plan,
                form=forms[a.form],
                title=a.title,
                place=a.place,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
            )
            for a in activities
        )
    return plan


def _plan_problems(
    budget_amount: Decimal | None, budget_currency: str, activities: Sequence[ActivityDraft]
) -> dict[str, AssistanceForm]:
    """Every problem of a proposed plan at once, each on its input; else the kinds of
    activity it names."""
    problems: dict[str, str] = {}
    if budget_amount is None or Decimal(budget_amount) < 0:
        problems["budget_amount"] = _("A plan has a budget of zero or more.")
    if currency := money.currency_problem(budget_currency):
        problems["budget_currency"] = currency
    if not activities:
        problems["activities"] = _("A plan has at least one activity.")
    forms = {
        f.code: f for f in AssistanceForm.objects.filter(code__in=[a.form for a in activities])
    }
    for row, activity in enumerate(activities):
        if activity.form not in forms:
            problems[f"activities.{row}.form"] = _("Unknown kind of activity: %(codes)s.") % {
                "codes": activity.form
            }
        if not (activity.title or "").strip():
            problems[f"activities.{row}.title"] = _("Give the activity a title.")
        if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
            problems[f"activities.{row}.ends_on"] = _("An activity cannot end before it starts.")
    if problems:
        raise InvalidInput(fields=problems)
    return forms


def record_funding(
    *, ta_request: AssistanceRequest, by: User, funding: Sequence[FundingDraft]
) -> list[Funding]:
    """Staff record how the assistance is funded: the lines given replace the ones
    recorded before (a line left out is removed)."""
    with transaction.atomic():
        current = claimed_for_step(ta_request, by, "funding")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        Funding.objects.filter(request=current).delete()
        return add_funding(current, funding)


def correct_recommendations(
    *,
    ta_request: AssistanceRequest,
    by: User,
    recommendations: Sequence[RecommendationDraft],
    comment: str = "",
) -> AssistanceRequest:
    """Staff correct the recommendations a request follows up. The links given replace
    the ones before, and a history row keeps what they were (history is kept)."""
    with transaction.atomic():
        current = claimed_for_step(ta_request, by, "recommendations")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        check_recommendations(recommendations)
        before = [
            _described(r) for r in current.recommendations.select_related("recommending_state")
        ]
        current.recommendations.all().delete()
        add_recommendations(current, recommendations)
        previously = _("Previously: %(links)s.") % {
            "links": "; ".join(before) if before else _("none")
        }
        write_history(
            request=current,
            from_stage=current.stage,
            to_stage=current.stage,
            transition=RECOMMENDATIONS_CORRECTED,
            actor=by,
            at=clock.now(),
            comment="\n".join(filter(None, [(comment or "").strip(), previously])),
        )
    return current


def _described(link: LinkedRecommendation) -> str:
    """A linked recommendation in one line, for the history row of a correction."""
    who = link.recommending_state.name if link.recommending_state else link.mandate
    parts = [link.get_source_display(), link.document_symbol, who, link.text[:120]]
    return " — ".join(part for part in parts if part)


def record_delivery(
    *,
    activity: Activity,
    by: User,
    delivered_on: date,
    participants: int | None = None,
    place: str | None = None,
) -> Activity:
    """Staff record that an activity of the approved plan took place."""
    with transaction.atomic():
        current = claimed_for_step(activity.plan.request, by, "delivery")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        if delivered_on is None:
            raise InvalidInput(_("Give the date the activity was delivered."))
        approved = current.approved_plan()
        if approved is None or activity.plan_id != approved.pk:
            raise InvalidInput(_("Only activities of the approved plan can be delivered."))
        dates.check_delivery(delivered_on, approved.approved_on())
        Activity.objects.filter(pk=activity.pk).update(
            delivered_on=delivered_on,
            participants=participants,
            **({"place": place} if place is not None else {}),
        )
    activity.refresh_from_db()
    return activity


def record_evaluation(
    *,
    ta_request: AssistanceRequest,
    by: User,
    indicators: Sequence[IndicatorDraft],
    summary: str = "",
    lessons_learned: str = "",
) -> Evaluation:
    """Staff record the final evaluation and its outcome indicators (A/HRC/43/31 para 100)."""
    with transaction.atomic():
        current = claimed_for_step(ta_request, by, "evaluation")
        # Who, then the stage (in claimed_for_step), then the inputs: the order of every refusal.
        if not indicators:
            raise InvalidInput(_("An evaluation has at least one outcome indicator."))
        if any(not (i.name or "").strip() for i in indicators):
            raise InvalidInput(_("Every outcome indicator needs a name."))
        # Follow-ups measure each indicator again by its name (record_follow_up).
        names_seen: set[str] = set()
        repeated: dict[str, str] = {}
        for row, indicator in enumerate(indicators):
            name = indicator.name.strip().casefold()
            if name in names_seen:
                repeated[f"indicators.{row}.name"] = _("Another indicator has this name.")
            names_seen.add(name)
        if repeated:
            raise InvalidInput(fields=repeated)
        now = clock.now()
        evaluation, _created = Evaluation.objects.update_or_create(
            request=current,
            kind=EvaluationKind.FINAL,
            defaults={
                "summary": (summary or "").strip(),
                "lessons_learned": (lessons_learned or "").strip(),
                "evaluated_by": by,
                "updated_at": now,
            },
        )
        evaluation.indicators.all().delete()
        OutcomeIndicator.objects.bulk_create(
            OutcomeIndicator(
                evaluation=evaluation,
                name=i.name.strip(),
                unit=i.unit,
                baseline=i.baseline,
                target=i.target,
                measured=i.measured,
            )
            for i in indicators
        )
    return evaluation
