"""Invitations: an officer invites a State's focal point from the admin; the e-mailed
link, in the person's language, sets their password once and within INVITATION_DAYS,
then lands in the portal. Resent, the old link stops working; used, cancelled or
expired, the link says so and whom to ask."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tracker import services
from tracker.kernel.errors import InvalidInput, NotAllowed
from tracker.models import Invitation, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase 42"


def invite(officer, **changed) -> Invitation:
    given = {
        "state": "BEN",
        "first_name": "Bénédicte",
        "last_name": "Houngbo",
        "email": "B.Houngbo@gouv.bj",
        "language": "fr",
        **changed,
    }
    return services.invite_focal_point(by=officer, **given)


def link_in(mail) -> str:
    return re.search(r"http\S+/portal/invitation/\S+/", mail.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_invited_person_gets_a_link_in_their_language(
    officer, mailoutbox, django_capture_on_commit_callbacks
):
    officer.first_name, officer.last_name = "Olga", "Ivanova"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(officer)
    (mail,) = mailoutbox
    assert mail.to == ["b.houngbo@gouv.bj"]
    assert mail.subject == "[TA Tracker] Vous êtes invité·e au portail des États"
    assert "Olga Ivanova" in mail.body
    assert "Bénin" in mail.body
    assert "7 jours" in mail.body
    assert "/portal/invitation/" in link_in(mail)
    assert not Invitation.objects.filter(key_hash__in=[link_in(mail).rsplit("/", 2)[1]])


def test_the_link_sets_the_password_and_lands_in_the_portal_signed_in(
    client, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(officer)
    url = path_of(link_in(mailoutbox[0]))
    page = client.get(url)
    assert page.status_code == 200
    assert '<html lang="fr"' in page.content.decode()
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/portal/"
    account = User.objects.get(username="b.houngbo@gouv.bj")
    assert (account.member_state_id, account.role, account.language) == ("BEN", "focal_point", "fr")
    assert account.check_password(NEW_PASSWORD)
    assert client.get("/portal/").status_code == 200
    # Once: the same link now says it was used, and whom to ask.
    again = client.get(url)
    assert again.status_code == 410
    assert "Cette invitation a déjà servi" in again.content.decode()  # in the account's language


def test_a_weak_or_mistyped_password_is_refused_at_its_field(
    client, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(officer, language="en")
    url = path_of(link_in(mailoutbox[0]))
    differ = client.post(url, {"password1": NEW_PASSWORD, "password2": "another one"})
    assert differ.context["form"].errors["password2"] == ["The two passwords differ."]
    short = client.post(url, {"password1": "abc", "password2": "abc"})
    assert short.context["form"].errors["password1"]
    assert not User.objects.filter(username="b.houngbo@gouv.bj").exists()


def test_an_expired_link_says_whom_to_ask(
    client, officer, mailoutbox, django_capture_on_commit_callbacks
):
    officer.email = "olga@ohchr.example"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(officer)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    page = client.get(path_of(link_in(mailoutbox[0])))
    assert page.status_code == 410
    assert "has expired" in page.content.decode()
    assert "olga@ohchr.example" in page.content.decode()


def test_a_resent_invitation_replaces_the_old_link_and_a_cancelled_one_works_no_more(
    client, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(officer)
        services.resend_invitation(by=officer, invitation=invitation)
    first, second = (path_of(link_in(mail)) for mail in mailoutbox)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    services.cancel_invitation(by=officer, invitation=invitation)
    assert "was cancelled" in client.get(second).content.decode()


@pytest.mark.parametrize("persona", ["togo_focal", "analyst"])
def test_only_officers_invite(persona_user, persona):
    with pytest.raises(NotAllowed):
        invite(persona_user(persona))
    assert not Invitation.objects.exists()


def test_every_problem_of_an_invitation_is_said_at_its_field(officer, togo_focal):
    with pytest.raises(InvalidInput) as refused:
        invite(officer, state="ZZZ", first_name="", email=togo_focal.username, language="tlh")
    assert set(refused.value.fields) == {"state", "first_name", "email", "language"}
    togo_focal.username = "afi@gouv.tg"
    togo_focal.save()
    with pytest.raises(InvalidInput) as taken:
        invite(officer, email="AFI@gouv.tg")
    assert taken.value.fields == {"email": "An account with this e-mail address exists already."}


def test_an_officer_invites_from_the_admin_and_resends_from_the_list(
    client_as, mailoutbox, django_capture_on_commit_callbacks
):
    admin = client_as("officer")
    form = {
        "member_state": "BEN",
        "first_name": "Bénédicte",
        "last_name": "Houngbo",
        "email": "b.houngbo@gouv.bj",
        "language": "fr",
    }
    with django_capture_on_commit_callbacks(execute=True):
        added = admin.post("/admin/tracker/invitation/add/", form)
    assert added.status_code == 302
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            "/admin/tracker/invitation/",
            {"action": "resend", "_selected_action": [invitation.pk]},
        )
    assert len(mailoutbox) == 2
    refused = admin.post("/admin/tracker/invitation/add/", {**form, "first_name": ""})
    assert refused.status_code == 200
    assert "first_name" in refused.context["adminform"].form.errors
    assert client_as("analyst").get("/admin/tracker/invitation/add/").status_code == 403
