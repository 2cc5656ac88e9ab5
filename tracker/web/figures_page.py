"""The Figures page, in the admin (every request) and in the portal (the State's own
requests): each figure as a chart, the same figures as a table under it, and a link
to download them as CSV. The views only render what ``context`` builds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel import Locale
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from tracker import figures, selectors
from tracker.interop import exports
from tracker.kernel import clock, names
from tracker.kernel.collation import NamedChoiceField
from tracker.kernel.vocabulary import Stage
from tracker.models import FundingSource, RegionalGroup
from tracker.web import charts

DATE = forms.DateInput(attrs={"type": "date"})


class FiguresForm(forms.Form):
    first_year = forms.IntegerField(
        label=gettext_lazy("Opened from"), required=False, min_value=1990, max_value=2100
    )
    last_year = forms.IntegerField(
        label=pgettext_lazy("the last year of a range", "to"),
        required=False,
        min_value=1990,
        max_value=2100,
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        choices=[("", gettext_lazy("Any region")), *RegionalGroup.choices],
    )
    domain = NamedChoiceField(
        selectors.domains(),
        label=gettext_lazy("Domain"),
        required=False,
        empty_label=gettext_lazy("Any domain"),
    )
    on = forms.DateField(label=gettext_lazy("Open requests on"), required=False, widget=DATE)
    compare = forms.DateField(label=gettext_lazy("compared with"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if problem := figures.Filters.period_problem(data.get("first_year"), data.get("last_year")):
            self.add_error("last_year", problem)
        return data


def context(request: HttpRequest, csv_url: Callable[[str], str]) -> dict[str, Any]:
    """Everything the page shows, over what the signed-in user may see; ``csv_url``
    gives where a section's table downloads."""
    form, narrowed, on, compare = _asked(request)
    shown, counted_up_to = sections(request.user, narrowed, on, compare)
    query = request.GET.urlencode()
    for section in shown:
        spec = section.pop("spec")
        section["chart"] = charts.image_source(spec) if spec else None
        section["csv"] = csv_url(section["id"]) + (f"?{query}" if query else "")
    return {"form": form, "sections": shown, "counted_up_to": counted_up_to}


def table_csv(request: HttpRequest, figure: str) -> HttpResponse:
    """One section's table as the page shows it, narrowed as the page is: its headings in
    the reader's language, names rather than codes (the API keeps the machine-readable
    figures)."""
    _form, narrowed, on, compare = _asked(request)
    shown, _counted = sections(request.user, narrowed, on, compare)
    for section in shown:
        if section["id"] == figure:
            table = section["table"]
            return exports.csv_response(f"{figure}.csv", table["columns"], table["rows"])
    raise Http404(_("There is no such figure."))


def _asked(request: HttpRequest) -> tuple[FiguresForm, figures.Filters, Any, Any]:
    """The form of the page's filters, and what it narrows to (nothing when invalid)."""
    form = FiguresForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    domain = data.get("domain")
    narrowed = figures.Filters(
        first_year=data.get("first_year"),
        last_year=data.get("last_year"),
        region=data.get("region", ""),
        domain=domain.code if domain else "",
    )
    return form, narrowed, data.get("on"), data.get("compare")


def sections(
    user: Any,
    narrowed: figures.Filters,
    on: date | None = None,
    compare: date | None = None,
) -> tuple[list[dict[str, Any]], datetime | None]:
    """Each figure: its title, its chart's Vega-Lite specification and its table (the
    backlog on ``on``, today by default, against ``compare``, a year before); and up to
    when they count every change (``figures.Reading``)."""
    found = figures.figures_for(user, narrowed)
    on = on or clock.now().date()
    # A year before, or the first day there is (a date asked for in year 1).
    compare = compare or max(on, date.min + timedelta(days=365)) - timedelta(days=365)
    backlog = figures.backlog(user, narrowed, on, compare)
    shown = [
        *_opened(found["opened_per_year"]),
        _backlog(backlog),
        _time_in_stage(found["time_in_stage"]),
        _shares(found["shares"]),
        _funding(found["funding"]),
        *_ownership(found["ownership"]),
    ]
    return shown, found.counted_up_to


def _stage(code: str) -> str:
    return str(Stage(code).label)


def _table(caption: str, columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"caption": caption, "columns": columns, "rows": rows}


def _section(name: str, title: str, spec: Any, table: dict[str, Any]) -> dict[str, Any]:
    return {"id": name, "title": title, "spec": spec, "table": table}


def _opened(opened: dict[str, Any]) -> list[dict[str, Any]]:
    years = opened["years"]
    per_year = [[str(y["year"]), y["total"], _change(y["change"])] for y in years]
    domain_names = _domain_names()
    names: dict[str, tuple[str, Callable[[str], str]]] = {
        "by_stage": (_("by stage now"), _stage),
        "by_region": (_("by region"), lambda code: str(RegionalGroup(code).label)),
        "by_domain": (_("by domain"), lambda code: domain_names.get(code, code)),
    }
    sections = [
        _section(
            "opened_per_year",
            _("Requests opened per year"),
            charts.bars(
                [{"year": y["year"], "requests": y["total"]} for y in years],
                "year",
                "requests",
                y_title=_("Requests"),
            ),
            _table(
                _("Requests opened per year, and the change from the year before"),
                [_("Year"), _("Requests"), pgettext("a figure", "Change")],
                per_year,
            ),
        )
    ]
    for key, (how, label) in names.items():
        table = opened[key]
        kinds = sorted({kind for counts in table.values() for kind in counts})
        values = [
            {"year": year, "kind": label(kind), "requests": counts.get(kind, 0)}
            for year, counts in table.items()
            for kind in kinds
            if counts.get(kind)
        ]
        rows = [[year, *[counts.get(kind, 0) for kind in kinds]] for year, counts in table.items()]
        title = _("Requests opened per year, %(how)s") % {"how": how}
        sections.append(
            _section(
                f"opened_{key}",
                title,
                charts.bars(values, "year", "requests", color="kind", y_title=_("Requests")),
                _table(title, [_("Year"), *[label(k) for k in kinds]], rows),
            )
        )
    return sections


def _domain_names() -> dict[str, str]:
    return {domain.code: domain.name for domain in selectors.domains()}


def _backlog(backlog: dict[str, Any]) -> dict[str, Any]:
    then, now_ = backlog["compare"], backlog["on"]
    values = [
        {"stage": _stage(stage), "date": found["date"], "requests": found["by_stage"][stage]}
        for found in (then, now_)
        for stage in found["by_stage"]
    ]
    rows = [
        [
            _stage(stage),
            then["by_stage"][stage],
            now_["by_stage"][stage],
            _change(backlog["change"]["by_stage"][stage]),
        ]
        for stage in now_["by_stage"]
    ]
    rows.append(
        [_("All open requests"), then["total"], now_["total"], _change(backlog["change"]["total"])]
    )
    on, compare = (formats.date_format(date.fromisoformat(d["date"])) for d in (now_, then))
    title = _("Open requests per stage on %(on)s, compared with %(compare)s") % {
        "on": on,
        "compare": compare,
    }
    return _section(
        "backlog",
        title,
        charts.bars(
            values, "stage", "requests", color="date", offset=True, y_title=_("Open requests")
        ),
        _table(title, [_("Stage"), compare, on, pgettext("a figure", "Change")], rows),
    )


def _time_in_stage(found: dict[str, Any]) -> dict[str, Any]:
    median, p90 = _("Median"), _("90th percentile")
    values = [
        {"stage": _stage(stage), "measure": measure, "days": row[key]}
        for stage, row in found["stages"].items()
        for measure, key in ((median, "median_days"), (p90, "p90_days"))
    ]
    rows = [
        [_stage(stage), row["stays"], row["median_days"], row["p90_days"]]
        for stage, row in found["stages"].items()
    ]
    share = found["overdue_share"]
    caption = _(
        "Days spent in each stage; overdue now: %(overdue)s of %(open)s open requests (%(share)s)"
    ) % {"overdue": found["overdue"], "open": found["open"], "share": _percent(share)}
    return _section(
        "time_in_stage",
        _("Time in each stage"),
        charts.bars(values, "stage", "days", color="measure", offset=True, y_title=_("Days")),
        _table(caption, [_("Stage"), _("Stays"), median, p90], rows),
    )


def percent(value: float, signed: bool = False) -> str:
    """A percentage as the active language writes it: "12.5%" in English, "12,5 %" in
    French (Django's number format, and CLDR's place for the sign)."""
    number = formats.number_format(round(value, 1), 1, use_l10n=True)
    pattern = Locale.parse(names.active_locale()).percent_formats[None].pattern
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{number}{pattern.split(';')[0].rsplit('0', 1)[1]}"


def _percent(share: float | None) -> str:
    return "—" if share is None else percent(share * 100)


def _change(change: dict[str, Any] | None) -> str:
    """A change from one figure to another: none before the first; from zero there is no
    percentage, so it is said in words (the report gives a change only from a figure)."""
    if not change:
        return "—"
    if change["percent"] is not None:
        return percent(change["percent"], True)
    return _("up from none") if change["difference"] else _("still none")


def _shares(found: dict[str, Any]) -> dict[str, Any]:
    groups = {
        "least_developed": _("Least developed countries"),
        "agenda_item_10": _("States under agenda item 10"),
        "upr_follow_up": _("Following up UPR recommendations"),
        "upr_record_follow_up": _("Following up imported UPR records"),
    }
    values = [{"group": label, "share": found[key]["share"] or 0} for key, label in groups.items()]
    rows = [
        [label, found[key]["count"], _percent(found[key]["share"])] for key, label in groups.items()
    ]
    caption = _("Shares of the %(total)s requests") % {"total": found["total"]}
    return _section(
        "shares",
        _("Who asks"),
        charts.bars(values, "group", "share", y_title=_("Share of requests"), percent=True)
        if found["total"]
        else None,
        _table(caption, [_("Group"), _("Requests"), _("Share")], rows),
    )


def _funding(found: list[dict[str, Any]]) -> dict[str, Any]:
    # One bar per year and currency: amounts in different currencies are never added.
    values = [
        {
            "year": f"{row['year']} {row['currency']}",
            "source": _source(row["source"]),
            "amount": float(row["amount"]),
        }
        for row in found
    ]
    rows = [
        [str(row["year"]), _source(row["source"]), row["currency"], Decimal(row["amount"])]
        for row in found
    ]
    title = _("Funding by source and year of opening")
    return _section(
        "funding",
        title,
        charts.bars(values, "year", "amount", color="source", y_title=_("Amount")),
        _table(title, [_("Year"), _("Source"), _("Currency"), _("Amount")], rows),
    )


def _source(code: str) -> str:
    return str(FundingSource(code).label)


def _ownership(found: dict[str, Any]) -> list[dict[str, Any]]:
    days = found["days_to_decision"]
    versions = found["versions_before_approval"]
    rows = [
        [
            _("Requests opened by the State itself"),
            found["opened_by_the_state"]["count"],
            _percent(found["opened_by_the_state"]["share"]),
        ],
        [
            _("Requests logged from a letter of the State"),
            found["logged_from_a_letter"]["count"],
            _percent(found["logged_from_a_letter"]["share"]),
        ],
        [
            _("Median days from a plan's proposal to the State's decision"),
            days["median_days"] if days["median_days"] is not None else "—",
            _("over %(n)s plans") % {"n": days["plans_decided"]},
        ],
        [_("Plan versions the State rejected"), found["plans_rejected"], ""],
        [
            _("Mean version the State approved first"),
            versions["mean"] if versions["mean"] is not None else "—",
            _("over %(n)s approvals") % {"n": versions["approved"]},
        ],
        [
            _("Closed requests whose State published its lessons"),
            found["lessons_shared"]["count"],
            _percent(found["lessons_shared"]["share"]),
        ],
    ]
    channel = [
        {"how": _("Opened by the State"), "requests": found["opened_by_the_state"]["count"]},
        {"how": _("Logged from a letter"), "requests": found["logged_from_a_letter"]["count"]},
    ]
    withdrawn = [
        {"stage": _stage(stage), "withdrawals": n}
        for stage, n in found["withdrawals_by_stage"].items()
    ]
    return [
        _section(
            "ownership",
            _("Ownership by the States"),
            charts.bars(channel, "how", "requests", y_title=_("Requests"))
            if any(row["requests"] for row in channel)
            else None,
            _table(
                _("Ownership by the States (A/HRC/43/31 paras 54-56)"),
                [_("Measure"), _("Value"), _("Detail")],
                rows,
            ),
        ),
        _section(
            "withdrawals",
            _("Withdrawals by stage"),
            charts.bars(withdrawn, "stage", "withdrawals", y_title=_("Withdrawals"))
            if any(row["withdrawals"] for row in withdrawn)
            else None,
            _table(
                _("Requests the State withdrew, by the stage they were in"),
                [_("Stage"), _("Withdrawals")],
                [[row["stage"], row["withdrawals"]] for row in withdrawn],
            ),
        ),
    ]
