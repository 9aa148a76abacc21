"""frigate-remediator with RESTART_ACTION=docker against the Docker Engine API double
(tests/doubles/docker_api_double.py, itself checked with the real docker CLI), over its Unix socket.

Proves: two observations lead to exactly one `POST /v1.41/containers/frigate/restart?t=N`, watched
until the container runs again and Frigate in it answers with a fresh uptime (a Frigate that did
not restart keeps the recovery from succeeding); a container Docker itself is restarting, or one that is paused, is
left alone by the startup grace gate with the reason in the decision (fail closed); the daemon's
409 reaches the log and the restart-failed mail plainly; through a docker-socket-proxy with
CONTAINERS=1,POST=1 it works, with POST=0 the proxy's 403 is reported; a missing socket refuses the
start with exit 2.
Run: FHC_BUILD_DIR=build/<dir> /usr/bin/python3 -m pytest -q tests/integration/test_remediator_docker.py
"""
import subprocess
import time

from docker_testlib import docker_double  # noqa: F401  (fixture)
from fhc_testlib import REMEDIATOR, require_binary
from remediator_fixtures import *  # noqa: F401,F403 (fixtures by name)


def restarted(r):
    return r.metric("frigate_remediator_restarts_total", result="ok")


def docker_restarts(d):
    return [q for q in d.requests() if q["method"] == "POST"]


def frigate_in_container(sim, docker_double, *extra):
    """A Frigate simulator that goes down and up with the double's container."""
    s = sim(start_uptime=3600, downtime=1)
    d = docker_double("--frigate-sim-control", s.control, *extra)
    return s, d


def test_two_observations_restart_the_container_once(remediator, docker_double, sim):
    s, d = frigate_in_container(sim, docker_double, "--restart-seconds", "0.3")
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock, FRIGATE_URL=s.url,
                   DOCKER_STOP_TIMEOUT_SECONDS="12", STARTUP_GRACE_PERIOD_SECONDS="60")
    status, body = r.post(notification())
    assert status == 200 and body["decisions"][0]["outcome"] == "waiting", body
    assert docker_restarts(d) == []
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: restarted(r) == 1, timeout=20, what="restart done")
    assert s.state()["restart_count"] == 1  # Frigate restarted with its container
    [post] = docker_restarts(d)
    assert post["path"] == "/v1.41/containers/frigate/restart" and post["query"] == "t=12"
    assert len(d.state()["_restarts"]) == 1
    dec = last_decision(r.target())
    assert verdict(dec, "startup_grace")["outcome"] == "pass"
    assert "from container" in verdict(dec, "startup_grace")["reason"]
    assert verdict(dec, "node_ready")["outcome"] == "not_applicable"
    assert verdict(dec, "rollout_sanity")["outcome"] == "not_applicable"
    # Never a list of containers, never another one.
    assert not any(q["path"].endswith("/containers/json") for q in d.requests())
    r.proc.wait_for(r"restart of nvr/frigate done")


def test_a_container_docker_is_restarting_is_left_alone(remediator, docker_double):
    d = docker_double()
    d.container(status="restarting", restart_count=5)
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60")
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "blocked",
                                    "gate": "startup_grace"}, body
    reason = verdict(last_decision(r.target()), "startup_grace")["reason"]
    assert "being restarted by Docker's restart policy (RestartCount 5)" in reason, reason
    assert "fail closed" in reason
    d.container(status="paused")
    r.post(notification(alert(fingerprint="aaaabbbbccccdddd")))
    reason = verdict(last_decision(r.target()), "startup_grace")["reason"]
    assert "paused" in reason, reason
    assert docker_restarts(d) == []


def test_a_container_docker_restarted_since_the_previous_observation_is_left_alone(
        remediator, docker_double):
    """RestartCount rose between two observations (Docker's restart policy restarted Frigate in
    between, and it runs again): left alone, the reason says so. The first observation asks for
    no facts (the consecutive-failures gate blocks it) yet gives the baseline."""
    d = docker_double()
    d.container(started_at=time.time() - 3600, restart_count=2)
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock,
                   CONSECUTIVE_FAILURES_REQUIRED="2", STARTUP_GRACE_PERIOD_SECONDS="60")
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "waiting", body
    # Docker restarted it meanwhile; a grace period shorter than the gap between observations
    # would let the new start pass: the count is what tells.
    d.container(started_at=time.time() - 120, restart_count=3)
    status, body = r.post(notification())
    assert body["decisions"][0] == {"target": "nvr/frigate", "outcome": "blocked",
                                    "gate": "startup_grace"}, body
    reason = verdict(last_decision(r.target()), "startup_grace")["reason"]
    assert "was restarted by Docker's restart policy since the previous observation " \
           "(RestartCount 2 -> 3)" in reason, reason
    # Steady again: the next observation restarts.
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: docker_restarts(d), timeout=20, what="the restart")


def test_a_refused_restart_is_reported_plainly(remediator, docker_double):
    d = docker_double()
    d.error("/restart$", 409, "Cannot restart container frigate: container is marked for removal",
            method="POST")
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60")
    r.post(notification())
    wait_until(lambda: r.metric("frigate_remediator_restarts_total", result="failed") == 1,
               timeout=20, what="failed restart counted")
    r.proc.wait_for(r"409 Cannot restart container frigate: container is marked for removal")


def test_missing_socket_refuses_to_start(tmp_path):
    sock = tmp_path / "none.sock"
    res = subprocess.run([str(require_binary(REMEDIATOR))], capture_output=True, text=True,
                         timeout=10,
                         env={"FRIGATE_HC_RESTART_ACTION": "docker",
                              "FRIGATE_HC_DOCKER_HOST": "unix://%s" % sock,
                              "FRIGATE_HC_STATE_FILE": str(tmp_path / "state.json"),
                              "FRIGATE_HC_WEBHOOK_AUTH": "none",
                              "FRIGATE_HC_LISTEN": "127.0.0.1:0"})
    assert res.returncode == 2, res.stderr
    assert "no socket at %s" % sock in res.stderr
    assert "FRIGATE_HC_DOCKER_HOST" in res.stderr


def test_through_a_socket_proxy_that_allows_container_calls(remediator, docker_double, sim):
    # docker-socket-proxy: inspect needs CONTAINERS=1, the restart POST=1 as well.
    s, d = frigate_in_container(sim, docker_double, "--socket-proxy", "CONTAINERS=1,POST=1",
                                "--restart-seconds", "0.2")
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="tcp://" + d.tcp, FRIGATE_URL=s.url,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60")
    status, body = r.post(notification())
    assert body["decisions"][0]["outcome"] == "restart", body
    wait_until(lambda: restarted(r) == 1, timeout=20, what="restart done")
    assert not [q for q in d.requests() if q.get("denied_by_proxy")]


def test_a_read_only_socket_proxy_refuses_the_restart_and_says_so(remediator, docker_double):
    d = docker_double("--socket-proxy", "CONTAINERS=1")
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="tcp://" + d.tcp,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60")
    r.post(notification())
    r.proc.wait_for(r"docker restart frigate: 403 403 Forbidden Request forbidden by "
                    r"administrative rules\.")
    [denied] = [q for q in d.requests() if q.get("denied_by_proxy")]
    assert denied["method"] == "POST" and denied["path"].endswith("/containers/frigate/restart")
    assert d.state()["_restarts"] == []


def test_the_daemons_refusal_is_in_the_restart_failed_mail(remediator, docker_double, smtp):
    d = docker_double()
    d.error("/restart$", 409, "Cannot restart container frigate: container is marked for removal",
            method="POST")
    m = smtp()
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60",
                   **m.settings())
    r.post(notification())
    wait_until(lambda: m.mails(), timeout=20, what="a mail")
    mail = m.mails()[0]
    assert "X-Frigate-Remediator-Outcome: restart_failed" in mail["raw"], mail["raw"][:800]
    assert ("docker restart frigate: 409 Cannot restart container frigate: container is marked "
            "for removal") in mail["body"], mail["body"]


def test_dry_run_judges_with_the_containers_facts_and_never_restarts(remediator, docker_double):
    d = docker_double()
    d.container(status="paused")
    r = remediator(RESTART_ACTION="docker", DRY_RUN="true", DOCKER_HOST="unix://" + d.sock,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60")
    status, body = r.post(notification())
    assert body["decisions"][0]["gate"] == "startup_grace", body
    assert "paused" in verdict(last_decision(r.target()), "startup_grace")["reason"]
    d.container(status="running")
    r.post(notification(alert(fingerprint="aaaabbbbccccdddd")))
    wait_until(lambda: last_decision(r.target())["outcome"] == "restart",
               timeout=10, what="a dry-run decision")
    r.proc.wait_for(r"dry run: would restart nvr/frigate with action docker")
    assert docker_restarts(d) == []


def test_recovery_needs_frigates_fresh_uptime_too(remediator, docker_double, sim):
    # A Frigate that does not restart with the container (it is not in it): the container's new
    # StartedAt alone is not recovery; Frigate's old uptime keeps it in progress, then failed.
    s = sim(start_uptime=3600, downtime=1)
    d = docker_double("--restart-seconds", "0.2")
    r = remediator(RESTART_ACTION="docker", DOCKER_HOST="unix://" + d.sock, FRIGATE_URL=s.url,
                   CONSECUTIVE_FAILURES_REQUIRED="1", STARTUP_GRACE_PERIOD_SECONDS="60",
                   RECOVERY_TIMEOUT_SECONDS="4")
    r.post(notification())
    wait_until(lambda: len(d.state()["_restarts"]) == 1, timeout=10, what="container restarted")
    wait_until(lambda: r.metric("frigate_remediator_restarts_total", result="failed") == 1,
               timeout=20, what="recovery timed out")
    assert restarted(r) in (None, 0)
