// The dashboard API's JSON (../../../shared/spec/cli-dashboard-ops.md §3.3). Zero values are
// omitted on the wire, so every field is optional here.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
}

export interface PodInfo {
  objectMeta?: ObjectMeta;
  status?: string;
  icon?: string;
  ready?: string;
  restarts?: number;
}

export interface ReplicaSetInfo {
  objectMeta?: ObjectMeta;
  status?: string;
  icon?: string;
  revision?: number;
  stable?: boolean;
  canary?: boolean;
  active?: boolean;
  preview?: boolean;
  ping?: boolean;
  pong?: boolean;
  replicas?: number;
  available?: number;
  template?: string;
  scaleDownDeadline?: string;
  images?: string[];
  initContainerImages?: string[];
  pods?: PodInfo[];
}

export interface Measurement {
  phase?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  value?: string;
  resumeAt?: string;
}

export interface MetricResult {
  name: string;
  phase?: string;
  message?: string;
  measurements?: Measurement[];
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  consecutiveError?: number;
  dryRun?: boolean;
}

export interface MetricSpec {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number | string;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number | string;
  inconclusiveLimit?: number | string;
  consecutiveErrorLimit?: number | string;
  provider?: Record<string, unknown>;
}

export interface AnalysisRunSpec {
  metrics?: MetricSpec[];
  args?: { name: string; value?: string }[];
}

export interface AnalysisRunStatus {
  phase?: string;
  message?: string;
  startedAt?: string;
  completedAt?: string;
  metricResults?: MetricResult[];
}

export interface AnalysisRunInfo {
  objectMeta?: ObjectMeta;
  icon?: string;
  revision?: number;
  status?: string;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  jobs?: { objectMeta?: ObjectMeta; status?: string; metricName?: string; startedAt?: string }[];
  nonJobInfo?: { value?: string; status?: string; metricName?: string; startedAt?: string }[];
  metrics?: {
    name?: string;
    successCondition?: string;
    count?: number;
    inconclusiveLimit?: number;
    failureLimit?: number;
  }[];
  specAndStatus?: { spec?: AnalysisRunSpec; status?: AnalysisRunStatus };
}

export interface ExperimentInfo {
  objectMeta?: ObjectMeta;
  icon?: string;
  revision?: number;
  status?: string;
  message?: string;
  replicaSets?: ReplicaSetInfo[];
  analysisRuns?: AnalysisRunInfo[];
}

export interface ContainerInfo {
  name?: string;
  image?: string;
}

/** A canary step as Kubernetes JSON (one key set). */
export interface CanaryStep {
  setWeight?: number;
  pause?: { duration?: string | number };
  analysis?: { templates?: { templateName?: string; clusterScope?: boolean }[] };
  experiment?: {
    templates?: { name?: string; specRef?: string; weight?: number }[];
    duration?: string;
  };
  setCanaryScale?: { weight?: number; replicas?: number; matchTrafficWeight?: boolean };
  setHeaderRoute?: { name?: string; match?: unknown[] };
  setMirrorRoute?: { name?: string; match?: unknown[]; percentage?: number };
  plugin?: { name?: string; config?: unknown };
}

export interface RolloutInfo {
  objectMeta?: ObjectMeta;
  status?: string;
  message?: string;
  icon?: string;
  strategy?: string;
  step?: string;
  setWeight?: string;
  actualWeight?: string;
  ready?: number;
  current?: number;
  desired?: number;
  updated?: number;
  available?: number;
  restartedAt?: string;
  generation?: string;
  replicaSets?: ReplicaSetInfo[];
  experiments?: ExperimentInfo[];
  analysisRuns?: AnalysisRunInfo[];
  containers?: ContainerInfo[];
  initContainers?: ContainerInfo[];
  steps?: CanaryStep[];
  // Our additions to the single-rollout info (not in Argo's RolloutInfo, not in the list):
  /** `status.conditions` of the Rollout, as Kubernetes JSON. */
  conditions?: RolloutCondition[];
  /** `status.pauseConditions`: why the rollout is paused, since when. */
  pauseConditions?: PauseCondition[];
  /** RFC3339: when the current timed canary pause step ends (absent when nothing ends it). */
  pauseEndsAt?: string;
}

export interface RolloutCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface PauseCondition {
  reason?: string;
  startTime?: string;
}

/** One Event of `GET …/{name}/events` (ours). */
export interface RolloutEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

export interface RolloutWatchEvent {
  type?: string;
  rolloutInfo?: RolloutInfo;
}
