"""The chart's form of the alerting rules (templates/prometheusrule.yaml), tested with the real
promtool: rendered with the chart in "monitoring" and Frigate in "frigate", then run against
series shaped as a ServiceMonitor scrape of this chart shapes them
(tests/stack/fixtures/chart-rules.test.yml). The plain form is tested by alerts/tests/."""
import shutil

import yaml

from stack_common import REPO, require_tool, run
from test_chart import by_kind, docs, one, render

FIXTURE = REPO / "tests" / "stack" / "fixtures" / "chart-rules.test.yml"


def write_chart_rules(tmp_path, sets):
    objs = docs(render(["frigate.namespace=frigate", *sets], namespace="monitoring"))
    rules = by_kind(objs, "PrometheusRule")
    (tmp_path / "chart-rules.yml").write_text(yaml.safe_dump(rules[0]["spec"] if rules else {"groups": []}))
    shutil.copy(FIXTURE, tmp_path / FIXTURE.name)
    return tmp_path / FIXTURE.name


def test_chart_rules_pass_promtool_check(tmp_path):
    promtool = require_tool("promtool", "apt-get install prometheus")
    write_chart_rules(tmp_path, [])
    result = run([promtool, "check", "rules", tmp_path / "chart-rules.yml"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_chart_rules_fire_when_a_program_is_missing_or_down_with_routing_labels(tmp_path):
    promtool = require_tool("promtool", "apt-get install prometheus")
    test_file = write_chart_rules(tmp_path, [])
    result = run([promtool, "test", "rules", test_file])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_plain_down_rule_would_fail_the_chart_test(tmp_path):
    """The chart's test can fail: the plain `up == 0 or absent(up{job=~...})` form loses the
    namespace label that OnNamespace routing needs, and promtool notices."""
    promtool = require_tool("promtool", "apt-get install prometheus")
    test_file = write_chart_rules(tmp_path, [])
    spec = yaml.safe_load((tmp_path / "chart-rules.yml").read_text())
    for group in spec["groups"]:
        for rule in group["rules"]:
            if rule["alert"] == "FrigateExporterDown":
                rule["expr"] = 'up{job=~".*frigate-exporter.*"} == 0 or absent(up{job=~".*frigate-exporter.*"})'
                for label in ("job", "namespace", "frigate_namespace", "frigate_deployment"):
                    rule["labels"].pop(label)
    (tmp_path / "chart-rules.yml").write_text(yaml.safe_dump(spec))
    result = run([promtool, "test", "rules", test_file])
    assert result.returncode != 0
    assert "FrigateExporterDown" in result.stdout + result.stderr


def test_a_switched_off_remediator_leaves_no_rule_that_fires_forever(tmp_path):
    objs = docs(render(["frigate.namespace=frigate", "remediator.enabled=false"], namespace="monitoring"))
    names = {r["alert"] for g in one(objs, "PrometheusRule")["spec"]["groups"] for r in g["rules"]}
    assert not {n for n in names if n.startswith("FrigateRemediator")}
    objs = docs(render(["frigate.namespace=frigate", "exporter.enabled=false"], namespace="monitoring"))
    names = {r["alert"] for g in one(objs, "PrometheusRule")["spec"]["groups"] for r in g["rules"]}
    assert names == {"FrigateRemediatorDown", "FrigateRemediatorCircuitOpen", "FrigateRemediatorMailFailing"} | {
        n for n in names if n.startswith("FrigateRemediator")}
    assert all(n.startswith("FrigateRemediator") for n in names)
