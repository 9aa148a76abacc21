// Validates rendered Kubernetes manifests offline.
// Usage: node validate-manifests.mjs FILE.yaml [...]   ("-" reads stdin)
// Built-in kinds are checked against the Kubernetes JSON schemas of the npm package
// kubernetes-models (types, required fields, enums); prometheus-operator kinds
// (monitoring.coreos.com), which it does not know, are checked by hand for the fields the operator
// requires. Duplicate mapping keys are errors (kubectl would reject them too).
// Prints one line per document and exits 1 when any document is invalid.
// kubernetes-models is looked up in $FHC_NODE_MODULES or <repo>/tools/node_modules.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.FHC_NODE_MODULES ?? path.resolve(here, "../../tools/node_modules");
const { parseAllDocuments } = await import(pathToFileURL(path.join(modules, "yaml/dist/index.js")));

async function builtinModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const file = path.join(modules, "kubernetes-models", ...(group ? [group] : []), version, `${kind}.mjs`);
  if (!fs.existsSync(file)) return null;
  const mod = await import(pathToFileURL(file));
  return mod[kind];
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isStr = (v) => typeof v === "string" && v.length > 0;
const durationRe = /^(0|([0-9]+(ms|s|m|h|d|w|y))+)$/;

// Hand checks of the prometheus-operator kinds: returns a list of problems.
const crdChecks = {
  "monitoring.coreos.com/v1/ServiceMonitor"(spec) {
    const p = [];
    if (!isObj(spec?.selector)) p.push("spec.selector is required");
    if (!Array.isArray(spec?.endpoints) || spec.endpoints.length === 0) p.push("spec.endpoints must be a non-empty list");
    for (const [i, e] of (spec?.endpoints ?? []).entries()) {
      if (!isStr(e.port) && e.targetPort === undefined) p.push(`endpoints[${i}]: port or targetPort required`);
      for (const k of ["interval", "scrapeTimeout"]) {
        if (e[k] !== undefined && !durationRe.test(e[k])) p.push(`endpoints[${i}].${k}: not a duration: ${e[k]}`);
      }
      for (const [j, r] of (e.relabelings ?? []).entries()) {
        if (r.action === "replace" && !isStr(r.targetLabel)) p.push(`endpoints[${i}].relabelings[${j}]: targetLabel required`);
      }
    }
    return p;
  },
  "monitoring.coreos.com/v1/PrometheusRule"(spec) {
    const p = [];
    if (!Array.isArray(spec?.groups) || spec.groups.length === 0) p.push("spec.groups must be a non-empty list");
    const names = new Set();
    for (const [i, g] of (spec?.groups ?? []).entries()) {
      if (!isStr(g.name)) p.push(`groups[${i}].name is required`);
      if (names.has(g.name)) p.push(`groups[${i}].name duplicated: ${g.name}`);
      names.add(g.name);
      for (const [j, r] of (g.rules ?? []).entries()) {
        if (!isStr(r.expr) && typeof r.expr !== "number") p.push(`groups[${i}].rules[${j}].expr is required`);
        if (!!r.alert === !!r.record) p.push(`groups[${i}].rules[${j}]: exactly one of alert or record`);
        if (r.for !== undefined && !durationRe.test(r.for)) p.push(`groups[${i}].rules[${j}].for: not a duration`);
        for (const m of ["labels", "annotations"]) {
          for (const [k, v] of Object.entries(r[m] ?? {})) {
            if (typeof v !== "string") p.push(`groups[${i}].rules[${j}].${m}.${k} must be a string`);
          }
        }
      }
    }
    return p;
  },
  "monitoring.coreos.com/v1alpha1/AlertmanagerConfig"(spec) {
    const p = [];
    const receivers = new Set((spec?.receivers ?? []).map((r) => r.name));
    if ((spec?.receivers ?? []).some((r) => !isStr(r.name))) p.push("every receiver needs a name");
    const route = spec?.route;
    if (route) {
      if (!receivers.has(route.receiver)) p.push(`route.receiver ${route.receiver} is not a receiver`);
      for (const k of ["groupWait", "groupInterval", "repeatInterval"]) {
        if (route[k] !== undefined && !durationRe.test(route[k])) p.push(`route.${k}: not a duration`);
      }
      for (const [i, m] of (route.matchers ?? []).entries()) {
        if (!isStr(m.name)) p.push(`route.matchers[${i}].name is required`);
        if (m.matchType !== undefined && !["=", "!=", "=~", "!~"].includes(m.matchType)) p.push(`route.matchers[${i}].matchType invalid`);
      }
    }
    for (const r of spec?.receivers ?? []) {
      for (const [i, w] of (r.webhookConfigs ?? []).entries()) {
        if (!isStr(w.url) && !w.urlSecret) p.push(`receiver ${r.name} webhookConfigs[${i}]: url or urlSecret required`);
        const cred = w.httpConfig?.authorization?.credentials;
        if (cred && (!isStr(cred.name) || !isStr(cred.key))) p.push(`receiver ${r.name}: credentials need name and key`);
      }
    }
    return p;
  },
};

async function validate(doc) {
  const { apiVersion, kind } = doc;
  if (!isStr(apiVersion) || !isStr(kind)) return ["apiVersion and kind are required"];
  if (!isStr(doc.metadata?.name)) return ["metadata.name is required"];
  const crd = crdChecks[`${apiVersion}/${kind}`];
  if (crd) return crd(doc.spec);
  const Model = await builtinModel(apiVersion, kind);
  if (!Model) return [`unknown kind ${apiVersion}/${kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e)];
  }
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  for (const d of parseAllDocuments(text, { uniqueKeys: true })) {
    if (d.errors.length) {
      failed = true;
      console.log(`INVALID ${file}: ${d.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const doc = d.toJS();
    if (doc === null || doc === undefined) continue;
    const problems = await validate(doc);
    const name = `${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    if (problems.length) {
      failed = true;
      console.log(`INVALID ${name}: ${problems.join("; ")}`);
    } else {
      console.log(`ok ${name}`);
    }
  }
}
process.exit(failed ? 1 : 0);
