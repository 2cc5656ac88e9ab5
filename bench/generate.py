"""Synthetic requests for the benchmark, written by PostgreSQL itself (generate_series).

A decade of requests: the old ones went their whole way (closed, withdrawn or
declined, with every history row, consent, plan and follow-up reminder a real one
has); the last few percent are open, of which exactly ``due`` are overdue. Each stay
lasts its own time, from 2 to 300 days (log-uniform: half of them under about 25 days)
and to the second, as real ones do: equal stays would hide how many distinct lengths
the kept figures hold.
"""

from __future__ import annotations

from django.db import connection

from tracker.workflow import Stage, path_to, target

#: A stay's length in seconds, from a request's id and the step it ends: 2 days times
#: 150 to a pseudo-random power in [0, 1), so 2 to 300 days, log-uniform.
STAY_SECONDS = (
    "round(86400 * 2 * power(150, ((b.i::bigint * 2654435761 + step.k * 40503) "
    "%% 1000003)::float / 1000003))::bigint"
)
DOMAINS = [
    "justice",
    "legislation",
    "elections",
    "education",
    "health",
    "detention",
    "nhri",
    "treaty-reporting",
    "upr-follow-up",
    "development",
]

# Final stages of the old requests, in proportion (out of 20).
OLD_STAGES = [Stage.CLOSED] * 15 + [Stage.WITHDRAWN] * 3 + [Stage.DECLINED] * 2


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def generate(n: int, due: int) -> None:
    """Replace every request with ``n`` synthetic ones, ``due`` of them overdue."""
    open_count = max(due * 3, n // 50)
    stages_sql = _array(OLD_STAGES)
    path_case = (
        "CASE r.stage "
        + " ".join(f"WHEN '{stage}' THEN {_array(['open', *path_to(stage)])}" for stage in Stage)
        + " END"
    )
    to_case = (
        "CASE r.stage "
        + " ".join(
            f"WHEN '{stage}' THEN {_array([Stage.REQUESTED, *_targets(stage)])}" for stage in Stage
        )
        + " END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            TRUNCATE tracker_notification, tracker_consent, tracker_historyentry,
                     tracker_activity, tracker_plan_providers, tracker_plan,
                     tracker_assistancerequest_domains, tracker_assistancerequest_assistance_forms,
                     tracker_linkedrecommendation, tracker_funding, tracker_needsassessment,
                     tracker_outcomeindicator, tracker_evaluation, tracker_assistancerequest
                     RESTART IDENTITY CASCADE
            """
        )
        cursor.execute("SELECT id FROM tracker_user WHERE username = 'bench-officer'")
        officer = cursor.fetchone()[0]
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_plan AS
            SELECT i,
                   CASE WHEN i <= %(old)s THEN ({stages_sql})[1 + (i * 7) %% 20]
                        WHEN i <= %(old)s + %(due)s THEN 'requested'
                        ELSE 'needs_assessment' END AS stage,
                   CASE WHEN i <= %(old)s
                        -- old requests: opened over ten years, done > 13 months ago
                        THEN now() - interval '400 days' - (interval '1 day' * ((i * 37) %% 3300))
                        WHEN i <= %(old)s + %(due)s
                        THEN now() - interval '20 days'
                        ELSE now() - interval '60 days' - interval '1 day' * (i %% 29) END
                   AS anchor
            FROM generate_series(1, %(n)s) AS i
            """,
            {"n": n, "old": n - open_count, "due": due},
        )
        # Each step's moment, from the opening: the sum of the stays before it.
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_step AS
            SELECT b.i, step.k, step.name,
                   sum(CASE WHEN step.k = 1 THEN 0 ELSE {STAY_SECONDS} END)
                       OVER (PARTITION BY b.i ORDER BY step.k) AS since_opening
            FROM bench_plan b,
                 unnest({path_case.replace("r.stage", "b.stage")}) WITH ORDINALITY AS step(name, k)
            """,
            {},
        )
        cursor.execute("CREATE INDEX ON bench_step (i, k)")
        # stage_entered_at is the anchor; the request was opened its stays before.
        cursor.execute(
            """
            INSERT INTO tracker_assistancerequest
                (id, reference, requesting_state_id, title, description, received_via,
                 document_number, priority, officer_id, opened_by_id, opened_at, stage,
                 stage_entered_at, revision, updated_at)
            SELECT b.i,
                   'TA-' || to_char(b.anchor, 'YYYY') || '-' || lpad(b.i::text, 7, '0'),
                   s.code, 'Synthetic request ' || b.i, '', 'portal', '',
                   NULL, %(officer)s, %(officer)s,
                   b.anchor - interval '1 second' * (
                       SELECT max(since_opening) FROM bench_step t WHERE t.i = b.i),
                   b.stage, b.anchor, 0, b.anchor
            FROM bench_plan b
            JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k,
                         count(*) OVER () AS total FROM tracker_memberstate) s
              ON s.k = (b.i * 31) %% s.total
            """,
            {"officer": officer},
        )
        cursor.execute(
            f"""
            INSERT INTO tracker_assistancerequest_domains (assistancerequest_id, domain_id)
            SELECT id, ({_array(DOMAINS)})[1 + id %% {len(DOMAINS)}]
            FROM tracker_assistancerequest
            """,
            {},
        )
        # One history row per step of the request's path, the last at its stage entry.
        cursor.execute(
            f"""
            INSERT INTO tracker_historyentry
                (request_id, from_stage, to_stage, transition, actor_id, at, comment)
            SELECT r.id,
                   CASE WHEN step.k = 1 THEN '' ELSE ({to_case})[step.k - 1] END,
                   ({to_case})[step.k],
                   step.name, %(officer)s,
                   r.opened_at + interval '1 second' * step.since_opening, ''
            FROM tracker_assistancerequest r JOIN bench_step step ON step.i = r.id
            """,
            {"officer": officer},
        )
        # A plan for every request that reached implementation, and its approval.
        cursor.execute(
            """
            INSERT INTO tracker_plan
                (id, request_id, version, summary, budget_amount, budget_currency,
                 proposed_by_id, proposed_at)
            SELECT h.request_id, h.request_id, 1, '', 10000 + h.request_id %% 90000, 'USD',
                   %(officer)s, h.at - interval '1 day'
            FROM tracker_historyentry h WHERE h.transition = 'approve_plan'
            """,
            {"officer": officer},
        )
        cursor.execute(
            """
            INSERT INTO tracker_consent
                (request_id, plan_id, decision, recorded_by_id, document_reference,
                 comment, recorded_at)
            SELECT h.request_id,
                   CASE WHEN h.transition = 'approve_plan' THEN h.request_id END,
                   CASE h.transition WHEN 'open' THEN 'requested'
                        WHEN 'approve_plan' THEN 'approved' ELSE 'withdrawn' END,
                   %(officer)s, '', '', h.at
            FROM tracker_historyentry h
            WHERE h.transition IN ('open', 'approve_plan', 'withdraw')
            """,
            {"officer": officer},
        )
        # The follow-up reminders the closed ones were sent.
        cursor.execute(
            """
            INSERT INTO tracker_notification
                (request_id, kind, stage, basis, status, created_at, attempts, sent_at,
                 recipients, last_error)
            SELECT r.id, kind, 'closed', r.stage_entered_at, 'sent',
                   r.stage_entered_at + interval '1 day' * days, 1,
                   r.stage_entered_at + interval '1 day' * days, 'officer@example.org', ''
            FROM tracker_assistancerequest r,
                 (VALUES ('follow_up_6', 182), ('follow_up_12', 365)) AS f(kind, days)
            WHERE r.stage = 'closed'
            """,
            {},
        )
        for table in ("tracker_assistancerequest", "tracker_plan"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("DROP TABLE bench_step")
        cursor.execute("DROP TABLE bench_plan")
        cursor.execute("ANALYZE")


def _targets(stage: str) -> list[str]:
    """The stage after each transition on the path to ``stage``."""
    return [target(name) for name in path_to(stage)]
