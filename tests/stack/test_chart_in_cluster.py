"""The chart's alert loop, traced the way a cluster with kube-prometheus-stack on its defaults runs it.

    helm template (chart in "monitoring", Frigate in "frigate"; or both in "frigate")
      -> the real frigate-exporter with the rendered Deployment's settings, against the Frigate simulator
      -> a real Prometheus scraping it as prometheus-operator scrapes the rendered ServiceMonitor
         (target labels namespace, service, pod, container, endpoint, job; honor_labels; the
         endpoint's relabelings and metricRelabelings), with the rendered PrometheusRule
      -> a real Alertmanager running kube-prometheus-stack 88.5.3's default configuration with the
         rendered AlertmanagerConfig merged in as prometheus-operator v0.93.0 merges it
         (tests/stack/operator_amcfg.py), under the OnNamespace or None matcher strategy
      -> the real frigate-remediator with the rendered Deployment's settings and Secrets, restarting
         Frigate through the Kubernetes API double; and a person's mailbox (the aiosmtpd double).

Shown per scenario: a restartable alert (FrigateInferenceSlow) reaches the remediator, which
PATCHes <frigate namespace>/frigate; a notify-only alert (FrigateEdgeTpuMissing) ends in a mail to
alertEmail sent by Alertmanager with the SMTP Secret's password; with the exporter gone,
FrigateExporterDown (the chart's absent() form) is mailed too; every Kubernetes request the
remediator made is allowed by the chart's RBAC.

Changes to what a cluster would run, and nothing else: Service DNS names become loopback
addresses (the webhook URL and Frigate's URL), every rule's `for:` is divided by 60 and the
timers are seconds (through chart values), and the remediator, outside a cluster, keeps its state
ConfigMap in NAMESPACE rather than in its pod's namespace (remediator/main.cc); the RBAC check
maps that back.
"""
import base64
import dataclasses
import email
import email.policy
import json
import pathlib
import re
import subprocess
import time
import urllib.parse

import pytest
import yaml

import operator_amcfg
from stack_common import CHART, EXPORTER, HELM, REMEDIATOR, REPO, require_tool
from fhc_testlib import PY, Proc, free_port, http_get, http_post_json, parse_metrics

DOUBLES = REPO / "tests" / "doubles"
KPS_CONFIG = REPO / "tests" / "stack" / "fixtures" / "kube-prometheus-stack-88.5.3-alertmanager-config.yaml"
KPS_MIRROR = pathlib.Path("/work/.mirror/prometheus-community+helm-charts/repo")
RELEASE = "fh"
SMTP_USER, SMTP_PASSWORD = "frigate@example.org", "smtp-s3cret"
ALERT_EMAIL, EMAIL_FROM = "ops@example.org", "frigate-health@example.org"


@dataclasses.dataclass(frozen=True)
class Scenario:
    chart_ns: str
    frigate_ns: str  # "" = the chart's namespace
    strategy: str = "OnNamespace"  # the Alertmanager resource's alertmanagerConfigMatcherStrategy
    sets: tuple = ()
    override_honor_labels: bool = False  # the Prometheus resource's overrideHonorLabels

    @property
    def target_ns(self):
        return self.frigate_ns or self.chart_ns


SCENARIOS = {
    "apart-OnNamespace": Scenario("monitoring", "frigate"),
    "apart-None-honorLabels": Scenario("monitoring", "frigate", "None", ("serviceMonitor.honorLabels=true",)),
    "apart-OnNamespace-overrideHonorLabels": Scenario("monitoring", "frigate", "OnNamespace",
                                                      ("serviceMonitor.honorLabels=true",), True),
    "together-OnNamespace": Scenario("frigate", ""),
}


def wait_until(predicate, timeout, what, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


# ---------------------------------------------------------------------------------------------
# Rendering


def helm_render(scenario, smtp_port):
    sets = [
        f"frigate.namespace={scenario.frigate_ns}",
        # Mail configured: the remediator's and Alertmanager's (the person's) mail.
        "remediator.smtp.enabled=true", "remediator.smtp.host=127.0.0.1", f"remediator.smtp.port={smtp_port}",
        "remediator.smtp.tls=none", f"remediator.smtp.user={SMTP_USER}", f"remediator.smtp.password={SMTP_PASSWORD}",
        f"remediator.smtp.alertEmail={ALERT_EMAIL}", f"remediator.smtp.emailFrom={EMAIL_FROM}",
        # Seconds instead of minutes.
        "serviceMonitor.interval=1s", "serviceMonitor.scrapeTimeout=1s",
        "alertmanagerConfig.groupWait=1s", "alertmanagerConfig.groupInterval=2s",
        "alertmanagerConfig.repeatInterval=1s",
        "remediator.smtp.alertmanager.groupWait=1s", "remediator.smtp.alertmanager.groupInterval=2s",
        "remediator.smtp.alertmanager.repeatInterval=1h",
        # One observation restarts; Frigate has just started in the double.
        "remediator.settings.CONSECUTIVE_FAILURES_REQUIRED=1",
        "remediator.settings.STARTUP_GRACE_PERIOD_SECONDS=0",
        "remediator.settings.OBSERVATION_INTERVAL_SECONDS=1",
        *scenario.sets,
    ]
    args = [HELM, "template", RELEASE, CHART, "--namespace", scenario.chart_ns]
    for api in ("monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule",
                "monitoring.coreos.com/v1alpha1/AlertmanagerConfig"):
        args += ["--api-versions", api]
    for s in sets:
        args += ["--set", s]
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def only(objs, kind, suffix=""):
    found = [o for o in objs if o["kind"] == kind and o["metadata"]["name"].endswith(suffix)]
    assert len(found) == 1, (kind, suffix, len(found))
    return found[0]


def container_env(deployment, secrets):
    """The container's environment as the kubelet would set it (secretKeyRef resolved)."""
    env = {}
    for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]:
        if "value" in e:
            env[e["name"]] = e["value"]
        else:
            ref = e["valueFrom"]["secretKeyRef"]
            env[e["name"]] = secrets.get(deployment["metadata"]["namespace"], ref)
    return env


def snake(key):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def relabel_configs(items):
    """prometheus-operator RelabelConfig -> Prometheus relabel_config (field names only)."""
    return [{snake(k): v for k, v in r.items()} for r in items or []]


def scrape_config(sm, component, url, override_honor_labels):
    """The scrape job prometheus-operator makes of a ServiceMonitor endpoint (promcfg.go), with a
    static target standing for the Endpoints it would discover: the target labels it sets
    (namespace, service, pod, container, endpoint, and job = the Service name) come first, then
    the endpoint's relabelings, as in the generated relabel_configs."""
    ep = sm["spec"]["endpoints"][0]
    ns, service = sm["metadata"]["namespace"], sm["metadata"]["name"]
    return {
        "job_name": f"serviceMonitor/{ns}/{service}/0",
        "honor_labels": bool(ep.get("honorLabels")) and not override_honor_labels,
        "scrape_interval": ep["interval"], "scrape_timeout": ep["scrapeTimeout"],
        "metrics_path": ep["path"],
        "static_configs": [{"targets": [url.removeprefix("http://")],
                            "labels": {"namespace": ns, "service": service, "pod": f"{service}-5d8f7c9b4-x2x7q",
                                       "container": component, "endpoint": ep["port"], "job": service}}],
        "relabel_configs": relabel_configs(ep.get("relabelings")),
        "metric_relabel_configs": relabel_configs(ep.get("metricRelabelings")),
    }


def prometheus_rules(rule_obj):
    spec = json.loads(json.dumps(rule_obj["spec"]))
    for group in spec["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                minutes = int(re.fullmatch(r"(\d+)m", rule["for"]).group(1))
                rule["for"] = f"{minutes}s"
    return spec


# ---------------------------------------------------------------------------------------------
# RBAC


API_RX = [
    (r"^/apis/apps/v1/namespaces/(?P<ns>[^/]+)/deployments/(?P<name>[^/?]+)$", "apps", "deployments"),
    (r"^/api/v1/namespaces/(?P<ns>[^/]+)/pods$", "", "pods"),
    (r"^/api/v1/namespaces/(?P<ns>[^/]+)/pods/(?P<name>[^/?]+)$", "", "pods"),
    (r"^/api/v1/namespaces/(?P<ns>[^/]+)/configmaps/(?P<name>[^/?]+)$", "", "configmaps"),
    (r"^/api/v1/namespaces/(?P<ns>[^/]+)/configmaps$", "", "configmaps"),
    (r"^/api/v1/nodes/(?P<name>[^/?]+)$", "", "nodes"),
]
VERBS = {"GET": "get", "PATCH": "patch", "PUT": "update", "POST": "create", "DELETE": "delete"}


def authorize(objs, sa_ns, sa_name, method, path, query):
    """RBAC's decision for one request: (allowed, attributes)."""
    for rx, group, resource in API_RX:
        m = re.match(rx, path)
        if m:
            break
    else:
        return False, f"unknown path {path}"
    ns, name = m.groupdict().get("ns"), m.groupdict().get("name")
    verb = VERBS[method]
    if method == "GET" and name is None:
        verb = "watch" if "watch=" in (query or "") else "list"
    roles = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o
             for o in objs if o["kind"] in ("Role", "ClusterRole")}
    for b in (o for o in objs if o["kind"] in ("RoleBinding", "ClusterRoleBinding")):
        if not any(s["kind"] == "ServiceAccount" and s["name"] == sa_name and s["namespace"] == sa_ns
                   for s in b["subjects"]):
            continue
        if b["kind"] == "RoleBinding" and b["metadata"]["namespace"] != ns:
            continue
        ref = b["roleRef"]
        role = roles.get((ref["kind"], b["metadata"].get("namespace") if ref["kind"] == "Role" else None, ref["name"]))
        for rule in (role or {}).get("rules", []):
            if group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"] and (
                    "resourceNames" not in rule or name in rule["resourceNames"]):
                return True, (verb, resource, ns, name)
    return False, (verb, resource, ns, name)


# ---------------------------------------------------------------------------------------------
# The test


def start(procs, argv, env=None, name=None, logdir=None):
    p = Proc(argv, env, name, logdir)
    procs.append(p)
    return p


@pytest.fixture
def running():
    procs = []
    yield procs
    for p in reversed(procs):
        p.stop()


def read_mail(maildir):
    out = []
    for eml in sorted(pathlib.Path(maildir).glob("*.eml")):
        envelope = json.loads(eml.with_suffix(".json").read_text())
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        out.append({"envelope": envelope, "subject": str(msg["Subject"]),
                    "remediator": msg["X-Frigate-Remediator-Outcome"] is not None})
    return out


@pytest.mark.parametrize("name", SCENARIOS)
def test_restartable_alert_restarts_frigate_and_a_person_is_mailed(name, tmp_path, running):
    scenario = SCENARIOS[name]
    for tool in ("prometheus", "prometheus-alertmanager", "amtool"):
        require_tool(tool, "apt-get install prometheus prometheus-alertmanager")
    for binary in (EXPORTER, REMEDIATOR):
        assert binary.exists(), f"{binary} is not built"
    log = tmp_path

    # Doubles: Frigate, the Kubernetes API (Frigate's Deployment in its namespace), a mailbox.
    sim = start(running, [PY, DOUBLES / "frigate_sim.py", "--port", "0", "--control-port", "0",
                          "--version", "0.16", "--cameras", "3", "--stats-interval", "0",
                          "--log-interval", "0"], name="frigate-sim", logdir=log)
    sim_url = sim.wait_for(r"frigate-sim listening on (http://\S+)").group(1)
    sim_control = sim.wait_for(r"frigate-sim control on (http://\S+)").group(1)
    kube = start(running, [PY, DOUBLES / "kube_api_double.py", "--port", "0", "--namespace",
                           scenario.target_ns, "--deployment", "frigate", "--rollout-seconds", "1"],
                 name="kube-api-double", logdir=log)
    kube_url = kube.wait_for(r"listening on (http://\S+)").group(1)
    maildir = tmp_path / "mail"
    smtp = start(running, [PY, DOUBLES / "smtp_server.py", "--port", "0", "--tls", "none", "--maildir", maildir,
                           "--user", SMTP_USER, "--password", SMTP_PASSWORD, "--require-auth"],
                 name="smtp", logdir=log)
    smtp_port = int(smtp.wait_for(r"^PORT (\d+)").group(1))

    objs = helm_render(scenario, smtp_port)
    secrets = operator_amcfg.SecretStore([o for o in objs if o["kind"] == "Secret"])

    # The programs, with the rendered settings.
    exporter_env = container_env(only(objs, "Deployment", "-exporter"), secrets)
    assert exporter_env["FRIGATE_HC_TARGET_LABELS"] == "true"
    assert exporter_env["FRIGATE_HC_NAMESPACE"] == scenario.target_ns
    exporter_env.update(FRIGATE_HC_LISTEN="127.0.0.1:0", FRIGATE_HC_FRIGATE_URL=sim_url)
    exporter = start(running, [EXPORTER], exporter_env, name="frigate-exporter", logdir=log)
    exporter_url = exporter.wait_for(r"listening on (http://127\.0\.0\.1:\d+)").group(1)

    remediator_env = container_env(only(objs, "Deployment", "-remediator"), secrets)
    assert remediator_env["FRIGATE_HC_ALLOWED_TARGETS"] == f"{scenario.target_ns}/frigate"
    assert remediator_env["FRIGATE_HC_RESTART_ACTION"] == "kubernetes"
    remediator_port = free_port()
    remediator_env.update(FRIGATE_HC_LISTEN=f"127.0.0.1:{remediator_port}", FRIGATE_HC_FRIGATE_URL=sim_url,
                          FRIGATE_HC_KUBE_API_URL=kube_url)
    remediator = start(running, [REMEDIATOR], remediator_env, name="frigate-remediator", logdir=log)
    remediator.wait_for(r"listening on http://127\.0\.0\.1:\d+")
    remediator_url = f"http://127.0.0.1:{remediator_port}"

    # Alertmanager: kube-prometheus-stack's default configuration plus the AlertmanagerConfig, as
    # the operator generates it; the Service name of the webhook URL becomes loopback.
    amc = only(objs, "AlertmanagerConfig")
    base = yaml.safe_load(KPS_CONFIG.read_text())
    version = subprocess.run(["prometheus-alertmanager", "--version"], capture_output=True, text=True)
    am_version = re.search(r"version (\S+)", version.stdout + version.stderr).group(1)
    config = operator_amcfg.add_alertmanager_configs(base, [amc], secrets, scenario.strategy, am_version,
                                                     alertmanager_namespace="monitoring")
    service_url = f"http://{RELEASE}-frigate-health-remediator.{scenario.chart_ns}.svc:9712/webhook"
    text = operator_amcfg.dump(config)
    assert text.count(service_url) == 1, text
    am_file = tmp_path / "alertmanager.yml"
    am_file.write_text(text.replace(service_url, remediator_url + "/webhook"))
    check = subprocess.run(["amtool", "check-config", str(am_file)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    def routes(*labels):
        r = subprocess.run(["amtool", "config", "routes", "test", f"--config.file={am_file}", *labels],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    prefix = f"{scenario.chart_ns}/{RELEASE}-frigate-health"
    # As the rules label them: the scrape's namespace, the exporter's target labels.
    restartable = ["alertname=FrigateInferenceSlow", "remediate=restart", f"namespace={scenario.chart_ns}",
                   f"frigate_namespace={scenario.target_ns}", "frigate_deployment=frigate", "severity=warning"]
    manual = ["alertname=FrigateEdgeTpuMissing", "remediate=manual", f"namespace={scenario.chart_ns}",
              f"frigate_namespace={scenario.target_ns}", "frigate_deployment=frigate", "severity=critical"]
    assert routes(*restartable) == f"{prefix}/frigate-remediator"
    assert routes(*manual) == f"{prefix}/frigate-remediator,{prefix}/frigate-email"
    # Alerts about the tools themselves carry only the scrape's labels (or, for absent(), the
    # rule's): they reach a person through Alertmanager, whatever state the remediator is in.
    for tool_alert in ("FrigateRemediatorMailFailing", "FrigateRemediatorDown", "FrigateExporterDown"):
        assert routes(f"alertname={tool_alert}", f"namespace={scenario.chart_ns}") == (
            f"{prefix}/frigate-remediator,{prefix}/frigate-email"), tool_alert
    assert routes("alertname=Watchdog") == "null"
    if scenario.strategy == "OnNamespace" and scenario.frigate_ns:
        # The old exporter labels (namespace = Frigate's) would have gone to the null receiver.
        assert routes("alertname=FrigateInferenceSlow", "remediate=restart", f"namespace={scenario.frigate_ns}") == "null"

    am_port = free_port()
    start(running, ["prometheus-alertmanager", f"--config.file={am_file}", f"--storage.path={tmp_path / 'am'}",
                    f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
          name="alertmanager", logdir=log)
    wait_until(lambda: http_get(f"http://127.0.0.1:{am_port}/-/ready")[0] == 200, 30, "Alertmanager ready")

    # Prometheus: the ServiceMonitors' scrape jobs and the PrometheusRule.
    rules_file = tmp_path / "rules.yml"
    rules_file.write_text(yaml.safe_dump(prometheus_rules(only(objs, "PrometheusRule"))))
    prom_config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules_file)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
        "scrape_configs": [
            scrape_config(only(objs, "ServiceMonitor", "-exporter"), "exporter", exporter_url,
                          scenario.override_honor_labels),
            scrape_config(only(objs, "ServiceMonitor", "-remediator"), "remediator", remediator_url,
                          scenario.override_honor_labels),
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(prom_config))
    check = subprocess.run(["promtool", "check", "config", str(tmp_path / "prometheus.yml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    prom_port = free_port()
    prom_url = f"http://127.0.0.1:{prom_port}"
    start(running, ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom'}", f"--web.listen-address=127.0.0.1:{prom_port}",
                    "--rules.alert.resend-delay=1s"], name="prometheus", logdir=log)

    def query(expr):
        status, _, body = http_get(f"{prom_url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        return json.loads(body)["data"]["result"] if status == 200 else []

    healthy = wait_until(lambda: query("frigate_healthy == 1"), 60, "Prometheus to see a healthy Frigate")
    labels = healthy[0]["metric"]
    # The labels the alerts will carry: the scrape's namespace, the exporter's target labels.
    assert labels["namespace"] == scenario.chart_ns, labels
    assert labels["frigate_namespace"] == scenario.target_ns and labels["frigate_deployment"] == "frigate", labels
    assert labels["job"] == "frigate-exporter", labels

    # 1. A restartable fault: the remediator restarts Frigate through the Kubernetes API.
    status, body = http_post_json(sim_control + "/_sim/fault", {"fault": "slow_inference", "ms": 250})
    assert status == 200, body
    deployment_path = f"/apis/apps/v1/namespaces/{scenario.target_ns}/deployments/frigate"

    def patches():
        status, _, body = http_get(kube_url + "/_double/requests")
        return [r for r in json.loads(body) if r["method"] == "PATCH" and r["path"] == deployment_path]

    patch = wait_until(patches, 60, f"the remediator to PATCH {deployment_path}")[0]
    assert "kubectl.kubernetes.io/restartedAt" in json.dumps(patch.get("body"))
    # Frigate's pods were found as the official chart labels them, by the Deployment's own
    # spec.selector: the chart sets no POD_LABEL_SELECTOR for the remediator.
    assert "FRIGATE_HC_POD_LABEL_SELECTOR" not in remediator_env
    status, _, body = http_get(kube_url + "/_double/requests")
    pod_lists = [urllib.parse.parse_qs(r["query"]).get("labelSelector", [""])[0]
                 for r in json.loads(body)
                 if r["method"] == "GET" and r["path"] == f"/api/v1/namespaces/{scenario.target_ns}/pods"]
    assert pod_lists and set(pod_lists) == {"app.kubernetes.io/instance=frigate,app.kubernetes.io/name=frigate"}, \
        pod_lists
    alert = wait_until(lambda: query('ALERTS{alertname="FrigateInferenceSlow",alertstate="firing"}'), 5,
                       "the firing alert in Prometheus")[0]["metric"]
    assert alert["namespace"] == scenario.chart_ns and alert["frigate_namespace"] == scenario.target_ns
    status, body = http_post_json(sim_control + "/_sim/clear", {"fault": "slow_inference"})
    assert status == 200, body

    # 2. A fault a restart cannot fix: Alertmanager mails the person.
    status, body = http_post_json(sim_control + "/_sim/fault", {"fault": "edgetpu_missing"})
    assert status == 200, body

    def alertmanager_mail():
        return [m for m in read_mail(maildir) if not m["remediator"]]

    mail = wait_until(alertmanager_mail, 60, "Alertmanager's mail about FrigateEdgeTpuMissing")[0]
    # Grouped by alertname, frigate_namespace, frigate_deployment (the email route's groupBy).
    assert mail["subject"].startswith(f"[FIRING:1] FrigateEdgeTpuMissing {scenario.target_ns} frigate "), mail
    assert mail["envelope"]["rcpt_tos"] == [ALERT_EMAIL], mail["envelope"]
    assert mail["envelope"]["mail_from"] == EMAIL_FROM, mail["envelope"]
    assert mail["envelope"]["login"] == SMTP_USER  # authenticated with the SMTP Secret's password
    # The remediator told of its restart; Alertmanager mailed nobody about the restartable alert.
    mails = read_mail(maildir)
    assert any(m["remediator"] and "restarted" in m["subject"] for m in mails), [m["subject"] for m in mails]
    assert not [m for m in mails if "FrigateInferenceSlow" in m["subject"]]

    # 3. The exporter goes away: FrigateExporterDown (absent(up{...} == 1) in the chart's rules,
    # labels set by the rule) reaches the person under the namespace matcher too.
    exporter.stop()

    def exporter_down_mail():
        return [m for m in read_mail(maildir) if m["subject"].startswith(
            f"[FIRING:1] FrigateExporterDown {scenario.target_ns} frigate")]

    wait_until(exporter_down_mail, 60, "Alertmanager's mail about FrigateExporterDown")

    # 4. Every Kubernetes request the remediator made is allowed by the chart's RBAC. Outside a
    # cluster its state ConfigMap lives in NAMESPACE; in a cluster, in its own namespace.
    status, _, body = http_get(kube_url + "/_double/requests")
    requests = [r for r in json.loads(body) if not r["path"].startswith("/_double")]
    assert requests
    sa = only(objs, "ServiceAccount", "-remediator")["metadata"]["name"]
    for r in requests:
        path = r["path"]
        if "/configmaps" in path:
            path = path.replace(f"/namespaces/{scenario.target_ns}/", f"/namespaces/{scenario.chart_ns}/")
        allowed, what = authorize(objs, scenario.chart_ns, sa, r["method"], path, r.get("query"))
        assert allowed, f"RBAC denies {r['method']} {r['path']}: {what}"


def test_the_kube_prometheus_stack_fixture_is_its_default_configuration():
    """The fixture holds the stack's alertmanager.config as values.yaml at the tag has it."""
    if not (KPS_MIRROR / "HEAD").exists() and not (KPS_MIRROR / ".git").exists():
        pytest.skip(f"upstream mirror {KPS_MIRROR} not on this machine")
    values = subprocess.run(["git", "-C", str(KPS_MIRROR), "show",
                             "kube-prometheus-stack-88.5.3:charts/kube-prometheus-stack/values.yaml"],
                            capture_output=True, text=True)
    assert values.returncode == 0, values.stderr
    upstream = yaml.safe_load(values.stdout)["alertmanager"]["config"]
    assert yaml.safe_load(KPS_CONFIG.read_text()) == upstream


def test_operator_port_reproduces_the_operators_golden_files():
    """operator_amcfg on the inputs of prometheus-operator v0.93.0's own test cases
    (pkg/alertmanager/amcfg_test.go, TestGenerateConfigEmailReceiver "CR with EmailConfig with
    Required Fields specified at Receiver level") gives the golden output
    (pkg/alertmanager/testdata/CR_with_EmailConfig_Receiver_Conf.golden), here as parsed YAML."""
    base = {"route": {"receiver": "null"}, "receivers": [{"name": "null"}]}
    amc = {"metadata": {"namespace": "mynamespace", "name": "myamc"},
           "spec": {"route": {"receiver": "test"},
                    "receivers": [{"name": "test", "emailConfigs": [
                        {"smarthost": "example.com:25", "from": "admin@example.com", "to": "customers@example.com"}]}]}}
    cfg = operator_amcfg.add_alertmanager_configs(base, [amc], [], "", "0.26.0")
    assert cfg == {
        "route": {"receiver": "null", "routes": [
            {"receiver": "mynamespace/myamc/test", "matchers": ['namespace="mynamespace"'], "continue": True}]},
        "receivers": [{"name": "null"}, {"name": "mynamespace/myamc/test", "email_configs": [
            {"to": "customers@example.com", "from": "admin@example.com", "smarthost": "example.com:25"}]}],
    }


def test_operator_port_nests_children_escapes_values_and_resolves_secrets():
    base = {"route": {"receiver": "null", "routes": [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}]},
            "receivers": [{"name": "null"}]}
    secret = {"metadata": {"namespace": "ns", "name": "hook"}, "data": {"t": base64.b64encode(b"tok").decode()}}
    amc = {"metadata": {"namespace": "ns", "name": "amc"},
           "spec": {"route": {"receiver": "a", "groupBy": ["job"],
                              "matchers": [{"name": "alertname", "matchType": "=~", "value": 'Frig"ate.+'}],
                              "routes": [{"receiver": "a", "continue": True},
                                         {"receiver": "b", "matchers": [
                                             {"name": "remediate", "matchType": "!=", "value": "restart"}]}]},
                    "receivers": [{"name": "a", "webhookConfigs": [{"url": "http://x/webhook", "sendResolved": True,
                                   "httpConfig": {"authorization": {"type": "Bearer",
                                                                    "credentials": {"name": "hook", "key": "t"}}}}]},
                                  {"name": "b"}]}}
    cfg = operator_amcfg.add_alertmanager_configs(base, [amc], [secret], "OnNamespace")
    top = cfg["route"]["routes"][0]
    assert top == {"receiver": "ns/amc/a", "group_by": ["job"],
                   "matchers": ['alertname=~"Frig\\"ate.+"', 'namespace="ns"'], "continue": True,
                   "routes": [{"receiver": "ns/amc/a", "continue": True},
                              {"receiver": "ns/amc/b", "matchers": ['remediate!="restart"']}]}
    # The AlertmanagerConfig's routes come before the base configuration's own.
    assert cfg["route"]["routes"][1] == base["route"]["routes"][0]
    assert cfg["receivers"][1]["webhook_configs"][0]["http_config"] == {
        "authorization": {"type": "Bearer", "credentials": "tok"}}
    none = operator_amcfg.add_alertmanager_configs(base, [amc], [secret], "None")
    assert none["route"]["routes"][0]["matchers"] == ['alertname=~"Frig\\"ate.+"']
    assert none["route"]["routes"][0]["continue"] is True
    with pytest.raises(KeyError):
        operator_amcfg.add_alertmanager_configs(base, [amc], [], "OnNamespace")
