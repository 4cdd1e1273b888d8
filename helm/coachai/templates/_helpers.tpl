{{/* The chart's name (nameOverride wins). */}}
{{- define "coachai.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's objects: the release name, plus the chart's name unless it is already in it. */}}
{{- define "coachai.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Cluster-scoped objects carry the namespace too, so one release name in two namespaces cannot collide. */}}
{{- define "coachai.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "coachai.fullname" .) }}
{{- end }}

{{- define "coachai.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "coachai.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coachai.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "coachai.labels" -}}
helm.sh/chart: {{ include "coachai.chart" . }}
{{ include "coachai.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: coachai
{{- end }}

{{- define "coachai.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "coachai.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "coachai.leaseName" -}}
{{- default (include "coachai.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "coachai.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The namespace the operator reconciles; empty when it watches every namespace. */}}
{{- define "coachai.watchNamespace" -}}
{{- if not .Values.operator.watchAllNamespaces }}
{{- default .Release.Namespace .Values.operator.watchNamespace }}
{{- end }}
{{- end }}
