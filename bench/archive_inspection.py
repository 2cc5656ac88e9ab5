"""CPU of inspecting the worst Office file accepted: one that inflates to the caps
(tracker.documents.files.ARCHIVE_INFLATED_LIMIT, ARCHIVE_RATIO_LIMIT), against a zip
bomb that is refused unopened. Prints seconds of CPU (process time) for each.

    .venv/bin/python bench/archive_inspection.py
"""

from __future__ import annotations

import io
import os
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from tracker.documents import files  # noqa: E402
from tracker.kernel.errors import InvalidInput  # noqa: E402


def word_file(inflated: int, block: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(block)):
                member.write(block)
    return buffer.getvalue()


def timed(content: bytes) -> tuple[float, str]:
    started = time.process_time()
    try:
        files.inspect("report.docx", io.BytesIO(content), len(content), 20 * 1024 * 1024)
        outcome = "accepted"
    except InvalidInput:
        outcome = "refused"
    return time.process_time() - started, outcome


def main() -> None:
    cap = files.ARCHIVE_INFLATED_LIMIT
    # Blocks of 1 MB of which 1 % is random: close to the ratio cap, under it.
    rng = os.urandom
    block = rng(10 * 1024) + b"\x00" * (1024 * 1024 - 10 * 1024)
    worst = word_file(cap - 1024 * 1024, block)
    bomb = word_file(cap, b"\x00" * 1024 * 1024)
    for name, content in (("worst accepted", worst), ("zip bomb", bomb)):
        seconds, outcome = timed(content)
        inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
        print(
            f"{name:15} {len(content) / 1e6:7.2f} MB upload, inflates to {inflated / 1e6:7.1f} MB "
            f"(ratio {inflated / len(content):6.1f}): {outcome} in {seconds:.3f} s of CPU"
        )


if __name__ == "__main__":
    main()
