"""Reference data: the Member States, the accounts, the domains and forms of assistance."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracker.kernel import names
from tracker.kernel.names import NAME_LANGUAGES, name_language
from tracker.kernel.vocabulary import (
    Role,
)

NAME_FIELDS = tuple(f"name_{language}" for language in NAME_LANGUAGES)


class Named(models.Model):
    """A row named in the six official languages; ``name`` follows the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{name_language(get_language())}") or self.name_en


class RegionalGroup(models.TextChoices):
    AFRICA = "AFRICA", _("African States")
    ASIA_PACIFIC = "ASIA_PACIFIC", _("Asia-Pacific States")
    EASTERN_EUROPE = "EASTERN_EUROPE", _("Eastern European States")
    LATIN_AMERICA_CARIBBEAN = "LATIN_AMERICA_CARIBBEAN", _("Latin American and Caribbean States")
    WESTERN_EUROPE_OTHERS = "WESTERN_EUROPE_OTHERS", _("Western European and other States")
    NONE = "NONE", _("No regional group")


class MemberState(Named):
    """A UN Member State or observer State; loaded by a data migration."""

    code = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, primary_key=True)
    # Open data (IATI recipient-country) names countries by their two-letter code.
    iso2 = models.CharField(_("ISO 3166 alpha-2 code"), max_length=2, blank=True)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    # A/HRC/43/31 para 63: States the Council considers under agenda item 10.
    under_agenda_item_10 = models.BooleanField(_("under agenda item 10"), default=False)
    is_observer = models.BooleanField(_("observer State"), default=False)
    priorities_reviewed_at = models.DateTimeField(
        _("priorities last ranked"), null=True, blank=True, editable=False
    )
    # The name as a sentence uses it, kept as data because grammar is not guessable
    # from the name: "the Niger", "le Togo" / "du Togo", "la Tunisie", "Cuba" (no
    # article), "les Comores" (feminine plural). ``tracker.kernel.names`` puts them to use.
    in_text_en = models.CharField(_("name in a sentence (English)"), max_length=200, blank=True)
    in_text_fr = models.CharField(_("name in a sentence (French)"), max_length=200, blank=True)
    of_fr = models.CharField(_("name after “de” (French)"), max_length=200, blank=True)
    gender_fr = models.CharField(
        _("grammatical gender and number (French)"),
        max_length=2,
        choices=[
            ("m", _("masculine")),
            ("f", _("feminine")),
            ("mp", _("masculine plural")),
            ("fp", _("feminine plural")),
        ],
        blank=True,
    )

    class Meta:
        verbose_name_plural = _("Member States")
        ordering = ["name_en"]
        verbose_name = _("Member State")

    @property
    def of_name(self) -> str:
        """ "of the Niger", "du Togo"."""
        return names.words(self)["of_state"]


class User(AbstractUser):
    """An account; its role decides what it may do, and a focal point speaks for one State."""

    role = models.CharField(_("role"), max_length=16, choices=Role, blank=True)
    member_state = models.ForeignKey(
        MemberState,
        verbose_name=_("State"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_points",
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("supervisor"), on_delete=models.SET_NULL, null=True, blank=True
    )
    #: The languages an account may choose, for the portal and its e-mails.
    LANGUAGES = settings.LANGUAGES
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="en")
    #: A State's lead focal point keeps its list: invites and deactivates its colleagues.
    leads_state = models.BooleanField(
        _("lead focal point"),
        default=False,
        help_text=_("Invites and deactivates the other focal points of the State, in the portal."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.FOCAL_POINT, member_state__isnull=False)
                | (~Q(role=Role.FOCAL_POINT) & Q(member_state__isnull=True)),
                name="focal_point_has_state",
                violation_error_message=_("A focal point speaks for exactly one State."),
            )
        ]

    def __str__(self) -> str:
        """How every page names a person: the full name, else the username."""
        return self.get_full_name() or self.get_username()

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> User:
        user = super().from_db(db, field_names, values, **kwargs)
        user._was_active = user.is_active
        return user

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whichever door set the password (the portal, a reset link, the admin, a
        # command) or took the account away, its API tokens stop working with it.
        revoke = self._password is not None or (  # type: ignore[attr-defined]
            getattr(self, "_was_active", False) and not self.is_active
        )
        super().save(*args, **kwargs)
        self._was_active = self.is_active
        if revoke:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()


class Domain(Named):
    """A field of assistance (A/HRC/43/31 para 8)."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    # Open data (IATI sector) classifies activities by OECD DAC 5-digit purpose code.
    dac_sector = models.CharField(_("OECD DAC sector"), max_length=5, default="15160")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("domain")


class AssistanceForm(Named):
    """A form of assistance (A/HRC/43/31 paras 7, 71)."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("form of assistance")
        verbose_name_plural = _("forms of assistance")


class Invitation(models.Model):
    """An officer's invitation to a State's focal point: a link, good once and for
    ``INVITATION_DAYS``, that makes the account when its password is chosen. Only the
    link's hash is kept."""

    member_state = models.ForeignKey(
        MemberState, verbose_name=_("State"), on_delete=models.PROTECT, related_name="+"
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    key_hash = models.CharField(_("link's hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    account = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} <{self.email}>"


class AccessChange(models.Model):
    """A change of who may enter on behalf of a State: an invitation sent, accepted or
    cancelled, an account deactivated. The State and the officers read them; nothing
    edits them."""

    INVITED = "invited"
    JOINED = "joined"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"
    KINDS = [
        (INVITED, _("invited")),
        (JOINED, _("joined")),
        (CANCELLED, _("invitation cancelled")),
        (DEACTIVATED, _("deactivated")),
    ]

    member_state = models.ForeignKey(
        MemberState, verbose_name=_("State"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=16, choices=KINDS)
    person = models.CharField(_("person"), max_length=320)
    by = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("change of access")
        verbose_name_plural = _("changes of access")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member_state_id} {self.kind} {self.person}"
