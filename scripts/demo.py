#!/usr/bin/python3
"""The demo: scenario 1 of tests/e2e (a slow detector) at a human pace, with a printed timeline.

Starts on 127.0.0.1 the Frigate simulator, frigate-exporter, frigate-remediator, a real
Prometheus and Alertmanager (the repository's rules and route, time compressed) and an SMTP
server, injects a slow detector, and prints each step as it happens: fault injected, metric
changed, alert firing, webhook received, each gate's verdict, restart, mail, recovery. Then it
keeps everything running so the pages can be looked at, until Ctrl-C stops every process.

With --docker the remediator restarts Frigate as Docker Compose users run it: RESTART_ACTION=docker
against the Docker Engine API double (tests/doubles/docker_api_double.py) on a Unix socket, whose
container `frigate` holds the simulator (restarting the container restarts the simulator), as
tests/e2e does with Options(action="docker"). Without it: Frigate's own POST /api/restart.

Usage: scripts/demo.sh [--fast] [--scale N] [--exit-after-recovery] [--docker]
  (scripts/demo.sh installs and builds first; this script uses build/default's programs.)
"""
import argparse
import os
import pathlib
import signal
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import e2e_stack as e2e  # noqa: E402

PORTS = {"prometheus": 9090, "alertmanager": 9093, "exporter": 9711, "remediator": 9712,
         "frigate": 5000, "frigate_control": 5001, "smtp": 2525}


class Timeline:
    def __init__(self):
        self.t0 = time.time()
        self.lock = threading.Lock()

    def __call__(self, what, detail=""):
        with self.lock:
            print(f"[{time.time() - self.t0:6.1f}s] {what:<18} {detail}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=None,
                    help="time compression of the shipped timings (default 2: the ~2.5 min "
                         "fault-to-restart of the defaults takes about a minute, the whole "
                         "story about two)")
    ap.add_argument("--fast", action="store_true", help="compress 30x (a quick check)")
    ap.add_argument("--exit-after-recovery", action="store_true",
                    help="stop everything after the story instead of waiting for Ctrl-C")
    ap.add_argument("--docker", action="store_true",
                    help="restart through the Docker Engine API (RESTART_ACTION=docker, the "
                         "Engine API double in front of the simulator) instead of Frigate's "
                         "POST /api/restart")
    args = ap.parse_args()
    scale = args.scale or (30.0 if args.fast else 2.0)
    if scale < 1:
        ap.error("--scale must be >= 1")
    timing = e2e.Timing.scaled(scale)
    # build/default (scripts/demo.sh builds it); FHC_BUILD_DIR points elsewhere, as in the tests.
    bin_dir = pathlib.Path(os.environ.get("FHC_BUILD_DIR") or ROOT / "build" / "default")
    work = pathlib.Path(tempfile.mkdtemp(prefix="frigate-health-demo-"))
    say = Timeline()
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    signal.signal(signal.SIGTERM, lambda *a: stop.set())

    action = "docker" if args.docker else "frigate-api"
    say("starting", f"time compressed {scale:g}x; restart action {action}; work directory {work}")
    stack = e2e.Stack(work, e2e.Options(timing=timing, ports=PORTS, bin_dir=bin_dir, action=action),
                      on_event=say)
    try:
        stack.start()
        print(f"""
  Prometheus        {stack.prometheus_url}/alerts
  Alertmanager      {stack.alertmanager_urls[0]}
  remediator status {stack.remediator_url}/   (JSON: {stack.remediator_url}/api/v1/state)
  exporter          {stack.exporter_url}/metrics   (verdict: {stack.exporter_url}/health)
  Frigate (sim)     {stack.sim_url}/api/stats
  mail              {stack.maildir}  (SMTP on 127.0.0.1:{stack.smtp_port})""" + (f"""
  Docker API (double) unix://{stack.docker_sock}   (docker -H unix://{stack.docker_sock} inspect frigate)"""
                if stack.docker_sock else "") + "\n", flush=True)
        story(stack, timing, say, stop)
        if not args.exit_after_recovery and not stop.is_set():
            say("running", "pages stay up; Ctrl-C stops everything")
            stop.wait()
    finally:
        say("stopping", "every process by its own id")
        stack.stop()
        say("stopped")
    return 0


def story(stack, t, say, stop):
    def wait(pred, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if stop.is_set():
                raise SystemExit(130)
            v = pred()
            if v:
                return v
            time.sleep(0.1)
        raise SystemExit(f"demo: timed out waiting for {what}")

    say("healthy", "exporter: frigate_healthy 1; no alert")
    t_fault = stack.fault("slow_inference", ms=250)
    say("fault injected", "the simulated Coral now takes 250 ms per inference "
        "(INFERENCE_THRESHOLD_MS 100)")
    wait(lambda: stack.prom_value('frigate_unhealthy{reason="inference_slow"}') == 1, 120,
         "the metric")
    say("metric changed", 'Prometheus scraped frigate_unhealthy{reason="inference_slow"} 1')
    wait(lambda: any(a["labels"].get("alertname") == "FrigateInferenceSlow"
                     for a in stack.prom_alerts()), 120, "pending alert")
    say("alert pending", f"FrigateInferenceSlow, for: {t.for_('1m'):.0f}s")
    wait(lambda: stack.firing("FrigateInferenceSlow"), 300, "firing alert")
    say("alert firing", "Prometheus sends it to Alertmanager "
        f"(group_wait {t.group_wait:.1f}s, repeat every {t.group_interval:.1f}s)")
    seen = 0
    restart = None
    while restart is None:
        ds = wait(lambda: (lambda d: d if len(d) > seen else None)(stack.decisions()), 300,
                  "a webhook")
        for d in ds[seen:]:
            if d["outcome"] in ("waiting", "blocked", "restart"):
                say("webhook received", f"observation counted; decision: {d['outcome']}"
                    + (f" by {d['gate']}" if d.get("gate") else ""))
                for v in d.get("verdicts", []):
                    say("  gate", f"{v['gate']}: {v['outcome']} - {v['reason']}")
            if d["outcome"] == "restart":
                restart = d
        seen = len(ds)
    say("restart", f"{restart['detail']} ({e2e.parse_time(restart['at']) - t_fault:.1f}s "
        f"after the fault, {(e2e.parse_time(restart['at']) - t_fault) * t.scale:.0f}s "
        "at the shipped timings)")
    wait(lambda: stack.frigate_restarts() >= 1, 120, "Frigate to restart")
    if stack.docker_sock:
        [post] = stack.docker_restarts()
        say("frigate restarted", f"POST {post['path']}?{post['query']} to the Docker Engine API; "
            "the container stopped and started, Frigate's API came back")
    else:
        say("frigate restarted", "POST /api/restart; the API went down and came back")
    mail = wait(lambda: stack.remediator_mails("restarted"), 120, "the mail")[0]
    say("mail sent", mail["subject"])
    for line in mail["body"].splitlines()[:24]:
        print("      | " + line, flush=True)
    print("      | ...", flush=True)
    wait(lambda: stack.exporter_health().get("healthy") is True, 120, "recovery")
    say("recovered", "exporter: Frigate healthy again")
    wait(lambda: stack.target().get("incident", {}).get("open") is False, 300, "incident closed")
    say("incident closed", "Alertmanager sent the resolved notification")
    mail = wait(lambda: stack.remediator_mails("recovered"), 120, "the recovered mail")[0]
    say("mail sent", mail["subject"])


if __name__ == "__main__":
    sys.exit(main())
