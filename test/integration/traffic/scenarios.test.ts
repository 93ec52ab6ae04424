// Traffic-routed scenarios on getting-started/alb (unchanged) against the emulator with both
// controllers (traffic-routing §3.3, §3.4, §3.6; rollout-semantics §6.9, §6.10, cli §1.4.3):
// `promote --full` at the first step, `undo --to-revision=1` after it (a regular update: the
// old revision is not the stable RS and the fixture has no rollbackWindow), then an undo to the
// stable revision mid-canary (fast rollback: steps skipped, back to 0/100 without pausing).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  eventsOf,
  ownedReplicaSets,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  applyAll,
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
const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

describe('getting-started/alb scenarios (promote --full, undo)', () => {
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
    assert.deepEqual(ing.spec, fixture('alb').find((d) => d.kind === 'Ingress')!.spec);
    return ing;
  }

  function setImage(ns: string, image: string): Promise<void> {
    return withRetries(() => cluster.setImage(ns, NAME, '*', image));
  }

  test('promote --full at the first step, undo to revision 1, fast rollback to stable', async () => {
    const ns = await target.namespace('albsc');
    await applyAll(cluster, ns, fixture('alb'));

    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    assert.equal(s1.stableRS, h1);
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForAction(ns, 0);

    // Revision 2 paused at `pause: {}` with 5/95, then `promote --full` as the plugin does.
    await setImage(ns, YELLOW);
    const h2 = await newHash(cluster, ns, h1);
    await waitForPauseStep(cluster, ns);
    await waitForWeights(cluster, ns, expectedWeights(5, h2, h1));
    await waitForAction(ns, 5);
    await cluster.patchRolloutStatus(ns, NAME, { status: { promoteFull: true } });

    const s2 = await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    assert.equal(s2.currentPodHash, h2);
    assert.equal(s2.currentStepIndex, 2);
    assert.equal((s2 as { promoteFull?: boolean }).promoteFull ?? false, false);
    assert.deepEqual(s2.pauseConditions ?? [], []);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForAction(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
    // promoteFull keeps the recorded 5 until the promotion, then straight to 0 (§6.5.3).
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'TrafficWeightUpdated',
      'Traffic weight updated from 5 to 0',
    );
    const weightEvents = (await eventsOf(cluster, ns, NAME))
      .filter((e) => e.reason === 'TrafficWeightUpdated')
      .map((e) => e.message);
    assert.ok(!weightEvents.some((m) => m.endsWith(' to 100')), JSON.stringify(weightEvents));

    // `undo --to-revision=1` (template back to blue): revision 1 is not the stable RS and the
    // fixture has no rollbackWindow, so this is a regular update (§6.9): the old RS becomes the
    // new one with a bumped revision, and the canary pauses at setWeight 5 again.
    await setImage(ns, BLUE);
    await eventually(
      async () => statusOf(await cluster.rollout(ns, NAME)).currentPodHash === h1,
      'revision 1 back as the new RS',
    );
    const s3 = await waitForPauseStep(cluster, ns);
    assert.equal(s3.stableRS, h2);
    await waitForWeights(cluster, ns, expectedWeights(5, h1, h2));
    await waitForAction(ns, 5);
    await waitForSelectors(cluster, ns, { canary: h1, stable: h2 });
    const undone = (await ownedReplicaSets(cluster, ns, NAME)).get(h1);
    assert.equal(undone?.revision, '3');
    assert.equal(undone?.revisionHistory, '1');

    // Undo to the stable revision (yellow) mid-canary: fast rollback — steps skipped, Healthy
    // on h2 without a pause, and the ALB action back to 0 canary / 100 stable.
    await setImage(ns, YELLOW);
    const seen: ReturnType<typeof statusOf>[] = [];
    const s4 = await eventually(
      async () => {
        const st = statusOf(await cluster.rollout(ns, NAME));
        if (st.currentPodHash === h2) seen.push(st);
        return st.phase === 'Healthy' && st.currentPodHash === h2 ? st : undefined;
      },
      'fast rollback to Healthy',
      20_000,
    );
    assert.equal(s4.stableRS, h2);
    assert.equal(s4.currentStepIndex, 2);
    for (const st of seen) {
      assert.notEqual(st.phase, 'Paused', JSON.stringify(st));
      assert.deepEqual(st.pauseConditions ?? [], [], JSON.stringify(st));
    }
    await waitForEvent(cluster, ns, NAME, 'SkipSteps', 'Rollback to stable ReplicaSets');
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForAction(ns, 0);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
    const back = (await ownedReplicaSets(cluster, ns, NAME)).get(h2);
    assert.equal(back?.revision, '4');
    assert.equal(back?.revisionHistory, '2');
    // It stays there: still Healthy, 0/100, no pause after a few more passes.
    await new Promise((r) => setTimeout(r, 1_500));
    const s5 = statusOf(await cluster.rollout(ns, NAME));
    assert.equal(s5.phase, 'Healthy');
    assert.deepEqual(s5.pauseConditions ?? [], []);
    assert.equal((await ingress(ns)).metadata.annotations?.[ACTION_KEY], action(0));
  });
});
