// Shared steps of the traffic-routed getting-started fixtures (ALB, NGINX) against the emulator.
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  FIXTURES,
  loadYamlDocs,
  serviceSelectorOf,
  statusOf,
  waitForPhase,
} from '../../support/controller.ts';
import { eventually } from '../../support/target.ts';

export const HASH = 'rollouts-pod-template-hash';
export const NAME = 'rollouts-demo';

export interface Weights {
  canary: { weight: number; serviceName?: string; podTemplateHash?: string };
  stable: { weight: number; serviceName?: string; podTemplateHash?: string };
  verified?: boolean;
}

export function fixture(dir: string): KubeObject[] {
  return ['services.yaml', 'ingress.yaml', 'rollout.yaml'].flatMap((f) =>
    loadYamlDocs(new URL(`argo-rollouts/getting-started/${dir}/${f}`, FIXTURES)),
  );
}

export async function applyAll(cluster: Cluster, ns: string, docs: KubeObject[]): Promise<void> {
  for (const d of docs) await cluster.apply(d, ns);
}

export function weightsOf(ro: KubeObject): Weights | undefined {
  return (statusOf(ro).canary as { weights?: Weights } | undefined)?.weights;
}

/** The weights the controller records for canary `c` / stable `s` hashes at canary weight w. */
export function expectedWeights(w: number, canaryHash: string, stableHash: string): Weights {
  return {
    canary: { weight: w, serviceName: `${NAME}-canary`, podTemplateHash: canaryHash },
    stable: { weight: 100 - w, serviceName: `${NAME}-stable`, podTemplateHash: stableHash },
  };
}

export async function waitForWeights(
  cluster: Cluster,
  ns: string,
  want: Weights,
): Promise<KubeObject> {
  return eventually(
    async () => {
      const ro = await cluster.rollout(ns, NAME);
      return JSON.stringify(weightsOf(ro)) === JSON.stringify(want) ? ro : undefined;
    },
    `status.canary.weights ${JSON.stringify(want)}`,
    20_000,
  );
}

export async function selectorHash(cluster: Cluster, ns: string, svc: string): Promise<string> {
  return serviceSelectorOf(await cluster.get('Service', ns, svc))[HASH] ?? '';
}

export async function waitForSelectors(
  cluster: Cluster,
  ns: string,
  want: { canary: string; stable: string },
): Promise<void> {
  await eventually(
    async () =>
      (await selectorHash(cluster, ns, `${NAME}-canary`)) === want.canary &&
      (await selectorHash(cluster, ns, `${NAME}-stable`)) === want.stable,
    `service selectors ${JSON.stringify(want)}`,
    20_000,
  );
}

/** Waits until the rollout shows a new currentPodHash other than `old`; returns it. */
export async function newHash(cluster: Cluster, ns: string, old: string): Promise<string> {
  const s = await eventually(async () => {
    const st = statusOf(await cluster.rollout(ns, NAME));
    return st.currentPodHash && st.currentPodHash !== old ? st : undefined;
  }, 'a new revision');
  return s.currentPodHash!;
}

/** Paused at the fixture's `pause: {}` step (index 1) after `setWeight: 5`. */
export function waitForPauseStep(cluster: Cluster, ns: string) {
  return waitForPhase(
    cluster,
    ns,
    NAME,
    'Paused',
    (st) =>
      st.currentStepIndex === 1 &&
      (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
  );
}

export async function abort(cluster: Cluster, ns: string): Promise<void> {
  await cluster.patchRolloutStatus(ns, NAME, { status: { abort: true } });
}

export async function deleteRollout(cluster: Cluster, ns: string): Promise<void> {
  await cluster.client.delete(cluster.path('Rollout', ns, NAME));
}
