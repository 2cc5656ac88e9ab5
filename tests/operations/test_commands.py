"""adduser and load_demo."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from tracker import demo, workflow
from tracker.models import AssistanceRequest, Consent, HistoryEntry, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("args", "role", "state", "is_staff"),
    [
        (["afi", "--role", "focal_point", "--state", "tgo"], "focal_point", "TGO", False),
        (["olga", "--role", "officer"], "officer", None, True),
        (["ana", "--role", "analyst"], "analyst", None, True),
    ],
)
def test_adduser_creates_each_role(args, role, state, is_staff, capsys):
    call_command("adduser", *args, "--password", "s3cret-pass")
    user = User.objects.get(username=args[0])
    assert (user.role, user.member_state_id, user.is_staff) == (role, state, is_staff)
    assert user.check_password("s3cret-pass")
    assert "Password:" not in capsys.readouterr().out


def test_adduser_prints_a_generated_password(capsys):
    call_command("adduser", "olga", "--role", "officer")
    password = capsys.readouterr().out.split("Password: ")[1].strip()
    assert User.objects.get(username="olga").check_password(password)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["afi", "--role", "focal_point"], "needs the State it speaks for"),
        (["afi", "--role", "focal_point", "--state", "XYZ"], "no State with the code"),
        (["olga", "--role", "officer", "--state", "TGO"], "Only focal points speak for a State"),
    ],
)
def test_adduser_refuses_incoherent_accounts(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("adduser", *args)
    assert not User.objects.exists()


def test_adduser_refuses_an_existing_username():
    call_command("adduser", "olga", "--role", "officer")
    with pytest.raises(CommandError, match="already exists"):
        call_command("adduser", "olga", "--role", "analyst")


def test_adduser_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("adduser", "olga", "--role", "minister")


def test_load_demo_spreads_the_reports_cases_over_every_stage():
    call_command("load_demo")
    stages = set(AssistanceRequest.objects.values_list("stage", flat=True))
    assert stages == set(workflow.Stage.values)
    assert AssistanceRequest.objects.count() == len(demo.CASES)
    assert set(AssistanceRequest.objects.values_list("requesting_state", flat=True)) >= {
        "MEX",
        "MMR",
        "TGO",
        "TUN",
        "COL",
        "SLV",
        "SEN",
        "KHM",
        "PHL",
        "LBN",
        "GTM",
        "KEN",
        "PRY",
        "LAO",
        "THA",
        "HTI",
        "MAR",
        "RUS",
    }


def test_load_demo_uses_the_real_transitions():
    call_command("load_demo")
    for ta_request in AssistanceRequest.objects.all():
        rows = list(ta_request.history.values_list("transition", flat=True))
        # The State's decisions that leave the stage as it is come after the path.
        decisions = ("follow_up_consent_withdrawn", "open_publication_agreed")
        transitions = [row for row in rows if row not in decisions]
        assert transitions == ["open", *workflow.path_to(ta_request.stage)], ta_request.reference
        agreed = ta_request.open_publication_since is not None
        declined = not ta_request.consents_to_follow_up()
        assert rows[len(transitions) :] == (
            ["follow_up_consent_withdrawn"] * declined + ["open_publication_agreed"] * agreed
        )
    implemented = AssistanceRequest.objects.filter(stage__in=["implementation", "closed"])
    for ta_request in implemented:
        assert Consent.objects.filter(
            request=ta_request, decision="approved", plan=ta_request.approved_plan()
        ).exists()


def test_load_demo_is_idempotent():
    call_command("load_demo")
    counts = (AssistanceRequest.objects.count(), HistoryEntry.objects.count(), User.objects.count())
    call_command("load_demo")
    assert counts == (
        AssistanceRequest.objects.count(),
        HistoryEntry.objects.count(),
        User.objects.count(),
    )


def test_demo_accounts_can_log_in():
    call_command("load_demo")
    for account in demo.ACCOUNTS:
        assert User.objects.get(username=account.username).check_password(demo.DEMO_PASSWORD)
    roles = dict(User.objects.values_list("role").annotate(n=Count("pk")))
    assert roles["focal_point"] >= 2


def test_add_totp_gives_staff_a_second_factor(capsys, officer):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("add_totp", "olga")
    assert capsys.readouterr().out.splitlines()[-1].startswith("otpauth://totp/")
    assert TOTPDevice.objects.get(user=officer).confirmed


def test_add_totp_refuses_focal_points(togo_focal):
    with pytest.raises(CommandError, match="no staff account"):
        call_command("add_totp", "afi")
