"""Examples of request bodies for the OpenAPI schema; the transitions' come from their
declarations in ``tracker.workflow``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

from tracker import workflow

TRANSITIONS = [
    OpenApiExample(name, value=dict(workflow.about(name).example))
    for name in workflow.TRANSITION_NAMES
]

TOKEN = [
    OpenApiExample("Log in", value={"username": "ana", "password": "…"}),
    OpenApiExample(
        "Log in with two-factor sign-in",
        value={"username": "olga", "password": "…", "otp_token": "123456"},
    ),
]

OPEN = [
    OpenApiExample(
        "A focal point asks for help",
        value={"title": "Truth commission", "domains": ["justice"], "forms": ["advisory"]},
    ),
    OpenApiExample(
        "Staff log a note verbale",
        value={
            "title": "Nationality code",
            "requesting_state": "SEN",
            "formal_request": {
                "kind": "note_verbale",
                "number": "NV/12",
                "date": "2026-01-15",
            },
        },
    ),
]

MESSAGE = [
    OpenApiExample(
        "A question to the secretariat",
        value={"text": "Can the second workshop take place in Kara?"},
    ),
    OpenApiExample(
        "An internal note (staff only)",
        value={"text": "Budget line still to be confirmed.", "internal": True},
    ),
]

PRIORITY = [OpenApiExample("Make it the State's first priority", value={"rank": 1})]

ASSESSMENT = [OpenApiExample("Assessment", value={"findings": "…", "gaps": "…"})]

PLAN = [
    OpenApiExample(
        "Plan",
        value={
            "budget_amount": "25000.00",
            "providers": ["UNDP"],
            "activities": [{"form": "training", "title": "Training of judges"}],
        },
    )
]

DELIVERY = [
    OpenApiExample(
        "Delivered",
        value={"activity": 12, "delivered_on": "2026-05-04", "participants": 30},
    )
]

EVALUATION = [
    OpenApiExample(
        "Staff record the evaluation",
        value={
            "summary": "…",
            "lessons_learned": "…",
            "indicators": [
                {
                    "name": "Judges trained",
                    "baseline": "0",
                    "target": "50",
                    "measured": "42",
                }
            ],
        },
    ),
    OpenApiExample("The State publishes its lessons", value={"lessons_published": True}),
]

BACKLOG = [
    OpenApiExample(
        "2 300 → 2 386 open requests is +3.7 %",
        value={
            "on": {"date": "2026-06-30", "total": 2386, "by_stage": {"requested": 400}},
            "compare": {"date": "2025-06-30", "total": 2300, "by_stage": {"requested": 380}},
            "change": {"total": {"difference": 86, "percent": 3.7, "text": "+3.7 %"}},
        },
        response_only=True,
    )
]
