"""Messages and documents on a request, at the service level: who writes, who is
told, what is refused, and that nothing is half-stored."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.core.files.storage import storages

from tests import samples
from tracker import services
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.models import Document, Message, Notification
from tracker.notifications import reminders
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def ta_request(request_at):
    return request_at(Stage.NEEDS_ASSESSMENT)


def stored_files():
    folder = storages["documents"].location
    return sorted(
        os.path.relpath(os.path.join(root, f), folder)
        for root, _dirs, found in os.walk(folder)
        for f in found
    )


# --- messages --------------------------------------------------------------------------------


def test_the_state_writes_and_its_officer_is_told_once_in_their_language(
    ta_request, togo_focal, officer, django_capture_on_commit_callbacks
):
    officer.language = "fr"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.write_message(
            ta_request=ta_request, by=togo_focal, text="Can the training be in Kara?"
        )
    assert (message.author, message.internal) == (togo_focal, False)
    sent = [m for m in mail.outbox if "Can the training be in Kara?" in m.body]
    assert [m.to for m in sent] == [[officer.email]]
    assert (
        sent[0].subject
        == f"[TA Tracker] Le Togo a envoyé un nouveau message sur {ta_request.reference}"
    )
    notification = Notification.objects.get(message=message)
    assert notification.status == "sent"
    # Delivered once: a second delivery of the same notice sends nothing.
    assert reminders.deliver(notification.pk) == "not claimed"
    assert len([m for m in mail.outbox if "Kara" in m.body]) == 1


def test_the_secretariat_writes_and_the_states_focal_points_are_told(
    ta_request, togo_focal, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.write_message(
            ta_request=ta_request, by=officer, text="The experts can travel in May."
        )
    sent = [m for m in mail.outbox if "travel in May" in m.body]
    assert [m.to for m in sent] == [[togo_focal.email]]
    assert (
        sent[0].subject
        == f"[TA Tracker] New message from the secretariat on {ta_request.reference}"
    )


def test_an_internal_note_is_nobodys_email(
    ta_request, togo_focal, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.write_message(
            ta_request=ta_request, by=officer, text="Budget line still unconfirmed.", internal=True
        )
    assert note.internal
    assert not [m for m in mail.outbox if "unconfirmed" in m.body]
    assert not Notification.objects.filter(message=note).exists()


def test_another_states_focal_point_cannot_write(ta_request, senegal_focal):
    with pytest.raises(NotAllowed) as refused:
        services.write_message(ta_request=ta_request, by=senegal_focal, text="Hello")
    assert str(refused.value) == (
        "Only the focal points of Togo and the secretariat can do this: write on this request."
    )
    assert not Message.objects.exists()


def test_analysts_read_but_do_not_write(ta_request, analyst):
    with pytest.raises(NotAllowed):
        services.write_message(ta_request=ta_request, by=analyst, text="Hello")


def test_a_focal_point_cannot_write_an_internal_note(ta_request, togo_focal):
    with pytest.raises(NotAllowed) as refused:
        services.write_message(ta_request=ta_request, by=togo_focal, text="x", internal=True)
    assert str(refused.value) == "Only secretariat officers can write internal notes."


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("   ", "Write the message."),
        ("x" * 20001, "A message has at most 20000 characters."),
    ],
)
def test_an_empty_or_overlong_message_is_refused(ta_request, togo_focal, text, problem):
    with pytest.raises(InvalidInput) as refused:
        services.write_message(ta_request=ta_request, by=togo_focal, text=text)
    assert refused.value.fields == {"text": problem}


def test_messages_are_kept_as_written(ta_request, togo_focal):
    message = services.write_message(ta_request=ta_request, by=togo_focal, text="First")
    message.text = "Changed"
    with pytest.raises(NotAllowed):
        message.save()
    with pytest.raises(NotAllowed):
        Message.objects.filter(pk=message.pk).delete()


def test_a_message_carries_its_attachments(ta_request, togo_focal):
    message = services.write_message(
        ta_request=ta_request,
        by=togo_focal,
        text="Our letter is attached.",
        attachments=[samples.upload("lettre.pdf", samples.pdf())],
    )
    (document,) = message.documents.all()
    assert (document.name, document.content_type, document.request) == (
        "lettre.pdf",
        "application/pdf",
        ta_request,
    )
    with storages["documents"].open(document.blob) as f:
        assert f.read() == samples.pdf()


# --- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("note.pdf", samples.pdf(), "application/pdf"),
        ("photo.png", samples.png(), "image/png"),
        (
            "rapport.docx",
            samples.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("rapport.odt", samples.odt(), "application/vnd.oasis.opendocument.text"),
        ("note.txt", samples.text(), "text/plain"),
        ("sans extension", samples.pdf(), "application/pdf"),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(
    ta_request, officer, name, content, content_type
):
    document = services.attach_document(
        ta_request=ta_request, by=officer, upload=samples.upload(name, content), kind="other"
    )
    assert document.content_type == content_type
    assert document.size == len(content)
    assert len(document.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        (
            "tool.exe",
            samples.exe(),
            "“tool.exe” is not a kind of file we accept (PDF, Word, Excel, "
            "PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, TIFF, plain text).",
        ),
        (
            "tool.pdf",
            samples.exe(),
            "“tool.pdf” is not a kind of file we accept (PDF, Word, Excel, "
            "PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, TIFF, plain text).",
        ),
        ("photo.pdf", samples.png(), "“photo.pdf” is named as a .pdf file but is a PNG file."),
        (
            "cut.pdf",
            samples.pdf()[:40],
            "“cut.pdf” cannot be read as a PDF file: it may be damaged or incomplete.",
        ),
        (
            "cut.docx",
            samples.docx()[:-30],
            "“cut.docx” cannot be read as a Word file: it may be damaged or incomplete.",
        ),
        (
            "latin1.txt",
            "Côte d'Ivoire".encode("latin-1"),
            "“latin1.txt” is not a kind of file we "
            "accept (PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, TIFF, plain "
            "text).",
        ),
    ],
)
def test_refused_files_say_why_and_leave_nothing(ta_request, officer, name, content, problem):
    with pytest.raises(InvalidInput) as refused:
        services.attach_document(
            ta_request=ta_request, by=officer, upload=samples.upload(name, content), kind="other"
        )
    assert str(refused.value) == problem
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_file_over_the_limit_is_refused(ta_request, officer, settings):
    settings.DOCUMENT_MAX_BYTES = 2_000_000
    content = samples.pdf() + b" " * 2_000_000
    with pytest.raises(InvalidInput) as refused:
        services.attach_document(
            ta_request=ta_request,
            by=officer,
            upload=samples.upload("big.pdf", content),
            kind="other",
        )
    assert str(refused.value) == "“big.pdf” is 2.1 MB: more than the 2 MB allowed."
    assert stored_files() == []


def test_the_name_is_kept_without_a_path_or_unsafe_characters(ta_request, officer):
    document = services.attach_document(
        ta_request=ta_request,
        by=officer,
        kind="other",
        upload=samples.upload('..\\..\\etc/"ra\x00pport"\n.pdf', samples.pdf()),
    )
    assert document.name == "_ra_pport_.pdf"
    assert ta_request.reference in document.blob
    assert "pport" not in document.blob


def test_a_document_belongs_to_a_plan_consent_or_assessment_of_the_same_request(
    request_at, officer
):
    ta_request = request_at(Stage.IMPLEMENTATION)
    plan = ta_request.approved_plan()
    consent = ta_request.consents.filter(plan=plan).first()
    for about, field, target in (
        (f"plan:{plan.pk}", "plan", plan),
        (f"consent:{consent.pk}", "consent", consent),
        (f"assessment:{ta_request.assessment.pk}", "assessment", ta_request.assessment),
    ):
        document = services.attach_document(
            ta_request=ta_request,
            by=officer,
            kind="plan",
            about=about,
            upload=samples.upload("plan.pdf", samples.pdf()),
        )
        assert getattr(document, field) == target
    other = request_at(Stage.IMPLEMENTATION)
    with pytest.raises(InvalidInput) as refused:
        services.attach_document(
            ta_request=other,
            by=officer,
            kind="plan",
            about=f"plan:{plan.pk}",
            upload=samples.upload("plan.pdf", samples.pdf()),
        )
    assert refused.value.fields == {
        "about": "Choose what the document belongs to, on this request."
    }


def test_a_correction_supersedes_and_both_are_kept(ta_request, togo_focal, officer):
    first = services.attach_document(
        ta_request=ta_request,
        by=togo_focal,
        kind="formal_request",
        upload=samples.upload("nv.pdf", samples.pdf()),
    )
    second = services.attach_document(
        ta_request=ta_request,
        by=officer,
        kind="formal_request",
        supersedes=first.pk,
        upload=samples.upload("nv-corrigee.pdf", samples.pdf()),
    )
    assert second.supersedes == first
    assert Document.objects.count() == 2
    with pytest.raises(InvalidInput) as refused:  # the old one is no longer current
        services.attach_document(
            ta_request=ta_request,
            by=officer,
            kind="formal_request",
            supersedes=first.pk,
            upload=samples.upload("again.pdf", samples.pdf()),
        )
    assert "supersedes" in refused.value.fields
    with pytest.raises(NotAllowed):
        Document.objects.filter(pk=first.pk).delete()


def test_another_state_cannot_attach(ta_request, senegal_focal):
    with pytest.raises(NotAllowed):
        services.attach_document(
            ta_request=ta_request,
            by=senegal_focal,
            kind="other",
            upload=samples.upload("x.pdf", samples.pdf()),
        )
    assert stored_files() == []


def test_a_failure_after_storing_removes_the_stored_file(ta_request, officer, monkeypatch):
    from tracker import documents

    original = documents.save

    def save_then_fail(blob, content, saved):
        original(blob, content, saved)
        raise OSError("disk full")

    monkeypatch.setattr(documents, "save", save_then_fail)
    with pytest.raises(OSError, match="disk full"):
        services.write_message(
            ta_request=ta_request,
            by=officer,
            text="With a file",
            attachments=[samples.upload("a.pdf", samples.pdf())],
        )
    assert not Message.objects.exists()
    assert stored_files() == []
