"""Charts: Vega-Lite specifications, drawn as SVG on the server by vl-convert.

A chart is data (what to plot and how), never drawing code: vl-convert (the Vega
renderers, packaged with their own runtime) turns it into SVG, so charts need no
JavaScript, no CDN and no build step, print as they show, and the same specification
can travel as JSON. Every chart sits above a table with the same figures, which is
what screen readers and spreadsheets use.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

import vl_convert
from django.core.cache import cache
from django.utils import formats
from django.utils.translation import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: A drawn chart is kept this long: the same figures are not drawn twice.
CACHE_SECONDS = 24 * 3600


def svg(spec: dict[str, Any]) -> str:
    """The chart drawn as SVG, in the current language's number format."""
    locale = number_locale()
    text = json.dumps(spec, sort_keys=True, default=str)
    key = "chart:" + hashlib.sha256(f"{sorted(locale.items())}\n{text}".encode()).hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        drawn = vl_convert.vegalite_to_svg(json.loads(text), format_locale=locale)
        cache.set(key, drawn, CACHE_SECONDS)
    return str(drawn)


def number_locale() -> dict[str, Any]:
    """Numbers in a chart written as the page's tables write them: Django's formats for
    the active language (decimal comma in French, Spanish and Russian; no grouping in
    Arabic and Chinese)."""
    grouping = formats.get_format("NUMBER_GROUPING")
    return {
        "decimal": formats.get_format("DECIMAL_SEPARATOR"),
        "thousands": formats.get_format("THOUSAND_SEPARATOR") if grouping else "",
        "grouping": [grouping or 3],
        "currency": ["", ""],
    }


def image_source(spec: dict[str, Any]) -> str:
    """The chart as an ``<img src>``: an image, so nothing in it can run in the page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec).encode()).decode()


def indicator_progress(progress: dict[str, Any]) -> dict[str, Any] | None:
    """Each outcome indicator from its baseline to its value at closing and at each
    follow-up, with its target as a dashed line; one small chart per indicator, each
    on its own scale (A/HRC/43/31 para 100). None when there is nothing to draw."""
    baseline, closing = str(_("Baseline")), str(_("At closing"))
    later = [point for _label, _day, point in progress["columns"]]
    points = [baseline, closing, *later]
    values = []
    for row in progress["rows"]:
        measured = [row["baseline"], row["closing"], *row["later"]]
        name = f"{row['name']} ({row['unit']})" if row["unit"] else row["name"]
        values += [
            {
                "indicator": name,
                "when": when,
                "value": _number(value),
                "target": _number(row["target"]),
            }
            for when, value in zip(points, measured, strict=True)
            if value is not None
        ]
    if not values:
        return None
    value_title = str(_("Value (dashed line: target)"))
    return {
        "$schema": SCHEMA,
        "data": {"values": values},
        "facet": {"field": "indicator", "type": "nominal", "title": None},
        "columns": 3,
        "spec": {
            "width": 200,
            "height": 120,
            "layer": [
                {
                    "mark": {"type": "line", "point": True},
                    "encoding": {
                        "x": {
                            "field": "when",
                            "type": "ordinal",
                            "sort": points,
                            "title": None,
                            "axis": {"labelAngle": -30, "labelLimit": 140},
                        },
                        "y": {"field": "value", "type": "quantitative", "title": value_title},
                    },
                },
                {
                    "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#b45309"},
                    "encoding": {"y": {"aggregate": "max", "field": "target", "title": None}},
                },
            ],
        },
        "resolve": {"scale": {"y": "independent"}},
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- the Figures page ---------------------------------------------------------------------------


def bars(
    values: list[dict[str, Any]],
    x: str,
    y: str,
    *,
    color: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    offset: bool = False,
    percent: bool = False,
) -> dict[str, Any] | None:
    """Bars of ``y`` along ``x`` (in the rows' order), stacked or side by side
    (``offset``) by ``color``; None when there is nothing to draw."""
    if not values:
        return None
    order = list(dict.fromkeys(str(row[x]) for row in values))
    encoding: dict[str, Any] = {
        "x": {
            "field": x,
            "type": "ordinal",
            "sort": order,
            "title": x_title,
            "axis": {"labelAngle": -30, "labelLimit": 160},
        },
        "y": {
            "field": y,
            "type": "quantitative",
            "title": y_title,
            **({"axis": {"format": "%"}} if percent else {}),
        },
        "tooltip": [{"field": x}, {"field": y}],
    }
    if color is not None:
        kinds = list(dict.fromkeys(str(row[color]) for row in values))
        encoding["color"] = {"field": color, "type": "nominal", "title": None, "sort": kinds}
        if offset:
            encoding["xOffset"] = {"field": color, "sort": kinds}
    return {
        "$schema": SCHEMA,
        "width": {"step": 28 if offset else 40},
        "height": 180,
        "data": {
            "values": [
                {k: str(v) if k in (x, color) else v for k, v in row.items()} for row in values
            ]
        },
        "mark": {"type": "bar", "tooltip": True},
        "encoding": encoding,
    }
