// getting-started/alb end to end against the emulator with both controllers (traffic-routing
// §3.3, §3.4, §3.6, §3.7, §3.11, §6.1; rollout-semantics §6.5, §6.6): the forward action
// annotation, status.canary.weights and the Service selectors after the first deploy, at
// `setWeight: 5`, after the promotion and after an abort; the action and bookkeeping reset once
// the Rollout is deleted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  ownedReplicaSets,
  promote,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
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

const INGRESS = 'rollouts-demo-ingress';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const MANAGED_KEY = 'rollouts.argoproj.io/managed-alb-annotations';
const DEADLINE = 'scale-down-deadline';

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

describe('getting-started/alb (ALB traffic routing)', () => {
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

  async function ingress(ns: string): Promise<KubeObject> {
    return cluster.get('Ingress', ns, INGRESS);
  }

  async function waitForAction(ns: string, canaryWeight: number): Promise<KubeObject> {
    const want = action(canaryWeight);
    const ing = await eventually(
      async () => {
        const i = await ingress(ns);
        return i.metadata.annotations?.[ACTION_KEY] === want ? i : undefined;
      },
      `ALB action at canary weight ${canaryWeight}`,
      20_000,
    );
    assert.equal(ing.metadata.annotations?.[MANAGED_KEY], `{"${NAME}":["${ACTION_KEY}"]}`);
    const services = await Promise.all(
      ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'].map((n) =>
        cluster.get('Service', ns, n),
      ),
    );
    assert.deepEqual(checkAlbIngress(ing, { lookup: servicesLookup(services) }), []);
    // The spec is the user's: never touched without header routes.
    assert.deepEqual(ing.spec, fixture('alb').find((d) => d.kind === 'Ingress')!.spec);
    return ing;
  }

  test('deploy, setWeight 5, promote to Healthy, abort, delete', async () => {
    const ns = await target.namespace('alb');
    await applyAll(cluster, ns, fixture('alb'));

    // First deploy: 0/100 once revision 1 is stable and available.
    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    assert.equal(s1.stableRS, h1);
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForAction(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h1, stable: h1 });
    await waitForEvent(cluster, ns, NAME, 'TrafficWeightUpdated', 'Traffic weight updated to 0');

    // Image change: setWeight 5 reached, paused at step 2 with 5/95.
    await cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow');
    const h2 = await newHash(cluster, ns, h1);
    await waitForPauseStep(cluster, ns);
    await waitForWeights(cluster, ns, expectedWeights(5, h2, h1));
    await waitForAction(ns, 5);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h1 });
    // Traffic-routed counts (§6.5.1): canary ceil(1·5/100) = 1, stable stays at R = 1.
    const atStep = await ownedReplicaSets(cluster, ns, NAME);
    assert.equal(atStep.get(h1)?.spec, 1);
    assert.equal(atStep.get(h2)?.spec, 1);
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'TrafficWeightUpdated',
      'Traffic weight updated from 0 to 5',
    );
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'PatchingALBIngress',
      `Updating Ingress \`${INGRESS}\` to desiredWeight '5'`,
    );

    // Promote: all steps done (100), promoted, then 0 to the canary with both hashes = h2.
    await promote(cluster, ns, NAME);
    const s2 = await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    assert.equal(s2.currentStepIndex, 2);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForAction(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'TrafficWeightUpdated',
      'Traffic weight updated from 5 to 100',
    );
    // The previous stable RS is kept for scaleDownDelaySeconds (default 30 s, §6.8).
    const oldStable = await eventually(async () => {
      const rs = (await ownedReplicaSets(cluster, ns, NAME)).get(h1);
      return rs?.annotations[DEADLINE] !== undefined ? rs : undefined;
    }, 'scale-down-deadline on the previous stable ReplicaSet');
    assert.equal(oldStable.spec, 1);
    const delay = Date.parse(oldStable.annotations[DEADLINE]!) - Date.now();
    assert.ok(delay > 20_000 && delay <= 31_000, `deadline in ${delay} ms`);

    // Abort at setWeight 5: back to 0/100 at once, canary Service on the stable RS.
    await cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:green');
    const h3 = await newHash(cluster, ns, h2);
    await waitForPauseStep(cluster, ns);
    await waitForAction(ns, 5);
    await abort(cluster, ns);
    const s3 = await waitForPhase(cluster, ns, NAME, 'Degraded');
    assert.equal(s3.abort, true);
    assert.equal(s3.stableRS, h2);
    await waitForWeights(cluster, ns, expectedWeights(0, h3, h2));
    await waitForAction(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
    assert.equal(statusOf(await cluster.rollout(ns, NAME)).currentPodHash, h3);
    // abortScaleDownDelaySeconds (default 30 s): the canary keeps its pod until the deadline.
    const aborted = await eventually(async () => {
      const rs = (await ownedReplicaSets(cluster, ns, NAME)).get(h3);
      return rs?.annotations[DEADLINE] !== undefined ? rs : undefined;
    }, 'scale-down-deadline on the aborted canary ReplicaSet');
    assert.equal(aborted.spec, 1);

    // Deleting the Rollout resets its action to 100% on the Service the action is keyed by —
    // here the rootService of the user's Ingress rule, on the port every target group shared
    // (traffic-routing §3.7, §3.11; Q5) — and removes the bookkeeping.
    await deleteRollout(cluster, ns);
    const reset = await eventually(
      async () => {
        const i = await ingress(ns);
        return i.metadata.annotations?.[MANAGED_KEY] === undefined ? i : undefined;
      },
      'ALB bookkeeping removed',
      20_000,
    );
    assert.deepEqual(reset.metadata.annotations, {
      'kubernetes.io/ingress.class': 'alb',
      [ACTION_KEY]:
        '{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"rollouts-demo-root","ServicePort":"80","Weight":100}]}}',
    });
    const services = await Promise.all(
      ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'].map((n) =>
        cluster.get('Service', ns, n),
      ),
    );
    assert.deepEqual(checkAlbIngress(reset, { lookup: servicesLookup(services) }), []);
    assert.deepEqual(reset.spec, fixture('alb').find((d) => d.kind === 'Ingress')!.spec);
  });
});
