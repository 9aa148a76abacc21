"""The Helm chart: lint, render for many value sets, validate every manifest, check its promises."""
import base64
import json
import subprocess

import pytest
import yaml

from stack_common import CHART, DASHBOARD, HELM, NODE_MODULES, REPO, RULES, require_tool, run

VALIDATOR = REPO / "tests" / "stack" / "validate-manifests.mjs"
NS = "nvr"

# name -> --set values; every optional part switched on and off, secrets from existing Secrets.
SCENARIOS = {
    "default": [],
    "no-servicemonitor": ["serviceMonitor.enabled=false"],
    "no-prometheusrule": ["prometheusRule.enabled=false"],
    "no-alertmanagerconfig": ["alertmanagerConfig.enabled=false"],
    "no-dashboard": ["grafanaDashboard.enabled=false"],
    "exporter-only": ["remediator.enabled=false"],
    "remediator-only": ["exporter.enabled=false"],
    "existing-secrets": ["remediator.webhook.existingSecret=hook-token", "remediator.webhook.existingSecretKey=t",
                         "remediator.smtp.enabled=true", "remediator.smtp.user=me@example.org",
                         "remediator.smtp.alertEmail=ops@example.org", "remediator.smtp.existingSecret=smtp",
                         "frigate.token.existingSecret=frigate-token"],
    "smtp-password-in-values": ["remediator.smtp.enabled=true", "remediator.smtp.user=me@example.org",
                                "remediator.smtp.alertEmail=ops@example.org", "remediator.smtp.password=s3cret"],
    "given-token": ["remediator.webhook.token=abc123"],
    "no-webhook-auth": ["remediator.webhook.auth=none"],
    "networkpolicy": ["networkPolicy.enabled=true"],
    "kubernetes-logs": ["exporter.logSource=kubernetes"],
    "frigate-elsewhere": ["frigate.namespace=cameras", "frigate.deployment=frigate-main"],
    "no-rbac-no-sa": ["rbac.create=false", "serviceAccount.create=false"],
}


def helm():
    if not HELM.exists():
        pytest.fail(f"{HELM} missing: run scripts/install-deps.sh (installs Helm into tools/)")
    return HELM


def render(sets, namespace=NS):
    args = [helm(), "template", "fh", CHART, "--namespace", namespace]
    for s in sets:
        args += ["--set", s]
    result = run(args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def by_kind(objs, kind):
    return [d for d in objs if d["kind"] == kind]


def one(objs, kind, name_suffix=""):
    found = [d for d in by_kind(objs, kind) if d["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, f"{kind} *{name_suffix}: {len(found)} found"
    return found[0]


def env_of(deployment):
    return {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}


@pytest.fixture(scope="module")
def default_objs():
    return docs(render([]))


@pytest.mark.parametrize("name", SCENARIOS)
def test_lint_render_and_validate(name, tmp_path):
    sets = SCENARIOS[name]
    lint = run([helm(), "lint", CHART, "--strict", *[a for s in sets for a in ("--set", s)]])
    assert lint.returncode == 0, lint.stdout + lint.stderr
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(render(sets))
    node = require_tool("node", "apt-get install nodejs")
    if not (NODE_MODULES / "kubernetes-models").exists():
        pytest.fail(f"{NODE_MODULES}/kubernetes-models missing: run scripts/install-deps.sh")
    result = run([node, VALIDATOR, manifest])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") == len(docs(manifest.read_text()))


def test_validator_rejects_a_broken_manifest(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n"
                   "---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\n"
                   "spec: {groups: [{name: g, rules: [{alert: A}]}]}\n")
    result = run(["node", VALIDATOR, bad])
    assert result.returncode == 1
    assert "INVALID Deployment/x" in result.stdout and "INVALID PrometheusRule/r" in result.stdout


def test_optional_parts_switch_off():
    expectations = {
        "no-servicemonitor": "ServiceMonitor", "no-prometheusrule": "PrometheusRule",
        "no-alertmanagerconfig": "AlertmanagerConfig", "no-dashboard": "ConfigMap",
    }
    for scenario, kind in expectations.items():
        assert by_kind(docs(render(SCENARIOS[scenario])), kind) == [], scenario
    exporter_only = docs(render(SCENARIOS["exporter-only"]))
    assert [d["metadata"]["name"] for d in by_kind(exporter_only, "Deployment")] == ["fh-frigate-health-exporter"]
    assert not by_kind(exporter_only, "AlertmanagerConfig") and not by_kind(exporter_only, "Secret")
    assert not by_kind(exporter_only, "Role") and not by_kind(exporter_only, "ClusterRole")
    remediator_only = docs(render(SCENARIOS["remediator-only"]))
    assert [d["metadata"]["name"] for d in by_kind(remediator_only, "Deployment")] == ["fh-frigate-health-remediator"]
    none = docs(render(SCENARIOS["no-rbac-no-sa"]))
    assert not [d for d in none if d["kind"] in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
                                                  "ServiceAccount")]


def test_prometheusrule_is_the_alerts_file(default_objs):
    rule = one(default_objs, "PrometheusRule")
    assert rule["spec"] == yaml.safe_load(RULES.read_text())


def test_chart_copies_match_their_sources():
    result = run([REPO / "scripts" / "sync-chart-files.sh", "--check"])
    assert result.returncode == 0, result.stderr
    assert (CHART / "files" / "frigate-health.rules.yml").read_bytes() == RULES.read_bytes()
    assert (CHART / "files" / "frigate-health-dashboard.json").read_bytes() == DASHBOARD.read_bytes()


def test_dashboard_configmap_has_sidecar_label_and_the_dashboard(default_objs):
    cm = one(default_objs, "ConfigMap", "-dashboard")
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(cm["data"]["frigate-health-dashboard.json"]) == json.loads(DASHBOARD.read_text())


def test_rbac_is_least_privilege(default_objs):
    rules = [(r["metadata"]["name"], r["metadata"].get("namespace"), rule)
             for r in by_kind(default_objs, "Role") + by_kind(default_objs, "ClusterRole") for rule in r["rules"]]
    for _, _, rule in rules:
        assert "pods/exec" not in rule["resources"]
        assert "*" not in rule["verbs"] and "*" not in rule["resources"]
    grants = {(res, verb): rule.get("resourceNames") for _, _, rule in rules
              for res in rule["resources"] for verb in rule["verbs"]}
    assert grants[("configmaps", "get")] == ["frigate-health-state"]
    assert grants[("configmaps", "update")] == ["frigate-health-state"]
    assert grants[("configmaps", "create")] is None  # cannot be restricted by name
    assert grants[("deployments", "get")] == ["frigate"]
    assert grants[("deployments", "patch")] == ["frigate"]
    assert ("deployments", "update") not in grants and ("deployments", "delete") not in grants
    assert ("pods", "list") in grants and ("pods", "delete") not in grants
    cluster = one(default_objs, "ClusterRole")
    assert cluster["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]
    exporter_sa = one(default_objs, "ServiceAccount", "-exporter")
    assert exporter_sa["automountServiceAccountToken"] is False


def test_kubernetes_log_source_adds_pod_log_read_for_the_exporter_only():
    objs = docs(render(SCENARIOS["kubernetes-logs"]))
    role = one(objs, "Role", "-exporter-logs")
    assert {"resources": ["pods/log"], "verbs": ["get"], "apiGroups": [""]} in role["rules"]
    binding = one(objs, "RoleBinding", "-exporter-logs")
    assert binding["subjects"][0]["name"] == "fh-frigate-health-exporter"
    assert one(objs, "ServiceAccount", "-exporter")["automountServiceAccountToken"] is True


def test_frigate_in_another_namespace_gets_the_target_role_there():
    objs = docs(render(SCENARIOS["frigate-elsewhere"]))
    target = one(objs, "Role", "-remediator-target")
    assert target["metadata"]["namespace"] == "cameras"
    assert target["rules"][0]["resourceNames"] == ["frigate-main"]
    assert one(objs, "Role", "-remediator-state")["metadata"]["namespace"] == NS
    env = env_of(one(objs, "Deployment", "-remediator"))
    assert env["FRIGATE_HC_ALLOWED_TARGETS"]["value"] == "cameras/frigate-main"
    assert env["FRIGATE_HC_FRIGATE_URL"]["value"] == "http://frigate-main.cameras.svc:5000"


def test_pods_are_hardened(default_objs):
    for dep in by_kind(default_objs, "Deployment"):
        pod = dep["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 65532
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"] and "add" not in sc["capabilities"]
            assert c["resources"]["requests"] and c["resources"]["limits"]
            assert c["livenessProbe"]["httpGet"]["path"] and c["readinessProbe"]["httpGet"]["path"]
            assert all(e["name"].startswith("FRIGATE_HC_") for e in c["env"])
    exporter = one(default_objs, "Deployment", "-exporter")["spec"]["template"]["spec"]["containers"][0]
    remediator = one(default_objs, "Deployment", "-remediator")["spec"]["template"]["spec"]["containers"][0]
    # /health answers 503 while Frigate is unhealthy; probing it would restart a working exporter.
    assert exporter["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert exporter["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert remediator["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert remediator["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert env_of(one(default_objs, "Deployment", "-exporter"))["FRIGATE_HC_TARGET_LABELS"]["value"] == "true"


def test_settings_from_values_become_env():
    objs = docs(render(["exporter.settings.INFERENCE_THRESHOLD_MS=250", "settings.LOG_LEVEL=debug",
                        "remediator.settings.MAX_RESTARTS_PER_HOUR=5"]))
    exporter = env_of(one(objs, "Deployment", "-exporter"))
    remediator = env_of(one(objs, "Deployment", "-remediator"))
    assert exporter["FRIGATE_HC_INFERENCE_THRESHOLD_MS"]["value"] == "250"
    assert exporter["FRIGATE_HC_LOG_LEVEL"]["value"] == "debug"
    assert remediator["FRIGATE_HC_LOG_LEVEL"]["value"] == "debug"
    assert remediator["FRIGATE_HC_MAX_RESTARTS_PER_HOUR"]["value"] == "5"
    assert "FRIGATE_HC_MAX_RESTARTS_PER_HOUR" not in exporter


def test_webhook_token_generated_given_or_existing(default_objs):
    secret = one(default_objs, "Secret", "-webhook")
    generated = base64.b64decode(secret["data"]["token"]).decode()
    assert len(generated) == 48 and generated.isalnum()
    env = env_of(one(default_objs, "Deployment", "-remediator"))
    assert env["FRIGATE_HC_WEBHOOK_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": secret["metadata"]["name"],
                                                                           "key": "token"}
    amc = one(default_objs, "AlertmanagerConfig")
    hook = amc["spec"]["receivers"][0]["webhookConfigs"][0]
    assert hook["httpConfig"]["authorization"]["credentials"] == {"name": secret["metadata"]["name"], "key": "token"}
    assert hook["url"] == "http://fh-frigate-health-remediator.nvr.svc:9712/webhook"

    given = docs(render(SCENARIOS["given-token"]))
    assert base64.b64decode(one(given, "Secret", "-webhook")["data"]["token"]) == b"abc123"

    existing = docs(render(SCENARIOS["existing-secrets"]))
    assert not by_kind(existing, "Secret")
    env = env_of(one(existing, "Deployment", "-remediator"))
    assert env["FRIGATE_HC_WEBHOOK_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "hook-token", "key": "t"}
    assert env["FRIGATE_HC_SMTP_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "smtp", "key": "password"}
    assert env["FRIGATE_HC_FRIGATE_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "frigate-token", "key": "token"}
    creds = one(existing, "AlertmanagerConfig")["spec"]["receivers"][0]["webhookConfigs"][0]["httpConfig"]
    assert creds["authorization"]["credentials"] == {"name": "hook-token", "key": "t"}


def test_smtp_password_in_values_goes_to_a_secret_never_to_env():
    objs = docs(render(SCENARIOS["smtp-password-in-values"]))
    secret = one(objs, "Secret", "-smtp")
    assert base64.b64decode(secret["data"]["password"]) == b"s3cret"
    deployment_text = yaml.safe_dump(one(objs, "Deployment", "-remediator"))
    assert "s3cret" not in deployment_text


def test_no_webhook_auth_renders_no_token():
    objs = docs(render(SCENARIOS["no-webhook-auth"]))
    assert not by_kind(objs, "Secret")
    assert "FRIGATE_HC_WEBHOOK_TOKEN" not in env_of(one(objs, "Deployment", "-remediator"))
    assert "httpConfig" not in one(objs, "AlertmanagerConfig")["spec"]["receivers"][0]["webhookConfigs"][0]


def test_servicemonitors_name_jobs_as_the_alert_rules_expect(default_objs):
    rules_text = RULES.read_text()
    for sm in by_kind(default_objs, "ServiceMonitor"):
        endpoint = sm["spec"]["endpoints"][0]
        assert endpoint["honorLabels"] is True
        job = endpoint["relabelings"][0]["replacement"]
        assert endpoint["relabelings"][0]["targetLabel"] == "job"
        assert f'job=~".*{job}.*"' in rules_text
        assert endpoint["interval"] == "15s"


def test_alertmanagerconfig_route_matches_the_example(default_objs):
    route = one(default_objs, "AlertmanagerConfig")["spec"]["route"]
    example = yaml.safe_load((REPO / "alerts" / "alertmanager-example.yml").read_text())["route"]["routes"][0]
    assert route["groupBy"] == example["group_by"]
    assert (route["groupWait"], route["groupInterval"], route["repeatInterval"]) == (
        example["group_wait"], example["group_interval"], example["repeat_interval"])
    assert route["continue"] is True
    assert route["matchers"] == [{"name": "alertname", "matchType": "=~", "value": "Frigate.+"}]


def test_networkpolicy_admits_prometheus_and_alertmanager_only_on_their_ports():
    objs = docs(render(SCENARIOS["networkpolicy"]))
    policies = {p["metadata"]["name"]: p for p in by_kind(objs, "NetworkPolicy")}
    assert set(policies) == {"fh-frigate-health-exporter", "fh-frigate-health-remediator"}
    remediator = policies["fh-frigate-health-remediator"]["spec"]["ingress"][0]
    peers = [p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in remediator["from"]]
    assert peers == ["prometheus", "alertmanager"]
    assert remediator["ports"] == [{"port": "http", "protocol": "TCP"}]


@pytest.mark.parametrize("bad", ["remediator.restartAction=reboot", "exporter.logSource=syslog",
                                 "exporter.typo=1", "remediator.webhook.auth=basic",
                                 "serviceMonitor.interval=soon", "frigate.deployment=Bad_Name"])
def test_schema_rejects_bad_values(bad):
    result = run([helm(), "template", "fh", CHART, "--set", bad])
    assert result.returncode != 0, bad


def test_notes_render():
    result = run([helm(), "install", "fh", CHART, "--namespace", NS, "--dry-run=client"])
    assert result.returncode == 0, result.stderr
    assert "webhook" in result.stdout.lower() and "NOTES:" in result.stdout
