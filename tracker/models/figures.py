"""The figures' tables: the standing backlog and the kept tallies (tracker.figures)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from tracker.kernel.vocabulary import (
    Stage,
)
from tracker.models.reference import RegionalGroup


class StandingCount(models.Model):
    """How many requests of a region stood in a stage at the end of a day, on each day
    that number changed (the standing backlog, ``tracker.figures.standing``): the backlog on
    any day is the last row of each stage and region up to it."""

    stage = models.CharField(_("stage"), max_length=32, choices=Stage)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    day = models.DateField(_("day"))
    total = models.IntegerField(_("requests"))

    class Meta:
        verbose_name = _("standing count")
        verbose_name_plural = _("standing counts")
        constraints = [
            # Also the index of the lookup: the last day up to a date, per stage and region.
            models.UniqueConstraint(fields=["stage", "region", "day"], name="one_count_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage} {self.region} {self.total}"


class FigureTally(models.Model):
    """A count (and for funding, a sum) kept over the requests of a region (or of one
    of its States) opened in a year, so that the figures add up a few thousand rows
    instead of every request (``tracker.figures.tallies``). ``measure`` names the figure,
    ``item`` its line; each count is kept for the region and for the State (``state``
    empty: every State), each for every domain (``domain`` empty) and for each of the
    request's domains."""

    measure = models.CharField(_("measure"), max_length=32)
    item = models.CharField(_("item"), max_length=64, blank=True)
    region = models.CharField(_("UN regional group"), max_length=32, choices=RegionalGroup)
    state = models.CharField(_("State"), max_length=3, blank=True)
    domain = models.CharField(_("domain"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.BigIntegerField(_("count"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("figure tally")
        verbose_name_plural = _("figure tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "item", "region", "state", "domain", "year"],
                name="one_tally_per_cell",
            )
        ]
        indexes = [models.Index(fields=["state", "domain", "region"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.item} {self.region} {self.year}: {self.count}"


class DurationTally(models.Model):
    """The stays in a stage (or waits for a State's decision on a plan) of one bucket of
    close lengths (about 1.5 % wide), over every request, a region's (``region``), a
    domain's (``domain``) or those opened in a year (``year``; 0: every year): how many
    (``count``) and their lengths in tenths of a day, the precision the figures show
    (``lengths``: "30 31:2 35", a length and, above one, how many). A median adds up
    the buckets' counts, then reads the one bucket's lengths
    (``tracker.figures.tallies``). Narrower questions count their lengths live: they
    hold few requests."""

    kind = models.CharField(_("kind"), max_length=32)
    region = models.CharField(_("UN regional group"), max_length=32, blank=True)
    domain = models.CharField(_("domain"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    bucket = models.IntegerField(_("bucket"))
    count = models.BigIntegerField(_("count"))
    lengths = models.TextField(_("lengths"))

    class Meta:
        verbose_name = _("duration tally")
        verbose_name_plural = _("duration tallies")
        constraints = [
            # Also the index of a question's buckets, in order.
            models.UniqueConstraint(
                fields=["kind", "region", "domain", "year", "bucket"],
                name="one_tally_per_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.bucket} {self.region}: {self.count}"


class TalliedRequest(models.Model):
    """What one request adds to the tallies, as they last counted it, and where it
    counts (its region, State, domains and year then), in a few words
    (``tracker.figures.tallies``): the difference with what it adds now is what a
    change moves. No foreign key: a deleted request's row stays until its share is
    taken back."""

    request_id = models.BigIntegerField(_("assistance request"), primary_key=True)
    share = models.TextField(_("share"))

    class Meta:
        verbose_name = _("tallied request")
        verbose_name_plural = _("tallied requests")

    def __str__(self) -> str:
        return str(self.request_id)


class TallyChange(models.Model):
    """A request whose figures may have changed since the tallies last counted it:
    written in the change's own transaction, read (and removed) before any figure."""

    request_id = models.BigIntegerField(_("assistance request"))
    # The database's clock, so that raw inserts (the migrations') are dated too.
    marked_at = models.DateTimeField(_("time of the change"), db_default=Now())

    class Meta:
        verbose_name = _("tally change")
        verbose_name_plural = _("tally changes")

    def __str__(self) -> str:
        return str(self.request_id)
