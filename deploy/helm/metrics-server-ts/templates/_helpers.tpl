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
/metrics exemption when metrics.enabled, the mounted serving certificate when
tls.type is not default, then args. The exemption lists the
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
{{- if include "metrics-server-ts.tlsSecretName" . }}
- {{ printf "--tls-cert-file=%s/tls.crt" (include "metrics-server-ts.tlsDir" .) | quote }}
- {{ printf "--tls-private-key-file=%s/tls.key" (include "metrics-server-ts.tlsDir" .) | quote }}
{{- end }}
{{- range .Values.args }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/*
The Secret that holds the serving certificate (tls.crt, tls.key) for the
tls.types that mount one: <fullname> for helm and cert-manager (as upstream's
chart), tls.existingSecret.name for existingSecret; empty for default, where
the server writes its own self-signed certificate to --cert-dir.
*/}}
{{- define "metrics-server-ts.tlsSecretName" -}}
{{- if eq .Values.tls.type "existingSecret" }}
{{- required "tls.type existingSecret: set tls.existingSecret.name to the Secret that holds tls.crt and tls.key" .Values.tls.existingSecret.name }}
{{- else if has .Values.tls.type (list "helm" "cert-manager") }}
{{- include "metrics-server-ts.fullname" . }}
{{- end }}
{{- end }}

{{/* Where the serving-certificate Secret is mounted. */}}
{{- define "metrics-server-ts.tlsDir" -}}
/tls
{{- end }}

{{/*
The names the helm and cert-manager certificates are issued for: the Service's
in-cluster DNS names (the aggregator connects to <fullname>.<namespace>.svc).
*/}}
{{- define "metrics-server-ts.tlsDNSNames" -}}
{{- $name := include "metrics-server-ts.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $names := list (printf "%s.%s.svc" $name $ns) }}
{{- with .Values.tls.clusterDomain }}
{{- $names = append $names (printf "%s.%s.svc.%s" $name $ns .) }}
{{- end }}
{{- toJson (concat $names (list (printf "%s.%s" $name $ns) $name)) }}
{{- end }}

{{/*
tls.type helm: the CA, certificate and key (base64, as JSON {"ca","crt","key"}).
Made once per render and kept on the root context, so that the Secret and the
APIService's caBundle agree. With tls.helm.lookup the Secret a previous install
made is reused (its tls.crt stands for the CA if it has no ca.crt), so that an
upgrade does not replace the certificate; helm template cannot look up and
always generates.
*/}}
{{- define "metrics-server-ts.helmTLS" -}}
{{- if not (hasKey . "metricsServerTsHelmTLS") }}
{{- $name := include "metrics-server-ts.tlsSecretName" . }}
{{- $previous := dict }}
{{- if .Values.tls.helm.lookup }}
{{- $previous = dig "data" (dict) (lookup "v1" "Secret" .Release.Namespace $name) }}
{{- end }}
{{- if and (get $previous "tls.crt") (get $previous "tls.key") }}
{{- $_ := set . "metricsServerTsHelmTLS" (dict "ca" (get $previous "ca.crt" | default (get $previous "tls.crt")) "crt" (get $previous "tls.crt") "key" (get $previous "tls.key")) }}
{{- else }}
{{- $days := int .Values.tls.helm.certDurationDays }}
{{- $ca := genCA (printf "%s-ca" (include "metrics-server-ts.fullname" .)) $days }}
{{- $cert := genSignedCert (include "metrics-server-ts.fullname" .) nil (include "metrics-server-ts.tlsDNSNames" . | fromJsonArray) $days $ca }}
{{- $_ := set . "metricsServerTsHelmTLS" (dict "ca" (b64enc $ca.Cert) "crt" (b64enc $cert.Cert) "key" (b64enc $cert.Key)) }}
{{- end }}
{{- end }}
{{- toJson (get . "metricsServerTsHelmTLS") }}
{{- end }}

{{/*
The APIService's caBundle (base64), or empty: the generated CA (helm); nothing
when cert-manager's CA injector fills it in; the existing Secret's ca.crt (else
tls.crt) when tls.existingSecret.lookup finds it; else apiService.caBundle (a
PEM is encoded; anything else is taken as already base64).
*/}}
{{- define "metrics-server-ts.caBundle" -}}
{{- $type := .Values.tls.type }}
{{- if eq $type "helm" }}
{{- (include "metrics-server-ts.helmTLS" . | fromJson).ca }}
{{- else if not (and (eq $type "cert-manager") .Values.tls.certManager.addInjectorAnnotations) }}
{{- $found := "" }}
{{- if and (eq $type "existingSecret") .Values.tls.existingSecret.lookup }}
{{- $data := dig "data" (dict) (lookup "v1" "Secret" .Release.Namespace (include "metrics-server-ts.tlsSecretName" .)) }}
{{- $found = get $data "ca.crt" | default (get $data "tls.crt") }}
{{- end }}
{{- if $found }}
{{- $found }}
{{- else if .Values.apiService.caBundle }}
{{- $pem := .Values.apiService.caBundle }}
{{- ternary (b64enc $pem) ($pem | nospace) (contains "-----BEGIN" $pem) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"true" when the aggregator verifies the server (a caBundle, or one cert-manager
injects): insecureSkipTLSVerify must then be left out, or the API server
rejects the APIService.
*/}}
{{- define "metrics-server-ts.verifiedTLS" -}}
{{- if or (include "metrics-server-ts.caBundle" .) (eq .Values.tls.type "helm") (and (eq .Values.tls.type "cert-manager") .Values.tls.certManager.addInjectorAnnotations) }}true{{ end }}
{{- end }}
