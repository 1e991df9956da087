{{/* Prefix of every object name: "sluice" unless nameOverride says otherwise. */}}
{{- define "sluice.prefix" -}}
{{- default "sluice" .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "sluice.analyzer.name" -}}{{ include "sluice.prefix" . }}-analyzer{{- end -}}
{{- define "sluice.admission.name" -}}{{ include "sluice.prefix" . }}-admission{{- end -}}
{{- define "sluice.admission.caSecret" -}}{{ include "sluice.prefix" . }}-admission-ca{{- end -}}
{{- define "sluice.admission.tlsSecret" -}}{{ include "sluice.prefix" . }}-admission-tls{{- end -}}

{{/* The Secret the analyzer reads notifier URLs from, or nothing when there is none. */}}
{{- define "sluice.notifierSecret" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else if or .Values.slack.url .Values.slack.token .Values.msteams.url .Values.eventWebhook -}}
{{- include "sluice.prefix" . }}-notifiers
{{- end -}}
{{- end -}}

{{/* Labels of every object; the component's name comes as the argument's "name". */}}
{{- define "sluice.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/part-of: sluice
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Pod labels: the selector plus part-of, as in manifests/. */}}
{{- define "sluice.selector" -}}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{/* The one watched namespace, or nothing; more than one is refused, since the analyzer watches one or all. */}}
{{- define "sluice.watchNamespace" -}}
{{- if gt (len .Values.watchNamespaces) 1 -}}
{{- fail (printf "watchNamespaces: the analyzer watches one namespace or all of them, got %d: %v" (len .Values.watchNamespaces) .Values.watchNamespaces) -}}
{{- end -}}
{{- if .Values.watchNamespaces -}}{{ first .Values.watchNamespaces }}{{- end -}}
{{- end -}}

{{/* Refuses a value the services would refuse at start-up, at install time instead. */}}
{{- define "sluice.validate" -}}
{{- if not (has .Values.noDataPolicy (list "fail" "hold")) -}}
{{- fail (printf "noDataPolicy must be fail or hold, got %q" .Values.noDataPolicy) -}}
{{- end -}}
{{- if not (has .Values.logFormat (list "text" "json")) -}}
{{- fail (printf "logFormat must be text or json, got %q" .Values.logFormat) -}}
{{- end -}}
{{- if not (has (lower .Values.logLevel) (list "trace" "debug" "info" "warn" "warning" "error")) -}}
{{- fail (printf "logLevel must be trace, debug, info, warn (or Flagger's warning) or error, got %q" .Values.logLevel) -}}
{{- end -}}
{{- if lt (int .Values.leaderElection.shards) 1 -}}
{{- fail (printf "leaderElection.shards must be 1 or more, got %v" .Values.leaderElection.shards) -}}
{{- end -}}
{{- if and (gt (int .Values.leaderElection.shards) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "leaderElection.shards above 1 needs leaderElection.enabled: the shards are Leases" -}}
{{- end -}}
{{- end -}}

{{/*
namespaceSelector of a webhook: the names it never sees (argument "excluded"), the watched namespace, and the
user's extra conditions.
*/}}
{{- define "sluice.webhookNamespaceSelector" -}}
{{- $root := .root -}}
{{- $extra := $root.Values.admission.webhooks.namespaceSelector | default dict -}}
{{- $watched := include "sluice.watchNamespace" $root -}}
{{- with $extra.matchLabels }}
matchLabels:
  {{- range $key, $value := . }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
{{- end }}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values: {{ toJson .excluded }}
{{- if $watched }}
  - key: kubernetes.io/metadata.name
    operator: In
    values: {{ list $watched | toJson }}
{{- end }}
{{- with $extra.matchExpressions }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* SLUICE_LOG_LEVEL: logback's level names; Flagger's "warning" is logback's WARN. */}}
{{- define "sluice.logLevel" -}}
{{- $level := lower .Values.logLevel -}}
{{- if eq $level "warning" }}WARN{{ else }}{{ upper $level }}{{ end -}}
{{- end -}}
