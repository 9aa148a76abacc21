"""Nothing lost when the remediator's state store fails, against the real binary (issue 9, items
7-10).

Proves: a restart's completion whose state write fails (ConfigMap PUT 500 four times; the state
file not writable for 6 s) is written again until stored, so the intent does not stay pending,
later webhooks decide again and the restart's mail arrives; an intent left pending by someone
else for longer than RECOVERY_TIMEOUT_SECONDS is settled from evidence while the program runs;
a store that can be read but not written never makes a mail go out twice.
Store faults come from the Kubernetes API double (real status codes and bodies) and, for the
file store, from a directory where the store's temporary file must go (the tests run as root,
which ignores permissions: a directory cannot be opened for writing by anyone).
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_store_faults.py
"""
import json
import os

import pytest

from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)

CM_PATH = "/api/v1/namespaces/nvr/configmaps/frigate-health-state$"


def restarted(r):
    return r.metric("frigate_remediator_restarts_total", result="ok")


def test_configmap_put_500_four_times_after_a_restart_is_written_again(remediator, kube, smtp):
    k = kube(rollout_seconds=1)
    m = smtp()
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings(), **m.settings())
    status, body = r.post(notification())
    assert status == 200 and body["decisions"][0]["outcome"] == "restart", body
    # The intent is stored; the completion's write meets four 500s (the client's own three tries
    # and one more).
    k.control("errors", {"pattern": CM_PATH, "method": "PUT", "status": 500, "count": 4})
    wait_until(lambda: restarted(r) == 1, timeout=60, what="the rollout watched to its end")
    wait_until(lambda: r.target().get("pending_restart") is None, timeout=40,
               what="the completion stored after all")
    assert len(r.target()["restart_times"]) == 1
    r.proc.wait_for(r"will store the restart completion again", timeout=5)
    wait_until(lambda: m.outcomes() == ["restarted"], timeout=20, what="the restarted mail")
    # Later notifications are decided again (before: "decisions": [] for good).
    stored = json.loads(k.configmap()["data"]["state.json"])
    assert "pending_restart" not in stored["targets"]["nvr/frigate"]
    status, body = r.post(notification(alert(fingerprint="1111111111111111")))
    assert status == 200 and body["decisions"], body


def test_state_file_unwritable_for_6_s_after_a_restart_is_written_again(remediator, sim, smtp,
                                                                         tmp_path):
    s = sim(downtime=1)
    m = smtp()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   CONSECUTIVE_FAILURES_REQUIRED=1, **m.settings())
    state = tmp_path / "state" / "remediator-state.json"
    status, body = r.post(notification())
    assert status == 200 and body["decisions"][0]["outcome"] == "restart", body
    # The file stays readable; every write fails (its temporary file cannot be created).
    blocker = tmp_path / "state" / "remediator-state.json.tmp"
    blocker.mkdir()
    t0 = time.time()
    wait_until(lambda: restarted(r) == 1, timeout=60, what="the restart watched to its end")
    r.proc.wait_for(r"state not stored \(restart completion\)", timeout=10)
    assert '"pending_restart"' in state.read_text()
    time.sleep(max(0.0, 6 - (time.time() - t0)))
    blocker.rmdir()
    wait_until(lambda: '"pending_restart"' not in state.read_text(), timeout=40,
               what="the completion stored once the file is writable again")
    assert len(json.loads(state.read_text())["targets"]["nvr/frigate"]["restart_times"]) == 1
    wait_until(lambda: m.outcomes() == ["restarted"], timeout=20, what="the restarted mail")
    assert s.restarts() == 1
    status, body = r.post(notification(alert(fingerprint="1111111111111111")))
    assert status == 200 and body["decisions"], body


def test_an_intent_pending_past_the_recovery_timeout_is_settled_from_evidence(remediator, sim,
                                                                              tmp_path):
    # Another replica stored an intent and died for good (or never stored its completion):
    # this process never ran it, and must not wait for it forever.
    s = sim()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api", RECOVERY_TIMEOUT_SECONDS=5,
                   CONSECUTIVE_FAILURES_REQUIRED=5)
    assert r.post(notification())[0] == 200
    state = tmp_path / "state" / "remediator-state.json"
    doc = json.loads(state.read_text())
    incident = doc["targets"]["nvr/frigate"]["incident"]["id"]
    then = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 30))
    doc["targets"]["nvr/frigate"]["pending_restart"] = {
        "id": "nvr/frigate@" + then, "at": then, "action": "frigate-api", "incident_id": incident}
    tmp = state.with_name("edit.tmp")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, state)  # whole, as the store itself writes
    status, body = r.post(notification())
    assert status == 200 and body["decisions"] == [], body  # pending: nothing to decide yet
    r.proc.wait_for(r"still pending .* it did not happen", timeout=40)
    wait_until(lambda: r.target().get("pending_restart") is None, timeout=10,
               what="the stale intent settled")
    assert r.target()["decisions"][-1]["outcome"] == "restart_not_performed"
    status, body = r.post(notification())
    assert status == 200 and body["decisions"], body
    assert s.restarts() == 0


def test_store_readable_but_not_writable_never_sends_a_mail_twice(remediator, kube, smtp):
    k = kube()
    port = free_port()
    probe = smtp()  # for the session's CA; then the relay is down while the mail is queued
    ca = probe.ca
    probe.proc.stop()
    settings = dict(probe.settings(), SMTP_PORT=port, SMTP_CA_FILE=ca)
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, MAIL_RETRY_SECONDS=1, **k.settings(),
                   **settings)
    k.control("node", {"name": "node-1", "ready": "False"})
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "node_ready", body
    wait_until(lambda: r.metric("frigate_remediator_emails_total", result="failed") >= 1,
               timeout=10, what="a failed mail attempt")
    # From now on the ConfigMap can be read but not written (RBAC lost "update").
    k.control("forbid", {"verb": "update", "resource": "configmaps"})
    m = smtp(port=port)
    wait_until(lambda: m.outcomes() == ["blocked"], timeout=15, what="the blocked mail")
    time.sleep(6)  # one mail a second before the fix
    assert m.outcomes() == ["blocked"]
    assert r.metric("frigate_remediator_emails_total", result="sent") == 1
    assert r.metric("frigate_remediator_state_writes_total", result="error") >= 1
    assert len(r.state()["outbox"]) == 1  # still stored: the write could not remove it
    # Writable again: the held outcome is stored, the outbox empties, nothing is sent again.
    k.control("unforbid", {"verb": "update", "resource": "configmaps"})
    wait_until(lambda: r.state()["outbox"] == [], timeout=90, what="the outbox emptied")
    assert m.outcomes() == ["blocked"]



def test_state_file_readable_but_not_writable_never_sends_a_mail_twice(remediator, sim, smtp,
                                                                       tmp_path):
    s = sim(start_uptime=5)
    port = free_port()
    probe = smtp()  # for the session's CA; then the relay is down while the mail is queued
    ca = probe.ca
    probe.proc.stop()
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   CONSECUTIVE_FAILURES_REQUIRED=1, STARTUP_GRACE_PERIOD_SECONDS=3600,
                   MAIL_RETRY_SECONDS=1, **dict(probe.settings(), SMTP_PORT=port, SMTP_CA_FILE=ca))
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "startup_grace", body
    wait_until(lambda: r.metric("frigate_remediator_emails_total", result="failed") >= 1,
               timeout=10, what="a failed mail attempt")
    # From now on the file stays readable but no write succeeds (its temporary file cannot be
    # created).
    blocker = tmp_path / "state" / "remediator-state.json.tmp"
    blocker.mkdir()
    m = smtp(port=port)
    wait_until(lambda: m.outcomes() == ["blocked"], timeout=15, what="the blocked mail")
    time.sleep(6)  # one mail a second before the fix
    assert m.outcomes() == ["blocked"]
    state = tmp_path / "state" / "remediator-state.json"
    assert '"outbox":[{' in state.read_text()
    blocker.rmdir()
    wait_until(lambda: '"outbox":[]' in state.read_text(), timeout=90,
               what="the outbox emptied once writable")
    assert m.outcomes() == ["blocked"]

# --- item 9: an unreadable state is kept for a person, and holds restarts until one acts ---------

def kube_api(k, method, path, body=None, content_type="application/json"):
    import urllib.request
    req = urllib.request.Request(k.url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {KUBE_TOKEN}",
                                          "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


NEWER = json.dumps({"schema": 2, "targets": {}, "outbox": [], "ignored_alerts": {},
                    "incidents_v2": []})
DAMAGED = '{"schema":1,"targets":{"nvr/frigate":{"consecutive_failures":"many"'


@pytest.mark.parametrize("document", [DAMAGED, NEWER], ids=["damaged", "newer-schema"])
def test_unreadable_configmap_state_is_kept_and_holds_restarts_until_a_person_acts(
        remediator, kube, document):
    k = kube()
    kube_api(k, "POST", "/api/v1/namespaces/nvr/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "frigate-health-state", "namespace": "nvr"},
        "data": {"state.json": document}})
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings())
    line = r.proc.wait_for(r"error.*CORRUPT OR UNREADABLE.*kept it in configmap "
                           r"nvr/(frigate-health-state-unreadable-\d+)")
    kept = k.configmap(name=line.group(1))
    assert kept is not None and kept["data"]["state.json"] == document, kept
    main = k.configmap()["data"]
    assert json.loads(main["state.json"])["targets"] == {}
    note = main["unreadable-state"]
    assert line.group(1) in note and "kubectl -n nvr patch configmap frigate-health-state" in note
    assert r.metric("frigate_remediator_state_unreadable_total") == 1
    assert r.metric("frigate_remediator_state_hold") == 1
    assert r.metric("frigate_remediator_circuit_open") == 1
    # The breaker is tripped: no restart while the history is unknown.
    status, body = r.post(notification())
    assert status == 200, body
    assert [(d["outcome"], d["gate"]) for d in body["decisions"]] == [
        ("blocked", "circuit_breaker")], body
    assert "kept in configmap nvr/" + line.group(1) in r.target()["decisions"][-1]["detail"]
    assert k.restarts() == []
    # A person acts: removes the note (the command the note gives, as a merge patch here).
    kube_api(k, "PATCH", "/api/v1/namespaces/nvr/configmaps/frigate-health-state",
             {"data": {"unreadable-state": None}}, "application/merge-patch+json")
    status, body = r.post(notification(alert(fingerprint="2222222222222222")))
    assert [d["outcome"] for d in body["decisions"]] == ["restart"], body
    assert r.metric("frigate_remediator_state_hold") == 0
    assert k.configmap(name=line.group(1)) is not None, "the kept copy is the person's to delete"


def test_unreadable_state_file_is_kept_and_holds_restarts_until_the_note_is_deleted(
        remediator, sim, tmp_path):
    s = sim()
    state = tmp_path / "state" / "remediator-state.json"
    state.parent.mkdir(exist_ok=True)
    state.write_text(NEWER)
    r = remediator(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                   CONSECUTIVE_FAILURES_REQUIRED=1)
    aside = list(state.parent.glob("remediator-state.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == NEWER
    note = tmp_path / "state" / "remediator-state.json.unreadable"
    assert aside[0].name in note.read_text() and "rm " + str(note) in note.read_text()
    status, body = r.post(notification())
    assert [(d["outcome"], d["gate"]) for d in body["decisions"]] == [
        ("blocked", "circuit_breaker")], body
    note.unlink()
    status, body = r.post(notification(alert(fingerprint="2222222222222222")))
    assert [d["outcome"] for d in body["decisions"]] == ["restart"], body
    wait_until(lambda: s.restarts() == 1, timeout=30, what="the restart")


# --- item 10: bounded state ----------------------------------------------------------------------

def test_a_950_kb_webhook_with_50_foreign_namespaces_leaves_the_state_small(remediator, kube):
    k = kube()
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=5, **k.settings())
    alerts = [alert(fingerprint="%016x" % i, namespace="ns-%02d-" % i + "x" * 18_900)
              for i in range(50)]
    body = json.dumps(notification(*alerts)).encode()
    assert 900_000 < len(body) < 1_000_000, len(body)
    status, answer = r.post(body)
    assert status == 200 and answer["ignored_alerts"] == 50, answer
    stored = k.configmap()["data"]["state.json"]
    assert len(stored) < 20_000, len(stored)
    assert json.loads(stored)["ignored_alerts"] == {"(other)": 50}
    assert r.metric("frigate_remediator_state_dropped_total", what="ignored_targets") == 50
    r.proc.wait_for(r"warn.*state bounds \(webhook\): dropped 50 ignored_targets")
    # 40 alerts of the allowed target, each with 40 labels and 40 annotations of 200 bytes.
    big = [alert(fingerprint="%016x" % (1000 + i),
                 **{"extra_%03d" % j: "v" * 200 for j in range(40)}) for i in range(40)]
    for a in big:
        a["annotations"].update({"note_%03d" % j: "n" * 200 for j in range(40)})
    status, answer = r.post(notification(*big))
    assert status == 200, answer
    stored = k.configmap()["data"]["state.json"]
    assert len(stored) < 512 * 1024, len(stored)
    doc = json.loads(stored)["targets"]["nvr/frigate"]
    assert len(doc["firing"]) == 30
    assert all(a["labels"]["remediate"] == "restart" for a in doc["firing"])
    assert r.metric("frigate_remediator_state_dropped_total", what="alert_labels") > 0
    # Everything still works: the next notification is stored and answered.
    status, answer = r.post(notification())
    assert status == 200, answer


def test_state_damaged_while_running_is_kept_and_holds_restarts(remediator, kube):
    k = kube()
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings())
    assert r.post(notification(alert(remediate=False)))[0] == 200  # creates the ConfigMap
    cm = k.configmap()
    cm["data"]["state.json"] = DAMAGED
    kube_api(k, "PUT", "/api/v1/namespaces/nvr/configmaps/frigate-health-state", cm)
    status, body = r.post(notification())
    assert status == 200, body
    assert [(d["outcome"], d["gate"]) for d in body["decisions"]] == [
        ("blocked", "circuit_breaker")], body
    line = r.proc.wait_for(r"CORRUPT OR UNREADABLE.*kept it in configmap "
                           r"nvr/(frigate-health-state-unreadable-\d+)")
    assert k.configmap(name=line.group(1))["data"]["state.json"] == DAMAGED
    assert "unreadable-state" in k.configmap()["data"]
    assert k.restarts() == []


def test_two_replicas_starting_on_an_unreadable_configmap_both_run_and_keep_it(remediator, kube):
    k = kube()
    kube_api(k, "POST", "/api/v1/namespaces/nvr/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "frigate-health-state", "namespace": "nvr"},
        "data": {"state.json": DAMAGED}})
    import threading
    started = []
    threads = [threading.Thread(target=lambda: started.append(
        remediator(CONSECUTIVE_FAILURES_REQUIRED=1, **k.settings()))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 2
    copies = [n for n in k.control("state")["configmaps"]
              if n.startswith("nvr/frigate-health-state-unreadable-")]
    assert copies, k.control("state")["configmaps"].keys()
    assert "unreadable-state" in k.configmap()["data"]
    for r in started:
        status, body = r.post(notification())
        assert [(d["outcome"], d["gate"]) for d in body["decisions"]] in (
            [("blocked", "circuit_breaker")], []), body
    assert k.restarts() == []
