"""The figures kept up to date equal the live ones: random histories of real
transitions (withdrawals, rejected and approved plans, decisions recorded from letters,
re-consents, back-dated service-clock steps), with funding, recommendations (as text
and as imported UPR records), domains, lessons and briefs changed along the way and a
State's groups edited, then every figure of the summary and of the Figures page
compared with the live computation, over all requests and per region, part-way and at
the end, on both databases."""

from __future__ import annotations

import io
import itertools
import random
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import FocalPointFactory
from tests.journeys import START, random_history
from tracker import figures, services
from tracker.figures import measures, tallies
from tracker.interop import upr
from tracker.kernel import clock
from tracker.kernel.errors import DomainError
from tracker.kernel.vocabulary import OPEN, Stage
from tracker.models import (
    AssistanceRequest,
    DurationTally,
    FigureTally,
    HistoryEntry,
    TalliedRequest,
    TallyChange,
    UprRecommendation,
)
from tracker.services import FundingDraft, RecommendationDraft

pytestmark = pytest.mark.django_db

NOW = START + timedelta(days=400)
DOMAINS = ("justice", "education", "nhri")


def also_change(ta_request, officer, chance) -> None:
    """Something else the figures count, now and then."""
    roll = chance.random()
    try:
        if roll < 0.1:
            services.record_funding(
                ta_request=ta_request,
                by=officer,
                funding=[
                    FundingDraft(
                        chance.choice(["vftc", "bilateral", "regular_budget"]),
                        Decimal(chance.randint(1, 90_000)) / 4,
                        chance.choice(["USD", "EUR"]),
                    )
                    for _ in range(chance.randint(0, 2))
                ],
            )
        elif roll < 0.2:
            links = chance.sample(_links(ta_request), chance.randint(0, 2))
            services.correct_recommendations(
                ta_request=ta_request, by=officer, recommendations=links
            )
        elif roll < 0.35:
            state = ta_request.requesting_state
            services.set_state_groups(state=state, is_ldc=not state.is_ldc)
        elif ta_request.stage == Stage.CLOSED and roll < 0.6:
            _share(ta_request, chance)
    except DomainError:
        pass  # refused at this stage: the walk goes on


def _links(ta_request) -> list[RecommendationDraft]:
    """A UPR recommendation given as text, a treaty body's, and an imported UPR record
    made to the request's State: the figures count the first and the last apart."""
    text = "Strengthen the national human rights institution"
    record, _ = UprRecommendation.objects.get_or_create(
        state_under_review=ta_request.requesting_state,
        recommending_state_id="DEU",
        cycle=4,
        fingerprint=upr.fingerprint(text),
        defaults={"session": 40, "text": text, "response": "supported"},
    )
    return [
        RecommendationDraft("upr", "A/HRC/49/1", upr_cycle=4, text="Strengthen the institution"),
        RecommendationDraft("treaty_body", "CAT/C/TGO/CO/3", text="Strengthen the institution"),
        RecommendationDraft("upr", record=record.pk),
    ]


def _share(ta_request, chance) -> None:
    """The State writes its brief or publishes its lessons, or takes them back."""
    focal = FocalPointFactory(member_state=ta_request.requesting_state)
    if chance.random() < 0.5:
        services.write_brief(ta_request=ta_request, by=focal, context="c", done="d", results="r")
        services.publish_brief(ta_request=ta_request, by=focal, publish=chance.random() < 0.7)
    else:
        services.publish_lessons(ta_request=ta_request, by=focal, publish=chance.random() < 0.7)


def regions() -> list[str]:
    return [
        "",
        *sorted(set(AssistanceRequest.objects.values_list("requesting_state__region", flat=True))),
    ]


def assert_kept_equals_live() -> None:
    """Over every request, each region's, each State's, a State within a region (its
    own, or another, which holds none of its requests), each domain's, some years'."""
    tallies.fold()
    states = sorted(set(AssistanceRequest.objects.values_list("requesting_state", flat=True)))
    years = sorted(
        {at.year for at in AssistanceRequest.objects.values_list("opened_at", flat=True)}
    )
    Filters = figures.Filters
    scopes = [(Filters(region=region), "") for region in regions()]
    scopes += [(Filters(), state) for state in states]
    scopes += [(Filters(region="AFRICA"), "TGO"), (Filters(region="AFRICA"), "MEX")]
    scopes += [
        (Filters(domain=code), state)
        for code in ("justice", "education", "nhri")
        for state in ("", "TGO")
    ]
    scopes += [
        (Filters(first_year=years[-1]), ""),
        (Filters(last_year=years[0]), "TGO"),
        (Filters(first_year=years[-1] + 1), ""),
        (Filters(first_year=years[0], last_year=years[-1], domain="justice", region="AFRICA"), ""),
    ]
    for narrowed, state in scopes:
        requests = AssistanceRequest.objects.all()
        if state:
            requests = requests.filter(requesting_state_id=state)
        live_figures = figures.figures(requests, narrowed, NOW)
        assert figures.kept_figures(narrowed, state, NOW) == live_figures, (narrowed, state)
        live_summary = figures.summary(narrowed.apply(requests), NOW)
        assert figures.kept_summary(narrowed, state, NOW) == live_summary, (narrowed, state)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_kept_figure_equals_the_live_one(officer, request_at, togo_focal, seed):
    random_history(officer, seed, steps=14, also=also_change, states_open=True, domains=DOMAINS)
    chance = random.Random(seed)
    for number, days in enumerate((-200, 90, 130)):  # the first opened the year before
        with clock.at(START + timedelta(days=days)):
            closed = request_at(Stage.CLOSED)
            if number == 0:  # one brief shared for sure, the others by chance
                services.write_brief(
                    ta_request=closed, by=togo_focal, context="c", done="d", results="r"
                )
                services.publish_brief(ta_request=closed, by=togo_focal, publish=True)
            else:
                also_change(closed, officer, chance)
    # One request follows up a UPR recommendation as text and an imported record for sure.
    following = AssistanceRequest.objects.filter(stage__in=OPEN).order_by("pk").first()
    with clock.at(START + timedelta(days=140)):
        services.correct_recommendations(
            ta_request=following, by=officer, recommendations=_links(following)[::2]
        )
    assert_kept_equals_live()
    # The walk reached what the figures count, over two years, and went back in time.
    assert len(kept_years := figures.kept_figures(now=NOW)["opened_per_year"]["years"]) == 2
    assert kept_years[1]["change"]
    rows = list(HistoryEntry.objects.order_by("request_id", "pk"))
    assert any(b.at < a.at for a, b in itertools.pairwise(rows) if a.request_id == b.request_id)
    assert {"withdraw", "reject_plan", "approve_plan"} & {row.transition for row in rows}
    kept = figures.kept_figures(now=NOW)
    assert kept["time_in_stage"]["stages"]
    assert kept["funding"]
    assert kept["ownership"]["days_to_decision"]["plans_decided"]
    assert kept["ownership"]["opened_by_the_state"]["count"]
    assert kept["ownership"]["lessons_shared"]["count"]
    shares = kept["shares"]
    assert shares["upr_follow_up"]["count"] >= shares["upr_record_follow_up"]["count"] > 0


def test_the_kept_figures_follow_each_change_as_it_comes(officer):
    """Compared after each request's walk: each catch-up applies a difference."""
    for seed in range(4):
        random_history(officer, 10 + seed, requests=2, also=also_change, domains=DOMAINS)
        assert_kept_equals_live()
    assert not TallyChange.objects.exists()


BUCKET_ROW = ("kind", "region", "domain", "year", "bucket", "count", "lengths")


def test_a_rebuild_gives_what_was_kept(officer):
    """Folded change after change, the rows hold what counting from scratch gives."""
    for seed in (4, 5):
        random_history(officer, seed=seed, requests=3, also=also_change, domains=DOMAINS)
        tallies.fold()
    kept = (figures.kept_figures(now=NOW), figures.kept_summary(now=NOW))
    cells = set(
        FigureTally.objects.exclude(count=0).values_list(
            "measure", "item", "region", "year", "count"
        )
    )
    buckets = set(DurationTally.objects.values_list(*BUCKET_ROW))
    assert tallies.rebuild() == 6
    assert set(DurationTally.objects.values_list(*BUCKET_ROW)) == buckets
    assert (figures.kept_figures(now=NOW), figures.kept_summary(now=NOW)) == kept
    assert (
        set(FigureTally.objects.values_list("measure", "item", "region", "year", "count")) == cells
    )


def test_a_states_groups_move_its_requests_figures(officer):
    random_history(officer, seed=5, requests=4)
    tallies.fold()
    state = AssistanceRequest.objects.first().requesting_state
    before = figures.kept_figures(now=NOW)["shares"]["least_developed"]["count"]
    services.set_state_groups(state=state, is_ldc=not state.is_ldc)
    moved = state.requests.count() * (1 if state.is_ldc else -1)
    # Read before the fold: what waits is added to the kept figures, read-only.
    assert figures.kept_figures(now=NOW)["shares"]["least_developed"]["count"] == before + moved
    assert TallyChange.objects.count() == state.requests.count()
    tallies.fold()
    assert figures.kept_figures(now=NOW)["shares"]["least_developed"]["count"] == before + moved
    assert_kept_equals_live()


def test_equal_lengths_count_once_with_their_number(officer, togo_focal, senegal_focal):
    """Stays of one length, to the tenth of a day, are kept once with their number, in
    their bucket's row: a median over thousands reads one bucket."""
    for hours, focal in ((0, togo_focal), (1, senegal_focal), (0, togo_focal)):
        with clock.at(START + timedelta(hours=hours)):
            ta_request = services.open_request(by=focal, title="Training")
        with clock.at(START + timedelta(days=3, hours=1)):
            services.take_transition(ta_request=ta_request, name="accept", by=officer)
    tallies.fold()
    rows = DurationTally.objects.filter(kind=Stage.REQUESTED).order_by("region", "year")
    # 3 days and 1 hour is 3.04 days: 30 tenths; 3 days exactly, 30 too. Kept over every
    # request, every year (0), Africa's (Togo and Senegal are both there), and the year's.
    assert list(rows.values_list("region", "year", "bucket", "count", "lengths")) == [
        ("", 0, 30, 3, "30:3"),
        ("", START.year, 30, 3, "30:3"),
        ("AFRICA", 0, 30, 3, "30:3"),
    ]
    stays = figures.kept_figures(now=NOW)["time_in_stage"]["stages"]["requested"]
    assert stays == {"stays": 3, "median_days": 3.0, "p90_days": 3.0}


def test_lengths_are_rounded_to_the_tenth_of_a_day_halves_up():
    tenth = 8640 * 1_000_000  # microseconds
    assert measures.tenths_of_day(0) == 0
    assert measures.tenths_of_day(tenth // 2 - 1) == 0
    assert measures.tenths_of_day(tenth // 2) == 1
    assert measures.tenths_of_day(3 * tenth + tenth // 2) == 4
    assert measures.tenths_of_day(-tenth // 2) == 0
    assert measures.tenths_of_day(-tenth // 2 - 1) == -1


def test_buckets_keep_the_order_of_the_lengths():
    lengths = [-(10**6), -5000, -1, 0, 1, 127, 128, 129, 5000, 86_400, 10**9]
    numbers = [tallies.bucket(n) for n in lengths]
    assert numbers == sorted(numbers)
    # About 1.5 % wide: 100 days and 101.5 days are not in one bucket.
    assert tallies.bucket(1000) != tallies.bucket(1015)


def test_a_reading_adds_what_waits_without_writing(officer, analyst):
    """However many changes wait, a reading adds them read-only: it writes nothing and
    leaves them to the fold, and equals the live figures before and after it."""
    random_history(officer, seed=6, requests=3, domains=DOMAINS)
    waiting = TallyChange.objects.count()
    assert waiting > 3  # each step marks its request
    assert not FigureTally.objects.exists()  # nothing folded yet
    every = AssistanceRequest.objects.all()
    found = figures.figures_for(analyst, figures.Filters(), NOW)
    assert found == figures.figures(every, figures.Filters(), NOW)
    assert figures.summary_for(analyst, NOW) == figures.summary(every, NOW)
    assert TallyChange.objects.count() == waiting
    assert not FigureTally.objects.exists()
    assert not DurationTally.objects.exists()
    assert tallies.fold() == 3
    assert figures.figures_for(analyst, figures.Filters(), NOW) == found


def test_a_focal_point_reads_its_own_states_figures(officer, togo_focal):
    random_history(officer, seed=7, requests=6)
    own = AssistanceRequest.objects.filter(requesting_state=togo_focal.member_state)
    found = figures.summary_for(togo_focal, NOW)
    assert found == figures.summary(own, NOW)
    assert found["total"] == own.count() < AssistanceRequest.objects.count()
    narrowed = figures.Filters(region="AFRICA")
    assert figures.figures_for(togo_focal, narrowed, NOW) == figures.figures(own, narrowed, NOW)


def test_someone_without_a_role_reads_no_figures(officer, db):
    from tests.factories import UserFactory

    random_history(officer, seed=9, requests=2)
    nobody = UserFactory(username="nobody", role="")
    assert figures.summary_for(nobody, NOW)["total"] == 0
    assert figures.figures_for(nobody, figures.Filters(), NOW)["shares"]["total"] == 0


def test_the_task_counts_the_changes(officer, settings):
    from tracker import tasks

    assert settings.CELERY_BEAT_SCHEDULE["count-figures"]["task"] == tasks.count_figures.name
    random_history(officer, seed=8, requests=2)
    assert tasks.count_figures() == 2
    assert tasks.count_figures() == 0
    assert not TallyChange.objects.exists()


def test_the_command_folds_or_counts_everything_again(officer, analyst):
    from django.core.management import call_command

    random_history(officer, seed=12, requests=3)
    out = io.StringIO()
    call_command("count_figures", stdout=out)
    assert out.getvalue() == "Folded the changes of 3 requests.\n"
    assert not TallyChange.objects.exists()
    every = AssistanceRequest.objects.all()
    TalliedRequest.objects.all().delete()  # as if lost: the rebuild needs none of it
    call_command("count_figures", "--rebuild", stdout=out)
    assert "Counted 3 requests again" in out.getvalue()
    assert figures.summary_for(analyst, NOW) == figures.summary(every, NOW)


def test_a_reading_writes_nothing_and_takes_no_lock(officer, analyst, togo_focal):
    """What a reading sends the database: selects only, with what waits added."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    random_history(officer, seed=13, requests=3, domains=DOMAINS)
    tallies.fold()
    random_history(officer, seed=14, requests=1)  # waiting, not folded
    for user in (analyst, togo_focal):
        with CaptureQueriesContext(connection) as queries:
            figures.summary_for(user, NOW)
            figures.figures_for(user, figures.Filters(domain="justice"), NOW)
        said = [query["sql"].lstrip().upper() for query in queries]
        assert said
        assert all(sql.startswith(("SELECT", "WITH", "SAVEPOINT", "RELEASE")) for sql in said), said
        assert not any("FOR UPDATE" in sql for sql in said)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_reader_never_waits_for_a_fold_or_a_writer(officer, analyst):
    """Another connection holds every row a fold or a writer would lock; a reading
    still answers at once (it would fail on the lock timeout if it queued)."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks: set DATABASE_URL=postgres://... (CI does)")
    random_history(officer, seed=15, requests=3)
    tallies.fold()
    random_history(officer, seed=16, requests=1)
    holding, done = threading.Event(), threading.Event()

    def hold_every_lock():
        try:
            with transaction.atomic():
                for model in (FigureTally, DurationTally, TalliedRequest, TallyChange):
                    list(model.objects.select_for_update())
                list(AssistanceRequest.objects.select_for_update())
                holding.set()
                done.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_every_lock)
    holder.start()
    try:
        assert holding.wait(timeout=20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        found = figures.summary_for(analyst, NOW)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        done.set()
        holder.join(timeout=30)
    assert found == figures.summary(AssistanceRequest.objects.all(), NOW)


def test_past_a_bulk_change_a_reading_says_up_to_when_it_counts(
    officer, analyst, monkeypatch, api, client_as
):
    """More requests waiting than a reading adds (here 2): it reads the kept sums alone
    and says up to when they count every change, on every surface; once folded, it is
    exact again and says nothing."""
    from django.utils import timezone

    random_history(officer, seed=21, requests=2)
    tallies.fold()
    folded = figures.kept_summary(now=NOW)
    monkeypatch.setattr(tallies, "WAITING_READ", 2)
    before = timezone.now()
    random_history(officer, seed=22, requests=3)  # three requests wait
    found = figures.summary_for(analyst, NOW)
    live = figures.summary(AssistanceRequest.objects.all(), NOW)
    # What is kept, as folded (the overdue are always read live).
    assert found["total"] == folded["total"] == 2
    assert found["by_stage"] == folded["by_stage"]
    assert live["total"] == 5
    assert before <= found.counted_up_to <= timezone.now()
    said = found.counted_up_to.isoformat()
    for url in (
        "/api/v1/reports/summary/",
        "/api/v1/reports/figures/",
        "/api/v1/reports/figures/charts/",
    ):
        assert api("analyst").get(url)["Figures-Counted-Up-To"] == said, url
    page = client_as("analyst").get("/admin/figures/").content.decode()
    assert "Recent changes are being counted" in page
    tallies.fold()
    assert figures.summary_for(analyst, NOW).counted_up_to is None
    assert "Figures-Counted-Up-To" not in api("analyst").get("/api/v1/reports/summary/")
    assert "being counted" not in client_as("analyst").get("/admin/figures/").content.decode()


def test_up_to_the_limit_a_reading_adds_what_waits_and_says_nothing(officer, analyst, monkeypatch):
    monkeypatch.setattr(tallies, "WAITING_READ", 3)
    random_history(officer, seed=22, requests=3)
    found = figures.summary_for(analyst, NOW)
    assert found.counted_up_to is None
    assert found == figures.summary(AssistanceRequest.objects.all(), NOW)
