"""frigate-remediator's mail through a real SMTP server (aiosmtpd: STARTTLS with a test CA, login
required), against the real binary.

Proves: after a restart the "restarted" mail arrives over STARTTLS with login, addressed as set,
with every section (what happened, why with the alert's annotations, every gate's verdict,
restarts in the last hour, pod, container and node, next steps for the reason, links); with the SMTP server
down the restart still happens, frigate_remediator_emails_total{result="failed"} counts the
failures, and the mail arrives once the server is back (MAIL_RETRY_SECONDS); a blocked incident
mails once per gate, not once per notification.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_mail.py
"""
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)

SECTIONS = ["What happened", "Why", "Gate verdicts", "Restarts in the last hour",
            "Pod, container and node", "Next steps", "Links"]


def test_restarted_mail_arrives_over_starttls_with_every_section(remediator, sim, smtp):
    s = sim()
    m = smtp()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", **m.settings())
    r.post(notification())
    r.post(notification())
    wait_until(lambda: m.mails(), timeout=20, what="a mail")
    mail = m.mails()[0]
    assert s.restarts() == 1
    env = mail["envelope"]
    assert env["login"] == "remediator@example.test" and env["tls"] is True, env
    assert env["rcpt_tos"] == ["ops@example.test"]
    assert mail["to"] == ["ops@example.test"]
    assert "restart" in mail["subject"].lower() and "nvr/frigate" in mail["subject"], mail
    assert "X-Frigate-Remediator-Outcome: restarted" in mail["raw"]
    body = mail["body"]
    for section in SECTIONS:
        assert f"\n{section}" in "\n" + body, (section, body)
    assert "Frigate detection_stuck" in body  # the alert's annotation
    for gate in ("consecutive_failures", "startup_grace", "circuit_breaker", "node_ready",
                 "rollout_sanity"):
        assert f"] {gate}:" in body, (gate, body)
    assert "Restarts in the last hour: 1" in body
    assert "http://alertmanager:9093" in body and "http://prometheus:9090/graph" in body
    assert "http://grafana:3000/d/frigate" in body and "http://frigate.example.test:5000" in body
    assert mail["defects"] == []
    assert r.metric("frigate_remediator_emails_total", result="sent") == 1
    # Secrets stay out of the log.
    assert "mail-pw-19a" not in r.proc.output()


def test_smtp_down_never_blocks_the_restart_and_the_mail_follows_later(remediator, sim, smtp):
    s = sim()
    port = free_port()
    m_settings = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="starttls",
                      SMTP_USER="remediator@example.test", SMTP_PASSWORD="mail-pw-19a",
                      ALERT_EMAIL="ops@example.test")
    # The CA is known only once the server has made its certificates: start it briefly to get
    # them, then stop it so the port is dead during the restart.
    probe = smtp()
    ca = probe.ca
    probe.proc.stop()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", SMTP_CA_FILE=ca,
                   MAIL_RETRY_SECONDS=1, **m_settings)
    r.post(notification())
    r.post(notification())
    wait_until(lambda: r.metric("frigate_remediator_restarts_total", result="ok") == 1,
               timeout=20, what="restart despite SMTP down")
    assert s.restarts() == 1
    wait_until(lambda: r.metric("frigate_remediator_emails_total", result="failed") >= 1,
               timeout=10, what="a failed mail attempt counted")
    # The attempt is counted when it is made, and stored a moment later.
    outbox = wait_until(lambda: (lambda o: o if o and o[0]["attempts"] >= 1 else None)(
        r.state()["outbox"]), timeout=10, what="the failed attempt stored")
    assert len(outbox) == 1 and outbox[0]["last_error"], outbox
    assert "attempt(s), last error" in r.page()
    m = smtp(port=port)
    wait_until(lambda: m.outcomes() == ["restarted"], timeout=15, what="the mail after SMTP is back")
    wait_until(lambda: r.state()["outbox"] == [], timeout=10, what="outbox emptied")
    assert r.metric("frigate_remediator_emails_total", result="sent") == 1


def test_a_blocked_incident_mails_once_per_gate_not_per_notification(remediator, sim, smtp):
    s = sim(start_uptime=5)
    m = smtp()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", CONSECUTIVE_FAILURES_REQUIRED=1,
                   STARTUP_GRACE_PERIOD_SECONDS=3600, **m.settings())
    for _ in range(4):
        status, body = r.post(notification())
        assert body["decisions"][0]["gate"] == "startup_grace", body
    wait_until(lambda: m.outcomes() == ["blocked"], timeout=10, what="one blocked mail")
    time.sleep(2.5)  # a second mail would have been sent by now
    assert m.outcomes() == ["blocked"]
    assert "startup_grace" in m.mails()[0]["body"]
    assert s.restarts() == 0


# Issue 9 item 14: with the Kubernetes action every mail, the recovered one too, names the pod,
# Frigate's container and the node (the double serves the official chart's pod with a sidecar),
# and no step keeps a placeholder.
def test_kubernetes_mails_name_pod_container_and_node_also_when_recovered(remediator, kube, smtp):
    k = kube(rollout_seconds=1)
    m = smtp()
    r = remediator(**k.settings(), **m.settings())
    r.post(notification())
    r.post(notification())
    wait_until(lambda: r.metric("frigate_remediator_restarts_total", result="ok") == 1,
               timeout=20, what="restart done")
    r.post(notification(alert(status="resolved")))
    wait_until(lambda: m.outcomes() == ["restarted", "recovered"], timeout=20,
               what="restarted and recovered mails")
    pods = [p for key, p in k.control("state")["pods"].items() if key.startswith("nvr/frigate-")]
    assert len(pods) == 1
    pod = pods[0]["metadata"]["name"]
    for mail in m.mails():
        body = mail["body"]
        assert f"  pod: {pod} (Ready=True), selected by app.kubernetes.io/instance=frigate," \
               "app.kubernetes.io/name=frigate" in body, body
        assert "  container: frigate, running, ready" in body, body
        assert "  node: node-1 (Ready=True)" in body, body
        assert "ago), from container frigate\n" in body, body
        assert "unknown" not in body and "<frigate pod>" not in body and "<node>" not in body, body


# Issue 9 item 14: a blocked mail gives the blocking gate's step and says the remediator retries.
def test_blocked_mail_says_what_to_do_for_the_gate_and_that_it_retries(remediator, kube, smtp):
    k = kube()
    k.control("node", {"name": "node-1", "ready": "False"})
    m = smtp()
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings(), **m.settings())
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "node_ready", body
    wait_until(lambda: m.outcomes() == ["blocked"], timeout=10, what="the blocked mail")
    text = m.mails()[0]["body"]
    assert "Blocked by node_ready: Check the node: kubectl describe node node-1" in text, text
    assert "it retries by itself" in text, text
