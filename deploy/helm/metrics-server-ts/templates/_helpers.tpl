{{/*
The application name: "metrics-server" (not the chart's name, so that
`helm install metrics-server` names the objects as deploy/components.yaml does).
*/}}
{{- define "metrics-server-ts.name" -}}
{{- default "metrics-server" .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The objects' base name: the release name if it already contains the
application name, else "<release>-<name>"; 63 characters at most (DNS label).
*/}}
{{- define "metrics-server-ts.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "metrics-server-ts.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "metrics-server-ts.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object: Helm's recommended ones, plus k8s-app as in
deploy/components.yaml (so `-l k8s-app=metrics-server` keeps working), plus
commonLabels (which cannot replace the selector labels).
*/}}
{{- define "metrics-server-ts.labels" -}}
{{- $labels := dict "helm.sh/chart" (include "metrics-server-ts.chart" .) "k8s-app" (include "metrics-server-ts.name" .) "app.kubernetes.io/managed-by" .Release.Service }}
{{- with .Chart.AppVersion }}
{{- $_ := set $labels "app.kubernetes.io/version" . }}
{{- end }}
{{- toYaml (merge (include "metrics-server-ts.selectorLabels" . | fromYaml) $labels .Values.commonLabels) }}
{{- end }}

{{/* Labels that select this release's pods (immutable once installed). */}}
{{- define "metrics-server-ts.selectorLabels" -}}
app.kubernetes.io/name: {{ include "metrics-server-ts.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the pods run as. */}}
{{- define "metrics-server-ts.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "metrics-server-ts.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference; the tag defaults to the chart's appVersion. */}}
{{- define "metrics-server-ts.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}

{{/*
The server's flags: --secure-port from containerPort, defaultArgs, the
/metrics exemption when metrics.enabled, then args. The exemption lists the
health paths too: the flag replaces its default (/healthz,/readyz,/livez), and
the kubelet's probes are anonymous.
*/}}
{{- define "metrics-server-ts.args" -}}
- {{ printf "--secure-port=%d" (int .Values.containerPort) | quote }}
{{- range .Values.defaultArgs }}
- {{ . | quote }}
{{- end }}
{{- if .Values.metrics.enabled }}
- "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics"
{{- end }}
{{- range .Values.args }}
- {{ . | quote }}
{{- end }}
{{- end }}
