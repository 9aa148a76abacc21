"""frigate-remediator's state under sharing and damage, against the real binary.

Proves: two remediator processes sharing one ConfigMap (and, separately, one state file) that both
receive the same notifications make exactly one restart; when the state store cannot be written
the webhook answers 503 (so Alertmanager sends again), /readyz answers 503 and nothing is
half-written; a corrupt state file is moved aside as <file>.corrupt-<time> with a loud error and
the program starts with fresh state.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_state.py
"""
import json
import os
import threading

from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)


def post_to_both(a, b, body):
    results = [None, None]

    def send(i, r):
        results[i] = r.post(body)

    threads = [threading.Thread(target=send, args=(i, r)) for i, r in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200, 200], results
    return [body for _, body in results]


def two_replicas_restart_once(a, b, restarts):
    # Two observations, each delivered to both replicas at the same moment (as an Alertmanager HA
    # pair does), far enough apart to count twice.
    post_to_both(a, b, notification())
    time.sleep(2.2)
    answers = post_to_both(a, b, notification())
    outcomes = sorted(d["outcome"] for ans in answers for d in ans["decisions"])
    assert outcomes.count("restart") == 1, answers
    wait_until(lambda: restarts() >= 1, timeout=20, what="the restart")
    time.sleep(2.5)  # time for a wrong second restart to show up
    assert restarts() == 1
    # And more notifications while both watch do not restart again (pending, then reset count).
    post_to_both(a, b, notification())
    time.sleep(0.5)
    assert restarts() == 1


def test_two_replicas_sharing_a_configmap_restart_once(remediator, kube):
    k = kube(rollout_seconds=1)
    settings = dict(k.settings(), OBSERVATION_INTERVAL_SECONDS=2, CONSECUTIVE_FAILURES_REQUIRED=2)
    a, b = remediator(**settings), remediator(**settings)
    two_replicas_restart_once(a, b, lambda: len(k.restarts()))
    stored = json.loads(next(iter(k.configmap()["data"].values())))
    assert len(stored["targets"]["nvr/frigate"]["restart_times"]) == 1


def test_two_replicas_sharing_a_state_file_restart_once(remediator, sim, tmp_path):
    s = sim()
    settings = dict(FRIGATE_URL=s.url, RESTART_ACTION="frigate-api",
                    OBSERVATION_INTERVAL_SECONDS=2, CONSECUTIVE_FAILURES_REQUIRED=2)
    a, b = remediator(**settings), remediator(**settings)
    assert a.env["FRIGATE_HC_STATE_FILE"] == b.env["FRIGATE_HC_STATE_FILE"]
    two_replicas_restart_once(a, b, s.restarts)
    stored = json.loads((tmp_path / "state" / "remediator-state.json").read_text())
    assert len(stored["targets"]["nvr/frigate"]["restart_times"]) == 1


def test_unwritable_state_file_gives_503_and_leaves_nothing_half_written(remediator, tmp_path):
    r = remediator(RESTART_ACTION="dry-run", CONSECUTIVE_FAILURES_REQUIRED=5)
    assert r.post(notification())[0] == 200
    state_dir = tmp_path / "state"
    before = {p.name: p.read_bytes() for p in state_dir.iterdir()}
    assert http_get(r.url + "/readyz")[0] == 200
    # Tests run as root, which ignores permissions: make the directory unreachable instead by
    # putting a regular file where it was.
    os.rename(state_dir, tmp_path / "state-away")
    state_dir.write_text("not a directory\n")
    status, body = r.post(notification())
    assert status == 503, body
    assert "state" in body["error"]
    status, _, text = http_get(r.url + "/readyz")
    assert status == 503 and "state" in text, text
    assert r.metric("frigate_remediator_webhooks_total", result="unavailable") == 1
    assert r.metric("frigate_remediator_state_writes_total", result="error") >= 1
    after = {p.name: p.read_bytes() for p in (tmp_path / "state-away").iterdir()}
    assert after == before, "the state was changed although the write failed"
    # Store back: Alertmanager's re-send is counted as the second observation.
    state_dir.unlink()
    os.rename(tmp_path / "state-away", state_dir)
    assert http_get(r.url + "/readyz")[0] == 200
    assert r.post(notification())[0] == 200
    assert r.target()["consecutive_failures"] == 2


def test_configmap_errors_give_503_and_readyz_503(remediator, kube):
    k = kube()
    r = remediator(CONSECUTIVE_FAILURES_REQUIRED=5, **k.settings())
    assert r.post(notification())[0] == 200
    before = k.configmap()
    k.control("errors", {"pattern": "/configmaps", "status": 500, "count": 1000})
    status, body = r.post(notification())
    assert status == 503, body
    assert http_get(r.url + "/readyz")[0] == 503
    assert k.configmap()["data"] == before["data"]
    assert k.configmap()["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_corrupt_state_file_is_moved_aside_and_the_program_starts_fresh(remediator, tmp_path):
    state = tmp_path / "state" / "remediator-state.json"
    state.parent.mkdir(exist_ok=True)
    state.write_text('{"schema":1,"targets":{"nvr/frigate":{"consecutive_failures":"many"')
    r = remediator(RESTART_ACTION="dry-run", CONSECUTIVE_FAILURES_REQUIRED=5)
    aside = list(state.parent.glob("remediator-state.json.corrupt-*"))
    assert len(aside) == 1, list(state.parent.iterdir())
    assert aside[0].name.split("corrupt-")[1].isdigit()
    assert aside[0].read_text().startswith('{"schema":1,"targets":{"nvr/frigate"')
    line = r.proc.wait_for(r"(?i)error.*corrupt").string
    assert aside[0].name in line, line
    assert r.state()["targets"] == {}
    assert r.post(notification())[0] == 200
    assert r.target()["consecutive_failures"] == 1
    assert json.loads(state.read_text())["targets"]["nvr/frigate"]["consecutive_failures"] == 1
