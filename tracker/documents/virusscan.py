"""The optional virus check of uploaded documents, by a clamd daemon.

When ``CLAMD_ADDRESS`` is set (``host:port`` or the path of a Unix socket), every
uploaded file is streamed to clamd (its INSTREAM command) before it is stored. A file
clamd finds infected is refused; a clamd that cannot be reached or answers
something else blocks the upload too: unchecked files are not taken.
"""

from __future__ import annotations

import socket
import struct
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from tracker.kernel.errors import DomainError, InvalidInput

_CHUNK = 64 * 1024


class ScanUnavailable(DomainError):
    """The virus check could not run (HTTP 503): try again later."""

    status_code = 503
    code = "scan_unavailable"


def check(name: str, content: IO[bytes]) -> None:
    """Refuse ``content`` unless clamd (when configured) finds it clean."""
    address = settings.CLAMD_ADDRESS
    if not address:
        return
    try:
        answer = _instream(address, content)
    except OSError as error:
        raise ScanUnavailable(
            _("“%(name)s” could not be checked for viruses (%(error)s); try again later.")
            % {"name": name, "error": error.strerror or error.__class__.__name__}
        ) from error
    finally:
        content.seek(0)
    if answer.endswith("FOUND"):
        raise InvalidInput(
            _("“%(name)s” was refused: the virus check found %(threat)s.")
            % {"name": name, "threat": answer.removeprefix("stream:").removesuffix("FOUND").strip()}
        )
    if answer != "stream: OK":
        raise ScanUnavailable(
            _("“%(name)s” could not be checked for viruses; try again later.") % {"name": name}
        )


def _connect(address: str) -> socket.socket:
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    if address.startswith("/"):
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(timeout)
        unix.connect(address)
        return unix
    host, _colon, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def _instream(address: str, content: IO[bytes]) -> str:
    content.seek(0)
    with _connect(address) as connection:
        connection.sendall(b"zINSTREAM\0")
        while chunk := content.read(_CHUNK):
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            received = connection.recv(4096)
            if not received:
                break
            answer += received
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()
