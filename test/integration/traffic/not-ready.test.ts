// getting-started/alb with a new image that never becomes ready (rollout-semantics §6.5.3 rule 4,
// §4.3; traffic-routing §3.6): the new RS has 0 available pods, so the router weight stays 0 —
// in the ALB action annotation and in status.canary.weights — and a small
// progressDeadlineSeconds turns the Rollout Degraded with ProgressDeadlineExceeded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  conditionOf,
  ownedReplicaSets,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { openTarget, type Target } from '../../support/target.ts';
import {
  applyAll,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  waitForSelectors,
  waitForWeights,
  weightsOf,
} from './helpers.ts';

const INGRESS = 'rollouts-demo-ingress';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const NEVER_READY = 'argoproj/rollouts-demo:never-ready';

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

/** The alb fixture with a small progressDeadlineSeconds on the Rollout. */
function docsWithDeadline(seconds: number): KubeObject[] {
  return fixture('alb').map((d) =>
    d.kind === 'Rollout'
      ? { ...d, spec: { ...(d.spec as object), progressDeadlineSeconds: seconds } }
      : d,
  );
}

describe('getting-started/alb with a never-ready canary', () => {
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

  test('weight stays 0 while the new RS has no available pod; deadline ⇒ Degraded', async () => {
    const ns = await target.namespace('alb-unready');
    target.sim!.setImageBehavior(NEVER_READY, 'unready');
    await applyAll(cluster, ns, docsWithDeadline(3));

    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));

    await cluster.setImage(ns, NAME, '*', NEVER_READY);
    const h2 = await newHash(cluster, ns, h1);

    // Sample the ALB action and the recorded weights until the deadline fires: never above 0.
    const seenActions = new Set<string>();
    const seenCanaryWeights = new Set<number>();
    let degraded: ReturnType<typeof statusOf> | undefined;
    const until = Date.now() + 20_000;
    while (!degraded && Date.now() < until) {
      const ing = await cluster.get('Ingress', ns, INGRESS);
      seenActions.add(ing.metadata.annotations?.[ACTION_KEY] ?? '');
      const ro = await cluster.rollout(ns, NAME);
      const w = weightsOf(ro);
      if (w) seenCanaryWeights.add(w.canary.weight);
      const st = statusOf(ro);
      if (st.phase === 'Degraded') degraded = st;
      else await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(degraded, 'Rollout went Degraded');
    assert.deepEqual([...seenActions], [action(0)], 'ALB action never moved off 0');
    assert.deepEqual([...seenCanaryWeights], [0], 'status canary weight never moved off 0');

    const prog = conditionOf(degraded, 'Progressing');
    assert.equal(prog?.status, 'False');
    assert.equal(prog?.reason, 'ProgressDeadlineExceeded');
    assert.equal(prog?.message, `ReplicaSet "${NAME}-${h2}" has timed out progressing.`);
    assert.equal(degraded.abort, undefined, 'no abort without progressDeadlineAbort');
    assert.equal(degraded.currentStepIndex, 0, 'stuck at setWeight: 5');
    assert.equal(degraded.stableRS, h1);
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'ProgressDeadlineExceeded',
      `ReplicaSet "${NAME}-${h2}" has timed out progressing.`,
      'Warning',
    );

    // Still 0 after the deadline: the weight is recorded on the new hash, the canary Service
    // is not switched to an RS without available pods, and the stable keeps serving.
    const w = weightsOf(await cluster.rollout(ns, NAME));
    assert.equal(w?.canary.weight, 0);
    assert.equal(w?.stable.weight, 100);
    const ing = await cluster.get('Ingress', ns, INGRESS);
    assert.equal(ing.metadata.annotations?.[ACTION_KEY], action(0));
    await waitForSelectors(cluster, ns, { canary: h1, stable: h1 });
    const rss = await ownedReplicaSets(cluster, ns, NAME);
    assert.equal(rss.get(h2)?.spec, 1, 'canary RS scaled to ceil(1·5/100) = 1');
    assert.equal(rss.get(h2)?.available, 0);
    assert.equal(rss.get(h1)?.available, 1);
  });
});
