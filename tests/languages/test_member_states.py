"""The 193 Member States and 2 observer States loaded by the data migration."""

from __future__ import annotations

import pytest
from django.db.models import Count

from tracker.models import AssistanceForm, Domain, MemberState

pytestmark = pytest.mark.django_db


def test_counts():
    assert MemberState.objects.count() == 195
    assert MemberState.objects.filter(is_observer=False).count() == 193
    assert set(MemberState.objects.filter(is_observer=True).values_list("code", flat=True)) == {
        "VAT",
        "PSE",
    }
    groups = dict(MemberState.objects.values_list("region").annotate(n=Count("code")))
    assert (groups["AFRICA"], groups["EASTERN_EUROPE"], groups["LATIN_AMERICA_CARIBBEAN"]) == (
        54,
        23,
        33,
    )
    assert sum(groups.values()) == 195
    assert MemberState.objects.filter(is_ldc=True).count() == 44


def test_agenda_item_10_states_are_those_of_para_63():
    assert set(
        MemberState.objects.filter(under_agenda_item_10=True).values_list("code", flat=True)
    ) == {"KHM", "CIV", "LBY", "CAF", "RWA", "SOM", "SDN"}


@pytest.mark.parametrize(
    ("code", "name_en", "name_fr", "region", "ldc"),
    [
        ("TGO", "Togo", "Togo", "AFRICA", True),
        ("MEX", "Mexico", "Mexique", "LATIN_AMERICA_CARIBBEAN", False),
        (
            "LAO",
            "Lao People's Democratic Republic",
            "République démocratique populaire lao",
            "ASIA_PACIFIC",
            True,
        ),
        ("RUS", "Russian Federation", "Fédération de Russie", "EASTERN_EUROPE", False),
        ("SEN", "Senegal", "Sénégal", "AFRICA", True),
        ("HTI", "Haiti", "Haïti", "LATIN_AMERICA_CARIBBEAN", True),
        ("PSE", "State of Palestine", "État de Palestine", "ASIA_PACIFIC", False),
        ("VAT", "Holy See", "Saint-Siège", "NONE", False),
    ],
)
def test_known_rows(code, name_en, name_fr, region, ldc):
    state = MemberState.objects.get(pk=code)
    assert (state.name_en, state.name_fr, state.region, state.is_ldc) == (
        name_en,
        name_fr,
        region,
        ldc,
    )


def test_name_follows_the_active_language():
    from django.utils import translation

    state = MemberState.objects.get(pk="MEX")
    with translation.override("fr"):
        assert state.name == "Mexique"
    with translation.override("en"):
        assert str(state) == "Mexico"


def test_domains_and_forms_of_the_report_are_loaded():
    assert (
        Domain.objects.filter(code__in=["justice", "elections", "nhri", "detention"]).count() == 4
    )
    assert AssistanceForm.objects.count() == 7


@pytest.mark.parametrize("model", [MemberState, Domain, AssistanceForm])
def test_every_name_is_given_in_the_six_languages(model):
    """Reference data, kept in tracker/data/*.csv: nothing may be missing in any
    language, and no two rows share a name."""
    from tracker.models import NAME_FIELDS

    rows = list(model.objects.values("code", *NAME_FIELDS))
    assert rows
    missing = [
        (row["code"], field) for row in rows for field in NAME_FIELDS if not row[field].strip()
    ]
    assert not missing, missing
    for field in NAME_FIELDS:
        assert len({row[field] for row in rows}) == len(rows), field


def test_a_name_follows_the_active_language():
    from django.utils import translation

    togo = MemberState.objects.get(pk="TGO")
    said = {}
    for language in ("en", "fr", "es", "ar", "ru", "zh-hans"):
        with translation.override(language):
            said[language] = str(togo)
    assert said == {
        "en": "Togo",
        "fr": "Togo",
        "es": "Togo",
        "ar": "توغو",
        "ru": "Того",
        "zh-hans": "多哥",
    }
