"""The optional virus check of uploads, against a clamd peer: a small server in this
test that speaks clamd's INSTREAM protocol (length-prefixed chunks, a zero-length end,
then "stream: OK" or "stream: <name> FOUND"), and finds the EICAR test string."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import pytest

from tests import samples
from tracker import services
from tracker.documents.virusscan import ScanUnavailable
from tracker.kernel.errors import InvalidInput
from tracker.models import Document
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class Clamd(socketserver.BaseRequestHandler):
    received: list[bytes] = []

    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
        type(self).received.append(data)
        verdict = b"stream: Eicar-Test-Signature FOUND" if EICAR in data else b"stream: OK"
        self.request.sendall(verdict + b"\0")

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            data += self.request.recv(n - len(data))
        return data


@pytest.fixture
def clamd(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Clamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    Clamd.received = []
    yield Clamd
    server.shutdown()
    server.server_close()


@pytest.fixture
def ta_request(request_at):
    return request_at(Stage.CONSULTATION)


def attach(ta_request, officer, content, name="note.txt"):
    return services.attach_document(
        ta_request=ta_request, by=officer, kind="other", upload=samples.upload(name, content)
    )


def test_a_clean_file_is_checked_then_stored(clamd, ta_request, officer):
    document = attach(ta_request, officer, samples.text())
    assert clamd.received == [samples.text()]
    assert Document.objects.get() == document


def test_an_infected_file_is_refused(clamd, ta_request, officer):
    with pytest.raises(InvalidInput) as refused:
        attach(ta_request, officer, b"Report\n" + EICAR + b"\n")
    assert refused.value.fields == {
        "file": "“note.txt” was refused: the virus check found Eicar-Test-Signature."
    }
    assert not Document.objects.exists()


def test_an_unreachable_scanner_blocks_the_upload(settings, ta_request, officer, api):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.CLAMD_ADDRESS = f"127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(ScanUnavailable) as refused:
        attach(ta_request, officer, samples.text())
    assert "could not be checked for viruses" in str(refused.value)
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/documents/",
        {"kind": "other", "file": samples.posted("note.txt", samples.text())},
        format="multipart",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "scan_unavailable"
    assert not Document.objects.exists()


def test_without_a_scanner_configured_nothing_is_sent(settings, ta_request, officer):
    settings.CLAMD_ADDRESS = ""
    assert attach(ta_request, officer, b"Report\n" + EICAR) is not None
