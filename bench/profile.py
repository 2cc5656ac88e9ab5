"""Where the time of one request goes: python -m bench.profile [URL ...]

Profiles each URL (default: the list, a detail and the portal dashboard) over repeated
calls through the whole Django stack, in-process, on the benchmark database, and prints
the functions that cost the most time of their own (cProfile "tottime"), grouped as
database, serialisation, templates, middleware and the rest.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections import Counter

from bench.run import DEFAULT_URL, LIST_URL, ROOT, accounts, setup

CALLS = 40


def _where(filename: str) -> str:
    return filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]


def _group(where: str, name: str) -> str:
    """The part of the stack a function belongs to."""
    if where.startswith("psycopg") or name == "wait":
        return "database (psycopg, waiting for PostgreSQL)"
    if where.startswith("django/db/models"):
        return "Django ORM (building SQL, making objects)"
    if where.startswith("django/template"):
        return "Django templates"
    if where.startswith("rest_framework"):
        return "Django REST framework"
    if where.startswith(("django/", "asgiref")):
        return "Django (handlers, middleware, utils)"
    if where.startswith(("tracker/", "config/")):
        return "TA Tracker's own code"
    return "Python built-ins and the rest"


def profile(client, url: str, top: int = 8) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(CALLS):
        client.get(url)
    profiler.disable()
    each = (time.perf_counter() - start) / CALLS
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    groups: Counter[str] = Counter()
    for (filename, _line, name), (_cc, _calls, tottime, _cum, _callers) in stats.items():
        groups[_group(_where(filename), name)] += tottime
    total = sum(groups.values())
    print(f"\n{url}: {each * 1000:.1f} ms per request under the profiler ({CALLS} calls)")
    for group, spent in groups.most_common():
        print(f"  {spent / CALLS * 1000:6.2f} ms  {spent / total:4.0%}  {group}")
    print("  the functions with the most time of their own:")
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)
    for (filename, line, name), (_cc, calls, tottime, _cum, _callers) in rows[:top]:
        print(
            f"  {tottime / CALLS * 1000:6.2f} ms  {calls // CALLS:5} calls  {name}  "
            f"({_where(filename)}:{line})"
        )


def main() -> None:
    setup(DEFAULT_URL)
    from django.test import Client

    from tracker.models import AssistanceRequest

    _officer, _analyst, focal, token = accounts()
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    portal = Client()
    portal.force_login(focal)
    sample = AssistanceRequest.objects.filter(stage="closed").order_by("pk").first()
    urls = sys.argv[1:] or [LIST_URL, f"/api/v1/requests/{sample.reference}/", "/portal/"]
    for url in urls:
        profile(portal if url.startswith("/portal/") else api, url)


if __name__ == "__main__":
    main()
