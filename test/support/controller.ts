// Runs our Rollout controller in-process against a target cluster (the emulator), with the
// CRDs installed, plus small helpers to read and change Rollouts the way users do.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/api/kube-object.ts';
import { createLogger } from '../../src/controller/logger.ts';
import { AnalysisRunController } from '../../src/controller/analysis-controller.ts';
import { RolloutController } from '../../src/controller/rollout-controller.ts';
import { RawClient, resourcePath } from '../../src/kube/raw-client.ts';
import { basicCanaryCounts } from '../../src/rollout/replica-math.ts';
import { eventually, type Target } from './target.ts';

export const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
export const CRDS = new URL('../../crds/', import.meta.url);

export function loadYamlDocs(file: URL | string): KubeObject[] {
  const text = readFileSync(file, 'utf8');
  return yaml
    .loadAll(text, undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is KubeObject => typeof d === 'object' && d !== null);
}

const PLURALS: Record<
  string,
  { group: string; version: string; resource: string; namespaced: boolean }
> = {
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', namespaced: true },
  Service: { group: '', version: 'v1', resource: 'services', namespaced: true },
  Ingress: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true },
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    namespaced: false,
  },
  AnalysisRun: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'analysisruns',
    namespaced: true,
  },
  ClusterAnalysisTemplate: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'clusteranalysistemplates',
    namespaced: false,
  },
  Secret: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
  Job: { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  AnalysisTemplate: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'analysistemplates',
    namespaced: true,
  },
};

export class Cluster {
  readonly client: RawClient;
  constructor(readonly kc: KubeConfig) {
    this.client = new RawClient(kc, { qps: 0 });
  }

  path(kind: string, namespace?: string, name?: string, subresource?: string): string {
    const p = PLURALS[kind];
    if (!p) throw new Error(`no path known for kind ${kind}`);
    return resourcePath({
      group: p.group,
      version: p.version,
      resource: p.resource,
      ...(p.namespaced && namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource } : {}),
    });
  }

  async apply(obj: KubeObject, namespace?: string): Promise<KubeObject> {
    const o = structuredClone(obj);
    if (namespace && PLURALS[o.kind ?? '']?.namespaced) o.metadata.namespace = namespace;
    return this.client.create(this.path(o.kind ?? '', o.metadata.namespace), o);
  }

  async installCrds(): Promise<void> {
    for (const f of [
      'rollout-crd.yaml',
      'analysis-template-crd.yaml',
      'cluster-analysis-template-crd.yaml',
      'analysis-run-crd.yaml',
    ]) {
      for (const doc of loadYamlDocs(new URL(f, CRDS))) {
        await this.client
          .create(this.path('CustomResourceDefinition'), doc)
          .catch((e: { code?: number }) => {
            if (e.code !== 409) throw e;
          });
      }
    }
  }

  get(kind: string, namespace: string, name: string): Promise<KubeObject> {
    return this.client.get(this.path(kind, namespace, name));
  }

  async rollout(
    namespace: string,
    name: string,
  ): Promise<KubeObject & { status?: Record<string, unknown> }> {
    return this.get('Rollout', namespace, name);
  }

  async replicaSets(namespace: string, ownerUid?: string): Promise<KubeObject[]> {
    const list = await this.client.list(
      resourcePath({ group: 'apps', version: 'v1', resource: 'replicasets', namespace }),
    );
    return list.items.filter(
      (rs) =>
        !ownerUid || rs.metadata.ownerReferences?.some((r) => r.uid === ownerUid && r.controller),
    );
  }

  async pods(namespace: string): Promise<KubeObject[]> {
    return (
      await this.client.list(
        resourcePath({ group: '', version: 'v1', resource: 'pods', namespace }),
      )
    ).items;
  }

  async events(namespace: string): Promise<KubeObject[]> {
    return (
      await this.client.list(
        resourcePath({ group: '', version: 'v1', resource: 'events', namespace }),
      )
    ).items;
  }

  patchRollout(namespace: string, name: string, patch: object): Promise<KubeObject> {
    return this.client.patch(this.path('Rollout', namespace, name), patch, 'merge');
  }

  patchRolloutStatus(namespace: string, name: string, patch: object): Promise<KubeObject> {
    return this.client.patch(this.path('Rollout', namespace, name, 'status'), patch, 'merge');
  }

  /** `kubectl argo rollouts set image`: GET + full update with the image changed. */
  async setImage(namespace: string, name: string, container: string, image: string): Promise<void> {
    const ro = await this.rollout(namespace, name);
    const containers = (
      ro.spec as { template: { spec: { containers: { name: string; image: string }[] } } }
    ).template.spec.containers;
    for (const c of containers) if (c.name === container || container === '*') c.image = image;
    await this.client.update(this.path('Rollout', namespace, name), ro);
  }
}

export interface ControllerHandle {
  controller: RolloutController;
  analysis: AnalysisRunController;
  stop(): Promise<void>;
}

/** Both controllers of the rollouts-controller process, as runController starts them. */
export async function startController(
  target: Target,
  opts: { namespace?: string; clock?: () => Date } = {},
): Promise<ControllerHandle> {
  const kc = new KubeConfig();
  kc.loadFromFile(target.kubeconfigPath);
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'error',
  });
  const common = {
    kc,
    client: new RawClient(kc, { qps: 0 }),
    logger,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    resyncMs: 0,
  };
  const analysis = new AnalysisRunController(common);
  await analysis.start();
  const controller = new RolloutController(common);
  await controller.start();
  return {
    controller,
    analysis,
    stop: async () => {
      await controller.stop();
      await analysis.stop();
    },
  };
}

export function statusOf(ro: KubeObject): Record<string, unknown> & {
  phase?: string;
  message?: string;
  currentStepIndex?: number;
  stableRS?: string;
  currentPodHash?: string;
  pauseConditions?: { reason: string }[];
  abort?: boolean;
} {
  return (ro.status ?? {}) as ReturnType<typeof statusOf>;
}

export async function waitForPhase(
  cluster: Cluster,
  ns: string,
  name: string,
  phase: string,
  extra: (s: ReturnType<typeof statusOf>) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<ReturnType<typeof statusOf>> {
  return eventually(
    async () => {
      const s = statusOf(await cluster.rollout(ns, name));
      return s.phase === phase && extra(s) ? s : undefined;
    },
    `rollout ${ns}/${name} phase ${phase}`,
    timeoutMs,
  );
}

// ---- helpers for the Rollout integration tests (test/integration/rollout) ----

export interface RsInfo {
  name: string;
  hash: string;
  /** spec.replicas */
  spec: number;
  /** status.replicas */
  replicas: number;
  available: number;
  revision: string | undefined;
  revisionHistory: string | undefined;
  annotations: Record<string, string>;
  obj: KubeObject;
}

export function rsInfo(rs: KubeObject): RsInfo {
  const st = (rs.status ?? {}) as { replicas?: number; availableReplicas?: number };
  const ann = rs.metadata.annotations ?? {};
  return {
    name: rs.metadata.name ?? '',
    hash: rs.metadata.labels?.['rollouts-pod-template-hash'] ?? '',
    spec: (rs.spec as { replicas?: number } | undefined)?.replicas ?? 0,
    replicas: st.replicas ?? 0,
    available: st.availableReplicas ?? 0,
    revision: ann['rollout.argoproj.io/revision'],
    revisionHistory: ann['rollout.argoproj.io/revision-history'],
    annotations: ann,
    obj: rs,
  };
}

/** The ReplicaSets a Rollout owns, as RsInfo, by pod-template hash. */
export async function ownedReplicaSets(
  cluster: Cluster,
  ns: string,
  name: string,
): Promise<Map<string, RsInfo>> {
  const ro = await cluster.rollout(ns, name);
  const list = await cluster.replicaSets(ns, ro.metadata.uid);
  return new Map(list.map((rs) => [rsInfo(rs).hash, rsInfo(rs)]));
}

/** Pods not being deleted, counted by pod-template hash (what the emulator runs). */
export async function podsByHash(
  cluster: Cluster,
  ns: string,
): Promise<Map<string, { total: number; ready: number; names: string[] }>> {
  const out = new Map<string, { total: number; ready: number; names: string[] }>();
  for (const p of await cluster.pods(ns)) {
    if (p.metadata.deletionTimestamp) continue;
    const h = p.metadata.labels?.['rollouts-pod-template-hash'] ?? '';
    const e = out.get(h) ?? { total: 0, ready: 0, names: [] };
    e.total++;
    if (podReady(p)) e.ready++;
    e.names.push(p.metadata.name ?? '');
    out.set(h, e);
  }
  return out;
}

export function podReady(p: KubeObject): boolean {
  const conds =
    (p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export interface EventInfo {
  type: string;
  reason: string;
  message: string;
  object: string;
  /** Repeats of the same event (the recorder bumps count instead of writing a new one). */
  count: number;
}

/** Events about objects named `name` (or all events in the namespace), oldest first. */
export async function eventsOf(cluster: Cluster, ns: string, name?: string): Promise<EventInfo[]> {
  const items = await cluster.events(ns);
  return items
    .map((e) => {
      const ev = e as unknown as {
        type?: string;
        reason?: string;
        message?: string;
        involvedObject?: { name?: string };
        count?: number;
        firstTimestamp?: string;
        metadata: { creationTimestamp?: string };
      };
      return {
        type: ev.type ?? '',
        reason: ev.reason ?? '',
        message: ev.message ?? '',
        object: ev.involvedObject?.name ?? '',
        count: ev.count ?? 1,
        at: ev.firstTimestamp ?? ev.metadata.creationTimestamp ?? '',
      };
    })
    .filter((e) => name === undefined || e.object === name)
    .sort((a, b) => a.at.localeCompare(b.at))
    .map(({ type, reason, message, object, count }) => ({ type, reason, message, object, count }));
}

/** Waits for an event with that reason whose message equals / matches `message`. */
export function waitForEvent(
  cluster: Cluster,
  ns: string,
  name: string,
  reason: string,
  message?: string | RegExp,
  type = 'Normal',
): Promise<EventInfo> {
  return eventually(
    async () =>
      (await eventsOf(cluster, ns, name)).find(
        (e) =>
          e.reason === reason &&
          e.type === type &&
          (message === undefined ||
            (typeof message === 'string' ? e.message === message : message.test(e.message))),
      ),
    `event ${type} ${reason} ${String(message ?? '')} on ${ns}/${name}`,
  );
}

export interface ConditionInfo {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export function conditionOf(
  status: Record<string, unknown>,
  type: string,
): ConditionInfo | undefined {
  return (status.conditions as ConditionInfo[] | undefined)?.find((c) => c.type === type);
}

/**
 * `kubectl argo rollouts promote` as object changes (rollout-semantics §8): unpause the spec if
 * paused; clear the pause conditions when there are any, else skip to the next step.
 */
export async function promote(cluster: Cluster, ns: string, name: string): Promise<void> {
  const ro = await cluster.rollout(ns, name);
  if ((ro.spec as { paused?: boolean }).paused)
    await cluster.patchRollout(ns, name, { spec: { paused: false } });
  const s = statusOf(ro);
  if ((s.pauseConditions?.length ?? 0) > 0) {
    await cluster.patchRolloutStatus(ns, name, { status: { pauseConditions: null } });
    return;
  }
  const steps =
    (ro.spec as { strategy?: { canary?: { steps?: unknown[] } } }).strategy?.canary?.steps ?? [];
  const next = Math.min((s.currentStepIndex ?? 0) + 1, steps.length);
  await cluster.patchRolloutStatus(ns, name, {
    status: { pauseConditions: null, currentStepIndex: next },
  });
}

/** A Service selecting `selector`, for Rollouts whose fixture does not ship one. */
export function minimalService(name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

/** A small canary Rollout for tests that need no fixture. */
export function canaryRollout(o: {
  name: string;
  replicas?: number;
  image?: string;
  steps?: unknown[];
  canary?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: o.name },
    spec: {
      replicas: o.replicas ?? 4,
      revisionHistoryLimit: 3,
      selector: { matchLabels: { app: o.name } },
      template: {
        metadata: { labels: { app: o.name } },
        spec: { containers: [{ name: 'app', image: o.image ?? 'example/app:v1' }] },
      },
      strategy: { canary: { ...(o.steps ? { steps: o.steps } : {}), ...(o.canary ?? {}) } },
      ...(o.spec ?? {}),
    },
  };
}

export function serviceSelectorOf(svc: KubeObject): Record<string, string> {
  return (svc.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {};
}

/** Retries `fn` on any API error (tests that inject faults). */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 30): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/**
 * The canary/stable sizes a basic canary settles at for weight `weight` (§6.4.3), starting from
 * the given ReplicaSet sizes: applies the controller's scaling order (stable first, then canary,
 * one change per pass) with every pod becoming available, until nothing changes.
 */
export function settledCanaryCounts(o: {
  replicas: number;
  weight: number;
  maxSurge: number;
  maxUnavailable: number;
  canary: number;
  stable: number;
}): { canary: number; stable: number } {
  const canary = { name: 'canary', specReplicas: o.canary, availableReplicas: o.canary };
  const stable = { name: 'stable', specReplicas: o.stable, availableReplicas: o.stable };
  for (let i = 0; i < 100; i++) {
    const c = basicCanaryCounts(
      o.replicas,
      o.weight,
      100,
      o.maxSurge,
      o.maxUnavailable,
      canary,
      stable,
      [],
    );
    if (c.stable !== stable.specReplicas) {
      stable.specReplicas = stable.availableReplicas = c.stable;
    } else if (c.canary !== canary.specReplicas) {
      canary.specReplicas = canary.availableReplicas = c.canary;
    } else {
      return c;
    }
  }
  throw new Error('replica math did not settle');
}

export interface CountingControllerHandle extends ControllerHandle {
  /** Finished reconciles of namespace/name so far (errors included). */
  reconciles(ns: string, name: string): number;
}

/** startController, also counting reconciles per Rollout (to know a new controller has looked). */
export async function startCountingController(
  target: Target,
  opts: { namespace?: string } = {},
): Promise<CountingControllerHandle> {
  const kc = new KubeConfig();
  kc.loadFromFile(target.kubeconfigPath);
  const counts = new Map<string, number>();
  const controller = new RolloutController({
    kc,
    client: new RawClient(kc, { qps: 0 }),
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'error' }),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    resyncMs: 0,
    onReconcile: (ro) => {
      const key = `${ro.metadata.namespace}/${ro.metadata.name}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
  });
  await controller.start();
  const analysis = new AnalysisRunController({
    kc,
    client: new RawClient(kc, { qps: 0 }),
    logger: createLogger({ level: 'error' }),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    resyncMs: 0,
  });
  await analysis.start();
  return {
    controller,
    analysis,
    stop: async () => {
      await controller.stop();
      await analysis.stop();
    },
    reconciles: (ns, name) => counts.get(`${ns}/${name}`) ?? 0,
  };
}
