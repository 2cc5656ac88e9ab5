"""States named as a UN translator would: with their article, contracted after "de",
agreeing in gender and number, and listed in the reader's alphabetical order."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from tests.factories import FocalPointFactory, open_request
from tracker import services, workflow
from tracker.demo.scenarios import bring_to
from tracker.kernel import names
from tracker.kernel.collation import collated
from tracker.kernel.errors import NotAllowed
from tracker.models import MemberState
from tracker.workflow import Stage

pytestmark = pytest.mark.django_db


# --- the data -------------------------------------------------------------------------------


def test_every_state_has_its_names_for_sentences():
    incomplete = (
        MemberState.objects.filter(in_text_en="")
        | MemberState.objects.filter(in_text_fr="")
        | MemberState.objects.filter(of_fr="")
        | MemberState.objects.filter(gender_fr="")
    )
    assert list(incomplete.values_list("code", flat=True)) == []


def test_the_french_forms_agree_with_each_other():
    articles = {"le ": {"m"}, "la ": {"f"}, "l’": {"m", "f"}, "les ": {"mp", "fp"}}
    contracted = {"le ": "du ", "la ": "de la ", "l’": "de l’", "les ": "des "}
    for state in MemberState.objects.all():
        article = next((a for a in articles if state.in_text_fr.startswith(a)), "")
        if article:
            assert state.gender_fr in articles[article], state.code
            rest = state.in_text_fr.removeprefix(article)
            assert state.of_fr == contracted[article] + rest, state.code
        else:  # no article: "de Cuba", "d’Israël"
            assert state.gender_fr in {"m", "f"}, state.code
            assert state.of_fr in {f"de {state.in_text_fr}", f"d’{state.in_text_fr}"}, state.code


@pytest.mark.parametrize(
    ("code", "english", "french", "of_french", "only_french"),
    [
        ("TGO", "Togo", "le Togo", "du Togo", "seul le Togo"),
        ("TUN", "Tunisia", "la Tunisie", "de la Tunisie", "seule la Tunisie"),
        ("AFG", "Afghanistan", "l’Afghanistan", "de l’Afghanistan", "seul l’Afghanistan"),
        ("COM", "the Comoros", "les Comores", "des Comores", "seules les Comores"),
        (
            "USA",
            "the United States of America",
            "les États-Unis d’Amérique",
            "des États-Unis d’Amérique",
            "seuls les États-Unis d’Amérique",
        ),
        ("CUB", "Cuba", "Cuba", "de Cuba", "seule Cuba"),
        ("ISR", "Israel", "Israël", "d’Israël", "seul Israël"),
        ("NER", "the Niger", "le Niger", "du Niger", "seul le Niger"),
        (
            "BOL",
            "the Plurinational State of Bolivia",
            "l’État plurinational de Bolivie",
            "de l’État plurinational de Bolivie",
            "seul l’État plurinational de Bolivie",
        ),
    ],
)
def test_a_states_words_in_each_language(code, english, french, of_french, only_french):
    state = MemberState.objects.get(pk=code)
    assert names.words(state) == {
        "state": english,
        "of_state": f"of {english}",
        "only_state": f"only {english}",
    }
    with translation.override("fr"):
        assert names.words(state, "own") == {
            "own": french,
            "of_own": of_french,
            "only_own": only_french,
        }


# --- in messages ---------------------------------------------------------------------------


@pytest.fixture
def tunisia_request(officer):
    return open_request(officer, state="TUN")


def test_only_the_requesting_state_decides_in_french_with_its_article(tunisia_request, analyst):
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        workflow.check(tunisia_request, "withdraw", analyst)
    assert str(refused.value).startswith("Seule la Tunisie peut ")


def test_only_the_state_ranks_its_requests_in_english_with_the_article(togo_focal):
    niger = MemberState.objects.get(pk="NER")
    with pytest.raises(NotAllowed) as refused:
        services.rank_requests(by=togo_focal, state=niger, ranks={})
    assert str(refused.value).startswith("Only the Niger can ")


def test_a_focal_point_opening_for_another_state_is_told_in_french(togo_focal):
    with translation.override("fr"), pytest.raises(NotAllowed) as refused:
        open_request(togo_focal, requesting_state="TUN")
    assert str(refused.value) == (
        "Seule la Tunisie peut demander une assistance pour la Tunisie\xa0; en tant que "
        "point focal du Togo, vous ne pouvez ouvrir de demandes que pour le Togo."
    )


def test_the_portal_names_the_state_in_french(client, togo_focal, request_at, officer):
    ta_request = request_at(Stage.IMPLEMENTATION)
    togo_focal.language = "fr"
    togo_focal.save()
    client.force_login(togo_focal)
    dashboard = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Demandes du Togo</h1>" in dashboard
    page = client.get(
        f"/portal/requests/{ta_request.reference}/", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Le Togo a demandé une assistance." in page
    assert "Le Togo a approuvé la version 1 du plan." in page
    assert "(Togo)" not in page


def test_a_french_email_greets_properly_and_names_the_state(
    officer, django_capture_on_commit_callbacks
):
    tunisia = MemberState.objects.get(pk="TUN")
    focal = FocalPointFactory(member_state=tunisia, language="fr")
    ta_request = open_request(focal)
    officer.language = "fr"
    officer.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bring_to(ta_request, Stage.IMPLEMENTATION, officer=officer, focal_point=focal)
    approved = [m for m in mail.outbox if "a approuvé" in m.subject]
    assert approved, [(m.subject, m.to) for m in mail.outbox]
    message = approved[0]
    assert re.match(r"\[TA Tracker\] La Tunisie a approuvé la version 1 du plan", message.subject)
    name = focal.get_full_name() or focal.username
    assert message.body.startswith(f"Bonjour {name},\n") or message.body.startswith(
        f"Bonjour {officer.get_full_name() or officer.username},\n"
    )
    assert "La Tunisie a approuvé la version 1 du plan de la demande" in message.body


# --- in lists ------------------------------------------------------------------------------


def test_the_admin_lists_states_in_french_alphabetical_order(client_as):
    client = client_as("officer")
    with translation.override("fr"):
        page = client.get("/admin/tracker/assistancerequest/add/", HTTP_ACCEPT_LANGUAGE="fr")
    options = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', page.content.decode())
    assert len(options) == 195
    # By the collation, not by code points: "Égypte" among the E, not after "Zimbabwe".
    assert options.index("Égypte") < options.index("El Salvador") < options.index("Équateur")
    assert options.index("Équateur") < options.index("Érythrée") < options.index("Espagne")
    assert options[-1] == "Zimbabwe"


def test_the_queues_state_filter_is_in_french_alphabetical_order(client_as, officer):
    for code in ("ZWE", "EGY", "ESP", "ECU"):
        open_request(officer, state=code)
    page = client_as("officer").get(
        "/admin/tracker/assistancerequest/?assigned=all", HTTP_ACCEPT_LANGUAGE="fr"
    )
    listed = re.findall(
        r"requesting_state__code__exact=[A-Z]{3}[^>]*>([^<]+)<", page.content.decode()
    )
    assert listed == ["Égypte", "Équateur", "Espagne", "Zimbabwe"]


@pytest.mark.parametrize(
    ("language", "first", "before", "after"),
    [
        # Spanish: "Ñ" is a letter of its own after "N"; accents do not move a name.
        ("es", "Afganistán", "Nueva Zelandia", "Omán"),
        # Chinese: by pinyin (Afuhan, …, Zhongfei), not by the characters' code points.
        ("zh-hans", "阿尔巴尼亚", "阿富汗", "中非共和国"),
        ("ru", "Австралия", "Австрия", "Япония"),
        ("ar", "إثيوبيا", "أذربيجان", "اليونان"),
    ],
)
def test_the_admin_lists_states_in_each_languages_collation(
    client_as, language, first, before, after
):
    client = client_as("officer")
    page = client.get("/admin/tracker/assistancerequest/add/", HTTP_ACCEPT_LANGUAGE=language)
    options = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', page.content.decode())
    assert len(options) == 195
    with translation.override(language):
        assert options == collated(options)
    if language != "ru":  # Russian names hold no letter out of alphabetical code order
        assert options != sorted(options), "in code-point order"
    assert options.index(before) < options.index(after)
    if language != "ar":
        assert options[0] == first, options[:3]
