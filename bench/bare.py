"""The floor the benchmark compares TA Tracker's throughput with: a bare WSGI handler,
served by the same gunicorn, that does the same work as raw SQL over one persistent
psycopg connection per worker (the token lookup, then the page, the request or the
State's requests as JSON) and nothing else: no framework, no middleware.

gunicorn bench.bare:application (DATABASE_URL in the environment).
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qs

import psycopg

from bench.run import RAW_LIST

CALLER = """SELECT u.id, u.member_state_id FROM authtoken_token t
           JOIN tracker_user u ON u.id = t.user_id WHERE t.key = %s AND u.is_active"""
DETAIL = """
SELECT row_to_json(t) FROM (
  SELECT r.reference, r.requesting_state_id, s.name_en, s.region, r.title, r.description,
         r.stage, u.username AS officer, r.priority, r.opened_at, r.stage_entered_at,
         r.received_via, r.document_number, r.document_date, r.revision,
         (SELECT array_agg(d.domain_id) FROM tracker_assistancerequest_domains d
           WHERE d.assistancerequest_id = r.id) AS domains,
         (SELECT array_agg(f.assistanceform_id) FROM tracker_assistancerequest_assistance_forms f
           WHERE f.assistancerequest_id = r.id) AS forms,
         (SELECT json_agg(l) FROM tracker_linkedrecommendation l WHERE l.request_id = r.id)
           AS recommendations,
         (SELECT json_agg(f) FROM tracker_funding f WHERE f.request_id = r.id) AS funding,
         (SELECT json_agg(p ORDER BY p.version) FROM tracker_plan p WHERE p.request_id = r.id)
           AS plans
  FROM tracker_assistancerequest r
  JOIN tracker_memberstate s ON s.code = r.requesting_state_id
  LEFT JOIN tracker_user u ON u.id = r.officer_id
  WHERE r.reference = %s) t
"""
DASHBOARD = """
SELECT (SELECT json_agg(t) FROM (
          SELECT r.reference, r.title, r.stage, r.priority, r.opened_at, r.stage_entered_at
          FROM tracker_assistancerequest r
          WHERE r.requesting_state_id = %(state)s AND r.stage IN
                ('requested', 'needs_assessment', 'consultation', 'implementation', 'evaluation')
          ORDER BY r.priority, r.opened_at DESC) t),
       (SELECT json_agg(t) FROM (
          SELECT r.reference, r.title, r.stage, r.stage_entered_at
          FROM tracker_assistancerequest r
          WHERE r.requesting_state_id = %(state)s AND r.stage IN ('closed', 'withdrawn', 'declined')
          ORDER BY r.stage_entered_at DESC LIMIT 20) t),
       (SELECT count(*) FROM tracker_assistancerequest r
          WHERE r.requesting_state_id = %(state)s
            AND r.stage IN ('closed', 'withdrawn', 'declined'))
"""
DETAIL_PATH = re.compile(r"^/api/v1/requests/(TA-\d{4}-\d+)/$")

_connection: psycopg.Connection | None = None


def _cursor() -> psycopg.Cursor:
    global _connection  # one connection per worker process, kept open
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection.cursor()


def application(environ, start_response):
    path = environ["PATH_INFO"]
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Token ").strip()
    with _cursor() as cursor:
        cursor.execute(CALLER, [token])
        user = cursor.fetchone()
        if user is None:
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"detail": "no"}']
        if path == "/api/v1/requests/":
            cursor.execute(RAW_LIST)
            count, rows = cursor.fetchone()
            body = {"count": count, "results": rows}
        elif match := DETAIL_PATH.match(path):
            cursor.execute(DETAIL, [match.group(1)])
            body = cursor.fetchone()[0]
        elif path == "/portal/":
            state = parse_qs(environ.get("QUERY_STRING", "")).get("state", [user[1]])[0]
            cursor.execute(DASHBOARD, {"state": state})
            body = dict(zip(("open", "ended", "ended_count"), cursor.fetchone(), strict=True))
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"detail": "no"}']
    data = json.dumps(body, default=str).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
