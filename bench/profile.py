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

from bench.run import DEFAULT_URL, LIST_URL, accounts, setup

CALLS = 40


def profile(client, url: str, top: int = 12) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(CALLS):
        client.get(url)
    profiler.disable()
    each = (time.perf_counter() - start) / CALLS
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # tottime
    print(f"\n{url}: {each * 1000:.1f} ms per request (profiled, {CALLS} calls)")
    for (filename, line, name), (_cc, calls, tottime, _cumtime, _callers) in rows[:top]:
        where = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        print(f"  {tottime / CALLS * 1000:6.2f} ms  {calls // CALLS:6} calls  {name}  ({where}:{line})")


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
