// Builders for the raw objects `buildRolloutInfo` reads: just enough of a Rollout, ReplicaSet,
// Pod, AnalysisRun and Experiment, with ages relative to one fixed clock.
import type { KubeObject } from '../../../src/api/kube-object.ts';

export const NOW = new Date('2024-05-01T12:00:00Z');

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** RFC3339 time `span` (e.g. `2d1h`, `3m2s`, `-29s` for the future) before NOW. */
export function ago(span: string): string {
  const sign = span.startsWith('-') ? -1 : 1;
  let ms = 0;
  for (const [, n, unit] of span.matchAll(/(\d+)([dhms])/g)) {
    ms += Number(n) * (UNIT_MS[unit ?? 's'] ?? 0);
  }
  return new Date(NOW.getTime() - sign * ms).toISOString().replace('.000Z', 'Z');
}

const owner = (kind: string, name: string, uid: string) => [
  { apiVersion: 'argoproj.io/v1alpha1', kind, name, uid, controller: true },
];

export interface RolloutFixture {
  name: string;
  generation?: number;
  created: string;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  annotations?: Record<string, string>;
}

export function rollout(f: RolloutFixture): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: f.name,
      namespace: 'default',
      uid: `uid-${f.name}`,
      generation: f.generation ?? 1,
      creationTimestamp: f.created,
      ...(f.annotations ? { annotations: f.annotations } : {}),
    },
    spec: f.spec,
    status: { observedGeneration: String(f.generation ?? 1), ...f.status },
  };
}

export const container = (image: string, name = 'app') => ({ name, image });

export interface ReplicaSetFixture {
  /** The owner's name (a Rollout or Experiment); the uid follows from it. */
  owner: string;
  ownerKind?: 'Rollout' | 'Experiment';
  hash: string;
  name?: string;
  revision: number;
  /** spec.replicas */
  replicas: number;
  /** status.replicas, default `replicas` */
  current?: number;
  /** status.availableReplicas, default `current` */
  available?: number;
  images: string[];
  created: string;
  annotations?: Record<string, string>;
}

export function replicaSet(f: ReplicaSetFixture): KubeObject {
  const name = f.name ?? `${f.owner}-${f.hash}`;
  const current = f.current ?? f.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: 1,
      creationTimestamp: f.created,
      labels: { 'rollouts-pod-template-hash': f.hash },
      annotations: { 'rollout.argoproj.io/revision': String(f.revision), ...f.annotations },
      ownerReferences: owner(f.ownerKind ?? 'Rollout', f.owner, `uid-${f.owner}`),
    },
    spec: {
      replicas: f.replicas,
      template: {
        metadata: { labels: { 'rollouts-pod-template-hash': f.hash } },
        spec: {
          containers: f.images.map((image, i) => container(image, i === 0 ? 'app' : `c${i}`)),
        },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: current,
      availableReplicas: f.available ?? current,
      readyReplicas: f.available ?? current,
    },
  };
}

export interface PodFixture {
  rs: string;
  suffix: string;
  created: string;
  /** The single container's state; default running and ready. */
  state?: Record<string, unknown>;
  ready?: boolean;
  restarts?: number;
  phase?: string;
  deleted?: boolean;
}

export function pod(f: PodFixture): KubeObject {
  const name = `${f.rs}-${f.suffix}`;
  const ready = f.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: f.created,
      ...(f.deleted ? { deletionTimestamp: ago('0s') } : {}),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: f.rs, uid: `uid-${f.rs}` },
      ],
    },
    spec: { containers: [container('img')] },
    status: {
      phase: f.phase ?? 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready,
          restartCount: f.restarts ?? 0,
          state: f.state ?? { running: { startedAt: f.created } },
        },
      ],
    },
  };
}

/** Pods of one ReplicaSet, all running and ready, created with it. */
export function pods(rs: string, created: string, suffixes: string[]): KubeObject[] {
  return suffixes.map((suffix) => pod({ rs, suffix, created }));
}

export interface AnalysisRunFixture {
  name: string;
  owner: string;
  ownerKind?: 'Rollout' | 'Experiment';
  revision: number;
  created: string;
  phase: string;
  message?: string;
  metrics?: Record<string, unknown>[];
  metricResults?: Record<string, unknown>[];
}

export function analysisRun(f: AnalysisRunFixture): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name: f.name,
      namespace: 'default',
      uid: `uid-${f.name}`,
      creationTimestamp: f.created,
      annotations: { 'rollout.argoproj.io/revision': String(f.revision) },
      ownerReferences: owner(f.ownerKind ?? 'Rollout', f.owner, `uid-${f.owner}`),
    },
    spec: { metrics: f.metrics ?? [] },
    status: {
      phase: f.phase,
      ...(f.message ? { message: f.message } : {}),
      metricResults: f.metricResults ?? [],
    },
  };
}

export interface ExperimentFixture {
  name: string;
  owner: string;
  revision: number;
  created: string;
  phase: string;
}

export function experiment(f: ExperimentFixture): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Experiment',
    metadata: {
      name: f.name,
      namespace: 'default',
      uid: `uid-${f.name}`,
      creationTimestamp: f.created,
      annotations: { 'rollout.argoproj.io/revision': String(f.revision) },
      ownerReferences: owner('Rollout', f.owner, `uid-${f.owner}`),
    },
    spec: {},
    status: { phase: f.phase },
  };
}

/** A measurement, optionally backed by a Job. */
export function measurement(
  phase: string,
  startedAt: string,
  job?: string,
): Record<string, unknown> {
  return {
    phase,
    startedAt,
    finishedAt: startedAt,
    ...(job ? { metadata: { 'job-name': job } } : { value: '0.99' }),
  };
}
