"""What the six languages cost: sorting the 195 States' names by ICU's collation for each
language, against Python's code-point sort (which puts "Égypte" after "Zimbabwe" and
Chinese names in code-point order).

.venv/bin/python -m bench.languages
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.utils import translation  # noqa: E402

from tracker.kernel.collation import collated  # noqa: E402
from tracker.kernel.names import name_language  # noqa: E402

STATES = Path(__file__).resolve().parent.parent / "tracker/data/member_states.csv"
ROUNDS = 200


def per_sort_ms(sort, names: list[str]) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        sort(names)
    return (time.perf_counter() - started) * 1000 / ROUNDS


def main() -> None:
    with STATES.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    print(f"{'language':9} {'ICU ms':>7} {'code points ms':>15} {'ratio':>6}  first three (ICU)")
    for language, _name in settings.LANGUAGES:
        names = [row[f"name_{name_language(language)}"] for row in rows]
        with translation.override(language):
            collated(names)  # the collator is built once per language and process
            icu = per_sort_ms(collated, names)
            first = ", ".join(collated(names)[:3])
        plain = per_sort_ms(sorted, names)
        print(f"{language:9} {icu:7.3f} {plain:15.3f} {icu / plain:6.1f}  {first}")


if __name__ == "__main__":
    main()
