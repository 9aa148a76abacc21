#!/usr/bin/env python3
"""Writes grafana/frigate-health-dashboard.json from the tables below.

    scripts/make-dashboard.py           # rewrite the dashboard
    scripts/make-dashboard.py --check   # exit 1 when the committed file is not what this writes

Then run scripts/sync-chart-files.sh (the chart carries a copy).
tests/stack/test_dashboard_queries.py fails when the JSON is not this script's output, and runs
every query against a real Prometheus.

The dashboard is data: variables, links, and rows of panels. A panel is one line of a table with
its queries; the layout (ids, grid positions, field defaults) is computed here, so panels stay
uniform. Health reasons need no edit: one panel per reason is repeated over
label_values(frigate_unhealthy, reason), so reasons the exporter adds appear by themselves.
Target: Grafana 10.4 / 11 (schemaVersion 39), datasource as the variable ${datasource}.
"""
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
OUT = REPO / "grafana" / "frigate-health-dashboard.json"
DS = {"type": "prometheus", "uid": "${datasource}"}

# Label selectors. The exporter names its Frigate with constant labels (TARGET_LABELS=true) that
# cannot collide with a scrape's own namespace label. The remediator labels its per-target series
# with the target's namespace/deployment; the chart's ServiceMonitor copies them into
# frigate_namespace/frigate_deployment (the scrape's namespace wins over the remediator's), so one
# selector serves both. Without target labels (the Compose example) the variables offer All
# alone, whose ".*" also matches a missing label. `deployment` is the target's everywhere (no
# scrape sets it), so remediator legends use it.
EXP = 'frigate_namespace=~"$namespace",frigate_deployment=~"$deployment"'
REM = EXP
CAM = EXP + ',camera_name=~"$camera"'
JOBS = 'job=~".*frigate-(exporter|remediator).*"'  # the job names the alert rules match
OK_RESULT = ',result="ok"'
ONE_REASON = ',reason=~"$reason"'


def exp(metric, extra=""):
    return f"{metric}{{{EXP}{extra}}}"


def rem(metric, extra=""):
    return f"{metric}{{{REM}{extra}}}"


def cam(metric):
    return f"{metric}{{{CAM}}}"


# ------------------------------------------------------------------------------------------------
# Variables. Thresholds mirror the programs' settings (defaults below are the settings' defaults;
# test_dashboard_queries.py checks them against --help). They are hidden text boxes: set them in
# Dashboard settings > Variables, or with ?var-NAME=VALUE in the URL, to match your settings.

LINK_VARIABLES = [
    # name, label, default, what it is
    ("remediator_url", "Remediator URL", "http://localhost:9712",
     "frigate-remediator's status page as your browser reaches it"),
    ("frigate_url", "Frigate URL", "https://localhost:8971", "Frigate's web UI"),
    ("runbook_url", "Runbook base URL",
     "https://github.com/frigate-health/frigate-health/blob/main/README.md",
     "the document holding the runbooks (the alerts' runbook_url without its #anchor)"),
]

THRESHOLD_VARIABLES = [
    # name, setting, program, default
    ("inference_threshold_ms", "INFERENCE_THRESHOLD_MS", "exporter", "100"),
    ("stuck_detection_threshold", "STUCK_DETECTION_THRESHOLD", "exporter", "2"),
    ("backlog_threshold", "BACKLOG_THRESHOLD", "exporter", "5"),
    ("skip_ratio_threshold", "SKIP_RATIO_THRESHOLD", "exporter", "0.8"),
    ("consecutive_failures_required", "CONSECUTIVE_FAILURES_REQUIRED", "remediator", "2"),
    ("max_restarts_per_hour", "MAX_RESTARTS_PER_HOUR", "remediator", "2"),
]

QUERY_VARIABLES = [
    # name, label, label_values() argument
    ("namespace", "Namespace", "frigate_up, frigate_namespace"),
    ("deployment", "Deployment", 'frigate_up{frigate_namespace=~"$namespace"}, frigate_deployment'),
    ("camera", "Camera", f"frigate_camera_fps{{{EXP}}}, camera_name"),
    ("reason", "Reason", f"frigate_unhealthy{{{EXP}}}, reason"),
]

LINKS = [
    # title, url, tooltip, icon
    ("Remediator status", "${remediator_url}/",
     "frigate-remediator: targets, open incidents, recent decisions with every gate's verdict "
     "(variable remediator_url)", "info"),
    ("Frigate", "${frigate_url}", "Frigate's web UI (variable frigate_url)", "external link"),
    ("Runbooks", "${runbook_url}#alerts-and-runbooks",
     "What each alert means and what to do (variable runbook_url)", "doc"),
]

ANNOTATIONS = [
    # name, colour, expr, title, text
    ("Frigate restarts", "orange",
     f"resets({exp('frigate_service_uptime_seconds')}[2m]) > 0",
     "Frigate restarted", "{{frigate_namespace}}/{{frigate_deployment}}"),
    ("Remediator restarts", "red",
     f"sum by (deployment) (increase({rem('frigate_remediator_restarts_total', OK_RESULT)}[2m])) > 0",
     "frigate-remediator restarted Frigate", "{{deployment}}"),
]

# ------------------------------------------------------------------------------------------------
# Panels. Each: (type, title, width, height, targets, options). A target is (expr, legend) or
# (expr, legend, "limit") for a threshold line (drawn dashed red, no fill). Options (all optional):
#   unit, min, max, desc, map (value mappings name), instant (stat), repeat (variable),
#   stack, axis_right (legend of a series drawn on a right axis), decimals, text_mode,
#   links (names of LINKS shown in the panel's header).

OK_FAIL = {"0": ("OK", "green"), "1": ("FAIL", "red")}
HEALTHY = {"1": ("Healthy", "green"), "0": ("Unhealthy", "red")}
UP_DOWN = {"1": ("Up", "green"), "0": ("Down", "red")}
ON_OFF = {"1": ("On", "green"), "0": ("Off", "orange")}
CLOSED_OPEN = {"0": ("Closed", "green"), "1": ("Open", "red")}
STUCK = {"0": ("Running", "green"), "1": ("Stuck", "red")}
MAPPINGS = {"ok_fail": OK_FAIL, "healthy": HEALTHY, "up_down": UP_DOWN, "on_off": ON_OFF,
            "closed_open": CLOSED_OPEN, "stuck": STUCK}


def limit(expr, setting):
    return (expr, f"limit ({setting})", "limit")


ROWS = [
    {"title": "Frigate health", "panels": [
        ("stat", "Verdict", 4, 4, [(f"max({exp('frigate_healthy')})", "")],
         {"map": "healthy", "instant": True,
          "desc": "Overall verdict of frigate-exporter: healthy when no reason fails."}),
        ("stat", "Frigate API", 4, 4, [(f"min({exp('frigate_up')})", "")],
         {"map": "up_down", "instant": True,
          "desc": "Whether the exporter's last fetch of Frigate's /api/stats succeeded."}),
        ("stat", "Frigate uptime", 4, 4, [(f"max({exp('frigate_service_uptime_seconds')})", "")],
         {"unit": "s", "instant": True, "desc": "Seconds since Frigate started (service.uptime)."}),
        ("stat", "Frigate version", 4, 4,
         [(f"max by (version, latest_version) ({exp('frigate_service_info')})",
           "{{version}} (latest {{latest_version}})")],
         {"instant": True, "text_mode": "name",
          "desc": "Frigate's version and the newest release it knows of."}),
        ("stat", "Stats age", 4, 4, [(f"max({exp('frigate_stats_age_seconds')})", "")],
         {"unit": "s", "instant": True, "decimals": 1,
          "desc": "Age of the Frigate stats the verdict is based on (stats_stale over 60 s)."}),
        ("stat", "Log source", 4, 4, [(f"min({exp('frigate_log_source_up')})", "")],
         {"map": "up_down", "instant": True,
          "desc": "Whether the exporter reads Frigate's log (LOG_SOURCE); the log-based reasons "
                  "need it."}),
        ("stat", "Frigate config", 4, 4, [(f"min({exp('frigate_exporter_config_up')})", "")],
         {"map": "up_down", "instant": True,
          "desc": "Whether the exporter's last read of Frigate's /api/config succeeded (cameras "
                  "off on purpose, detector types for the inference limits)."}),
        ("stat", "${reason}", 4, 3, [(f"max({exp('frigate_unhealthy', ONE_REASON)})", "")],
         {"map": "ok_fail", "instant": True, "repeat": "reason", "links": ["Runbooks"],
          "desc": "One panel per health reason (frigate_unhealthy{reason}): FAIL while the reason "
                  "fails. Reasons the exporter adds appear here by themselves. See the Runbooks "
                  "link above for each reason's alert."}),
        ("state-timeline", "Verdict by reason", 16, 8,
         [(f"max by (reason) ({exp('frigate_unhealthy')})", "{{reason}}")],
         {"map": "ok_fail", "desc": "Each health reason over time: FAIL while it fails."}),
        ("state-timeline", "Exporter and remediator scraped", 8, 8,
         [(f"max by (job) (up{{{JOBS}}})", "{{job}}")],
         {"map": "up_down",
          "desc": "Prometheus' up for the two programs (FrigateExporterDown, "
                  "FrigateRemediatorDown)."}),
    ]},
    {"title": "Detectors and log events", "panels": [
        ("timeseries", "Inference time per detector", 12, 8,
         [(exp("frigate_detector_inference_speed_seconds"), "{{name}}"),
          (exp("frigate_detector_inference_limit_seconds"), "limit of {{name}}'s type"),
          limit("vector($inference_threshold_ms / 1000)", "INFERENCE_THRESHOLD_MS")],
         {"unit": "s", "min": 0,
          "desc": "Moving average of each detector's inference time, and the absolute limit of "
                  "its type (the Coral's is INFERENCE_THRESHOLD_MS, variable "
                  "inference_threshold_ms). inference_slow also fails far above a detector's "
                  "own baseline; /health names the rule."}),
        ("state-timeline", "Detector stuck", 12, 8,
         [(f"max by (name) ({exp('frigate_detector_stuck')})", "{{name}}")],
         {"map": "stuck",
          "desc": "A detector in the same inference for more than 10 s (detector_stuck)."}),
        ("timeseries", "Stuck-detection lines in the log window", 8, 8,
         [(f"max by (frigate_namespace, frigate_deployment) ({exp('frigate_stuck_detection_events')})",
           "{{frigate_namespace}}/{{frigate_deployment}}"),
          limit("vector($stuck_detection_threshold)", "STUCK_DETECTION_THRESHOLD")],
         {"min": 0, "decimals": 0,
          "desc": "\"Detection appears to be stuck\" lines in the exporter's log window "
                  "(LOG_WINDOW_MINUTES); detection_stuck fails above the limit."}),
        ("timeseries", "Recording-backlog lines in the log window", 8, 8,
         [(f"sum by (frigate_namespace, frigate_deployment) ({exp('frigate_recording_backlog_events')})",
           "all cameras (what recording_backlog counts)"),
          (f"sum by (camera) ({exp('frigate_recording_backlog_events')})", "{{camera}}"),
          limit("vector($backlog_threshold)", "BACKLOG_THRESHOLD")],
         {"min": 0, "decimals": 0,
          "desc": "Recording-backlog lines in the log window, all cameras together and by "
                  "camera; recording_backlog fails when all cameras together exceed the limit."}),
        ("timeseries", "Classified log lines per second", 8, 8,
         [(f"sum by (event) (rate({exp('frigate_log_events_total')}[$__rate_interval]))",
           "{{event}}")],
         {"unit": "short", "min": 0,
          "desc": "Known Frigate log lines read, by event (frigate_log_events_total)."}),
        ("timeseries", "Object detections per second", 8, 8,
         [(exp("frigate_detection_total_fps"), "all cameras")],
         {"unit": "short", "min": 0,
          "desc": "Detection calls per second over all cameras (Frigate's detection_fps)."}),
        ("timeseries", "Failed stats fetches", 8, 8,
         [(f"sum by (cause) (increase({exp('frigate_exporter_stats_errors_total')}[$__rate_interval]))",
           "{{cause}}")],
         {"min": 0, "decimals": 0, "stack": True,
          "desc": "Fetches of Frigate's /api/stats that gave no usable stats, by cause "
                  "(api_unresponsive fails while they go on)."}),
        ("timeseries", "Device temperatures", 8, 8,
         [(exp("frigate_device_temperature"), "{{device}}")],
         {"unit": "celsius",
          "desc": "Temperatures Frigate reports (Coral EdgeTPUs: apex_0, ...). Empty without "
                  "such a device."}),
    ]},
    {"title": "System: CPU, memory, GPU, network", "panels": [
        ("timeseries", "CPU per process", 12, 8,
         [(exp("frigate_cpu_usage_percent"), "{{type}} {{name}} {{process}}")],
         {"unit": "percent", "min": 0,
          "desc": "CPU use of each Frigate process in percent of one core (over 100 on several "
                  "cores)."}),
        ("timeseries", "Memory per process", 12, 8,
         [(exp("frigate_mem_usage_percent"), "{{type}} {{name}} {{process}}")],
         {"unit": "percent", "min": 0,
          "desc": "Memory use of each Frigate process in percent of the host's."}),
        ("timeseries", "GPU", 12, 8,
         [(exp("frigate_gpu_usage_percent"), "{{gpu_name}} use"),
          (exp("frigate_gpu_mem_usage_percent"), "{{gpu_name}} memory"),
          (exp("frigate_gpu_encoder_usage_percent"), "{{gpu_name}} encoder"),
          (exp("frigate_gpu_decoder_usage_percent"), "{{gpu_name}} decoder"),
          (exp("frigate_gpu_compute_usage_percent"), "{{gpu_name}} compute")],
         {"unit": "percent", "min": 0, "max": 100,
          "desc": "GPU use as Frigate reports it: overall and memory (Intel GPUs report no "
                  "memory use), video encoder and decoder (NVIDIA; Intel's video engines on "
                  "0.18), compute (Intel, 0.18). Empty without a GPU Frigate watches."}),
        ("timeseries", "Network per process", 12, 8,
         [(exp("frigate_bandwidth_usage_bytes_per_second"), "{{type}} {{name}} {{process}}")],
         {"unit": "Bps", "min": 0,
          "desc": "Network traffic of Frigate's camera ffmpeg, go2rtc and detector processes "
                  "(nethogs, Frigate 0.13+)."}),
    ]},
    {"title": "Camera ${camera}", "repeat": "camera", "panels": [
        ("timeseries", "Frames per second", 8, 8,
         [(cam("frigate_camera_fps"), "camera"), (cam("frigate_process_fps"), "processed"),
          (cam("frigate_skipped_fps"), "skipped"), (cam("frigate_detection_fps"), "detection"),
          limit("vector(1)", "no_frames below 1 fps")],
         {"unit": "short", "min": 0,
          "desc": "Frames per second read from the camera, processed and skipped, and object "
                  "detection calls. no_frames fails for a camera below 1 fps (majority rule, "
                  "SKIP_CAMERAS left out)."}),
        ("timeseries", "Skip ratio", 6, 8,
         [(f"{cam('frigate_skipped_fps')} / ({cam('frigate_camera_fps')} > 0)", "skipped / read"),
          limit("vector($skip_ratio_threshold)", "SKIP_RATIO_THRESHOLD")],
         {"unit": "percentunit", "min": 0, "max": 1,
          "desc": "skipped_fps / camera_fps; high_skip_ratio fails when most cameras are above "
                  "the limit (variable skip_ratio_threshold)."}),
        ("timeseries", "Audio level", 6, 8,
         [(cam("frigate_audio_dbfs"), "dBFS"), (cam("frigate_audio_rms"), "RMS")],
         {"unit": "dB", "axis_right": "RMS",
          "desc": "Audio level of the camera (audio detection); 0 while audio detection is off."}),
        ("stat", "Detection", 4, 8, [(f"max({cam('frigate_detection_enabled')})", "")],
         {"map": "on_off", "instant": True,
          "desc": "Whether object detection is enabled for the camera."}),
    ]},
    {"title": "Storage", "panels": [
        ("timeseries", "Storage used", 12, 8,
         [(f"{exp('frigate_storage_used_bytes')} / {exp('frigate_storage_total_bytes')}",
           "{{storage}}")],
         {"unit": "percentunit", "min": 0, "max": 1,
          "desc": "Used share of each storage path Frigate reports."}),
        ("timeseries", "Storage free", 12, 8,
         [(exp("frigate_storage_free_bytes"), "{{storage}}")],
         {"unit": "bytes", "min": 0, "desc": "Free bytes of each storage path."}),
    ]},
    {"title": "Remediator", "panels": [
        ("stat", "Restarts in range", 4, 8,
         [(f"sum by (result) (increase({rem('frigate_remediator_restarts_total')}[$__range]))",
           "{{result}}")],
         {"instant": True, "decimals": 0, "text_mode": "value_and_name",
          "desc": "Restarts of Frigate by the remediator in the dashboard's time range."}),
        ("timeseries", "Restarts in the last hour", 10, 8,
         [(f"sum by (deployment) (increase({rem('frigate_remediator_restarts_total', OK_RESULT)}[1h]))",
           "{{deployment}}"),
          limit("vector($max_restarts_per_hour)", "MAX_RESTARTS_PER_HOUR")],
         {"min": 0, "decimals": 1,
          "desc": "Successful restarts over the past hour; at the limit the circuit breaker "
                  "holds further restarts back (variable max_restarts_per_hour)."}),
        ("state-timeline", "Circuit breaker", 10, 8,
         [(f"max by (deployment) ({rem('frigate_remediator_circuit_open')})", "{{deployment}}")],
         {"map": "closed_open", "links": ["Remediator status"],
          "desc": "Open while the breaker holds restarts of the target back "
                  "(FrigateRemediatorCircuitOpen)."}),
        ("timeseries", "Decisions by outcome", 8, 8,
         [("sum by (outcome) (increase(frigate_remediator_decisions_total[$__rate_interval]))",
           "{{outcome}}")],
         {"min": 0, "stack": True,
          "desc": "The remediator's decisions on firing restartable alerts: restart, waiting "
                  "(more observations needed), blocked (a gate held it back), none."}),
        ("timeseries", "Decisions held back, by gate", 8, 8,
         [('sum by (gate) (increase(frigate_remediator_decisions_total{gate!=""}[$__rate_interval]))',
           "{{gate}}")],
         {"min": 0, "stack": True, "links": ["Remediator status"],
          "desc": "Which gate held a restart back (consecutive failures, startup grace, circuit "
                  "breaker, node readiness, rollout, ...). The status page has each verdict."}),
        ("timeseries", "Consecutive failures", 8, 8,
         [(f"max by (deployment) ({rem('frigate_remediator_consecutive_failures')})",
           "{{deployment}}"),
          limit("vector($consecutive_failures_required)", "CONSECUTIVE_FAILURES_REQUIRED")],
         {"min": 0, "decimals": 0,
          "desc": "Observations in a row of a failing target; a restart needs the limit."}),
        ("timeseries", "Mail", 8, 8,
         [("sum by (result) (increase(frigate_remediator_emails_total[$__rate_interval]))",
           "{{result}}"),
          ("max(frigate_remediator_outbox_mails)", "waiting in the outbox")],
         {"min": 0, "decimals": 0,
          "desc": "Mails sent and failed (FrigateRemediatorMailFailing), and mails waiting to "
                  "be retried."}),
        ("timeseries", "Webhooks", 8, 8,
         [("sum by (result) (increase(frigate_remediator_webhooks_total[$__rate_interval]))",
           "{{result}}")],
         {"min": 0, "stack": True,
          "desc": "Alertmanager notifications by result (accepted, ignored, malformed, "
                  "unauthorized, too_large, unavailable)."}),
        ("timeseries", "State writes", 8, 8,
         [("sum by (result) (increase(frigate_remediator_state_writes_total[$__rate_interval]))",
           "{{result}}")],
         {"min": 0, "stack": True,
          "desc": "Writes of the remediator's state (ConfigMap or file) by result."}),
    ]},
]

# ------------------------------------------------------------------------------------------------
# Building the JSON.


def value_mappings(name):
    options = {value: {"text": text, "color": color, "index": i}
               for i, (value, (text, color)) in enumerate(MAPPINGS[name].items())}
    return [{"type": "value", "options": options}]


def limit_override():
    return {"matcher": {"id": "byFrameRefID", "options": "LIMIT"},
            "properties": [
                {"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
                {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                {"id": "custom.fillOpacity", "value": 0},
                {"id": "custom.stacking", "value": {"mode": "none", "group": "A"}},
            ]}


def targets_of(targets, instant):
    out = []
    plain = 0
    for t in targets:
        expr, legend = t[0], t[1]
        is_limit = len(t) > 2 and t[2] == "limit"
        ref = "LIMIT" if is_limit else chr(ord("A") + plain)
        plain += 0 if is_limit else 1
        target = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend,
                  "range": not instant, "instant": instant}
        out.append(target)
    return out


def panel(kind, title, w, h, targets, opts, pid, x, y):
    instant = bool(opts.get("instant"))
    defaults = {"color": {"mode": "thresholds" if "map" in opts else "palette-classic"},
                "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": None}]},
                "mappings": value_mappings(opts["map"]) if "map" in opts else [],
                "unit": opts.get("unit", "short")}
    for key in ("min", "max", "decimals"):
        if key in opts:
            defaults[key] = opts[key]
    overrides = []
    if any(len(t) > 2 for t in targets):
        overrides.append(limit_override())
    if "axis_right" in opts:
        overrides.append({"matcher": {"id": "byName", "options": opts["axis_right"]},
                          "properties": [{"id": "custom.axisPlacement", "value": "right"},
                                         {"id": "unit", "value": "short"}]})
    p = {"type": kind, "title": title, "description": opts.get("desc", ""), "id": pid,
         "datasource": DS, "gridPos": {"h": h, "w": w, "x": x, "y": y},
         "targets": targets_of(targets, instant),
         "fieldConfig": {"defaults": defaults, "overrides": overrides}}
    if kind == "timeseries":
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                              "showPoints": "never", "spanNulls": False,
                              "stacking": {"mode": "normal" if opts.get("stack") else "none",
                                           "group": "A"}}
        p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}
    elif kind == "stat":
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background" if "map" in opts else "value",
                        "graphMode": "none", "textMode": opts.get("text_mode", "auto"),
                        "justifyMode": "auto", "orientation": "auto", "wideLayout": True,
                        "showPercentChange": False}
    elif kind == "state-timeline":
        defaults["custom"] = {"fillOpacity": 80, "lineWidth": 0}
        p["options"] = {"showValue": "never", "mergeValues": True, "rowHeight": 0.9,
                        "alignValue": "left",
                        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "single", "sort": "none"}}
    if "links" in opts:
        by_title = {title: (url, tooltip) for title, url, tooltip, _ in LINKS}
        p["links"] = [{"title": name, "url": by_title[name][0], "targetBlank": True}
                      for name in opts["links"]]
    if "repeat" in opts:
        p["repeat"] = opts["repeat"]
        p["repeatDirection"] = "h"
        p["maxPerRow"] = 6
    return p


def layout():
    panels = []
    pid = 1
    y = 0
    for row in ROWS:
        r = {"type": "row", "title": row["title"], "id": pid, "collapsed": False,
             "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []}
        if "repeat" in row:
            r["repeat"] = row["repeat"]
        panels.append(r)
        pid += 1
        y += 1
        x = 0
        line_height = 0
        for kind, title, w, h, targets, opts in row["panels"]:
            if x + w > 24:
                x, y, line_height = 0, y + line_height, 0
            panels.append(panel(kind, title, w, h, targets, opts, pid, x, y))
            pid += 1
            # A repeated panel fills its line with its copies: what follows starts a new line.
            x += 24 if "repeat" in opts else w
            line_height = max(line_height, h)
        y += line_height
    return panels


def query_variable(name, label, argument):
    definition = f"label_values({argument})"
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": definition, "refId": f"{name}-variable"},
            "definition": definition, "refresh": 2, "includeAll": True, "multi": True,
            "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "sort": 1, "hide": 0, "options": [], "regex": ""}


def textbox_variable(name, label, default, description):
    return {"name": name, "label": label, "description": description, "type": "textbox",
            "query": default, "current": {"selected": False, "text": default, "value": default},
            "options": [{"selected": True, "text": default, "value": default}], "hide": 2}


def dashboard():
    variables = [{"name": "datasource", "label": "Data source", "type": "datasource",
                  "query": "prometheus", "current": {}, "hide": 0, "includeAll": False,
                  "multi": False, "options": [], "refresh": 1, "regex": ""}]
    variables += [query_variable(*v) for v in QUERY_VARIABLES]
    variables += [textbox_variable(name, label, default, what)
                  for name, label, default, what in LINK_VARIABLES]
    variables += [textbox_variable(name, setting, default,
                                   f"frigate-{program}'s {setting} (for the limit line)")
                  for name, setting, program, default in THRESHOLD_VARIABLES]
    annotations = [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                    "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts", "type": "dashboard"}]
    annotations += [{"datasource": DS, "enable": True, "iconColor": colour, "name": name,
                     "expr": expr, "step": "1m", "titleFormat": title, "textFormat": text}
                    for name, colour, expr, title, text in ANNOTATIONS]
    links = [{"title": title, "type": "link", "url": url, "tooltip": tooltip, "icon": icon,
              "targetBlank": True, "asDropdown": False, "includeVars": False,
              "keepTime": False, "tags": []}
             for title, url, tooltip, icon in LINKS]
    return {
        "uid": "frigate-health",
        "title": "Frigate health",
        "description": "Frigate health as seen by frigate-exporter, and the decisions of "
                       "frigate-remediator. Generated by scripts/make-dashboard.py. Link targets "
                       "and limit lines come from hidden variables (Dashboard settings > "
                       "Variables): set them to your URLs and settings.",
        "tags": ["frigate", "frigate-health", "nvr"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "annotations": {"list": annotations},
        "links": links,
        "templating": {"list": variables},
        "panels": layout(),
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    if argv[1:] == ["--check"]:
        if OUT.read_text() != text:
            print(f"{OUT.relative_to(REPO)} is not what scripts/make-dashboard.py writes: "
                  "run it, then scripts/sync-chart-files.sh", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
