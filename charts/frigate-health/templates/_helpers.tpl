{{/* Names and labels shared by every object of the chart. */}}
{{- define "frigate-health.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "frigate-health.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "frigate-health.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "frigate-health.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The ServiceAccount a component runs as (call with (dict "ctx" $ "component" "exporter")):
serviceAccount.name when set, else <fullname>-<component> when the chart creates it, else the
namespace's "default".
*/}}
{{- define "frigate-health.serviceAccountName" -}}
{{- $sa := .ctx.Values.serviceAccount -}}
{{- if $sa.name -}}
{{- $sa.name -}}
{{- else if $sa.create -}}
{{- printf "%s-%s" (include "frigate-health.fullname" .ctx) .component -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/*
"true" when a prometheus-operator resource is to be rendered: switched on, and its API served by
the cluster unless monitoringCrds is "always". Call with (dict "ctx" $ "enabled" <bool> "api"
"monitoring.coreos.com/v1/ServiceMonitor"); empty otherwise.
*/}}
{{- define "frigate-health.renderCrd" -}}
{{- if and .enabled (or (eq .ctx.Values.monitoringCrds "always") (.ctx.Capabilities.APIVersions.Has .api)) -}}
true
{{- end -}}
{{- end -}}

{{/* The SMTP settings are complete enough to mail alertEmail. */}}
{{- define "frigate-health.mailConfigured" -}}
{{- $m := .Values.remediator.smtp -}}
{{- if and $m.enabled $m.host $m.alertEmail -}}
true
{{- end -}}
{{- end -}}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "exporter"). */}}
{{- define "frigate-health.selectorLabels" -}}
app.kubernetes.io/name: {{ include "frigate-health.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "frigate-health.frigateNamespace" -}}
{{- default .Release.Namespace .Values.frigate.namespace -}}
{{- end -}}

{{- define "frigate-health.frigateUrl" -}}
{{- default (printf "http://%s.%s.svc:5000" .Values.frigate.deployment (include "frigate-health.frigateNamespace" .)) .Values.frigate.url -}}
{{- end -}}

{{- define "frigate-health.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "frigate-health.webhookSecretName" -}}
{{- default (printf "%s-webhook" (include "frigate-health.fullname" .)) .Values.remediator.webhook.existingSecret -}}
{{- end -}}

{{- define "frigate-health.smtpSecretName" -}}
{{- default (printf "%s-smtp" (include "frigate-health.fullname" .)) .Values.remediator.smtp.existingSecret -}}
{{- end -}}

{{/* A map of settings as FRIGATE_HC_<KEY> env entries, keys sorted so renders are stable. */}}
{{- define "frigate-health.settingsEnv" -}}
{{- range $key := keys . | sortAlpha }}
- name: FRIGATE_HC_{{ $key }}
  value: {{ index $ $key | toString | quote }}
{{- end }}
{{- end -}}

{{/*
Settings both programs get: the target and Frigate. POD_LABEL_SELECTOR is not among them: the
remediator gets it only when frigate.podLabelSelector is set (it reads each target Deployment's
spec.selector otherwise), the exporter always (see "frigate-health.exporterPodSelector").
*/}}
{{- define "frigate-health.commonEnv" -}}
- name: FRIGATE_HC_NAMESPACE
  value: {{ include "frigate-health.frigateNamespace" . | quote }}
- name: FRIGATE_HC_DEPLOYMENT_NAME
  value: {{ .Values.frigate.deployment | quote }}
- name: FRIGATE_HC_FRIGATE_URL
  value: {{ include "frigate-health.frigateUrl" . | quote }}
{{- with .Values.frigate.container }}
- name: FRIGATE_HC_FRIGATE_CONTAINER
  value: {{ . | quote }}
{{- end }}
{{- if .Values.frigate.token.existingSecret }}
- name: FRIGATE_HC_FRIGATE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.frigate.token.existingSecret }}
      key: {{ .Values.frigate.token.key }}
{{- end }}
{{- include "frigate-health.settingsEnv" .Values.settings }}
{{- end -}}

{{/*
The exporter's POD_LABEL_SELECTOR (used with LOG_SOURCE=kubernetes): frigate.podLabelSelector, else
the name label the official Frigate chart (blakeshome-charts charts/frigate, templates/
deployment.yaml) puts on its pods. The exporter may not read Deployments, so it cannot take the
selector from Frigate's Deployment as the remediator does.
*/}}
{{- define "frigate-health.exporterPodSelector" -}}
{{- default "app.kubernetes.io/name=frigate" .Values.frigate.podLabelSelector -}}
{{- end -}}
