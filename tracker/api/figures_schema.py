"""The shapes of the reports' answers, for the OpenAPI schema only: the figures are
built as plain data (tracker.figures.reports, tracker.figures), these say what they hold."""

from __future__ import annotations

from rest_framework import serializers as f


def counts(help_text: str = "") -> f.DictField:
    return f.DictField(child=f.IntegerField(), help_text=help_text)


def per_year(help_text: str) -> f.DictField:
    return f.DictField(child=counts(), help_text=help_text)


class UprRecords(f.Serializer):
    requests = f.IntegerField(help_text="requests linked to an imported UPR record")
    records = f.IntegerField(help_text="distinct imported UPR records they follow up")


class Summary(f.Serializer):
    total = f.IntegerField()
    by_stage = counts("every stage, with 0 where none")
    by_region = counts("UN regional group code")
    by_domain = counts("domain code: a request with two domains counts in both")
    by_year = counts("year of opening")
    median_days_in_stage = f.DictField(child=f.FloatField(), help_text="open stages with stays")
    withdrawal_rate = f.FloatField(allow_null=True, help_text="share withdrawn, 0 to 1")
    overdue = f.IntegerField()
    upr_records = UprRecords()


class Change(f.Serializer):
    difference = f.IntegerField()
    percent = f.FloatField(allow_null=True, help_text="null when the first count is 0")
    text = f.CharField(help_text='as the report writes it: "+3.7 %", or "n/a"')


class Year(f.Serializer):
    year = f.IntegerField()
    total = f.IntegerField()
    change = Change(allow_null=True, help_text="from the year before; null without one")


class OpenedPerYear(f.Serializer):
    years = Year(many=True)
    by_stage = per_year("year -> stage now -> requests")
    by_region = per_year("year -> UN regional group -> requests")
    by_domain = per_year("year -> domain code -> requests")


class Stays(f.Serializer):
    stays = f.IntegerField(help_text="stays that ended")
    median_days = f.FloatField()
    p90_days = f.FloatField()


class TimeInStage(f.Serializer):
    stages = f.DictField(child=Stays(), help_text="open stages with stays")
    open = f.IntegerField()
    overdue = f.IntegerField()
    overdue_share = f.FloatField(allow_null=True)


class Part(f.Serializer):
    count = f.IntegerField()
    share = f.FloatField(allow_null=True, help_text="0 to 1; null when there is no whole")


class Shares(f.Serializer):
    total = f.IntegerField()
    least_developed = Part()
    agenda_item_10 = Part()
    upr_follow_up = Part(help_text="linked to a UPR recommendation: an imported record or text")
    upr_record_follow_up = Part(help_text="linked to an imported UPR record (para 115)")


class FundingLine(f.Serializer):
    year = f.IntegerField(help_text="year of the request's opening")
    source = f.CharField()  # type: ignore[assignment]  # a declared field, popped by the metaclass: not Field.source
    currency = f.CharField(help_text="ISO 4217: amounts of different currencies are never added")
    amount = f.CharField(help_text="a decimal, as text")


class DaysToDecision(f.Serializer):
    plans_decided = f.IntegerField()
    median_days = f.FloatField(allow_null=True)


class VersionsBeforeApproval(f.Serializer):
    approved = f.IntegerField(help_text="requests whose State approved a plan")
    by_version = counts("the version approved first -> requests")
    mean = f.FloatField(allow_null=True)


class Ownership(f.Serializer):
    opened_by_the_state = Part()
    logged_from_a_letter = Part()
    days_to_decision = DaysToDecision()
    plans_rejected = f.IntegerField()
    versions_before_approval = VersionsBeforeApproval()
    withdrawals_by_stage = counts("the stage a withdrawal left")
    closed = f.IntegerField()
    lessons_shared = Part()


class Figures(f.Serializer):
    opened_per_year = OpenedPerYear()
    time_in_stage = TimeInStage()
    shares = Shares()
    funding = FundingLine(many=True)
    ownership = Ownership()


class OpenOn(f.Serializer):
    date = f.DateField()
    total = f.IntegerField()
    by_stage = counts("open stages")


class BacklogChange(f.Serializer):
    total = Change()
    by_stage = f.DictField(child=Change())


class Backlog(f.Serializer):
    on = OpenOn()
    compare = OpenOn(required=False, help_text="with compare= only")
    change = BacklogChange(required=False, help_text="with compare= only")
