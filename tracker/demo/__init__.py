"""Demo data: the assistance the report itself describes (A/HRC/43/31 paras 65-68, 80-88).

Each case is opened as it arrived (by the State's focal point or from a note
verbale) and brought to its stage through the real transitions, with its past
replayed on the service clock, so its history, consents and overdue times are real.
Loading twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tracker import services
from tracker.demo.scenarios import Content, bring_to
from tracker.interop import upr
from tracker.kernel import clock
from tracker.models import AssistanceRequest, Provider, UprRecommendation, User
from tracker.notifications import reminders
from tracker.services import (
    ActivityDraft,
    FormalRequest,
    FundingDraft,
    IndicatorDraft,
    RecommendationDraft,
)
from tracker.workflow import Role, Stage

# Printed by load_demo and README: demo accounts exist only on demo databases.
DEMO_PASSWORD = "demo-ta-2026"  # noqa: S105


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: str
    state: str | None = None
    language: str = "en"
    supervisor: str | None = None


ACCOUNTS = (
    Account("sam", "Sam Mensah", Role.OFFICER),
    Account("olga", "Olga Ivanova", Role.OFFICER, supervisor="sam"),
    Account("ana", "Ana Souza", Role.ANALYST),
    Account("afi", "Afi Agbeko", Role.FOCAL_POINT, state="TGO", language="fr"),
    Account("moussa", "Moussa Diop", Role.FOCAL_POINT, state="SEN", language="fr"),
    Account("sophea", "Sophea Chan", Role.FOCAL_POINT, state="KHM", language="fr"),
    Account("lucia", "Lucía Hernández", Role.FOCAL_POINT, state="MEX", language="es"),
    Account("ines", "Inès Ben Salah", Role.FOCAL_POINT, state="TUN", language="ar"),
    Account("elena", "Elena Martínez", Role.FOCAL_POINT, state="SLV"),
)

PROVIDERS = (
    ("OHCHR Regional Office for West Africa", "ohchr"),
    ("OHCHR Cambodia", "ohchr"),
    ("OHCHR Colombia", "ohchr"),
    ("OHCHR Tunisia", "ohchr"),
    ("UNDP", "un_agency"),
    ("UNESCO", "un_agency"),
    ("UNICEF", "un_agency"),
    ("Organization of American States", "regional_organisation"),
)


@dataclass(frozen=True)
class BriefDraft:
    """A good-practice brief: written and published by the State, or drafted by its
    officer for the State to approve."""

    context: str
    done: str
    results: str
    differently: str = ""
    by_the_state: bool = True


@dataclass(frozen=True)
class Case:
    state: str
    title: str
    description: str
    stage: str
    opened_days_ago: int
    domains: Sequence[str]
    forms: Sequence[str]
    content: Content = field(default_factory=Content)
    recommendations: Sequence[RecommendationDraft] = ()
    on_paper: bool = False
    publish_lessons: bool = False
    #: The State agrees to the open publication of the request (the IATI export).
    open_publication: bool = False
    officer: str = "olga"
    #: Where the money comes from, recorded by the officer when the request arrives.
    funding: Sequence[FundingDraft] = ()
    #: Demo UPR records it follows up, by their text (``UPR_SAMPLE``).
    upr_records: Sequence[str] = ()
    #: Messages after the last step, oldest first: (username, text).
    conversation: Sequence[tuple[str, str]] = ()
    #: Follow-up evaluations of a closed case: (kind, days after closing, the value of
    #: each indicator, in order).
    follow_ups: Sequence[tuple[str, int, Sequence[int]]] = ()
    #: The State declines follow-up evaluations of its closed request.
    no_follow_up: bool = False
    brief: BriefDraft | None = None


def _plan(*activities: tuple[str, str, str], budget: int, providers: Sequence[str] = ()) -> dict:
    return {
        "activities": tuple(ActivityDraft(form=f, title=t, place=p) for f, t, p in activities),
        "budget": Decimal(budget),
        "providers": tuple(providers),
    }


def _indicator(name: str, baseline: int, target: int, measured: int) -> IndicatorDraft:
    return IndicatorDraft(name, Decimal(baseline), Decimal(target), Decimal(measured))


CASES = (
    Case(
        "MEX",
        "Constitutional status for the State's treaty obligations",
        "Give constitutional rank to all obligations under the conventions Mexico ratified "
        "(A/HRC/43/31 para 80).",
        Stage.CLOSED,
        540,
        ["legislation"],
        ["advisory"],
        Content(
            findings="Treaty obligations had statutory rank only.",
            gaps="No constitutional clause on international human rights law.",
            **_plan(
                ("advisory", "Drafting advice on the constitutional amendment", "Mexico City"),
                budget=80000,
            ),
            indicators=(_indicator("Constitutional provisions adopted", 0, 1, 1),),
            lessons="A reform anchored in the constitution outlasts changes of government.",
            days_per_step=60,
        ),
        publish_lessons=True,
        open_publication=True,
        funding=(FundingDraft("vftc", Decimal(80000)),),
        # Drafted by the secretariat: it awaits the State's approval.
        brief=BriefDraft(
            context="International human rights treaties had the rank of ordinary laws.",
            done="Advice on a constitutional amendment giving every ratified treaty "
            "constitutional rank.",
            results="The amendment was adopted: one constitutional provision, as targeted.",
            by_the_state=False,
        ),
    ),
    Case(
        "MMR",
        "National human rights institution compliant with the Paris Principles",
        "Help Myanmar set up a national human rights institution (A/HRC/43/31 para 80).",
        Stage.EVALUATION,
        420,
        ["nhri"],
        ["advisory", "training"],
        Content(
            findings="The commission's founding law lacks guarantees of independence.",
            gaps="Appointment procedure, budget autonomy, staff training.",
            **_plan(
                ("advisory", "Review of the founding law", "Nay Pyi Taw"),
                ("training", "Training of commission staff", "Yangon"),
                budget=120000,
            ),
            days_per_step=80,
        ),
        on_paper=True,
    ),
    Case(
        "RUS",
        "Master's programme in human rights",
        "Support a university master's programme in human rights (A/HRC/43/31 para 81).",
        Stage.IMPLEMENTATION,
        300,
        ["education"],
        ["advisory", "documentation"],
        Content(
            **_plan(("documentation", "Curriculum and reading lists", "Moscow"), budget=45000),
            days_per_step=70,
        ),
        on_paper=True,
    ),
    Case(
        "LAO",
        "National report for the universal periodic review",
        "Prepare the UPR national report and follow up its recommendations (A/HRC/43/31 para 81).",
        Stage.CONSULTATION,
        200,
        ["upr-follow-up", "treaty-reporting"],
        ["workshop"],
        Content(days_per_step=30, plan_awaiting_decision=True),
        recommendations=(
            RecommendationDraft(
                source="upr",
                upr_cycle=3,
                text="Submit the national report of the next cycle on time.",
            ),
        ),
        on_paper=True,
    ),
    Case(
        "THA",
        "Follow-up of UPR recommendations",
        "Prepare the UPR national report and act on its recommendations (A/HRC/43/31 para 81).",
        Stage.NEEDS_ASSESSMENT,
        130,
        ["upr-follow-up"],
        ["workshop", "advisory"],
        Content(days_per_step=20),
        recommendations=(
            RecommendationDraft(
                source="upr",
                upr_cycle=3,
                text="Act on the recommendations the State supported in the review.",
            ),
        ),
        upr_records=(
            "Strengthen the national human rights institution in line with the Paris Principles.",
            "Adopt a national plan to implement the recommendations supported in the review.",
        ),
        on_paper=True,
        officer="sam",
    ),
    Case(
        "HTI",
        "Interministerial human rights committee",
        "Create the interministerial committee that oversees reports to UN bodies "
        "(A/HRC/43/31 para 81).",
        Stage.IMPLEMENTATION,
        260,
        ["treaty-reporting"],
        ["advisory", "training"],
        Content(
            **_plan(
                ("training", "Training of the committee's secretariat", "Port-au-Prince"),
                budget=60000,
            ),
            days_per_step=50,
        ),
        on_paper=True,
    ),
    Case(
        "MAR",
        "Interministerial committee for treaty reporting",
        "Create the interministerial committee that prepares reports to UN bodies "
        "(A/HRC/43/31 para 81).",
        Stage.CLOSED,
        1300,
        ["treaty-reporting"],
        ["advisory"],
        Content(
            **_plan(("advisory", "Terms of reference of the committee", "Rabat"), budget=30000),
            indicators=(_indicator("Overdue treaty reports", 4, 0, 1),),
            lessons="A standing committee ends the backlog of overdue reports.",
            days_per_step=90,
        ),
        on_paper=True,
        open_publication=True,
        follow_ups=(
            ("follow_up_6", 185, (1,)),
            ("follow_up_12", 370, (0,)),
            ("follow_up_later", 740, (0,)),
        ),
        funding=(FundingDraft("regular_budget", Decimal(25000)),),
    ),
    Case(
        "PRY",
        "Portal to follow up human rights recommendations",
        "Launch a portal following the recommendations of UN mechanisms and the OAS "
        "(A/HRC/43/31 para 81).",
        Stage.CLOSED,
        620,
        ["upr-follow-up", "treaty-reporting"],
        ["advisory", "documentation"],
        Content(
            **_plan(
                ("documentation", "Portal design and data model", "Asunción"),
                budget=70000,
                providers=("Organization of American States",),
            ),
            indicators=(_indicator("Recommendations tracked in the portal", 0, 1000, 1300),),
            lessons="Publishing the follow-up of every recommendation builds trust.",
            days_per_step=75,
        ),
        on_paper=True,
    ),
    Case(
        "TGO",
        "Truth, justice and reconciliation commission",
        "In 2006 the Government of Togo asked for help creating a truth, justice and "
        "reconciliation commission (A/HRC/43/31 para 82).",
        Stage.CLOSED,
        660,
        ["justice", "legislation"],
        ["advisory", "training", "workshop"],
        Content(
            findings="No mechanism of transitional justice; victims not heard.",
            gaps="Legal basis of a commission; trained staff; national consultations.",
            **_plan(
                ("workshop", "National consultations", "Lomé"),
                ("training", "Training of the commission's staff", "Lomé"),
                budget=250000,
                providers=("OHCHR Regional Office for West Africa", "UNDP"),
            ),
            indicators=(_indicator("Victims heard by the commission", 0, 15000, 22415),),
            lessons="National consultations before drafting gave the commission legitimacy.",
            days_per_step=90,
        ),
        publish_lessons=True,
        open_publication=True,
        follow_ups=(("follow_up_6", 190, (23870,)),),
        brief=BriefDraft(
            context="Decades of political violence had left victims unheard and no "
            "mechanism of transitional justice.",
            done="National consultations in every region before drafting the commission's "
            "mandate; training of its staff in hearing victims.",
            results="The commission heard 22 415 victims against a target of 15 000, and "
            "23 870 six months after closing.",
            differently="Plan the reparations programme together with the commission.",
        ),
        funding=(
            FundingDraft("upr_fund", Decimal(45000)),
            FundingDraft("bilateral", Decimal(30000), "EUR"),
        ),
    ),
    Case(
        "TUN",
        "Human rights in the new constitution",
        "After the revolution of January 2011, help draft the new constitution so that it "
        "includes human rights as international standards set them (A/HRC/43/31 para 83).",
        Stage.EVALUATION,
        480,
        ["legislation"],
        ["advisory", "expert-visit"],
        Content(
            **_plan(
                ("advisory", "Comments on the draft constitution", "Tunis"),
                ("expert-visit", "Constitutional drafting committee mission", "Tunis"),
                budget=150000,
                providers=("OHCHR Tunisia",),
            ),
            days_per_step=100,
        ),
        open_publication=True,
    ),
    Case(
        "TUN",
        "Independent body for elections",
        "Create the body that runs elections, in line with recognised standards "
        "(A/HRC/43/31 para 83).",
        Stage.NEEDS_ASSESSMENT,
        70,
        ["elections"],
        ["advisory", "expert-visit"],
        Content(days_per_step=20),
    ),
    Case(
        "TUN",
        "Independent bodies for justice and the media",
        "Create the bodies that oversee the judiciary and the media, in line with "
        "recognised standards (A/HRC/43/31 para 83).",
        Stage.REQUESTED,
        6,
        ["justice"],
        ["advisory"],
    ),
    Case(
        "COL",
        "Land restitution after the conflict",
        "Support the land restitution process set up after the civil war (A/HRC/43/31 para 83).",
        Stage.IMPLEMENTATION,
        330,
        ["justice"],
        ["advisory", "training"],
        Content(
            **_plan(
                ("training", "Training of land restitution judges", "Bogotá"),
                budget=90000,
                providers=("OHCHR Colombia",),
            ),
            days_per_step=60,
        ),
        on_paper=True,
        open_publication=True,
        funding=(FundingDraft("bilateral", Decimal(120000), "EUR"),),
    ),
    Case(
        "SLV",
        "National protocol for investigating femicides",
        "Develop a national protocol for the investigation of femicides (A/HRC/43/31 para 83).",
        Stage.CONSULTATION,
        110,
        ["justice"],
        ["advisory"],
        Content(
            **_plan(("advisory", "Drafting of the protocol", "San Salvador"), budget=40000),
            days_per_step=25,
            plan_awaiting_decision=True,
        ),
        on_paper=True,
        conversation=(
            (
                "elena",
                "Could the drafting workshop include the Attorney General's office and "
                "the Institute of Legal Medicine?",
            ),
            (
                "olga",
                "Yes: plan version 1 lists both. Tell us if you would rather have a "
                "second session for the forensic experts.",
            ),
        ),
    ),
    Case(
        "SEN",
        "Nationality code without discrimination against women",
        "Technical advice on a new nationality code ending the different treatment of "
        "men and women (A/HRC/43/31 para 84).",
        Stage.CLOSED,
        580,
        ["legislation"],
        ["advisory"],
        Content(
            findings="Women could not pass on their nationality by marriage.",
            gaps="Nationality code articles on marriage, birth and adoption.",
            **_plan(
                ("advisory", "Comments on the draft nationality code", "Dakar"),
                budget=35000,
                providers=("OHCHR Regional Office for West Africa",),
            ),
            indicators=(_indicator("Discriminatory provisions repealed", 0, 3, 3),),
            lessons="Tying the reform to CEDAW's concluding observations eased its adoption.",
            days_per_step=80,
        ),
        recommendations=(
            RecommendationDraft(source="treaty_body", document_symbol="CEDAW/C/SEN/CO/3-7"),
        ),
        no_follow_up=True,
    ),
    Case(
        "KHM",
        "Pre-trial detention and fair trial guarantees",
        "Round tables with judges on pre-trial detention and a first course for lawyers "
        "on fair trial guarantees (A/HRC/43/31 para 85).",
        Stage.IMPLEMENTATION,
        250,
        ["justice", "detention"],
        ["workshop", "training"],
        Content(
            **_plan(
                ("workshop", "Round table with judges", "Phnom Penh"),
                ("training", "Fair trial course for lawyers", "Phnom Penh"),
                budget=55000,
                providers=("OHCHR Cambodia",),
            ),
            days_per_step=45,
        ),
    ),
    Case(
        "PHL",
        "Housing, land and property standards after typhoon Yolanda",
        "Draft standards on housing, land and property for people affected by typhoon "
        "Yolanda (A/HRC/43/31 para 86).",
        Stage.CLOSED,
        500,
        ["development"],
        ["advisory"],
        Content(
            **_plan(("advisory", "Drafting of the standards", "Tacloban"), budget=25000),
            indicators=(_indicator("Resettlement sites applying the standards", 0, 20, 14),),
            days_per_step=70,
        ),
        recommendations=(
            RecommendationDraft(
                source="special_procedure",
                mandate="Special Rapporteur on adequate housing",
                text="Adopt a national housing strategy grounded in the right to housing.",
            ),
        ),
        on_paper=True,
    ),
    Case(
        "LBN",
        "Code of conduct protecting migrant domestic workers",
        "Develop a code of conduct for the protection of migrant domestic workers "
        "(A/HRC/43/31 para 86).",
        Stage.CONSULTATION,
        90,
        ["employment"],
        ["advisory"],
        Content(days_per_step=20),
        on_paper=True,
    ),
    Case(
        "GTM",
        "Maya programme for indigenous peoples' participation",
        "Help indigenous peoples strengthen their participation in public life "
        "(A/HRC/43/31 para 86).",
        Stage.EVALUATION,
        400,
        ["development"],
        ["training", "grant"],
        Content(
            **_plan(
                ("training", "Training of indigenous organisations", "Cobán"),
                budget=200000,
                providers=("UNDP", "UNESCO", "UNICEF"),
            ),
            days_per_step=85,
        ),
        on_paper=True,
    ),
    Case(
        "KEN",
        "Working group on governance, justice and the rule of law",
        "Support thematic working groups on governance, justice, security and the rule of "
        "law, and on gender and youth (A/HRC/43/31 para 87).",
        Stage.NEEDS_ASSESSMENT,
        120,
        ["justice"],
        ["advisory"],
        Content(days_per_step=20),
        on_paper=True,
    ),
    Case(
        "ECU",
        "Human rights in development planning",
        "Bring human rights into development planning (A/HRC/43/31 para 88).",
        Stage.REQUESTED,
        30,
        ["development"],
        ["advisory"],
        on_paper=True,
    ),
    Case(
        "SRB",
        "Consultation method for Roma communities",
        "A method for consulting Roma communities (A/HRC/43/31 para 88).",
        Stage.WITHDRAWN,
        150,
        ["development"],
        ["workshop"],
        Content(days_per_step=30),
        on_paper=True,
        open_publication=True,
    ),
    Case(
        "LBY",
        "Capacity to prevent violations and ensure accountability",
        "Council resolution 40/27 asked OHCHR to assist Libya at its request "
        "(A/HRC/43/31 para 65).",
        Stage.REQUESTED,
        20,
        ["justice"],
        ["advisory", "training"],
        on_paper=True,
    ),
    Case(
        "YEM",
        "Support to the national commission of inquiry",
        "Advice and legal support for the national commission of inquiry (A/HRC/43/31 para 66).",
        Stage.DECLINED,
        100,
        ["justice"],
        ["advisory"],
        Content(
            days_per_step=15,
            declined_reason="Covered by the Council's own mandate; referred to that team.",
        ),
        on_paper=True,
    ),
    Case(
        "CAF",
        "Justice and security sector reform",
        "Council resolution 39/19 encouraged assistance to reform justice and security "
        "(A/HRC/43/31 para 68).",
        Stage.NEEDS_ASSESSMENT,
        160,
        ["justice"],
        ["advisory", "training"],
        Content(days_per_step=15),
        on_paper=True,
    ),
)


#: A few UPR records in the public databases' layout, written for the demo (not quoted
#: from a review): what ``import_upr_recommendations`` loads from a real export.
UPR_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "demo_upr_recommendations.csv"


class BrokenSample(Exception):
    """The demo's own UPR sample does not import: the cases that link to its records
    would be loaded without them."""


def load() -> list[str]:
    """Load the demo accounts and cases; return the references of cases added."""
    users = _accounts()
    _load_upr_sample()
    for name, kind in PROVIDERS:
        Provider.objects.get_or_create(name=name, defaults={"kind": kind})
    added = []
    now = timezone.now()
    for case in CASES:
        if AssistanceRequest.objects.filter(
            requesting_state_id=case.state, title=case.title
        ).exists():
            continue
        with transaction.atomic():
            added.append(_load_case(case, users, now - timedelta(days=case.opened_days_ago)))
    return added


def _load_upr_sample() -> None:
    try:
        outcome = upr.load_file(str(UPR_SAMPLE))
    except upr.Unreadable as error:
        raise BrokenSample(str(error)) from error
    if outcome.problems:
        raise BrokenSample(
            "\n".join([f"The demo's UPR sample {UPR_SAMPLE} imports nothing:", *outcome.problems])
        )


def _accounts() -> dict[str, User]:
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = services.create_account(
                username=account.username,
                role=account.role,
                password=DEMO_PASSWORD,
                state=account.state,
                email=f"{account.username}@example.org",
                language=account.language,
                supervisor=users.get(account.supervisor or ""),
                first_name=account.name.split(" ", 1)[0],
                last_name=account.name.split(" ", 1)[1],
            )
        users[account.username] = user
    return users


def _after_closing(
    case: Case, ta_request: AssistanceRequest, officer: User, focal_point: User | None
) -> None:
    """Follow-up evaluations measured on their day, the State's decision on follow-ups,
    and its good-practice brief."""
    closed_at = ta_request.stage_entered_at
    final = ta_request.final_evaluation()
    names = [i.name for i in final.indicators.order_by("pk")] if final is not None else []
    for kind, days, values in case.follow_ups:
        with clock.at(closed_at + timedelta(days=days)):
            services.record_follow_up(
                ta_request=ta_request,
                by=officer,
                kind=kind,
                measured_on=clock.now().date(),
                measured={n: Decimal(v) for n, v in zip(names, values, strict=True)},
                summary="Measured again with the State's ministry.",
            )
    if case.no_follow_up and focal_point is not None:
        services.withdraw_follow_up_consent(ta_request=ta_request, by=focal_point)
    if case.brief is not None:
        author = focal_point if case.brief.by_the_state and focal_point else officer
        services.write_brief(
            ta_request=ta_request,
            by=author,
            context=case.brief.context,
            done=case.brief.done,
            results=case.brief.results,
            differently=case.brief.differently,
        )
        if author == focal_point:
            services.publish_brief(ta_request=ta_request, by=author, publish=True)


def _linked(case: Case) -> tuple[RecommendationDraft, ...]:
    """The case's recommendations, and links to the demo UPR records it follows up."""
    records = UprRecommendation.objects.filter(
        state_under_review=case.state,
        fingerprint__in=[upr.fingerprint(text) for text in case.upr_records],
    ).order_by("pk")
    links = (RecommendationDraft(source="upr", record=record.pk) for record in records)
    return (*case.recommendations, *links)


def _load_case(case: Case, users: dict[str, User], opened: datetime) -> str:
    officer = users[case.officer]
    focal_point = next(
        (
            u
            for u in users.values()
            if u.role == Role.FOCAL_POINT and u.member_state_id == case.state
        ),
        None,
    )
    with clock.at(opened):
        if case.on_paper or focal_point is None:
            ta_request = services.open_request(
                by=officer,
                title=case.title,
                description=case.description,
                requesting_state=case.state,
                formal_request=FormalRequest(
                    "note_verbale", f"NV/{case.state}/{opened:%Y}/{opened:%j}", opened.date()
                ),
                domains=case.domains,
                forms=case.forms,
                recommendations=_linked(case),
            )
        else:
            ta_request = services.open_request(
                by=focal_point,
                title=case.title,
                description=case.description,
                domains=case.domains,
                forms=case.forms,
                recommendations=_linked(case),
            )
        if case.funding:
            services.record_funding(ta_request=ta_request, by=officer, funding=case.funding)
    ta_request = bring_to(
        ta_request, case.stage, officer=officer, focal_point=focal_point, content=case.content
    )
    if case.publish_lessons and focal_point is not None:
        services.publish_lessons(ta_request=ta_request, by=focal_point, publish=True)
    _after_closing(case, ta_request, officer, focal_point)
    if case.open_publication:
        services.decide_open_publication(
            ta_request=ta_request,
            by=focal_point or officer,
            agree=True,
            document_reference="" if focal_point else f"NV/{case.state}/open-data",
            document_date=None if focal_point else timezone.now().date(),
        )
    for minutes_ago, (username, text) in zip(
        range(len(case.conversation) * 90, 0, -90), case.conversation, strict=True
    ):
        with clock.at(timezone.now() - timedelta(minutes=minutes_ago)):
            services.write_message(ta_request=ta_request, by=users[username], text=text)
    reminders.discard_notices(ta_request, "Demo history replayed by load_demo: not sent.")
    return ta_request.reference
