// getting-started/nginx end to end against the emulator with both controllers (traffic-routing
// §4.2, §4.3, §3.6, §6.1; rollout-semantics §6.5, §6.6): the canary Ingress we create and its
// `canary` / `canary-weight` annotations, status.canary.weights and the Service selectors after
// the first deploy, at `setWeight: 5`, after the promotion and after an abort; the canary
// Ingress goes with the Rollout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  promote,
  startController,
  waitForEvent,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  abort,
  applyAll,
  deleteRollout,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  waitForPauseStep,
  waitForSelectors,
  waitForWeights,
} from './helpers.ts';

const STABLE_INGRESS = 'rollouts-demo-stable';
const CANARY_INGRESS = 'rollouts-demo-rollouts-demo-stable-canary';

describe('getting-started/nginx (NGINX traffic routing)', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  async function waitForCanaryIngress(ns: string, weight: number): Promise<KubeObject> {
    const ing = await eventually(
      async () => {
        const i = await cluster.get('Ingress', ns, CANARY_INGRESS).catch(() => undefined);
        return i?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ===
          String(weight)
          ? i
          : undefined;
      },
      `canary Ingress at weight ${weight}`,
      20_000,
    );
    assert.deepEqual(ing.metadata.annotations, {
      'kubernetes.io/ingress.class': 'nginx',
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': String(weight),
    });
    assert.equal(ing.metadata.labels, undefined);
    const ro = await cluster.rollout(ns, NAME);
    assert.deepEqual(
      ing.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['Rollout', NAME, ro.metadata.uid, true]],
    );
    assert.deepEqual(ing.spec, {
      rules: [
        {
          host: 'rollouts-demo.local',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'rollouts-demo-canary', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    });
    // The stable Ingress is the user's: never modified.
    const stable = await cluster.get('Ingress', ns, STABLE_INGRESS);
    const orig = fixture('nginx').find((d) => d.kind === 'Ingress')!;
    assert.deepEqual(stable.spec, orig.spec);
    assert.deepEqual(stable.metadata.annotations, orig.metadata.annotations);
    return ing;
  }

  test('deploy, setWeight 5, promote to Healthy, abort, delete', async () => {
    const ns = await target.namespace('nginx');
    await applyAll(cluster, ns, fixture('nginx'));

    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForCanaryIngress(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h1, stable: h1 });
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'CreatingCanaryIngress',
      `Creating canary ingress \`${CANARY_INGRESS}\` with weight \`0\``,
    );

    await cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow');
    const h2 = await newHash(cluster, ns, h1);
    await waitForPauseStep(cluster, ns);
    await waitForWeights(cluster, ns, expectedWeights(5, h2, h1));
    await waitForCanaryIngress(ns, 5);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h1 });
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'PatchingCanaryIngress',
      `Updating Ingress \`${CANARY_INGRESS}\` to desiredWeight '5'`,
    );

    await promote(cluster, ns, NAME);
    await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForCanaryIngress(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });

    await cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:green');
    const h3 = await newHash(cluster, ns, h2);
    await waitForPauseStep(cluster, ns);
    await waitForCanaryIngress(ns, 5);
    await abort(cluster, ns);
    await waitForPhase(cluster, ns, NAME, 'Degraded');
    await waitForWeights(cluster, ns, expectedWeights(0, h3, h2));
    await waitForCanaryIngress(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });

    // A canary Ingress deleted by hand comes back on the next reconcile.
    await cluster.client.delete(cluster.path('Ingress', ns, CANARY_INGRESS));
    await cluster.patchRollout(ns, NAME, { metadata: { annotations: { poke: '1' } } });
    await waitForCanaryIngress(ns, 0);

    await deleteRollout(cluster, ns);
    await eventually(
      async () =>
        (await cluster.get('Ingress', ns, CANARY_INGRESS).catch(() => undefined)) === undefined,
      'canary Ingress deleted with the Rollout',
      20_000,
    );
    await cluster.get('Ingress', ns, STABLE_INGRESS);
  });
});
