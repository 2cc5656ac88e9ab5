"""Messages and documents through each surface: the portal, the admin, the API. A
conversation started from either side; internal notes that never reach a State;
downloads scoped like the request; bad files refused with a clear message."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests import samples
from tests.journeys import propose
from tracker import services
from tracker.models import Document, Message
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db

NOTE = "Internal: the donor has not confirmed the second tranche."


@pytest.fixture
def ta_request(request_at):
    return request_at(Stage.CONSULTATION)


@pytest.fixture
def portal(client, togo_focal):
    client.force_login(togo_focal)
    return client


def page_of(ta_request):
    return f"/portal/requests/{ta_request.reference}/"


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# --- a conversation started from each side -----------------------------------------------


def test_the_state_starts_a_conversation_in_the_portal_and_the_officer_answers_in_the_admin(
    portal, client_as, ta_request, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            f"{page_of(ta_request)}messages/",
            {
                "text": "Could the workshop move to Kara?",
                "attachment": samples.posted("carte.png", samples.png(), "image/png"),
            },
        )
    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")
    assert [m.to for m in mail.outbox if "Kara" in m.body] == [[officer.email]]
    # The officer's queue marks it; opening the request reads it.
    officer_client = client_as("officer")
    queue = officer_client.get("/admin/tracker/assistancerequest/?assigned=all").content.decode()
    assert '<strong class="unread">1 new</strong>' in queue
    page = officer_client.get(
        reverse("admin:tracker_assistancerequest_change", args=[ta_request.pk])
    ).content.decode()
    assert "Could the workshop move to Kara?" in page
    assert "carte.png" in page
    queue = officer_client.get("/admin/tracker/assistancerequest/?assigned=all").content.decode()
    assert 'class="unread"' not in queue
    # The answer, from the admin's step page.
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("admin:tracker_assistancerequest_message", args=[ta_request.pk]),
            {"text": "Yes: Kara in June."},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox if "Kara in June" in m.body] == [["afi@example.org"]]


def test_the_secretariat_starts_and_the_states_dashboard_marks_it_unread(
    portal, ta_request, officer
):
    services.write_message(ta_request=ta_request, by=officer, text="Please send the note.")
    dashboard = portal.get("/portal/").content.decode()
    assert "1 new message" in dashboard
    page = portal.get(page_of(ta_request)).content.decode()
    assert "Please send the note." in page
    assert "1 new message" not in portal.get("/portal/").content.decode()


def test_a_message_refused_keeps_what_was_typed(portal, ta_request):
    response = portal.post(
        f"{page_of(ta_request)}messages/",
        {"text": "Our letter", "attachment": samples.posted("lettre.pdf", samples.exe())},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“lettre.pdf” is not a kind of file we accept" in page
    assert "Our letter</textarea>" in page
    assert not Message.objects.exists()


# --- internal notes never reach a State ------------------------------------------------------


@pytest.fixture
def note(ta_request, officer):
    return services.write_message(
        ta_request=ta_request,
        by=officer,
        text=NOTE,
        internal=True,
        attachments=[samples.upload("note-interne.txt", NOTE.encode())],
    )


def test_an_internal_note_reaches_no_state_by_any_surface(portal, api, ta_request, note, client_as):
    internal_document = note.documents.get()
    state_api = api("togo_focal")
    api_paths = ["messages/", "documents/", "", "history/", "plans/"]
    texts = [
        download(portal, url)[1] for url in (page_of(ta_request), "/portal/", "/portal/requests/")
    ]
    texts += [
        download(state_api, f"/api/v1/requests/{ta_request.reference}/{path}")[1]
        for path in api_paths
    ]
    texts.append(download(state_api, "/api/v1/requests/?format=csv")[1])
    for text in texts:
        assert NOTE.encode() not in text
        assert b"note-interne.txt" not in text
    assert not [m for m in mail.outbox if NOTE in m.body]
    response, _body = download(portal, f"{page_of(ta_request)}documents/{internal_document.pk}/")
    assert response.status_code == 404
    response = api("togo_focal").get(
        f"/api/v1/requests/{ta_request.reference}/documents/{internal_document.pk}/"
    )
    assert response.status_code == 404
    # Staff do see it.
    staff = api("analyst").get(f"/api/v1/requests/{ta_request.reference}/messages/").json()
    assert [m["text"] for m in staff] == [NOTE]
    page = (
        client_as("officer")
        .get(reverse("admin:tracker_assistancerequest_change", args=[ta_request.pk]))
        .content.decode()
    )
    assert NOTE in page


def test_a_focal_point_cannot_write_an_internal_note_through_the_api(api, ta_request):
    response = api("togo_focal").post(
        f"/api/v1/requests/{ta_request.reference}/messages/",
        {"text": "Between us", "internal": True},
        format="json",
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


# --- documents and their downloads ------------------------------------------------------------


@pytest.fixture
def letter(ta_request, togo_focal):
    return services.attach_document(
        ta_request=ta_request,
        by=togo_focal,
        kind="formal_request",
        upload=samples.upload("Note verbale «17».pdf", samples.pdf()),
    )


def test_the_state_attaches_a_document_in_the_portal(portal, ta_request, officer):
    plan = propose(ta_request, officer)
    response = portal.post(
        f"{page_of(ta_request)}documents/",
        {
            "kind": "consent",
            "about": f"plan:{plan.pk}",
            "file": samples.posted("accord.pdf", samples.pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.plan, document.kind, document.name) == (plan, "consent", "accord.pdf")
    page = portal.get(page_of(ta_request)).content.decode()
    assert "accord.pdf" in page


def test_a_refused_document_says_why_next_to_the_file(portal, ta_request):
    response = portal.post(
        f"{page_of(ta_request)}documents/",
        {"kind": "other", "file": samples.posted("photo.pdf", samples.png(), "application/pdf")},
    )
    assert response.status_code == 200
    assert response.context["document_form"].errors["file"] == [
        "“photo.pdf” is named as a .pdf file but is a PNG file."
    ]
    response = portal.post(f"{page_of(ta_request)}documents/", {"kind": "other"})
    assert response.context["document_form"].errors["file"] == ["Choose the file to attach."]
    assert not Document.objects.exists()


def test_downloads_are_attachments_under_the_original_name(portal, ta_request, letter, api):
    response, body = download(portal, f"{page_of(ta_request)}documents/{letter.pk}/")
    assert response.status_code == 200
    assert body == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Note%20verbale%20%C2%AB17%C2%BB.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    response, body = download(
        api("officer"), f"/api/v1/requests/{ta_request.reference}/documents/{letter.pk}/"
    )
    assert (response.status_code, body) == (200, samples.pdf())


def test_another_state_gets_404_and_anonymous_visitors_sign_in_first(
    client, senegal_focal, ta_request, letter, api
):
    portal_url = f"{page_of(ta_request)}documents/{letter.pk}/"
    api_url = f"/api/v1/requests/{ta_request.reference}/documents/{letter.pk}/"
    response, _body = download(client, portal_url)
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")
    assert api().get(api_url).status_code == 401
    client.force_login(senegal_focal)
    assert download(client, portal_url)[0].status_code == 404
    assert api("senegal_focal").get(api_url).status_code == 404
    assert (
        api("senegal_focal").get(f"/api/v1/requests/{ta_request.reference}/documents/").status_code
        == 404
    )


def test_documents_through_the_api(api, ta_request):
    url = f"/api/v1/requests/{ta_request.reference}/documents/"
    response = api("togo_focal").post(
        url,
        {"kind": "formal_request", "file": samples.posted("nv.pdf", samples.pdf())},
        format="multipart",
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["content_type"], created["belongs_to"]) == (
        "nv.pdf",
        "application/pdf",
        "",
    )
    assert created["download"].endswith(f"{url}{created['id']}/")
    response = api("officer").post(
        url,
        {
            "kind": "formal_request",
            "supersedes": created["id"],
            "file": samples.posted("nv2.pdf", samples.pdf()),
        },
        format="multipart",
    )
    assert response.status_code == 201
    listed = api("togo_focal").get(url).json()
    assert [(d["name"], d["superseded_by"]) for d in listed] == [
        ("nv.pdf", response.json()["id"]),
        ("nv2.pdf", None),
    ]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.pdf", b"", "“empty.pdf” is empty."),
        ("x.pdf", samples.png(), "“x.pdf” is named as a .pdf file but is a PNG file."),
    ],
)
def test_a_bad_upload_through_the_api_is_a_400_that_names_the_file(
    api, ta_request, name, content, problem
):
    response = api("officer").post(
        f"/api/v1/requests/{ta_request.reference}/documents/",
        {"kind": "other", "file": samples.posted(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert problem in response.json()["detail"]
    assert not Document.objects.exists()


def test_the_api_conversation(api, ta_request):
    url = f"/api/v1/requests/{ta_request.reference}/messages/"
    response = api("togo_focal").post(url, {"text": "A question"}, format="json")
    assert response.status_code == 201
    response = api("officer").post(url, {"text": "An answer"}, format="json")
    assert response.status_code == 201
    assert [(m["author"], m["text"]) for m in api("togo_focal").get(url).json()] == [
        ("afi", "A question"),
        ("olga", "An answer"),
    ]
    assert api("senegal_focal").post(url, {"text": "Me too"}, format="json").status_code == 404
    assert api("analyst").post(url, {"text": "Reading"}, format="json").status_code == 403


def test_a_consent_record_points_to_its_attached_letter(
    portal, client_as, request_at, officer, togo_focal
):
    ta_request = request_at(Stage.IMPLEMENTATION)
    consent = ta_request.consents.get(decision="approved")
    services.attach_document(
        ta_request=ta_request,
        by=officer,
        kind="consent",
        about=f"consent:{consent.pk}",
        upload=samples.upload("accord signé.pdf", samples.pdf()),
    )
    page = portal.get(page_of(ta_request)).content.decode()
    timeline = page[page.index("Timeline") :]
    assert "accord signé.pdf" in timeline
    admin_page = (
        client_as("officer")
        .get(reverse("admin:tracker_assistancerequest_change", args=[ta_request.pk]))
        .content.decode()
    )
    consents = admin_page[admin_page.index("Consent records") :]
    assert "accord signé.pdf</a>" in consents
