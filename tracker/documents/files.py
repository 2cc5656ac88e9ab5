"""What a file really is, judged on its content, never on its name.

An uploaded document is accepted only when its bytes are one of the kinds below
(PDF, Office and OpenDocument files, images, plain text), when it can be read as that
kind, and when its name, if it has an extension, does not claim another kind. Every
refusal says what was wrong in words a person understands.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.utils.translation import gettext as _

from tracker.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    label: str


_KINDS = [
    Kind("application/pdf", ("pdf",), "PDF"),
    Kind("application/msword", ("doc", "dot"), "Word (97–2003)"),
    Kind("application/vnd.ms-excel", ("xls",), "Excel (97–2003)"),
    Kind("application/vnd.ms-powerpoint", ("ppt",), "PowerPoint (97–2003)"),
    Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "Word"
    ),
    Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "Excel"),
    Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        "PowerPoint",
    ),
    Kind("application/vnd.oasis.opendocument.text", ("odt",), "OpenDocument text"),
    Kind("application/vnd.oasis.opendocument.spreadsheet", ("ods",), "OpenDocument spreadsheet"),
    Kind("application/vnd.oasis.opendocument.presentation", ("odp",), "OpenDocument presentation"),
    Kind("image/png", ("png",), "PNG"),
    Kind("image/jpeg", ("jpg", "jpeg"), "JPEG"),
    Kind("image/gif", ("gif",), "GIF"),
    Kind("image/webp", ("webp",), "WebP"),
    Kind("image/tiff", ("tif", "tiff"), "TIFF"),
    Kind("text/plain", ("txt", "text", "csv", "md"), "plain text"),
]
KINDS = {kind.content_type: kind for kind in _KINDS}

#: What the allow-list is, for messages and the README.
ACCEPTED = "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, TIFF, plain text"

_ZIPPED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "ppt/",
}
_OPEN_DOCUMENT = "application/vnd.oasis.opendocument."
_HEAD = 8192


def inspect(name: str, content: IO[bytes], size: int, limit: int) -> Kind:
    """The kind of an uploaded file, or ``InvalidInput`` saying why it is refused."""
    if size <= 0:
        raise InvalidInput(_("“%(name)s” is empty.") % {"name": name})
    if size > limit:
        raise InvalidInput(
            _("“%(name)s” is %(size)s MB: more than the %(limit)s MB allowed.")
            % {"name": name, "size": megabytes(size, up=True), "limit": megabytes(limit)}
        )
    content.seek(0)
    head = content.read(_HEAD)
    kind = _kind_of(head, content)
    if kind is None:
        raise InvalidInput(
            _("“%(name)s” is not a kind of file we accept (%(accepted)s).")
            % {"name": name, "accepted": ACCEPTED}
        )
    extension = _extension(name)
    if extension and extension not in kind.extensions:
        raise InvalidInput(
            _("“%(name)s” is named as a .%(extension)s file but is a %(kind)s file.")
            % {"name": name, "extension": extension, "kind": kind.label}
        )
    if problem := _inflation_problem(kind, content, size):
        raise InvalidInput(problem % {"name": name, "kind": kind.label})
    if not _readable(kind, content, size):
        raise InvalidInput(
            _("“%(name)s” cannot be read as a %(kind)s file: it may be damaged or incomplete.")
            % {"name": name, "kind": kind.label}
        )
    content.seek(0)
    return kind


def _kind_of(head: bytes, content: IO[bytes]) -> Kind | None:
    guessed = filetype.guess(head)
    if guessed is not None:
        return KINDS.get(guessed.mime)
    if head.startswith(b"PK"):
        return _zipped_kind(content)
    if b"\x00" not in head and _utf8_prefix(head):
        return KINDS["text/plain"]
    return None


def _zipped_kind(content: IO[bytes]) -> Kind | None:
    """OOXML and OpenDocument files are zip archives: look inside."""
    try:
        content.seek(0)
        with zipfile.ZipFile(content) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # a few bytes, however declared
                    mimetype = member.read(100).decode("ascii", "replace").strip()
                return KINDS.get(mimetype) if mimetype.startswith(_OPEN_DOCUMENT) else None
            for content_type, folder in _ZIPPED.items():
                if "[Content_Types].xml" in names and any(n.startswith(folder) for n in names):
                    return KINDS[content_type]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


#: What an Office or OpenDocument file may inflate to: in all, and as a multiple of its
#: size. Real documents stay far below (text inflates about 5 to 20 times, images not
#: at all); a "zip bomb" declares gigabytes from a megabyte.
ARCHIVE_INFLATED_LIMIT = 200 * 1024 * 1024
ARCHIVE_RATIO_LIMIT = 100


def _inflation_problem(kind: Kind, content: IO[bytes], size: int) -> str | None:
    """Why an archive is refused before it is inflated, if it is."""
    if not (kind.content_type in _ZIPPED or kind.content_type.startswith(_OPEN_DOCUMENT)):
        return None
    try:
        content.seek(0)
        with zipfile.ZipFile(content) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # refused as unreadable next
    if inflated > ARCHIVE_INFLATED_LIMIT or inflated > ARCHIVE_RATIO_LIMIT * size:
        return _(
            "“%(name)s” would unpack to far more than a %(kind)s file holds: it is "
            "refused unopened. Save it again from its program, or send it as a PDF."
        )
    return None


def _readable(kind: Kind, content: IO[bytes], size: int) -> bool:
    content.seek(0)
    if kind.content_type == "application/pdf":
        content.seek(max(0, size - 2048))
        return b"%%EOF" in content.read()
    if kind.content_type in _ZIPPED or kind.content_type.startswith(_OPEN_DOCUMENT):
        try:
            with zipfile.ZipFile(content) as archive:
                # Checked whole (every member's CRC), which inflates it: only once its
                # declared sizes are within the caps (zipfile never inflates a member
                # past its declared size).
                return archive.testzip() is None
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    if kind.content_type == "text/plain":
        data = content.read()
        return b"\x00" not in data and _utf8(data)
    return True


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_prefix(head: bytes) -> bool:
    """Whether the first bytes of a file are UTF-8 text (the last character may be
    cut off where the head ends)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.reason == "unexpected end of data" and error.start >= len(head) - 3
    return True


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def megabytes(size: int, *, up: bool = False) -> str:
    """Megabytes to one decimal; rounded up for a file's size, so that a file just over
    the limit does not read as equal to it."""
    tenths = -(-size // 100_000) if up else size // 100_000
    return f"{tenths / 10:.1f}".removesuffix(".0")


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(name: str) -> str:
    """The file's name as a person gave it, without a path, control characters or
    characters that file systems and headers refuse; never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:200] or "document"
