// Labels and annotations Argo Rollouts writes; tools and dashboards select on these names.

export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
export const INSTANCE_ID_LABEL = 'argo-rollouts.argoproj.io/controller-instance-id';
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'rollout.argoproj.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'rollout.argoproj.io/desired-replicas';
export const SCALE_DOWN_DEADLINE_ANNOTATION = 'scale-down-deadline';
export const EPHEMERAL_METADATA_ANNOTATION = 'rollout.argoproj.io/ephemeral-metadata';
export const WORKLOAD_GENERATION_ANNOTATION = 'rollout.argoproj.io/workload-generation';
export const MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Rollout annotations that are not copied onto its ReplicaSets (rollout-semantics §5.3). */
export const ANNOTATIONS_NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  'notified.notifications.argoproj.io',
]);

export const PauseReason = {
  CanaryPauseStep: 'CanaryPauseStep',
  BlueGreenPause: 'BlueGreenPause',
  InconclusiveAnalysisRun: 'InconclusiveAnalysisRun',
  InconclusiveExperiment: 'InconclusiveExperiment',
} as const;

/** Kubernetes Event reasons; the notifications engine triggers on them. */
export const EventReason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  ScalingReplicaSet: 'ScalingReplicaSet',
  RolloutUpdated: 'RolloutUpdated',
  RolloutStepCompleted: 'RolloutStepCompleted',
  RolloutPaused: 'RolloutPaused',
  RolloutResumed: 'RolloutResumed',
  RolloutCompleted: 'RolloutCompleted',
  RolloutNotCompleted: 'RolloutNotCompleted',
  RolloutAborted: 'RolloutAborted',
  SwitchService: 'SwitchService',
  TrafficWeightUpdated: 'TrafficWeightUpdated',
  SkipSteps: 'SkipSteps',
  ReplicaSetCreateError: 'ReplicaSetCreateError',
  TrafficRoutingError: 'TrafficRoutingError',
  InvalidSpec: 'InvalidSpec',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
} as const;

/** AnalysisRun labels a Rollout sets (analysis.md §7.4). */
export const ROLLOUT_TYPE_LABEL = 'rollout-type';
export const STEP_INDEX_LABEL = 'step-index';
