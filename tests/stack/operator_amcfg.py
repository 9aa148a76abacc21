"""The Alertmanager configuration prometheus-operator generates from AlertmanagerConfig objects.

A Python rendering of what prometheus-operator v0.93.0 does in pkg/alertmanager/amcfg.go
(ConfigBuilder.AddAlertmanagerConfigs and the functions it calls), restricted to the fields the
frigate-health chart uses, so tests can run a real Alertmanager on exactly that configuration:

- AddAlertmanagerConfigs: objects in the order of their sorted keys; each route converted,
  passed through the enforcer, and the resulting routes put BEFORE the root route's own routes
  (`cb.cfg.Route.Routes = append(subRoutes, cb.cfg.Route.Routes...)`).
- getEnforcer: strategy "None" -> no matcher; anything else (the default, an empty
  alertmanagerConfigMatcherStrategy, is OnNamespace) -> the matcher `namespace="<the object's
  namespace>"` appended to the top route's matchers (Alertmanager >= 0.22: matchers, not match);
  OnNamespaceExceptForAlertmanagerNamespace -> the same unless the object lives in the
  Alertmanager's namespace. Every top route then gets `continue: true` (continueToNextRoute).
- convertRoute: receiver names become `<namespace>/<name>/<receiver>` (makeNamespacedString, "" stays
  ""), groupBy/groupWait/groupInterval/repeatInterval/continue copied, matchers with a matchType
  rendered by Matcher.String() as `name<op>"value"` (openMetricsEscape on the value), child routes
  converted the same way (no enforcer on children).
- convertReceiver: webhookConfigs (url, sendResolved, httpConfig.authorization with credentials
  read from the Secret in the object's namespace, type defaulting to Bearer, dropped when the
  credentials are empty) and emailConfigs (to, from, smarthost split as host:port, authUsername,
  authPassword from the Secret, requireTLS, forceImplicitTLS, sendResolved, hello).
- sanitize for the Alertmanager version: force_implicit_tls is dropped below 0.31.0.
- YAML field names and omitempty as in pkg/alertmanager/types.go.

Anything the chart does not use (inhibit rules, time intervals, other receiver kinds) raises, so
a chart change that needs more cannot pass silently.
"""
import base64
import copy

import yaml

SUPPORTED_ROUTE_KEYS = {"receiver", "matchers", "groupBy", "groupWait", "groupInterval",
                        "repeatInterval", "continue", "routes"}
SUPPORTED_RECEIVER_KEYS = {"name", "webhookConfigs", "emailConfigs"}


def version_tuple(text):
    return tuple(int(x) for x in text.lstrip("v").split("-")[0].split("."))


def open_metrics_escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def matcher_string(m):
    """Matcher.String() (pkg/apis/monitoring/v1alpha1/alertmanager_config_types.go)."""
    if not m.get("matchType"):
        raise NotImplementedError("matchers without matchType (deprecated regex/match) are not used by the chart")
    return f'{m["name"]}{m["matchType"]}"{open_metrics_escape(m["value"])}"'


def namespaced(name, namespace, cr_name):
    """makeNamespacedString."""
    return f"{namespace}/{cr_name}/{name}" if name else ""


def convert_route(route, namespace, cr_name):
    unknown = set(route) - SUPPORTED_ROUTE_KEYS
    if unknown:
        raise NotImplementedError(f"route fields not rendered by this port: {sorted(unknown)}")
    out = {}
    receiver = namespaced(route.get("receiver", ""), namespace, cr_name)
    if receiver:
        out["receiver"] = receiver
    if route.get("groupBy"):
        out["group_by"] = list(route["groupBy"])
    matchers = [matcher_string(m) for m in route.get("matchers", [])]
    if matchers:
        out["matchers"] = matchers
    if route.get("continue"):
        out["continue"] = True
    children = [convert_route(c, namespace, cr_name) for c in route.get("routes", [])]
    if children:
        out["routes"] = children
    for src, dst in (("groupWait", "group_wait"), ("groupInterval", "group_interval"),
                     ("repeatInterval", "repeat_interval")):
        if route.get(src):
            out[dst] = route[src]
    return out


def enforce(route, namespace, strategy, alertmanager_namespace):
    """getEnforcer(...).processRoute: the namespace matcher, then continue: true."""
    route = copy.deepcopy(route)
    if strategy == "None":
        pass
    elif strategy == "OnNamespaceExceptForAlertmanagerNamespace" and namespace == alertmanager_namespace:
        pass
    elif strategy in ("OnNamespace", "", "OnNamespaceExceptForAlertmanagerNamespace"):
        route["matchers"] = route.get("matchers", []) + [f'namespace="{open_metrics_escape(namespace)}"']
    else:
        raise ValueError(f"unknown alertmanagerConfigMatcherStrategy {strategy!r}")
    route["continue"] = True
    return route


class SecretStore:
    """The Secrets of the namespace, as assets.StoreBuilder.GetSecretKey reads them."""

    def __init__(self, secrets):
        self._secrets = {}
        for s in secrets:
            data = {k: base64.b64decode(v).decode() for k, v in (s.get("data") or {}).items()}
            data.update(s.get("stringData") or {})
            self._secrets[(s["metadata"]["namespace"], s["metadata"]["name"])] = data

    def get(self, namespace, selector):
        key = (namespace, selector["name"])
        if key not in self._secrets:
            raise KeyError(f"secret {namespace}/{selector['name']} not found")
        data = self._secrets[key]
        if selector["key"] not in data:
            raise KeyError(f"key {selector['key']} not found in secret {namespace}/{selector['name']}")
        return data[selector["key"]]


def convert_receiver(receiver, namespace, cr_name, secrets, am_version):
    unknown = set(receiver) - SUPPORTED_RECEIVER_KEYS
    if unknown:
        raise NotImplementedError(f"receiver fields not rendered by this port: {sorted(unknown)}")
    out = {"name": namespaced(receiver["name"], namespace, cr_name)}
    hooks = []
    for w in receiver.get("webhookConfigs", []):
        hook = {}
        if "sendResolved" in w:
            hook["send_resolved"] = w["sendResolved"]
        if w.get("urlSecret"):
            hook["url"] = secrets.get(namespace, w["urlSecret"])
        elif w.get("url"):
            hook["url"] = w["url"]
        http = w.get("httpConfig")
        if http is not None:
            unknown = set(http) - {"authorization"}
            if unknown:
                raise NotImplementedError(f"httpConfig fields not rendered by this port: {sorted(unknown)}")
            conf = {}
            auth = http.get("authorization")
            if auth is not None:
                credentials = secrets.get(namespace, auth["credentials"])
                if credentials:
                    conf["authorization"] = {"type": auth.get("type") or "Bearer", "credentials": credentials}
            hook["http_config"] = conf
        hooks.append(hook)
    if hooks:
        out["webhook_configs"] = hooks
    mails = []
    for e in receiver.get("emailConfigs", []):
        if not e.get("smarthost") or not e.get("from"):
            raise ValueError("the chart sets smarthost and from on the receiver (no global SMTP in the base config)")
        host, _, port = e["smarthost"].rpartition(":")
        mail = {}
        if "sendResolved" in e:
            mail["send_resolved"] = e["sendResolved"]
        for src, dst in (("to", "to"), ("from", "from"), ("hello", "hello"), ("authUsername", "auth_username"),
                         ("authIdentity", "auth_identity")):
            if e.get(src):
                mail[dst] = e[src]
        mail["smarthost"] = f"{host}:{port}"
        if e.get("authPassword"):
            mail["auth_password"] = secrets.get(namespace, e["authPassword"])
        if "requireTLS" in e:
            mail["require_tls"] = e["requireTLS"]
        if "forceImplicitTLS" in e and version_tuple(am_version) >= (0, 31, 0):
            mail["force_implicit_tls"] = e["forceImplicitTLS"]
        mails.append(mail)
    if mails:
        out["email_configs"] = mails
    return out


def add_alertmanager_configs(base, amcs, secrets, strategy="OnNamespace", am_version="0.25.0",
                             alertmanager_namespace="monitoring"):
    """The base configuration (a dict, e.g. kube-prometheus-stack's alertmanager.config) with the
    AlertmanagerConfig objects `amcs` merged in as the operator merges them."""
    cfg = copy.deepcopy(base)
    store = secrets if isinstance(secrets, SecretStore) else SecretStore(secrets)
    sub_routes, receivers = [], []
    for amc in sorted(amcs, key=lambda o: f'{o["metadata"]["namespace"]}/{o["metadata"]["name"]}'):
        ns, name = amc["metadata"]["namespace"], amc["metadata"]["name"]
        spec = amc.get("spec", {})
        if spec.get("inhibitRules") or spec.get("muteTimeIntervals"):
            raise NotImplementedError("inhibitRules / muteTimeIntervals are not used by the chart")
        if spec.get("route") is None:
            continue
        sub_routes.append(enforce(convert_route(spec["route"], ns, name), ns, strategy, alertmanager_namespace))
        for r in spec.get("receivers", []):
            receivers.append(convert_receiver(r, ns, name, store, am_version))
    cfg["route"]["routes"] = sub_routes + cfg["route"].get("routes", [])
    cfg["receivers"] = cfg.get("receivers", []) + receivers
    return cfg


def dump(cfg):
    return yaml.safe_dump(cfg, sort_keys=False)
