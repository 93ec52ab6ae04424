// argoproj.io/v1alpha1 AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun, as Argo
// Rollouts defines them (../shared/spec/analysis.md §1–2). Field names are the compatibility
// contract. Objects are parsed for reading only: looseObject keeps fields we do not model, and a
// writer patches what it changes instead of writing a parsed object back.
//
// Int-or-string fields (count, the limits) are read with Kubernetes IntValue() semantics by
// src/analysis/metric-values.ts; phases are plain strings here because stored objects may carry
// anything (an empty phase ranks like Successful, §2.1).
import { z } from 'zod';
import { argument, analysisTemplateRef } from './analysis-refs.ts';
import { intOrString, objectMeta, podTemplateMetadata, podTemplateSpec } from './common.ts';

export const ANALYSIS_TEMPLATE = 'AnalysisTemplate';
export const CLUSTER_ANALYSIS_TEMPLATE = 'ClusterAnalysisTemplate';
export const ANALYSIS_RUN = 'AnalysisRun';

/** §2.1: the one phase enum of runs, metric results and measurements. */
export const ANALYSIS_PHASES = [
  'Pending',
  'Running',
  'Successful',
  'Failed',
  'Error',
  'Inconclusive',
] as const;
export type AnalysisPhase = (typeof ANALYSIS_PHASES)[number];

// ---------------------------------------------------------------------------------------------
// Arguments, rules

/** §1.5: an AnalysisTemplate/AnalysisRun argument (no podTemplateHashValue: that is Rollout-side). */
export const analysisArgument = argument.extend({
  valueFrom: z
    .looseObject({
      secretKeyRef: z.looseObject({ name: z.string(), key: z.string() }).optional(),
      fieldRef: z.looseObject({ fieldPath: z.string() }).optional(),
    })
    .optional(),
});
export type AnalysisArgument = z.infer<typeof analysisArgument>;

export const dryRunRule = z.looseObject({ metricName: z.string() });
export type DryRunRule = z.infer<typeof dryRunRule>;

export const measurementRetentionRule = z.looseObject({
  metricName: z.string(),
  limit: z.number().int(),
});
export type MeasurementRetentionRule = z.infer<typeof measurementRetentionRule>;

export const ttlStrategy = z.looseObject({
  secondsAfterCompletion: z.number().int().optional(),
  secondsAfterFailure: z.number().int().optional(),
  secondsAfterSuccess: z.number().int().optional(),
});
export type TtlStrategy = z.infer<typeof ttlStrategy>;

// ---------------------------------------------------------------------------------------------
// Providers (§1.7, §4, §5)

const providerAuthentication = z.looseObject({
  sigv4: z
    .looseObject({
      region: z.string().optional(),
      profile: z.string().optional(),
      roleArn: z.string().optional(),
    })
    .optional(),
  oauth2: z
    .looseObject({
      tokenUrl: z.string().optional(),
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      scopes: z.array(z.string()).optional(),
    })
    .optional(),
  basicAuth: z
    .looseObject({ username: z.string().optional(), password: z.string().optional() })
    .optional(),
});
export type ProviderAuthentication = z.infer<typeof providerAuthentication>;

const webHeader = z.looseObject({ key: z.string(), value: z.string() });

export const prometheusMetric = z.looseObject({
  address: z.string().optional(),
  query: z.string().optional(),
  authentication: providerAuthentication.optional(),
  /** Seconds (int64). */
  timeout: z.number().int().optional(),
  insecure: z.boolean().optional(),
  headers: z.array(webHeader).optional(),
  rangeQuery: z
    .looseObject({
      start: z.string().optional(),
      end: z.string().optional(),
      step: z.string().optional(),
    })
    .optional(),
});
export type PrometheusMetric = z.infer<typeof prometheusMetric>;

export const webMetric = z.looseObject({
  method: z.string().optional(),
  url: z.string(),
  headers: z.array(webHeader).optional(),
  body: z.string().optional(),
  timeoutSeconds: z.number().int().optional(),
  jsonPath: z.string().optional(),
  insecure: z.boolean().optional(),
  /** Free-form JSON (x-kubernetes-preserve-unknown-fields). */
  jsonBody: z.record(z.string(), z.unknown()).optional(),
  authentication: providerAuthentication.optional(),
});
export type WebMetric = z.infer<typeof webMetric>;

export const jobMetric = z.looseObject({
  metadata: podTemplateMetadata.optional(),
  /** A batch/v1 JobSpec; the API server validates it when the Job is created. */
  spec: z.looseObject({
    template: podTemplateSpec,
    backoffLimit: z.number().int().optional(),
    activeDeadlineSeconds: z.number().int().optional(),
    ttlSecondsAfterFinished: z.number().int().optional(),
    parallelism: z.number().int().optional(),
    completions: z.number().int().optional(),
  }),
});
export type JobMetric = z.infer<typeof jobMetric>;

/** Providers outside this spec's scope (§1.7): kept as opaque objects. */
const otherProvider = z.looseObject({});

/** Exactly one key must be set (validated by src/analysis/validate-metrics.ts, not here). */
export const metricProvider = z.looseObject({
  prometheus: prometheusMetric.optional(),
  web: webMetric.optional(),
  job: jobMetric.optional(),
  datadog: otherProvider.optional(),
  newRelic: otherProvider.optional(),
  wavefront: otherProvider.optional(),
  kayenta: otherProvider.optional(),
  cloudWatch: otherProvider.optional(),
  graphite: otherProvider.optional(),
  influxdb: otherProvider.optional(),
  skywalking: otherProvider.optional(),
  /** `{<pluginName>: <free-form config>}`; every key counts as one provider. */
  plugin: z.record(z.string(), z.unknown()).optional(),
});
export type MetricProvider = z.infer<typeof metricProvider>;

/** Keys of metric.provider, in Go's MetricProvider field order (its JSON serialisation order). */
export const PROVIDER_KEYS = [
  'prometheus',
  'kayenta',
  'web',
  'datadog',
  'wavefront',
  'newRelic',
  'job',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
] as const;

// ---------------------------------------------------------------------------------------------
// Metric (§1.4)

export const metric = z.looseObject({
  name: z.string(),
  /** Go duration string; its presence also makes a count-less metric run until terminated. */
  interval: z.string().optional(),
  initialDelay: z.string().optional(),
  count: intOrString.optional(),
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  failureLimit: intOrString.optional(),
  inconclusiveLimit: intOrString.optional(),
  consecutiveErrorLimit: intOrString.optional(),
  consecutiveSuccessLimit: intOrString.optional(),
  provider: metricProvider,
});
export type Metric = z.infer<typeof metric>;

// ---------------------------------------------------------------------------------------------
// Specs

export const analysisTemplateSpec = z.looseObject({
  metrics: z.array(metric).optional(),
  args: z.array(analysisArgument).optional(),
  dryRun: z.array(dryRunRule).optional(),
  measurementRetention: z.array(measurementRetentionRule).optional(),
  templates: z.array(analysisTemplateRef).optional(),
});
export type AnalysisTemplateSpec = z.infer<typeof analysisTemplateSpec>;

export const analysisRunSpec = z.looseObject({
  metrics: z.array(metric),
  args: z.array(analysisArgument).optional(),
  terminate: z.boolean().optional(),
  dryRun: z.array(dryRunRule).optional(),
  measurementRetention: z.array(measurementRetentionRule).optional(),
  ttlStrategy: ttlStrategy.optional(),
});
export type AnalysisRunSpec = z.infer<typeof analysisRunSpec>;

// ---------------------------------------------------------------------------------------------
// Status (§2)

export const measurement = z.looseObject({
  phase: z.string(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  /** Absent ⇒ the measurement is in flight. */
  finishedAt: z.string().optional(),
  value: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  resumeAt: z.string().optional(),
});
export type Measurement = z.infer<typeof measurement>;

export const metricResult = z.looseObject({
  name: z.string(),
  phase: z.string(),
  measurements: z.array(measurement).optional(),
  message: z.string().optional(),
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
  consecutiveError: z.number().int().optional(),
  consecutiveSuccess: z.number().int().optional(),
  dryRun: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type MetricResult = z.infer<typeof metricResult>;

export const runSummary = z.looseObject({
  count: z.number().int().optional(),
  successful: z.number().int().optional(),
  failed: z.number().int().optional(),
  inconclusive: z.number().int().optional(),
  error: z.number().int().optional(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const analysisRunStatus = z.looseObject({
  /** Required by the CRD once a status is written; `""` until the first reconcile. */
  phase: z.string(),
  message: z.string().optional(),
  metricResults: z.array(metricResult).optional(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  runSummary: runSummary.optional(),
  dryRunSummary: runSummary.optional(),
});
export type AnalysisRunStatus = z.infer<typeof analysisRunStatus>;

// ---------------------------------------------------------------------------------------------
// Kinds

export const analysisTemplate = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMeta,
  spec: analysisTemplateSpec,
});
export type AnalysisTemplate = z.infer<typeof analysisTemplate>;

/** Same spec shape as AnalysisTemplate (§1.1); cluster-scoped. */
export const clusterAnalysisTemplate = analysisTemplate;
export type ClusterAnalysisTemplate = AnalysisTemplate;

export const analysisRun = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMeta,
  spec: analysisRunSpec,
  status: analysisRunStatus.optional(),
});
export type AnalysisRun = z.infer<typeof analysisRun>;
