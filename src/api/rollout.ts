// argoproj.io/v1alpha1 Rollout: spec and status as Argo Rollouts defines them
// (../shared/spec/rollout-semantics.md §2–3). Field names are the compatibility contract.
import { z } from 'zod';
import { rolloutAnalysis, rolloutAnalysisBackground, runStatus } from './analysis-refs.ts';
import {
  condition,
  intOrString,
  labelSelector,
  objectMeta,
  podTemplateMetadata,
  podTemplateSpec,
} from './common.ts';

export const GROUP = 'argoproj.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

const headerValue = z.looseObject({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  regex: z.string().optional(),
});

export const canaryStep = z.looseObject({
  setWeight: z.number().int().optional(),
  pause: z.looseObject({ duration: intOrString.optional() }).optional(),
  setCanaryScale: z
    .looseObject({
      replicas: z.number().int().optional(),
      weight: z.number().int().optional(),
      matchTrafficWeight: z.boolean().optional(),
    })
    .optional(),
  analysis: rolloutAnalysis.optional(),
  experiment: z.looseObject({}).optional(),
  setHeaderRoute: z
    .looseObject({
      name: z.string(),
      match: z.array(z.looseObject({ headerName: z.string(), headerValue })).optional(),
    })
    .optional(),
  setMirrorRoute: z.looseObject({ name: z.string() }).optional(),
  plugin: z.looseObject({ name: z.string() }).optional(),
});
export type CanaryStep = z.infer<typeof canaryStep>;

export const albTrafficRouting = z.looseObject({
  ingress: z.string().optional(),
  ingresses: z.array(z.string()).optional(),
  servicePort: z.number().int(),
  rootService: z.string().optional(),
  annotationPrefix: z.string().optional(),
  stickinessConfig: z
    .looseObject({ enabled: z.boolean(), durationSeconds: z.number().int() })
    .optional(),
});

export const nginxTrafficRouting = z.looseObject({
  stableIngress: z.string().optional(),
  stableIngresses: z.array(z.string()).optional(),
  annotationPrefix: z.string().optional(),
  additionalIngressAnnotations: z.record(z.string(), z.string()).optional(),
  canaryIngressAnnotations: z.record(z.string(), z.string()).optional(),
});

export const trafficRouting = z.looseObject({
  alb: albTrafficRouting.optional(),
  nginx: nginxTrafficRouting.optional(),
  istio: z.looseObject({}).optional(),
  smi: z.looseObject({}).optional(),
  ambassador: z.looseObject({}).optional(),
  appMesh: z.looseObject({}).optional(),
  traefik: z.looseObject({}).optional(),
  apisix: z.looseObject({}).optional(),
  plugins: z.record(z.string(), z.unknown()).optional(),
  managedRoutes: z.array(z.looseObject({ name: z.string() })).optional(),
  maxTrafficWeight: z.number().int().optional(),
});
export type TrafficRouting = z.infer<typeof trafficRouting>;

export const antiAffinity = z.looseObject({
  preferredDuringSchedulingIgnoredDuringExecution: z
    .looseObject({ weight: z.number().int() })
    .optional(),
  requiredDuringSchedulingIgnoredDuringExecution: z.looseObject({}).optional(),
});

export const canaryStrategy = z.looseObject({
  canaryService: z.string().optional(),
  stableService: z.string().optional(),
  steps: z.array(canaryStep).optional(),
  maxSurge: intOrString.optional(),
  maxUnavailable: intOrString.optional(),
  trafficRouting: trafficRouting.optional(),
  analysis: rolloutAnalysisBackground.optional(),
  antiAffinity: antiAffinity.optional(),
  canaryMetadata: podTemplateMetadata.optional(),
  stableMetadata: podTemplateMetadata.optional(),
  scaleDownDelaySeconds: z.number().int().optional(),
  scaleDownDelayRevisionLimit: z.number().int().optional(),
  abortScaleDownDelaySeconds: z.number().int().optional(),
  dynamicStableScale: z.boolean().optional(),
  pingPong: z.looseObject({ pingService: z.string(), pongService: z.string() }).optional(),
  minPodsPerReplicaSet: z.number().int().optional(),
  replicaProgressThreshold: z
    .looseObject({ type: z.enum(['Percent', 'Pods']), value: z.number().int() })
    .optional(),
});
export type CanaryStrategy = z.infer<typeof canaryStrategy>;

export const blueGreenStrategy = z.looseObject({
  activeService: z.string(),
  previewService: z.string().optional(),
  previewReplicaCount: z.number().int().optional(),
  autoPromotionEnabled: z.boolean().optional(),
  autoPromotionSeconds: z.number().int().optional(),
  maxUnavailable: intOrString.optional(),
  scaleDownDelaySeconds: z.number().int().optional(),
  scaleDownDelayRevisionLimit: z.number().int().optional(),
  abortScaleDownDelaySeconds: z.number().int().optional(),
  prePromotionAnalysis: rolloutAnalysis.optional(),
  postPromotionAnalysis: rolloutAnalysis.optional(),
  antiAffinity: antiAffinity.optional(),
  previewMetadata: podTemplateMetadata.optional(),
  activeMetadata: podTemplateMetadata.optional(),
});
export type BlueGreenStrategy = z.infer<typeof blueGreenStrategy>;

export const workloadRef = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  scaleDown: z.enum(['never', 'onsuccess', 'progressively']).optional(),
});

export const rolloutSpec = z.looseObject({
  replicas: z.number().int().optional(),
  selector: labelSelector.optional(),
  template: podTemplateSpec.optional(),
  workloadRef: workloadRef.optional(),
  minReadySeconds: z.number().int().optional(),
  revisionHistoryLimit: z.number().int().optional(),
  paused: z.boolean().optional(),
  progressDeadlineSeconds: z.number().int().optional(),
  progressDeadlineAbort: z.boolean().optional(),
  restartAt: z.string().optional(),
  rollbackWindow: z.looseObject({ revisions: z.number().int().optional() }).optional(),
  analysis: z
    .looseObject({
      successfulRunHistoryLimit: z.number().int().optional(),
      unsuccessfulRunHistoryLimit: z.number().int().optional(),
    })
    .optional(),
  strategy: z
    .looseObject({
      canary: canaryStrategy.optional(),
      blueGreen: blueGreenStrategy.optional(),
    })
    .optional(),
});
export type RolloutSpec = z.infer<typeof rolloutSpec>;

export const pauseCondition = z.looseObject({
  reason: z.string(),
  startTime: z.string(),
});
export type PauseCondition = z.infer<typeof pauseCondition>;

const weightDestination = z.looseObject({
  weight: z.number().int(),
  serviceName: z.string().optional(),
  podTemplateHash: z.string().optional(),
});

export const canaryStatus = z.looseObject({
  weights: z
    .looseObject({
      canary: weightDestination,
      stable: weightDestination,
      additional: z.array(weightDestination).optional(),
      verified: z.boolean().optional(),
    })
    .optional(),
  currentStepAnalysisRunStatus: runStatus.optional(),
  currentBackgroundAnalysisRunStatus: runStatus.optional(),
  currentExperiment: z.string().optional(),
  stablePingPong: z.string().optional(),
});

export const rolloutStatus = z.looseObject({
  observedGeneration: z.string().optional(),
  phase: z.string().optional(),
  message: z.string().optional(),
  currentPodHash: z.string().optional(),
  stableRS: z.string().optional(),
  currentStepIndex: z.number().int().optional(),
  currentStepHash: z.string().optional(),
  pauseConditions: z.array(pauseCondition).optional(),
  controllerPause: z.boolean().optional(),
  abort: z.boolean().optional(),
  abortedAt: z.string().optional(),
  promoteFull: z.boolean().optional(),
  replicas: z.number().int().optional(),
  updatedReplicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  availableReplicas: z.number().int().optional(),
  HPAReplicas: z.number().int().optional(),
  selector: z.string().optional(),
  collisionCount: z.number().int().optional(),
  conditions: z.array(condition).optional(),
  restartedAt: z.string().optional(),
  workloadObservedGeneration: z.string().optional(),
  canary: canaryStatus.optional(),
  blueGreen: z
    .looseObject({
      activeSelector: z.string().optional(),
      previewSelector: z.string().optional(),
      scaleUpPreviewCheckPoint: z.boolean().optional(),
      prePromotionAnalysisRunStatus: runStatus.optional(),
      postPromotionAnalysisRunStatus: runStatus.optional(),
    })
    .optional(),
});
export type RolloutStatus = z.infer<typeof rolloutStatus>;

export const rollout = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMeta,
  spec: rolloutSpec,
  status: rolloutStatus.optional(),
});
export type Rollout = z.infer<typeof rollout>;
