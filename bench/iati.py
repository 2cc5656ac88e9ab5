"""The IATI export at size: python -m bench.iati [--requests N] [--reuse]

Generates N synthetic requests (as bench.run does; --reuse measures those a previous
run left), gives every closed one a final evaluation with two outcome indicators, its
6- and 12-month follow-ups where due and, for a third, a published brief, gives every
request funding, lets every State agree to open publication, then runs ``manage.py
export_iati`` in a separate process for a tenth of them and for all of them, and
prints the time, the file's size and the process's peak memory: a streamed export's
peak memory stays flat as the number of activities grows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import DEFAULT_URL, ROOT, accounts, generate, setup

#: Run in the export's own process: its peak resident memory is that export's alone.
EXPORT = """
import json, resource, sys, django
django.setup()
from django.core.management import call_command
call_command("export_iati", sys.argv[1], stdout=open("/dev/null", "w"))
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

#: What the synthetic requests lack for the export: results with their follow-ups at 6
#: and 12 months where due, a published brief for a third of the closed ones, funding.
#: ANALYZE first: fresh statistics keep the planner off nested loops over new rows.
RESULTS = """
ANALYZE;
INSERT INTO tracker_evaluation (request_id, kind, summary, lessons_learned, lessons_published,
                                evaluated_by_id, updated_at)
SELECT r.id, 'final', 'Evaluated with the State.', '', false, %(officer)s, r.stage_entered_at
FROM tracker_assistancerequest r WHERE r.stage = 'closed'
  AND NOT EXISTS (SELECT 1 FROM tracker_evaluation e WHERE e.request_id = r.id);
INSERT INTO tracker_evaluation (request_id, kind, summary, lessons_learned, lessons_published,
                                evaluated_by_id, updated_at, measured_on)
SELECT r.id, k.kind, 'Measured again.', '', false, %(officer)s, r.stage_entered_at + k.after,
       (r.stage_entered_at + k.after)::date
FROM tracker_assistancerequest r
CROSS JOIN (VALUES ('follow_up_6', interval '185 days'),
                   ('follow_up_12', interval '370 days')) k(kind, after)
WHERE r.stage = 'closed' AND r.stage_entered_at + k.after < now()
  AND NOT EXISTS (SELECT 1 FROM tracker_evaluation e WHERE e.request_id = r.id
                  AND e.kind = k.kind);
INSERT INTO tracker_brief (request_id, context, done, results, differently, written_by_id,
                           updated_at, published_at)
SELECT r.id, 'The situation before.', 'What was done.', 'What changed.', '', %(officer)s,
       r.stage_entered_at, r.stage_entered_at
FROM tracker_assistancerequest r WHERE r.stage = 'closed' AND r.id %% 3 = 0
  AND NOT EXISTS (SELECT 1 FROM tracker_brief b WHERE b.request_id = r.id);
ANALYZE tracker_evaluation;
ANALYZE tracker_outcomeindicator;
INSERT INTO tracker_outcomeindicator (evaluation_id, name, unit, baseline, target, measured)
SELECT e.id, i.name, 'people', 0, 40, 30 + e.id %% 15
FROM tracker_evaluation e CROSS JOIN (VALUES ('Officials trained'), ('Cases reviewed')) i(name)
WHERE NOT EXISTS (SELECT 1 FROM tracker_outcomeindicator o WHERE o.evaluation_id = e.id);
INSERT INTO tracker_funding (request_id, source, amount, currency)
SELECT r.id, (ARRAY['vftc', 'upr_fund', 'bilateral', 'regular_budget'])[1 + r.id %% 4],
       10000 + r.id %% 90000, 'USD'
FROM tracker_assistancerequest r
WHERE NOT EXISTS (SELECT 1 FROM tracker_funding f WHERE f.request_id = r.id);
"""


def agree(up_to: int | None) -> int:
    """Every request up to ``up_to`` (all when None) agreed to open publication."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_assistancerequest SET open_publication_since = NULL")
        cursor.execute(
            "UPDATE tracker_assistancerequest SET open_publication_since = now() "
            "WHERE %(all)s OR id <= %(up_to)s",
            {"all": up_to is None, "up_to": up_to or 0},
        )
        return cursor.rowcount


def export(database_url: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "activities.xml"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "IATI_REPORTING_ORG_REF": "XM-DAC-00000",
            "IATI_REPORTING_ORG_NAME": "Benchmark secretariat",
        }
        started = time.perf_counter()
        command = [sys.executable, "-c", EXPORT, str(target)]
        done = subprocess.run(  # noqa: S603 (our own code)
            command,
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "bytes": target.stat().st_size,
            **json.loads(done.stdout.strip().splitlines()[-1]),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    from tracker.models import AssistanceRequest

    officer = accounts()[0]
    if not args.reuse or AssistanceRequest.objects.count() != args.requests:
        print(
            f"generated {args.requests:,} requests in {generate(args.requests):.1f} s", flush=True
        )
    with connection.cursor() as cursor:
        for statement in RESULTS.split(";"):
            if statement.strip():
                cursor.execute(statement, {"officer": officer.pk})
    first = AssistanceRequest.objects.order_by("pk").values_list("pk", flat=True)
    tenth = first[args.requests // 10 - 1]
    runs = []
    for up_to in (tenth, None):
        count = agree(up_to)
        runs.append((count, export(args.database_url)))
    agree(0)  # nothing stays published in the benchmark's database
    print()
    print(f"IATI export (manage.py export_iati), {args.requests:,} requests, PostgreSQL")
    print(f"{'activities':>10} {'time':>8} {'per 1 000':>10} {'size':>10} {'peak memory':>12}")
    for count, run in runs:
        print(
            f"{count:10,} {run['seconds']:7.1f}s {run['seconds'] / count * 1000:9.2f}s "
            f"{run['bytes'] / 1e6:8.1f}MB {run['peak_kib'] / 1024:10.0f}MB"
        )
    (small, first_run), (large, last_run) = runs
    print(
        f"peak memory {last_run['peak_kib'] / first_run['peak_kib']:.2f}x for "
        f"{large / small:.0f}x the activities (streamed: flat)"
    )


if __name__ == "__main__":
    main()
