"""The Helm chart: lint, render for many value sets, validate every manifest, check its promises."""
import base64
import json
import re
import subprocess

import pytest
import yaml

from stack_common import CHART, DASHBOARD, HELM, NODE_MODULES, REPO, RULES, require_tool, run

VALIDATOR = REPO / "tests" / "stack" / "validate-manifests.mjs"
NS = "nvr"
# The APIs a cluster with prometheus-operator's CRDs serves (kube-prometheus-stack installs them).
OPERATOR_APIS = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule",
                 "monitoring.coreos.com/v1alpha1/AlertmanagerConfig"]
MAIL = ["remediator.smtp.enabled=true", "remediator.smtp.user=me@example.org",
        "remediator.smtp.alertEmail=ops@example.org", "remediator.smtp.password=s3cret"]

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
    "existing-sa": ["serviceAccount.create=false", "serviceAccount.name=cams-sa"],
    "one-named-sa": ["serviceAccount.name=fh-sa"],
    "exporter-only-with-mail": ["remediator.enabled=false", *MAIL],
    "extras": ["commonLabels.team=nvr", "exporter.extraEnv[0].name=FRIGATE_HC_LOG_LEVEL",
               "exporter.extraEnv[0].value=debug", "serviceMonitor.metricRelabelings[0].action=labeldrop",
               "serviceMonitor.metricRelabelings[0].regex=cmdline",
               "serviceMonitor.relabelings[0].targetLabel=site",
               "serviceMonitor.relabelings[0].replacement=home"],
    "no-release-label": ["kubePrometheusStackRelease="],
}


def helm():
    if not HELM.exists():
        pytest.fail(f"{HELM} missing: run scripts/install-deps.sh (installs Helm into tools/)")
    return HELM


def render(sets, namespace=NS, apis=OPERATOR_APIS):
    """`helm template` as on a cluster serving `apis` (default: prometheus-operator's CRDs)."""
    args = [helm(), "template", "fh", CHART, "--namespace", namespace]
    for api in apis:
        args += ["--api-versions", api]
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


def adapted_source_rules(namespace=NS, frigate_ns=NS, deployment="frigate", exporter=True, remediator=True,
                         runbook="https://github.com/frigate-health/frigate-health/blob/main/README.md#runbook-"):
    """alerts/frigate-health.rules.yml with exactly the adaptations the chart documents."""
    source = yaml.safe_load(RULES.read_text())
    groups = []
    for group in source["groups"]:
        rules = []
        for rule in group["rules"]:
            component = "remediator" if rule["alert"].startswith("FrigateRemediator") else "exporter"
            if not {"exporter": exporter, "remediator": remediator}[component]:
                continue
            if rule["alert"] == f"Frigate{component.title()}Down":
                rule["expr"] = f'absent(up{{job="frigate-{component}",namespace="{namespace}"}} == 1)'
                rule["labels"].update(job=f"frigate-{component}", namespace=namespace, frigate_namespace=frigate_ns,
                                      frigate_deployment=deployment)
            rule["annotations"]["runbook_url"] = runbook + rule["alert"].lower()
            rules.append(rule)
        if rules:
            groups.append({**group, "rules": rules})
    return {"groups": groups}


def test_prometheusrule_is_the_alerts_file_adapted_to_the_release(default_objs):
    rule = one(default_objs, "PrometheusRule")
    assert rule["spec"] == adapted_source_rules()
    # Only the down alerts changed their expression; every other rule is the source's.
    source = {r["alert"]: r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]}
    changed = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"] if r["expr"] != source[r["alert"]]["expr"]]
    assert sorted(changed) == ["FrigateExporterDown", "FrigateRemediatorDown"]


@pytest.mark.parametrize("scenario,exporter,remediator", [("exporter-only", True, False),
                                                          ("remediator-only", False, True)])
def test_only_the_rules_of_enabled_components_are_rendered(scenario, exporter, remediator):
    rule = one(docs(render(SCENARIOS[scenario])), "PrometheusRule")
    assert rule["spec"] == adapted_source_rules(exporter=exporter, remediator=remediator)
    names = {r["alert"] for g in rule["spec"]["groups"] for r in g["rules"]}
    assert ("FrigateRemediatorDown" in names) == remediator
    assert ("FrigateExporterDown" in names) == exporter and ("FrigateNoFrames" in names) == exporter


def test_runbook_base_url_is_a_value():
    url = "https://wiki.example.org/frigate#"
    rule = one(docs(render([f"prometheusRule.runbookBaseUrl={url}"])), "PrometheusRule")
    for g in rule["spec"]["groups"]:
        for r in g["rules"]:
            assert r["annotations"]["runbook_url"] == url + r["alert"].lower()


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
    # Exactly what the kube client sends (common/kube/kube_client.cc): GET and PUT of the state
    # ConfigMap, POST to create it, GET and strategic-merge PATCH of the Deployment, LIST of pods,
    # GET of the pod's node.
    assert grants == {
        ("configmaps", "get"): ["frigate-health-state"],
        ("configmaps", "update"): ["frigate-health-state"],
        ("configmaps", "create"): None,  # cannot be restricted by name
        ("deployments", "get"): ["frigate"],
        ("deployments", "patch"): ["frigate"],
        ("pods", "list"): None,
        ("nodes", "get"): None,
    }
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
    rendered = yaml.safe_dump(one(default_objs, "PrometheusRule")["spec"])
    for sm in by_kind(default_objs, "ServiceMonitor"):
        endpoint = sm["spec"]["endpoints"][0]
        # The scrape's namespace must stand: OnNamespace routes the alerts by it.
        assert endpoint["honorLabels"] is False
        job = endpoint["relabelings"][0]["replacement"]
        assert endpoint["relabelings"][0]["targetLabel"] == "job"
        assert f'job=~".*{job}.*"' in rules_text
        assert f'job="{job}",namespace="{NS}"' in rendered
        assert endpoint["interval"] == "15s"


def test_alertmanagerconfig_route_matches_the_example(default_objs):
    route = one(default_objs, "AlertmanagerConfig")["spec"]["route"]
    example = yaml.safe_load((REPO / "alerts" / "alertmanager-example.yml").read_text())["route"]["routes"][0]
    assert route["groupBy"] == example["group_by"] == ["frigate_namespace", "frigate_deployment"]
    assert (route["groupWait"], route["groupInterval"], route["repeatInterval"]) == (
        example["group_wait"], example["group_interval"], example["repeat_interval"])
    assert route["continue"] is True
    assert route["matchers"] == [{"name": "alertname", "matchType": "=~", "value": "Frigate.+"}]
    assert "routes" not in route  # no mail configured: the remediator only


def test_with_mail_alertmanager_mails_every_alert_a_restart_cannot_fix():
    objs = docs(render(MAIL))
    amc = one(objs, "AlertmanagerConfig")["spec"]
    children = amc["route"]["routes"]
    assert children[0] == {"receiver": "frigate-remediator", "continue": True}
    assert children[1]["receiver"] == "frigate-email"
    assert children[1]["matchers"] == [{"name": "remediate", "matchType": "!=", "value": "restart"}]
    email = next(r for r in amc["receivers"] if r["name"] == "frigate-email")["emailConfigs"][0]
    secret = one(objs, "Secret", "-smtp")["metadata"]["name"]
    assert email == {"to": "ops@example.org", "from": "me@example.org", "smarthost": "smtp.mail.yahoo.com:465",
                     "authUsername": "me@example.org", "authPassword": {"name": secret, "key": "password"},
                     "requireTLS": False, "sendResolved": True}
    starttls = docs(render([*MAIL, "remediator.smtp.tls=starttls", "remediator.smtp.port=587",
                            "remediator.smtp.existingSecret=mail", "remediator.smtp.existingSecretKey=pw"]))
    email = one(starttls, "AlertmanagerConfig")["spec"]["receivers"][1]["emailConfigs"][0]
    assert email["requireTLS"] is True and email["smarthost"] == "smtp.mail.yahoo.com:587"
    assert email["authPassword"] == {"name": "mail", "key": "pw"} and "forceImplicitTLS" not in email
    implicit_elsewhere = docs(render([*MAIL, "remediator.smtp.port=2465"]))
    email = one(implicit_elsewhere, "AlertmanagerConfig")["spec"]["receivers"][1]["emailConfigs"][0]
    assert email["forceImplicitTLS"] is True and email["requireTLS"] is False
    # Without the remediator the mail route stands alone.
    exporter_only = one(docs(render(SCENARIOS["exporter-only-with-mail"])), "AlertmanagerConfig")["spec"]
    assert exporter_only["route"]["receiver"] == "frigate-email"
    assert [r["receiver"] for r in exporter_only["route"]["routes"]] == ["frigate-email"]
    assert [r["name"] for r in exporter_only["receivers"]] == ["frigate-email"]


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
                                 "serviceMonitor.interval=soon", "frigate.deployment=Bad_Name",
                                 "kubePrometheusStackRelease=not a label", "monitoringCrds=maybe",
                                 "remediator.smtp.alertmanager.repeatInterval=often"])
def test_schema_rejects_bad_values(bad):
    result = run([helm(), "template", "fh", CHART, "--set", bad])
    assert result.returncode != 0, bad


def test_notes_render():
    result = run([helm(), "install", "fh", CHART, "--namespace", NS, "--dry-run=client"])
    assert result.returncode == 0, result.stderr
    assert "webhook" in result.stdout.lower() and "NOTES:" in result.stdout


def test_release_label_selects_servicemonitors_and_prometheusrule(default_objs):
    """kube-prometheus-stack's Prometheus selects both by `release: <its release>`
    (serviceMonitorSelectorNilUsesHelmValues / ruleSelectorNilUsesHelmValues, values.yaml of
    kube-prometheus-stack 88.x); its alertmanagerConfigSelector is {} and needs no label."""
    for obj in by_kind(default_objs, "ServiceMonitor") + by_kind(default_objs, "PrometheusRule"):
        assert obj["metadata"]["labels"]["release"] == "kube-prometheus-stack", obj["metadata"]["name"]
    assert "release" not in one(default_objs, "AlertmanagerConfig")["metadata"]["labels"]
    mine = docs(render(["kubePrometheusStackRelease=prom"]))
    assert {o["metadata"]["labels"]["release"] for o in mine if o["kind"] in ("ServiceMonitor", "PrometheusRule")} == {"prom"}
    none = docs(render(SCENARIOS["no-release-label"]))
    assert all("release" not in o["metadata"]["labels"] for o in none)


def notes(sets, crds="always"):
    """NOTES of a client-side dry-run install. Helm's install knows no --api-versions (its
    capabilities then hold no CRDs): monitoringCrds=always stands for a cluster that has them."""
    args = [helm(), "install", "fh", CHART, "--namespace", NS, "--dry-run=client", "--set", f"monitoringCrds={crds}"]
    for s in sets:
        args += ["--set", s]
    result = run(args)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("NOTES:", 1)[1]


def test_notes_warn_about_the_release_label_only_when_it_is_empty():
    assert "kubePrometheusStackRelease is empty" not in notes([])
    assert "kubePrometheusStackRelease is empty" in notes(SCENARIOS["no-release-label"])


def test_notes_say_where_alerts_that_need_a_person_go():
    assert "reach no one" in notes([])
    text = notes(MAIL)
    assert "reach no one" not in text and "ops@example.org" in text


def test_monitoring_objects_need_their_api_in_the_cluster_or_the_switch():
    kinds = ("ServiceMonitor", "PrometheusRule", "AlertmanagerConfig")
    bare = docs(render([], apis=[]))
    assert not [d for d in bare if d["kind"] in kinds]
    assert by_kind(bare, "Deployment")  # the programs themselves still install
    only_v1 = docs(render([], apis=OPERATOR_APIS[:2]))
    assert {d["kind"] for d in only_v1 if d["kind"] in kinds} == {"ServiceMonitor", "PrometheusRule"}
    forced = docs(render(["monitoringCrds=always"], apis=[]))
    assert {d["kind"] for d in forced if d["kind"] in kinds} == set(kinds)
    # NOTES begin with what was left out, so nobody misses it.
    text = notes([], crds="auto").lstrip()
    assert text.startswith("NOT RENDERED")
    assert "monitoring.coreos.com/v1alpha1/AlertmanagerConfig" in text.split("\n\n")[0]
    assert not notes([]).lstrip().startswith("NOT RENDERED")


def test_service_account_name_is_used_by_pods_and_rolebindings():
    existing = docs(render(SCENARIOS["existing-sa"]))
    assert not by_kind(existing, "ServiceAccount")
    for dep in by_kind(existing, "Deployment"):
        assert dep["spec"]["template"]["spec"]["serviceAccountName"] == "cams-sa"
    for binding in by_kind(existing, "RoleBinding") + by_kind(existing, "ClusterRoleBinding"):
        assert [s["name"] for s in binding["subjects"]] == ["cams-sa"]
    named = docs(render(SCENARIOS["one-named-sa"]))
    assert [sa["metadata"]["name"] for sa in by_kind(named, "ServiceAccount")] == ["fh-sa"]
    assert {b["subjects"][0]["name"] for b in by_kind(named, "RoleBinding")} == {"fh-sa"}
    # RBAC for a ServiceAccount that nobody names would bind nothing: refused with the reason.
    result = run([helm(), "template", "fh", CHART, "--set", "serviceAccount.create=false"])
    assert result.returncode != 0 and "serviceAccount.name" in result.stderr


def test_common_labels_extra_env_and_relabelings():
    objs = docs(render(SCENARIOS["extras"]))
    for obj in objs:
        assert obj["metadata"]["labels"]["team"] == "nvr", obj["metadata"]["name"]
    env = one(objs, "Deployment", "-exporter")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[-1] == {"name": "FRIGATE_HC_LOG_LEVEL", "value": "debug"}
    for sm in by_kind(objs, "ServiceMonitor"):
        endpoint = sm["spec"]["endpoints"][0]
        assert endpoint["relabelings"][0]["targetLabel"] == "job"  # the chart's own stays first
        assert endpoint["relabelings"][1] == {"targetLabel": "site", "replacement": "home"}
        assert endpoint["metricRelabelings"][-1] == {"action": "labeldrop", "regex": "cmdline"}
    exporter_sm = one(objs, "ServiceMonitor", "-exporter")["spec"]["endpoints"][0]
    assert exporter_sm["metricRelabelings"] == [{"action": "labeldrop", "regex": "cmdline"}]


def test_chart_metadata_names_home_sources_maintainers_and_icon():
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert meta["home"].startswith("https://") and meta["icon"].startswith("https://")
    assert meta["sources"] and all(s.startswith("https://") for s in meta["sources"])
    assert meta["maintainers"] and all(m["name"] for m in meta["maintainers"])


def test_every_allowed_target_gets_the_restart_rights_in_its_namespace_only():
    objs = docs(render(["remediator.allowedTargets={cameras/frigate-2,nvr/frigate-b,nvr/frigate}"]))
    roles = {r["metadata"]["namespace"]: r for r in by_kind(objs, "Role") if r["metadata"]["name"].endswith("-remediator-target")}
    assert set(roles) == {"nvr", "cameras"}
    assert roles["nvr"]["rules"][0]["resourceNames"] == ["frigate", "frigate-b"]
    assert roles["cameras"]["rules"][0]["resourceNames"] == ["frigate-2"]
    bindings = {b["metadata"]["namespace"] for b in by_kind(objs, "RoleBinding") if b["metadata"]["name"].endswith("-remediator-target")}
    assert bindings == {"nvr", "cameras"}
    env = env_of(one(objs, "Deployment", "-remediator"))
    assert env["FRIGATE_HC_ALLOWED_TARGETS"]["value"] == "nvr/frigate,cameras/frigate-2,nvr/frigate-b"


def test_pods_are_found_as_the_official_frigate_chart_labels_them(default_objs):
    """The official Frigate chart (blakeshome-charts charts/frigate, tag frigate-7.8.0,
    templates/deployment.yaml) labels its pods app.kubernetes.io/name=frigate and
    app.kubernetes.io/instance=<release>, never app=frigate, and names its container "frigate".
    The remediator finds each target's pods by its Deployment's spec.selector unless
    POD_LABEL_SELECTOR overrides it; the exporter may not read Deployments, so it gets the
    official chart's name label."""
    exporter = env_of(one(default_objs, "Deployment", "-exporter"))
    remediator = env_of(one(default_objs, "Deployment", "-remediator"))
    assert "FRIGATE_HC_POD_LABEL_SELECTOR" not in remediator
    assert exporter["FRIGATE_HC_POD_LABEL_SELECTOR"]["value"] == "app.kubernetes.io/name=frigate"
    assert "FRIGATE_HC_FRIGATE_CONTAINER" not in remediator and "FRIGATE_HC_FRIGATE_CONTAINER" not in exporter

    objs = docs(render(["frigate.podLabelSelector=app.kubernetes.io/instance=cams", "frigate.container=nvr"]))
    for suffix in ("-exporter", "-remediator"):
        env = env_of(one(objs, "Deployment", suffix))
        assert env["FRIGATE_HC_POD_LABEL_SELECTOR"]["value"] == "app.kubernetes.io/instance=cams", suffix
        assert env["FRIGATE_HC_FRIGATE_CONTAINER"]["value"] == "nvr", suffix


def test_schema_rejects_a_container_name_kubernetes_would_refuse():
    result = run([helm(), "template", "fh", CHART, "--set", "frigate.container=Frigate Main"])
    assert result.returncode != 0


@pytest.mark.parametrize("sets", [[], ["remediator.webhook.existingSecret=hook-token",
                                       "remediator.webhook.existingSecretKey=t"]])
def test_notes_fetch_the_full_state_with_the_token_the_remediator_checks(sets):
    """GET /api/v1/state is redacted without the webhook's credentials: the NOTES' command reads
    the token from the very Secret key the remediator's WEBHOOK_TOKEN comes from, and sends it."""
    text = notes(sets)
    m = re.search(r"TOKEN=\$\(kubectl -n (\S+) get secret (\S+) -o jsonpath='\{\.data\.([^}]+)\}' \| base64 -d\)",
                  text)
    assert m, text
    assert m.group(1) == NS
    assert re.search(r'curl -s -H "Authorization: Bearer \$TOKEN" http://127\.0\.0\.1:9712/api/v1/state', text), text
    ref = env_of(one(docs(render(sets)), "Deployment", "-remediator"))["FRIGATE_HC_WEBHOOK_TOKEN"]
    assert ref["valueFrom"]["secretKeyRef"] == {"name": m.group(2), "key": m.group(3)}
    if not sets:  # the chart's own Secret holds that key
        secret = one(docs(render(sets)), "Secret", "-webhook")
        assert secret["metadata"]["name"] == m.group(2) and m.group(3) in secret["data"]


def test_notes_say_the_state_is_redacted_without_webhook_auth():
    text = notes(["remediator.webhook.auth=none"])
    assert "curl -s http://127.0.0.1:9712/api/v1/state" in text
    assert "redacted" in text and "Authorization" not in text
