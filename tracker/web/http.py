"""Types of the HTTP side."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest

from tracker import documents
from tracker.models import Document, User
from tracker.services import Upload


class SignedInRequest(HttpRequest):
    """An HTTP request that passed a sign-in check (the portal's and the admin's views
    take it): its user is an account, never anonymous."""

    user: User


def download(document: Document) -> FileResponse:
    """A document's bytes as an attachment under its sanitised name: never shown inline,
    never sniffed, never cached by a shared cache."""
    response = FileResponse(
        documents.open_blob(document.blob),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def upload_of(file: UploadedFile | None) -> Upload | None:
    """A file posted in a form, as the services take it."""
    if file is None:
        return None
    return Upload(file.name or "", file, file.size or 0)
