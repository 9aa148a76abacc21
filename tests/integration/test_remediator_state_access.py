"""Who sees what of GET /api/v1/state (issue 9 item 13), against the real binary.

The state holds each queued mail's recipients, headers and whole body. Without credentials the
endpoint serves a redacted view (mail subjects only, like the status page); with the webhook's
credentials the full state; with wrong ones 401. /healthz, /readyz and /metrics stay open.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_state_access.py
"""
import base64
import json

from fhc_testlib import free_port, http_get, wait_until
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)

RECIPIENT = "ops-secret-list@example.test"


def queued_mail(remediator, **auth):
    """A remediator whose restart mail waits in the outbox (the SMTP port is dead)."""
    r = remediator(RESTART_ACTION="dry-run", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(),
                   SMTP_TLS="none", ALERT_EMAIL=RECIPIENT, EMAIL_FROM="remediator@example.test",
                   MAIL_RETRY_SECONDS=30, **auth)
    return r


def get_state(r, headers=None):
    status, _, body = http_get(r.url + "/api/v1/state", headers=headers)
    return status, (json.loads(body) if body.startswith("{") else body)


def test_without_credentials_the_state_shows_subjects_but_no_recipients_or_bodies(remediator):
    r = queued_mail(remediator)
    for _ in range(2):
        status, body = r.post(notification())
        assert status == 200, body
    wait_until(lambda: get_state(r)[1]["outbox"], timeout=15, what="a mail in the outbox")

    status, state = get_state(r)
    assert status == 200 and state["redacted"] is True
    mail = state["outbox"][0]
    assert set(mail) == {"id", "target", "subject", "queued_at", "attempts", "last_error"}
    assert mail["subject"]
    status, _, raw = http_get(r.url + "/api/v1/state")
    assert RECIPIENT not in raw and "remediator@example.test" not in raw

    status, full = get_state(r, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and full["redacted"] is False
    assert full["outbox"][0]["to"] == RECIPIENT and full["outbox"][0]["body"]

    status, body = get_state(r, {"Authorization": "Bearer not-the-token"})
    assert status == 401, body

    # The status page is consistent: subjects, never recipients or bodies.
    page = r.page()
    assert mail["subject"] in page and RECIPIENT not in page
    # The probes' and Prometheus' endpoints need no credentials.
    for path in ("/healthz", "/readyz", "/metrics"):
        assert http_get(r.url + path)[0] == 200, path


def test_basic_auth_credentials_see_the_full_state(remediator):
    r = remediator(WEBHOOK_AUTH="basic", WEBHOOK_USER="am", WEBHOOK_PASSWORD="pw-3x",
                   WEBHOOK_TOKEN=None)
    good = base64.b64encode(b"am:pw-3x").decode()
    assert get_state(r, {"Authorization": f"Basic {good}"})[1]["redacted"] is False
    assert get_state(r)[1]["redacted"] is True
    assert get_state(r, {"Authorization": "Basic " + base64.b64encode(b"am:x").decode()})[0] \
        == 401


def test_with_webhook_auth_none_everyone_gets_the_redacted_view(remediator):
    r = remediator(WEBHOOK_AUTH="none", WEBHOOK_TOKEN=None)
    assert get_state(r)[1]["redacted"] is True
    assert get_state(r, {"Authorization": "Bearer anything"})[1]["redacted"] is True
