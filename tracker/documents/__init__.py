"""Where the bytes of documents live: the "documents" storage (settings.STORAGES), the
local filesystem by default or an S3-compatible object store. Nothing here decides who
may read a document: the views ask ``selectors`` first."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages


def storage() -> Storage:
    return storages["documents"]


def new_blob(reference: str) -> str:
    """A storage name that says nothing of the file and is never reused."""
    return f"{reference}/{uuid.uuid4().hex}"


def sha256(content: IO[bytes]) -> str:
    content.seek(0)
    digest = hashlib.sha256()
    while chunk := content.read(1 << 16):
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


@contextmanager
def kept_only_if_done() -> Iterator[list[str]]:
    """Blobs saved inside the block are deleted again if the block fails, so that a
    refused or failed upload leaves nothing half-stored."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        for blob in saved:
            storage().delete(blob)
        raise


def save(blob: str, content: IO[bytes], saved: list[str]) -> None:
    content.seek(0)
    name = storage().save(blob, File(content, name=blob))
    saved.append(name)
    if name != blob:  # the storage renamed it: the row must name what is stored
        raise RuntimeError(f"document storage stored {blob!r} as {name!r}")


def open_blob(blob: str) -> IO[bytes]:
    return storage().open(blob, "rb")
