"""The whole loop, end to end: a fault in the simulated Frigate, the exporter's verdict, the
repository's rules in a real Prometheus, the repository's route in a real Alertmanager, the
remediator's gates, the restart (Frigate API, Kubernetes API double or Docker Engine API double) and
the mail (real SMTP).

Time is compressed by one factor (FHC_E2E_TIME_SCALE, default 30; see e2e_stack.Timing): every
wait below is a deadline derived from the compressed timings, polled, never a bare sleep.
"""
import datetime
import json
import time

from e2e_stack import http, parse_time, rule_for_seconds, wait_until

INCIDENT_MAILS = ("restarted", "restart_failed", "blocked", "recovered", "escalated")


def budget(t, alertname, extra=0.0):
    """Generous deadline for fault -> restart: the chain's worst case three times over."""
    chain = (t.scrape + t.evaluation + rule_for_seconds(alertname) / t.scale + t.group_wait +
             t.group_interval * t.consecutive + t.log_poll)
    return 3 * chain + 10 + extra


def restart_after(stack, since, timeout, what="a restart decision"):
    """The first restart decision taken after `since` (epoch s)."""
    return wait_until(lambda: next((d for d in stack.restarts()
                                    if parse_time(d["at"]) >= since - 0.01), None),
                      timeout, what)


def settle(stack, t, periods=3):
    """Lets a few Alertmanager repeats pass, so a second (wrong) restart would have shown."""
    time.sleep(periods * t.group_interval)


def verdicts(decision):
    return {v["gate"]: v["outcome"] for v in decision.get("verdicts", [])}


def test_slow_detector_restarts_once_recovers_and_closes_the_incident(loop, timing, record):
    t = timing
    s = loop()
    t_fault = s.fault("slow_inference", ms=250)
    d = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow"))
    record("slow detector", parse_time(d["at"]) - t_fault)
    before = [x for x in s.decisions() if parse_time(x["at"]) < parse_time(d["at"])]
    assert [x["outcome"] for x in before] == ["waiting"] * (t.consecutive - 1), before
    assert set(verdicts(d).values()) <= {"pass", "not_applicable"}, d
    # Frigate restarts, comes back healthy, the alert resolves and the incident closes.
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    wait_until(lambda: s.exporter_health().get("healthy") is True, 20, "Frigate healthy again")
    wait_until(lambda: s.target().get("incident", {}).get("open") is False, 30, "incident closed")
    mails = wait_until(lambda: (lambda m: m if len(m) >= 2 else None)(s.remediator_mails()),
                       30, "restarted and recovered mails")
    assert [m["outcome"] for m in mails] == ["restarted", "recovered"], mails
    assert "inference_slow" in mails[0]["subject"], mails[0]["subject"]
    body = mails[0]["body"]
    for text in ("Gate verdicts", "consecutive_failures", "startup_grace", "circuit_breaker",
                 "Next steps", "inference"):
        assert text in body, text
    assert mails[0]["incident"] == mails[1]["incident"] == s.target()["incident"]["id"]
    settle(s, t)
    assert s.frigate_restarts() == 1 and len(s.restarts()) == 1
    assert len(s.remediator_mails()) == 2


def test_stuck_detection_lines_restart(loop, timing, record):
    t = timing
    s = loop()
    t_fault = s.fault("stuck_lines", count=0, interval_seconds=0.3)
    d = restart_after(s, t_fault, budget(t, "FrigateDetectionStuck"))
    record("stuck-detection lines", parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    mail = wait_until(lambda: s.remediator_mails("restarted"), 30, "restarted mail")[0]
    assert "detection_stuck" in mail["subject"], mail["subject"]
    wait_until(lambda: s.target().get("incident", {}).get("open") is False, 90, "incident closed")
    assert s.frigate_restarts() == 1


def test_hung_detector_force_kill_without_new_detector_restarts(loop, timing, record):
    t = timing
    s = loop()
    t_fault = s.fault("force_kill_no_new_detector")
    # The exporter calls a force-kill "hung" only after DETECTOR_HUNG_SECONDS (scaled here) with
    # no new detector.
    d = restart_after(s, t_fault, budget(t, "FrigateDetectorHung", extra=t.detector_hung + 10))
    record("hung detector (includes the exporter's DETECTOR_HUNG_SECONDS)",
           parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    mail = wait_until(lambda: s.remediator_mails("restarted"), 30, "restarted mail")[0]
    assert "detector_hung" in mail["subject"], mail["subject"]


def test_edgetpu_missing_never_restarts_and_a_mail_says_a_person_must_act(loop, timing):
    t = timing
    s = loop()
    s.fault("edgetpu_missing")
    mail = wait_until(lambda: [m for m in s.alertmanager_mails()
                               if "FrigateEdgeTpuMissing" in m["subject"]],
                      budget(t, "FrigateEdgeTpuMissing"), "a mail about the missing Edge TPU")[0]
    assert "A restart will not help" in mail["body"]
    wait_until(lambda: any(a["alertname"] == "FrigateEdgeTpuMissing"
                           for a in s.target().get("diagnostics", [])), 20,
               "the remediator to keep the alert as a diagnostic")
    settle(s, t)
    assert s.frigate_restarts() == 0
    assert s.restarts() == []
    assert s.remediator_mails() == [], "no incident: nothing the remediator could do"


# frigate/record/maintainer.py v0.16.4, as the simulator's backlog_lines fault writes it
# (keep_count 6 of 9 segments), logger frigate.record.maintainer, level WARNING.
TOO_MANY_UNPROCESSED = ("Too many unprocessed recording segments in cache for cam1. This likely "
                        "indicates an issue with the detect stream, keeping the 6 most recent "
                        "segments out of 9 and discarding the rest...")


def s6_line(when, logger, level, message):
    stamp = when.strftime("%Y-%m-%d %H:%M:%S")
    return "%s.%09d  [%s] %-30s %-8s: %s" % (stamp, when.microsecond * 1000, stamp, logger,
                                            level, message)


def test_recording_backlog_repeating_through_0_16s_collapsed_log_restarts(loop, timing, record):
    """Issue 8: Frigate 0.16 /api/logs collapses the repeated warning into its first line plus
    "Last message repeated N times" stamped with the FIRST line's time. The pipeline got stuck two
    minutes ago, longer than the exporter's 1-minute log window: the warning keeps coming, so the
    verdict must hold and the restart must happen."""
    t = timing
    s = loop()  # Frigate 0.16
    now = datetime.datetime.now(datetime.timezone.utc)
    every = 10.0  # seconds between two warnings in real Frigate (one maintainer pass)
    back = [s6_line(now - datetime.timedelta(seconds=120 - every * i),
                    "frigate.record.maintainer", "WARNING", TOO_MANY_UNPROCESSED)
            for i in range(12)]
    status, body = http("POST", s.sim_control + "/_sim/log", {"lines": back})
    assert status == 200, body
    t_fault = s.fault("backlog_lines", camera="cam1", wording="too_many_unprocessed", count=0,
                      interval_seconds=every / t.scale)

    def collapsed():
        _, text = http("GET", s.sim_url + "/api/logs/frigate?start=-2")
        first, marker = json.loads(text)["lines"]
        return first[:29] == back[0][:29] and "Last message repeated" in marker and marker
    marker = wait_until(collapsed, 10, "the 0.16 log to collapse the warnings")
    assert marker.startswith(back[0][:29]), marker  # stamped with the first line's time

    d = restart_after(s, t_fault, budget(t, "FrigateRecordingBacklog"))
    record("recording backlog (0.16 collapsed log)", parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    mail = wait_until(lambda: s.remediator_mails("restarted"), 30, "restarted mail")[0]
    assert "recording_backlog" in mail["subject"], mail["subject"]
    # The restart cleared the stuck pipeline (the fault does not survive it): healthy again.
    wait_until(lambda: s.exporter_health().get("healthy") is True, 30, "Frigate healthy again")
    wait_until(lambda: s.target().get("incident", {}).get("open") is False, 90, "incident closed")
    assert s.frigate_restarts() == 1


def test_slow_recording_storage_notifies_and_never_restarts(loop, timing):
    """0.15+ "Unable to keep up with recording segments": storage too slow. A restart cannot
    make the disk faster, so a person is told and Frigate is left running."""
    t = timing
    s = loop()  # Frigate 0.16
    s.fault("backlog_lines", camera="cam1", wording="unable_to_keep_up", count=0,
            interval_seconds=10.0 / t.scale, persistent=True)
    mail = wait_until(lambda: [m for m in s.alertmanager_mails()
                               if "FrigateRecordingStorageSlow" in m["subject"]],
                      budget(t, "FrigateRecordingStorageSlow"),
                      "a mail about the slow recordings storage")[0]
    assert "A restart will not help" in mail["body"]
    assert s.exporter_health().get("failing") == ["recording_storage_slow"]
    wait_until(lambda: any(a["alertname"] == "FrigateRecordingStorageSlow"
                           for a in s.target().get("diagnostics", [])), 20,
               "the remediator to keep the alert as a diagnostic")
    settle(s, t)
    assert not s.firing("FrigateRecordingBacklog")
    assert s.frigate_restarts() == 0
    assert s.restarts() == []
    assert s.remediator_mails() == [], "no incident: nothing the remediator could do"
def test_disabled_cameras_stay_healthy_and_are_never_restarted(loop, timing):
    """Issue 8 item 4: three of five cameras have enabled: false in Frigate's config (no
    processes, camera_fps 0, pids null: a majority "dark" before the fix) and one is switched
    off at runtime (0.16: keeps its last fps); they are left out, named in /health, and nothing
    alerts, restarts or mails."""
    t = timing
    s = loop(cameras=5, frigate_args=("--disabled-cameras", "cam2,cam3,cam4"))
    status, body = http("POST", s.sim_control + "/_sim/camera",
                        {"camera": "cam5", "enabled": False})
    assert status == 200, body
    left_out = {"cam2": "disabled in config", "cam3": "disabled in config",
                "cam4": "disabled in config", "cam5": "switched off at runtime"}
    wait_until(lambda: s.exporter_health().get("cameras_left_out") == left_out, 30,
               "the exporter to name the cameras it leaves out")
    # Longer than FrigateNoFrames needs to fire: nothing fails, nothing even goes pending.
    deadline = time.time() + budget(t, "FrigateNoFrames")
    while time.time() < deadline:
        health = s.exporter_health()
        assert health.get("healthy") is True, health
        # Every alert about Frigate's health carries its reason (the exporter's and
        # remediator's own up-alerts may be pending while the stack starts).
        alerts = [a["labels"]["alertname"] for a in s.prom_alerts() if "reason" in a["labels"]]
        assert not alerts, alerts
        time.sleep(t.scrape)
    assert s.prom_value('frigate_unhealthy{reason="no_frames"}') == 0
    settle(s, t)
    assert s.frigate_restarts() == 0
    assert s.restarts() == []
    assert s.mails() == []


def test_cameras_offline_only_notify(loop, timing):
    t = timing
    s = loop()
    s.fault("cameras_offline")
    wait_until(lambda: [m for m in s.alertmanager_mails() if "FrigateNoFrames" in m["subject"]],
               budget(t, "FrigateNoFrames"), "a notification about cameras without frames")
    settle(s, t)
    assert s.frigate_restarts() == 0
    assert s.restarts() == []
    assert s.remediator_mails() == []


def test_node_not_ready_blocks_until_the_node_is_ready(loop, timing, record):
    t = timing
    s = loop(action="kubernetes")
    s.set_node_ready("False")
    t_fault = s.fault("slow_inference", ms=250)
    blocked = wait_until(lambda: [d for d in s.decisions() if d["outcome"] == "blocked"],
                         budget(t, "FrigateInferenceSlow"), "a blocked decision")[0]
    assert blocked["gate"] == "node_ready", blocked
    assert verdicts(blocked)["node_ready"] == "block"
    mail = wait_until(lambda: s.remediator_mails("blocked"), 30, "blocked mail")[0]
    assert "node_ready" in mail["body"] and "Ready=False" in mail["body"], mail["body"]
    settle(s, t, periods=2)
    assert s.restarts() == [] and s.frigate_restarts() == 0
    t_ready = time.time()
    s.set_node_ready("True", reason="KubeletReady")
    d = restart_after(s, t_ready, 6 * t.group_interval + 10)
    record("node NotReady: fault to restart (blocked until Ready)", parse_time(d["at"]) - t_fault)
    record("node NotReady: node Ready to restart", parse_time(d["at"]) - t_ready)
    assert verdicts(d)["node_ready"] == "pass"
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout + 10,
               "the rollout to restart Frigate")
    wait_until(lambda: s.remediator_mails("restarted"), 40, "restarted mail")
    assert len(s.remediator_mails("blocked")) == 1, "blocked is mailed once per incident and gate"


def test_just_started_frigate_is_left_alone_during_the_grace_period(loop, timing, record):
    t = timing
    s = loop(frigate_uptime=0)
    booted = time.time() - s.sim_state()["uptime"]
    t_fault = s.fault("slow_inference", ms=250)
    blocked = wait_until(lambda: [d for d in s.decisions() if d["outcome"] == "blocked"],
                         budget(t, "FrigateInferenceSlow"), "a blocked decision")[0]
    assert blocked["gate"] == "startup_grace", blocked
    assert s.frigate_restarts() == 0
    d = restart_after(s, t_fault, t.grace + budget(t, "FrigateInferenceSlow"))
    assert parse_time(d["at"]) - booted >= t.grace - 1, "restarted inside the grace period"
    assert verdicts(d)["startup_grace"] == "pass"
    record("just started: fault to restart (grace %ds)" % t.grace, parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")


def test_fault_that_survives_restarts_opens_the_circuit_and_restarts_resume(loop, timing, record):
    # The window is compressed further than the rest so the test does not wait two minutes.
    t = timing.with_(grace=1, circuit_window=24)
    s = loop(timing=t)
    t_fault = s.fault("slow_inference", ms=250, persistent=True)
    first = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow"))
    record("persistent fault: first restart", parse_time(first["at"]) - t_fault)
    wait_until(lambda: len(s.restarts()) >= t.max_restarts, 60, f"{t.max_restarts} restarts")
    blocked = wait_until(lambda: [d for d in s.decisions() if d["gate"] == "circuit_breaker"],
                         60, "the circuit breaker to block")[0]
    assert blocked["outcome"] == "blocked"
    assert len(s.restarts()) == t.max_restarts
    mail = wait_until(lambda: [m for m in s.remediator_mails("blocked")
                               if "circuit_breaker" in m["body"]], 30, "circuit mail")[0]
    assert "circuit breaker stops further restarts" in mail["body"]
    wait_until(lambda: s.prom_value("frigate_remediator_circuit_open") == 1, 20,
               "frigate_remediator_circuit_open = 1 in Prometheus")
    resumed = wait_until(lambda: (lambda r: r[t.max_restarts] if len(r) > t.max_restarts
                                  else None)(s.restarts()), t.circuit_window + 30,
                         "restarts to resume after the window")
    assert parse_time(resumed["at"]) - parse_time(first["at"]) >= t.circuit_window - 0.5
    record("persistent fault: circuit open to resumed restart",
           parse_time(resumed["at"]) - parse_time(blocked["at"]))


def test_fault_that_restarts_do_not_fix_escalates_after_the_set_number_and_stops(loop, timing,
                                                                                record):
    # Escalation after 2 restarts (the shipped default is 3, which needs a circuit window to pass
    # first at MAX_RESTARTS_PER_HOUR=2); the window is compressed further so that the wait for
    # restarts that must NOT resume stays short.
    t = timing.with_(grace=1, circuit_window=24, escalate_after=2)
    s = loop(timing=t)
    t_fault = s.fault("slow_inference", ms=250, persistent=True)
    first = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow"))
    record("unfixable fault: first restart", parse_time(first["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() >= 2, 120, "a second restart")
    escalated = wait_until(lambda: [d for d in s.decisions()
                                    if d.get("detail", "").startswith("escalated")], 120,
                           "the escalation")[0]
    record("unfixable fault: fault to escalation", parse_time(escalated["at"]) - t_fault)
    assert escalated["outcome"] == "blocked" and escalated["gate"] == "circuit_breaker", escalated
    assert "2 restart(s) in this incident" in escalated["detail"], escalated
    assert escalated["incident_id"] == first["incident_id"], "both restarts in one incident"
    mail = wait_until(lambda: s.remediator_mails("escalated"), 30, "the escalated mail")[0]
    assert "restarts are not helping" in mail["subject"], mail["subject"]
    for text in ("will NOT restart it again", "Restarts in this incident:", "inference"):
        assert text in mail["body"], text
    # Every restart was mailed.
    assert len(s.remediator_mails("restarted")) == 2, [m["subject"] for m in s.mails()]
    wait_until(lambda: s.prom_value("frigate_remediator_circuit_open") == 1, 20,
               "frigate_remediator_circuit_open = 1 in Prometheus")
    # Past the circuit window the hourly limit would let restarts resume: escalation does not.
    time.sleep(t.circuit_window + 3 * t.group_interval)
    assert s.frigate_restarts() == 2
    assert len(s.remediator_mails("escalated")) == 1
    assert s.target()["incident"]["open"] is True


def test_two_clustered_alertmanagers_cause_exactly_one_restart(loop, timing, record):
    t = timing
    s = loop(alertmanagers=2)
    t_fault = s.fault("slow_inference", ms=250)
    d = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow"))
    record("two Alertmanagers", parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    wait_until(lambda: s.target().get("incident", {}).get("open") is False, 30, "incident closed")
    settle(s, t)
    assert s.frigate_restarts() == 1 and len(s.restarts()) == 1
    assert len(s.remediator_mails("restarted")) == 1


def test_remediator_killed_mid_incident_carries_on_from_its_state(loop, timing, record):
    t = timing.with_(consecutive=3)
    s = loop(timing=t)
    t_fault = s.fault("slow_inference", ms=250)
    wait_until(lambda: s.target().get("consecutive_failures", 0) >= 1,
               budget(t, "FrigateInferenceSlow"), "the first observation")
    s.kill_remediator()
    s.start_remediator()
    after = s.target()
    assert after.get("consecutive_failures", 0) >= 1, "the count survived the kill"
    assert after["incident"]["open"] is True
    d = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow", extra=10))
    record("remediator killed after the first observation", parse_time(d["at"]) - t_fault)
    waiting = [x for x in s.decisions() if x["outcome"] == "waiting"]
    assert len(waiting) == t.consecutive - 1, "observations before the kill still counted"
    assert all(x["incident_id"] == d["incident_id"] for x in waiting), "same incident"
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    wait_until(lambda: s.remediator_mails("restarted"), 30, "restarted mail")
    settle(s, t)
    assert s.frigate_restarts() == 1 and len(s.restarts()) == 1


def test_smtp_down_during_the_restart_mail_arrives_when_it_is_back(loop, timing, record):
    t = timing
    s = loop()
    s.stop_smtp()
    t_fault = s.fault("slow_inference", ms=250)
    d = restart_after(s, t_fault, budget(t, "FrigateInferenceSlow"))
    record("SMTP down", parse_time(d["at"]) - t_fault)
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted")
    wait_until(lambda: any(m.get("attempts", 0) >= 1 for m in s.state().get("outbox", [])),
               30, "a failed send waiting in the outbox")
    assert s.mails() == []
    s.start_smtp()
    mails = wait_until(lambda: s.remediator_mails("restarted"), 3 * t.mail_retry + 15,
                       "the mail once SMTP is back")
    assert len(mails) == 1
    wait_until(lambda: s.state().get("outbox") == [], 30, "an empty outbox")


def test_fault_that_clears_before_the_threshold_never_restarts(loop, timing):
    t = timing.with_(consecutive=3)
    s = loop(timing=t)
    s.fault("slow_inference", ms=250)
    wait_until(lambda: s.target().get("consecutive_failures", 0) >= 1,
               budget(t, "FrigateInferenceSlow"), "the first observation")
    s.clear("slow_inference")
    wait_until(lambda: (lambda tg: tg.get("consecutive_failures") == 0 and
                        tg.get("incident", {}).get("open") is False)(s.target()),
               30, "the count to reset and the incident to close")
    settle(s, t)
    assert s.restarts() == [] and s.frigate_restarts() == 0
    assert s.remediator_mails() == [], "an incident nobody was told about ends silently"


def test_resolved_then_firing_again_is_a_new_incident_with_its_own_mail(loop, timing, record):
    # A fault back within INCIDENT_REOPEN_SECONDS of a restart continues its incident (see the
    # escalation scenario); here the window is 1 s so the second fault is a fault of its own.
    t = timing.with_(grace=1, incident_reopen=1)
    s = loop(timing=t)
    t1 = s.fault("slow_inference", ms=250)
    d1 = restart_after(s, t1, budget(t, "FrigateInferenceSlow"))
    record("first incident", parse_time(d1["at"]) - t1)
    wait_until(lambda: s.remediator_mails("recovered"), 40, "the first incident to recover")
    t2 = s.fault("slow_inference", ms=300)
    d2 = restart_after(s, t2, budget(t, "FrigateInferenceSlow"))
    record("second incident", parse_time(d2["at"]) - t2)
    assert d2["incident_id"] != d1["incident_id"]
    mails = wait_until(lambda: (lambda m: m if len(m) == 2 else None)(
        s.remediator_mails("restarted")), 40, "a second restarted mail")
    assert mails[0]["incident"] == d1["incident_id"]
    assert mails[1]["incident"] == d2["incident_id"]
    wait_until(lambda: s.frigate_restarts() == 2, t.recovery_timeout, "Frigate restarted twice")


# -- the official Frigate chart in Kubernetes (issue 9) ------------------------------------------
# The API double serves the official chart's pods (app.kubernetes.io/name / instance labels, a
# readiness probe) with a codeserver sidecar whose status the kubelet lists first.


def test_hung_frigate_failing_its_readiness_probe_is_restarted_once(loop, timing, record):
    """Frigate's API stops answering, so the chart's readiness probe (GET / on port http) fails:
    the pod is NotReady and the Deployment has no available replica. That is no rollout, and one
    restart clears it."""
    t = timing
    s = loop(action="kubernetes")
    t_fault = s.fault("api_down")
    s.kubelet(ready=False)
    dep = s.kube_state()["deployments"]["nvr/frigate"]
    assert "availableReplicas" not in dep["status"], dep["status"]
    assert {c["type"]: c["reason"] for c in dep["status"]["conditions"]}["Progressing"] == \
        "NewReplicaSetAvailable"
    d = restart_after(s, t_fault, budget(t, "FrigateApiUnresponsive"))
    record("hung Frigate, readiness probe failing: fault to restart", parse_time(d["at"]) - t_fault)
    assert verdicts(d)["rollout_sanity"] == "pass", d
    assert verdicts(d)["crash_loop"] == "pass", d
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "the rollout to restart Frigate")
    wait_until(lambda: s.target().get("incident", {}).get("open") is False, 60, "incident closed")
    settle(s, t)
    assert s.frigate_restarts() == 1 and len(s.restarts()) == 1
    assert len(s.kube_patches()) == 1
    mail = wait_until(lambda: s.remediator_mails("restarted"), 30, "restarted mail")[0]
    assert "container: frigate" in mail["body"], mail["body"]


def test_sidecar_pod_whose_frigate_container_just_restarted_is_left_alone(loop, timing, record):
    """The kubelet restarted Frigate's container a moment ago; the codeserver sidecar beside it
    has been up for an hour and comes first in the pod's container statuses. Frigate's own start
    counts: the restart waits out the grace period."""
    t = timing.with_(grace=3600)  # the grace period outlasts the whole test
    s = loop(action="kubernetes", timing=t)
    # The kubelet's restart of the Frigate container: Frigate itself starts afresh.
    http_restart = s.sim_restart()
    assert http_restart
    pod = s.kubelet(restart=True, started_seconds_ago=0, ready=True)
    statuses = pod["status"]["containerStatuses"]
    assert [c["name"] for c in statuses] == ["codeserver", "frigate"]
    t_fault = s.fault("slow_inference", ms=250)
    blocked = wait_until(lambda: [d for d in s.decisions() if d["outcome"] == "blocked"],
                         budget(t, "FrigateInferenceSlow"), "a blocked decision")[0]
    record("sidecar pod, Frigate just restarted: fault to blocked decision",
           parse_time(blocked["at"]) - t_fault)
    assert blocked["gate"] == "startup_grace", blocked
    reason = next(v["reason"] for v in blocked["verdicts"] if v["gate"] == "startup_grace")
    assert "(from container frigate)" in reason, reason
    settle(s, t, periods=3)
    assert s.restarts() == [] and s.frigate_restarts() == 1  # the kubelet's restart only
    assert s.kube_patches() == []
    mail = wait_until(lambda: s.remediator_mails("blocked"), 30, "blocked mail")[0]
    assert "Blocked by startup_grace" in mail["body"] and "retries by itself" in mail["body"]
# The compressed stack scrapes with a timeout of a fraction of a second: the exporter must give up
# on a hanging Frigate sooner than that to report api_unresponsive within the scrape.
HANG_FAST = {"FRIGATE_HC_API_TIMEOUT_SECONDS": "0.3"}


def test_docker_api_hang_restarts_the_container_once_through_the_engine_api(loop, timing, record):
    # Compose users: Frigate's API hangs, two observations, one POST .../restart through the
    # Docker Engine API (double; Frigate restarts with its container), the mail, recovery.
    t = timing
    s = loop(action="docker", exporter_env=HANG_FAST)
    t_fault = s.fault("api_slow", seconds=30)
    d = restart_after(s, t_fault, budget(t, "FrigateApiUnresponsive"))
    record("api hang, docker", parse_time(d["at"]) - t_fault)
    v = verdicts(d)
    assert v["startup_grace"] == "pass" and v["node_ready"] == "not_applicable", d
    wait_until(lambda: len(s.docker_restarts()) == 1, t.recovery_timeout, "container restarted")
    [post] = s.docker_restarts()
    assert post["path"] == "/v1.41/containers/frigate/restart", post
    wait_until(lambda: s.frigate_restarts() == 1, t.recovery_timeout, "Frigate restarted with it")
    wait_until(lambda: s.exporter_health().get("healthy") is True, 30, "Frigate healthy again")
    mails = wait_until(lambda: (lambda m: m if len(m) >= 2 else None)(s.remediator_mails()),
                       30, "restarted and recovered mails")
    assert [m["outcome"] for m in mails] == ["restarted", "recovered"], mails
    assert "api_unresponsive" in mails[0]["subject"], mails[0]["subject"]
    settle(s, t)
    assert len(s.docker_restarts()) == 1 and len(s.restarts()) == 1


def test_docker_container_already_restarting_is_left_alone(loop, timing):
    t = timing
    s = loop(action="docker", exporter_env=HANG_FAST)
    s.docker_control_call("container", {"status": "restarting", "restart_count": 3})
    t_fault = s.fault("api_slow", seconds=30)
    blocked = wait_until(
        lambda: next((x for x in s.decisions() if x.get("outcome") == "blocked"
                      and parse_time(x["at"]) >= t_fault), None),
        budget(t, "FrigateApiUnresponsive"), "a blocked decision")
    assert blocked["gate"] == "startup_grace", blocked
    reason = next(v["reason"] for v in blocked["verdicts"] if v["gate"] == "startup_grace")
    assert "being restarted by Docker's restart policy (RestartCount 3)" in reason, reason
    settle(s, t)
    assert s.docker_restarts() == [] and s.restarts() == []
    assert s.frigate_restarts() == 0
