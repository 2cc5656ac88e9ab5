"""The service layer's clock.

Services ask ``clock.now()`` instead of ``timezone.now()`` so that ``load_demo`` and
the benchmark generator can replay a request's past (``with clock.at(dt): ...``)
through the real transitions, leaving history rows with their real dates.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    return getattr(_local, "fixed", None) or timezone.now()


@contextlib.contextmanager
def at(moment: datetime) -> Iterator[None]:
    previous = getattr(_local, "fixed", None)
    _local.fixed = moment
    try:
        yield
    finally:
        _local.fixed = previous
