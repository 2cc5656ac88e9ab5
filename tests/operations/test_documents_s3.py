"""Documents in an S3-compatible object store, as production keeps them: moto's
standalone server, started by this test run, stands in for the store (an S3 API over
HTTP on a local port; the storage backend talks to it exactly as to any other)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages

from tests import samples
from tracker import documents, services
from tracker.kernel.errors import InvalidInput
from tracker.models import Document
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

BUCKET = "ta-tracker-documents"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    # moto[server] is a development requirement: its server sits beside this Python.
    server = Path(sys.executable).with_name("moto_server")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (our own fixed command line)
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "location": "documents",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_documents_go_to_the_object_store_and_come_back_through_the_portal(
    bucket, request_at, togo_focal, client
):
    assert type(storages["documents"]).__name__ == "S3Storage"
    ta_request = request_at(Stage.CONSULTATION)
    document = services.attach_document(
        ta_request=ta_request,
        by=togo_focal,
        kind="formal_request",
        upload=samples.upload("nv.pdf", samples.pdf()),
    )
    assert keys(bucket) == [f"documents/{document.blob}"]
    stored = bucket.get_object(Bucket=BUCKET, Key=f"documents/{document.blob}")["Body"].read()
    assert stored == samples.pdf()
    client.force_login(togo_focal)
    response = client.get(f"/portal/requests/{ta_request.reference}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()


def test_nothing_reaches_the_store_when_the_file_is_refused_or_the_write_fails(
    bucket, request_at, officer, monkeypatch
):
    ta_request = request_at(Stage.CONSULTATION)
    with pytest.raises(InvalidInput):
        services.attach_document(
            ta_request=ta_request,
            by=officer,
            kind="other",
            upload=samples.upload("x.pdf", samples.exe()),
        )
    original = documents.save

    def stored_then_failed(blob, content, saved):
        original(blob, content, saved)
        raise OSError("database gone")

    monkeypatch.setattr(documents, "save", stored_then_failed)
    with pytest.raises(OSError, match="database gone"):
        services.attach_document(
            ta_request=ta_request,
            by=officer,
            kind="other",
            upload=samples.upload("y.pdf", samples.pdf()),
        )
    assert keys(bucket) == []
    assert not Document.objects.exists()
