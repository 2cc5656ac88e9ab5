"""The dialogue between the State and the secretariat: messages and documents
(A/HRC/43/31 para 6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from tracker import documents, workflow
from tracker.documents import files, virusscan
from tracker.kernel import clock
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.kernel.vocabulary import (
    NotificationKind,
)
from tracker.models import (
    AssistanceRequest,
    Consent,
    Document,
    DocumentKind,
    Evaluation,
    Message,
    NeedsAssessment,
    Plan,
    Reading,
    User,
)
from tracker.notifications import reminders
from tracker.services._writes import queue_delivery
from tracker.services.drafts import Upload

#: The longest message, in characters.
MESSAGE_MAX_LENGTH = 20000


def write_message(
    *,
    ta_request: AssistanceRequest,
    by: User,
    text: str,
    internal: bool = False,
    attachments: Sequence[Upload] = (),
) -> Message:
    """A message to the other side (the State to the secretariat, or back), or an
    internal note that only staff see. The other side is told by e-mail, once."""
    workflow.require_party(ta_request, by, _("write on this request"))
    if internal and not workflow.is_officer(by):
        raise NotAllowed(_("Only secretariat officers can write internal notes."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(fields={"text": _("Write the message.")})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(
            fields={
                "text": _("A message has at most %(n)s characters.") % {"n": MESSAGE_MAX_LENGTH}
            }
        )
    checked = [_scanned(upload) for upload in attachments]
    with transaction.atomic(), documents.kept_only_if_done() as saved:
        now = clock.now()
        message = Message.objects.create(
            request=ta_request, author=by, at=now, text=text, internal=internal
        )
        for upload, content_kind in checked:
            _stored_document(
                ta_request,
                by,
                upload,
                content_kind,
                saved,
                now=now,
                message=message,
                kind=DocumentKind.OTHER,
                internal=internal,
            )
        if not internal:
            queue_delivery(
                reminders.notice(ta_request, NotificationKind.MESSAGE, now, message=message)
            )
    return message


def attach_document(
    *,
    ta_request: AssistanceRequest,
    by: User,
    upload: Upload | None,
    kind: str,
    about: str = "",
    supersedes: int | None = None,
) -> Document:
    """A document attached to the request and to what it documents (``about``: "" for
    the request itself, or "plan:<id>", "consent:<id>", "assessment:<id>",
    "evaluation:<id>"), or replacing an earlier one, which is kept."""
    workflow.require_party(ta_request, by, _("attach documents to this request"))
    problems: dict[str, str] = {}
    if kind not in DocumentKind.values:
        problems["kind"] = _("Choose what kind of document this is.")
    target = _linked_record(ta_request, about)
    if target is None:
        problems["about"] = _("Choose what the document belongs to, on this request.")
    previous = None
    if supersedes is not None:
        current = Document.objects.filter(
            request=ta_request, pk=supersedes, superseded_by__isnull=True
        )
        if not workflow.sees_internal_notes(by):
            current = current.filter(internal=False)
        previous = current.first()
        if previous is None:
            problems["supersedes"] = _(
                "The document it replaces must be a current document of this request."
            )
    if upload is None:
        problems["file"] = _("Choose the file to attach.")
    if problems:
        raise InvalidInput(fields=problems)
    assert upload is not None  # for the type checker: refused above
    checked_upload, content_kind = _scanned(upload)
    with transaction.atomic(), documents.kept_only_if_done() as saved:
        return _stored_document(
            ta_request,
            by,
            checked_upload,
            content_kind,
            saved,
            now=clock.now(),
            kind=kind,
            supersedes=previous,
            **(target or {}),
        )


def _linked_record(ta_request: AssistanceRequest, about: str) -> dict[str, Any] | None:
    """The record a document belongs to, as keyword arguments of ``Document``; None
    when ``about`` names nothing of this request."""
    if not about:
        return {}
    what, _colon, pk = about.partition(":")
    models: dict[str, Any] = {
        "plan": Plan,
        "consent": Consent,
        "assessment": NeedsAssessment,
        "evaluation": Evaluation,
    }
    if what not in models or not pk.isdigit():
        return None
    found = models[what].objects.filter(request=ta_request, pk=int(pk)).first()
    return {what: found} if found is not None else None


def _scanned(upload: Upload) -> tuple[Upload, files.Kind]:
    """The upload with its kind judged on its content and its virus check passed,
    before anything is written."""
    name = files.safe_name(upload.name)
    try:
        kind = files.inspect(name, upload.content, upload.size, settings.DOCUMENT_MAX_BYTES)
        virusscan.check(name, upload.content)
    except InvalidInput as refused:
        raise InvalidInput(fields={"file": refused.message}) from refused
    return Upload(name, upload.content, upload.size), kind


def _stored_document(
    ta_request: AssistanceRequest,
    by: User,
    upload: Upload,
    content_kind: files.Kind,
    saved: list[str],
    *,
    now: Any,
    kind: str,
    **links: Any,
) -> Document:
    blob = documents.new_blob(ta_request.reference)
    document = Document.objects.create(
        request=ta_request,
        kind=kind,
        name=upload.name,
        content_type=content_kind.content_type,
        size=upload.size,
        sha256=documents.sha256(upload.content),
        blob=blob,
        uploaded_by=by,
        uploaded_at=now,
        **links,
    )
    documents.save(blob, upload.content, saved)
    return document


def mark_read(*, ta_request: AssistanceRequest, by: User) -> None:
    """``by`` has read the conversation on the request up to now."""
    # One statement (an upsert): opening a page costs one write, not a read and a write.
    Reading.objects.bulk_create(
        [Reading(user=by, request=ta_request, seen_at=clock.now())],
        update_conflicts=True,
        unique_fields=["user", "request"],
        update_fields=["seen_at"],
    )
