// The RolloutInfo model shared by `get rollout`, `list rollouts`, `status` and the dashboard
// (../shared/spec/cli-dashboard-ops.md §2.1, §3.3). Field names are the dashboard's JSON names,
// so the model serialises as is (see encode.ts for the zero-value omission rule).
import type { CanaryStep } from '../../src/api/rollout.ts';

/** The subset of ObjectMeta the model carries. Empty strings stand for "unset". */
export interface InfoMeta {
  name: string;
  namespace: string;
  uid: string;
  /** RFC3339 as read from the object, '' when absent. */
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
}

export interface PodInfo {
  objectMeta: InfoMeta;
  status: string;
  icon: string;
  /** `<ready containers>/<spec.containers count>`. */
  ready: string;
  restarts: number;
}

export interface ReplicaSetInfo {
  objectMeta: InfoMeta;
  status: string;
  icon: string;
  revision: number;
  stable: boolean;
  canary: boolean;
  active: boolean;
  preview: boolean;
  ping: boolean;
  pong: boolean;
  /** `status.replicas`. */
  replicas: number;
  /** `status.availableReplicas`. */
  available: number;
  /** The experiment template-name annotation ('' when absent). */
  template: string;
  /** The scale-down-deadline annotation, verbatim ('' when absent). */
  scaleDownDeadline: string;
  images: string[];
  initContainerImages: string[];
  pods: PodInfo[];
}

export interface JobInfo {
  objectMeta: InfoMeta;
  status: string;
  icon: string;
  metricName: string;
  startedAt: string;
}

export interface NonJobInfo {
  value: string;
  status: string;
  metricName: string;
  startedAt: string;
}

export interface MetricInfo {
  name: string;
  successCondition: string;
  count: number;
  inconclusiveLimit: number;
  failureLimit: number;
}

export interface AnalysisRunInfo {
  objectMeta: InfoMeta;
  icon: string;
  revision: number;
  status: string;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  jobs: JobInfo[];
  nonJobInfo: NonJobInfo[];
  metrics: MetricInfo[];
  /** The run's spec and status, verbatim. */
  specAndStatus: { spec: unknown; status: unknown };
}

export interface ExperimentInfo {
  objectMeta: InfoMeta;
  icon: string;
  revision: number;
  status: string;
  message: string;
  replicaSets: ReplicaSetInfo[];
  analysisRuns: AnalysisRunInfo[];
}

export interface ContainerInfo {
  name: string;
  image: string;
}

export interface RolloutInfo {
  objectMeta: InfoMeta;
  status: string;
  message: string;
  icon: string;
  /** 'Canary', 'BlueGreen' or ''. */
  strategy: string;
  /** `idx/len(steps)`, or '' (canary only). */
  step: string;
  /** Desired canary weight as text ('' unless canary). */
  setWeight: string;
  /** Observed canary weight as text ('' unless canary). */
  actualWeight: string;
  ready: number;
  current: number;
  desired: number;
  updated: number;
  available: number;
  /** Go's default time text of status.restartedAt, or 'Never'. */
  restartedAt: string;
  /** status.observedGeneration, verbatim. */
  generation: string;
  replicaSets: ReplicaSetInfo[];
  experiments: ExperimentInfo[];
  analysisRuns: AnalysisRunInfo[];
  containers: ContainerInfo[];
  initContainers: ContainerInfo[];
  /** Copied only when `step` is set. */
  steps?: CanaryStep[];
}

/** An image running in the rollout, with its role tags (§2.1.7). */
export interface ImageInfo {
  image: string;
  tags: string[];
}
