"""The alerting rules and the Alertmanager example, checked with the real promtool and amtool."""
import pathlib
import re
import shutil

import yaml

from stack_common import MANUAL, REASON_ALERTS, REPO, RESTARTABLE, RULES, require_tool, run

ALERTS_DIR = REPO / "alerts"
TESTS = sorted((ALERTS_DIR / "tests").glob("*.test.yml"))
AM_EXAMPLE = ALERTS_DIR / "alertmanager-example.yml"


def rules():
    doc = yaml.safe_load(RULES.read_text())
    return [r for g in doc["groups"] for r in g["rules"]]


def duration_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([smh])", text or "0s"))


def test_promtool_accepts_the_rules():
    promtool = require_tool("promtool", "apt-get install prometheus")
    result = run([promtool, "check", "rules", RULES])
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass():
    promtool = require_tool("promtool", "apt-get install prometheus")
    assert TESTS, "no alerts/tests/*.test.yml"
    result = run([promtool, "test", "rules", *TESTS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_quiet():
    firing, quiet = set(), set()
    for path in TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {r["alert"] for r in rules()}
    assert names - firing == set(), "alerts never tested firing"
    assert names - quiet == set(), "alerts never tested quiet"


def test_one_alert_per_health_reason_and_restart_only_where_it_helps():
    by_alert = {r["alert"]: r for r in rules()}
    for reason, alert in REASON_ALERTS.items():
        rule = by_alert[alert]
        assert f'reason="{reason}"' in rule["expr"], alert
        wants_restart = reason in RESTARTABLE
        assert (rule["labels"].get("remediate") == "restart") == wants_restart, alert
        if reason in MANUAL:
            assert rule["labels"].get("remediate") == "manual", alert
    restartable = {r["alert"] for r in rules() if r["labels"].get("remediate") == "restart"}
    assert restartable == {REASON_ALERTS[r] for r in RESTARTABLE}


# Alerts after which a person must act (a restart cannot help): remediate="manual" makes the
# remediator hold every restart of the target back while one fires (gate manual_action_required).
MANUAL_ALERTS = {REASON_ALERTS[r] for r in MANUAL}


def test_remediate_is_restart_or_manual_and_manual_where_a_person_must_act():
    for rule in rules():
        assert rule["labels"].get("remediate") in (None, "restart", "manual"), rule["alert"]
    manual = {r["alert"] for r in rules() if r["labels"].get("remediate") == "manual"}
    assert MANUAL_ALERTS <= manual, MANUAL_ALERTS - manual
    # A manual alert is never one the remediator restarts for.
    assert not manual & {REASON_ALERTS[r] for r in RESTARTABLE}
    # Its runbook is what the remediator's mail points the person at.
    for rule in rules():
        if rule["alert"] in manual:
            assert rule["annotations"]["runbook_url"].startswith("https://"), rule["alert"]


def test_restartable_alerts_fit_the_three_minute_budget():
    # Worst case: scrape 15 s (chart default) + evaluation 30 s + for + group_wait 10 s + one
    # repeat 60 s (second observation) must stay within 180 s.
    for rule in rules():
        if rule["labels"].get("remediate") == "restart":
            total = 15 + 30 + duration_seconds(rule.get("for")) + 10 + 60
            assert total <= 180, (rule["alert"], total)


def test_every_alert_has_severity_summary_value_and_runbook_anchor():
    for rule in rules():
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        ann = rule["annotations"]
        assert ann["summary"], name
        assert "$value" in ann["description"], name
        assert ann["runbook_url"].endswith(f"README.md#runbook-{name.lower()}"), name
        assert name.startswith("Frigate"), "the Alertmanager route matches alertname=~Frigate.+"


def test_a_mutated_rule_makes_the_unit_tests_fail(tmp_path: pathlib.Path):
    """The promtool tests can fail: firing at once instead of after 1 minute is caught."""
    promtool = require_tool("promtool", "apt-get install prometheus")
    (tmp_path / "tests").mkdir()
    text = RULES.read_text()
    mutated = text.replace("expr: frigate_unhealthy{reason=\"api_unresponsive\"} == 1\n        for: 1m",
                           "expr: frigate_unhealthy{reason=\"api_unresponsive\"} == 1\n        for: 0s")
    assert mutated != text
    (tmp_path / RULES.name).write_text(mutated)
    for t in TESTS:
        shutil.copy(t, tmp_path / "tests" / t.name)
    result = run([promtool, "test", "rules", *(tmp_path / "tests").glob("*.yml")])
    assert result.returncode != 0
    assert "FrigateApiUnresponsive" in result.stdout + result.stderr


def test_alertmanager_example_is_valid():
    amtool = require_tool("amtool", "apt-get install prometheus-alertmanager")
    result = run([amtool, "check-config", AM_EXAMPLE])
    assert result.returncode == 0, result.stdout + result.stderr


def test_frigate_alerts_route_to_the_remediator_others_do_not():
    amtool = require_tool("amtool", "apt-get install prometheus-alertmanager")

    def receivers(*labels):
        r = run([amtool, "config", "routes", "test", f"--config.file={AM_EXAMPLE}", *labels])
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    assert receivers("alertname=FrigateInferenceSlow", "remediate=restart",
                     "frigate_namespace=nvr", "frigate_deployment=frigate") == "frigate-remediator"
    # What a restart cannot fix reaches the remediator (diagnostics) and a person.
    assert receivers("alertname=FrigateNoFrames") == "frigate-remediator,frigate-people"
    assert receivers("alertname=FrigateEdgeTpuMissing", "remediate=manual") == "frigate-remediator,frigate-people"
    assert receivers("alertname=FrigateRemediatorMailFailing") == "frigate-remediator,frigate-people"
    assert receivers("alertname=NodeDown") == "default"


def test_alertmanager_route_timing_and_auth():
    conf = yaml.safe_load(AM_EXAMPLE.read_text())
    route = next(r for r in conf["route"]["routes"] if r["receiver"] == "frigate-remediator")
    assert route["group_by"] == ["frigate_namespace", "frigate_deployment"]
    assert route["continue"] is True
    assert duration_seconds(route["group_wait"]) <= 10
    assert duration_seconds(route["group_interval"]) == 60
    # Strictly under group_interval so a repeat goes out at every tick (see the file's comment).
    assert duration_seconds(route["repeat_interval"]) < duration_seconds(route["group_interval"])
    receiver = next(r for r in conf["receivers"] if r["name"] == "frigate-remediator")
    hook = receiver["webhook_configs"][0]
    assert hook["url"] == "http://frigate-remediator:9712/webhook"
    assert hook["send_resolved"] is True
    assert hook["http_config"]["authorization"]["credentials_file"]


def test_every_reason_alert_carries_its_reason_label():
    """The remediator names incidents and picks next steps by the alert's `reason` label: it must
    be there whether the expression keeps it (frigate_unhealthy{reason=...}) or the rule sets it."""
    by_name = {r["alert"]: r for r in rules()}
    for reason, alert in REASON_ALERTS.items():
        rule = by_name[alert]
        keeps_it = rule["expr"].startswith(f'frigate_unhealthy{{reason="{reason}"}}')
        assert keeps_it or rule["labels"].get("reason") == reason, alert


def test_severity_is_warning_for_what_the_remediator_repairs_critical_for_what_needs_a_person():
    by_name = {r["alert"]: r for r in rules()}
    for rule in rules():
        if rule["labels"].get("remediate") == "restart":
            assert rule["labels"]["severity"] == "warning", rule["alert"]
    for name in ("FrigateEdgeTpuMissing", "FrigateRemediatorCircuitOpen", "FrigateExporterDown"):
        assert by_name[name]["labels"]["severity"] == "critical", name
    assert by_name["FrigateEdgeTpuMissing"]["labels"]["remediate"] == "manual"


def test_stats_stale_description_cites_the_60_second_limit():
    rule = next(r for r in rules() if r["alert"] == "FrigateStatsStale")
    assert "60 s" in rule["annotations"]["description"]
    assert "STATS_MAX_AGE" not in rule["annotations"]["description"]  # the cache, not the limit
