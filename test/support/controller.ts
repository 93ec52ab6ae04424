// Runs our Rollout controller in-process against a target cluster (the emulator), with the
// CRDs installed, plus small helpers to read and change Rollouts the way users do.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/api/kube-object.ts';
import { createLogger } from '../../src/controller/logger.ts';
import { RolloutController } from '../../src/controller/rollout-controller.ts';
import { RawClient, resourcePath } from '../../src/kube/raw-client.ts';
import { eventually, type Target } from './target.ts';

export const FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);
export const CRDS = new URL('../../crds/', import.meta.url);

export function loadYamlDocs(file: URL | string): KubeObject[] {
  const text = readFileSync(file, 'utf8');
  return (yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA })).filter(
    (d): d is KubeObject => typeof d === 'object' && d !== null,
  );
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
    for (const f of ['rollout-crd.yaml']) {
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
  stop(): Promise<void>;
}

export async function startController(
  target: Target,
  opts: { namespace?: string } = {},
): Promise<ControllerHandle> {
  const kc = new KubeConfig();
  kc.loadFromFile(target.kubeconfigPath);
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'error',
  });
  const controller = new RolloutController({
    kc,
    client: new RawClient(kc, { qps: 0 }),
    logger,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    resyncMs: 0,
  });
  await controller.start();
  return { controller, stop: () => controller.stop() };
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
