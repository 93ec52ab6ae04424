// Routed replica counts with ALB against the emulator with both controllers (rollout-semantics
// §6.5.1, §6.5.2, §6.5.3 abort/rollback formula, §6.8; traffic-routing §3.6, §6.1):
// `setCanaryScale` sizes the canary apart from the traffic weight (replicas, weight,
// matchTrafficWeight, sticky across steps), and `dynamicStableScale: true` shrinks the stable as
// the canary takes traffic and, on abort, grows it back before the traffic returns. At each step
// the ReplicaSet sizes, the ALB action annotation and status.canary.weights are asserted; during
// the dynamic transitions a sampler checks the ordering (no weight on pods that are not there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  eventsOf,
  ownedReplicaSets,
  promote,
  startController,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { checkAlbIngress, servicesLookup } from '../../support/alb-check.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import {
  abort,
  applyAll,
  expectedWeights,
  fixture,
  NAME,
  newHash,
  selectorHash,
  waitForSelectors,
  waitForWeights,
} from './helpers.ts';

const INGRESS = 'rollouts-demo-ingress';
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.rollouts-demo-root';
const R = 4;

function action(canaryWeight: number): string {
  return (
    '{"Type":"forward","ForwardConfig":{"TargetGroups":[' +
    `{"ServiceName":"rollouts-demo-canary","ServicePort":"80","Weight":${canaryWeight}},` +
    `{"ServiceName":"rollouts-demo-stable","ServicePort":"80","Weight":${100 - canaryWeight}}]}}`
  );
}

/** The canary weight an action annotation carries (its first target group). */
function canaryWeightOf(ing: KubeObject): number {
  const v = ing.metadata.annotations?.[ACTION_KEY];
  if (v === undefined) return 0;
  const parsed = JSON.parse(v) as { ForwardConfig: { TargetGroups: { Weight: number }[] } };
  return parsed.ForwardConfig.TargetGroups[0]!.Weight;
}

/** getting-started/alb with R replicas, the given steps and extra canary fields. */
function docs(steps: unknown[], canary: Record<string, unknown> = {}): KubeObject[] {
  return fixture('alb').map((d) => {
    if (d.kind !== 'Rollout') return d;
    const spec = structuredClone(d.spec) as {
      replicas: number;
      strategy: { canary: Record<string, unknown> };
    };
    spec.replicas = R;
    spec.strategy.canary = { ...spec.strategy.canary, steps, ...canary };
    return { ...d, spec };
  });
}

describe('ALB routed replica counts (setCanaryScale, dynamicStableScale)', () => {
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

  async function checkedIngress(ns: string): Promise<KubeObject> {
    const ing = await cluster.get('Ingress', ns, INGRESS);
    const services = await Promise.all(
      ['rollouts-demo-root', 'rollouts-demo-canary', 'rollouts-demo-stable'].map((n) =>
        cluster.get('Service', ns, n),
      ),
    );
    assert.deepEqual(checkAlbIngress(ing, { lookup: servicesLookup(services) }), []);
    return ing;
  }

  async function waitForAction(ns: string, canaryWeight: number): Promise<void> {
    await eventually(
      async () =>
        (await checkedIngress(ns)).metadata.annotations?.[ACTION_KEY] === action(canaryWeight),
      `ALB action at canary weight ${canaryWeight}`,
      20_000,
    );
  }

  /** Waits until the canary (h) and stable (s) ReplicaSets are at these sizes, all available. */
  async function waitForSizes(
    ns: string,
    want: { canary: number; stable: number },
    h: string,
    s: string,
  ): Promise<void> {
    let last = '';
    await eventually(
      async () => {
        const rss = await ownedReplicaSets(cluster, ns, NAME);
        const c = rss.get(h);
        const st = rss.get(s);
        last = JSON.stringify({
          canary: [c?.spec, c?.available],
          stable: [st?.spec, st?.available],
        });
        return (
          c?.spec === want.canary &&
          c.available === want.canary &&
          st?.spec === want.stable &&
          st.available === want.stable
        );
      },
      `canary/stable ReplicaSets at ${JSON.stringify(want)} (last ${last})`,
      20_000,
    );
  }

  /** At a `pause: {}` step: sizes, the annotation and the recorded weights, all three. */
  async function expectPausedAt(
    ns: string,
    o: { index: number; canary: number; stable: number; weight: number; h2: string; h1: string },
  ): Promise<void> {
    await waitForPhase(
      cluster,
      ns,
      NAME,
      'Paused',
      (st) =>
        st.currentStepIndex === o.index &&
        (st.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep'),
    );
    await waitForSizes(ns, { canary: o.canary, stable: o.stable }, o.h2, o.h1);
    await waitForAction(ns, o.weight);
    await waitForWeights(cluster, ns, expectedWeights(o.weight, o.h2, o.h1));
  }

  test('setCanaryScale: replicas, weight and matchTrafficWeight, apart from the weight', async () => {
    const ns = await target.namespace('alb-scs');
    await applyAll(
      cluster,
      ns,
      docs([
        { setCanaryScale: { replicas: 1 } },
        { setWeight: 25 },
        { pause: {} },
        { setCanaryScale: { weight: 75 } },
        { pause: {} },
        { setCanaryScale: { matchTrafficWeight: true } },
        { pause: {} },
        { setWeight: 50 },
        { pause: {} },
      ]),
    );
    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForAction(ns, 0);

    await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow'));
    const h2 = await newHash(cluster, ns, h1);
    // replicas: 1 stays in force for the setWeight 25 after it (sticky): 1 pod for 25 %.
    await expectPausedAt(ns, { index: 2, canary: 1, stable: R, weight: 25, h2, h1 });
    await waitForEvent(
      cluster,
      ns,
      NAME,
      'RolloutStepCompleted',
      'Rollout step 1/9 completed (setCanaryScale{replicas: 1})',
    );

    // weight: 75 ⇒ ceil(4·75/100) = 3 pods, traffic still 25; the stable keeps all R pods.
    await promote(cluster, ns, NAME);
    await expectPausedAt(ns, { index: 4, canary: 3, stable: R, weight: 25, h2, h1 });

    // matchTrafficWeight ⇒ back to ceil(4·25/100) = 1 pod.
    await promote(cluster, ns, NAME);
    await expectPausedAt(ns, { index: 6, canary: 1, stable: R, weight: 25, h2, h1 });

    // setWeight 50 with sizing by weight again: 2 pods, 50/50.
    await promote(cluster, ns, NAME);
    await expectPausedAt(ns, { index: 8, canary: 2, stable: R, weight: 50, h2, h1 });

    // End of the steps: 100 on R canary pods, promoted, then 0/100 on h2.
    await promote(cluster, ns, NAME);
    await waitForPhase(cluster, ns, NAME, 'Healthy', (st) => st.stableRS === h2);
    await waitForWeights(cluster, ns, expectedWeights(0, h2, h2));
    await waitForAction(ns, 0);
    assert.equal((await ownedReplicaSets(cluster, ns, NAME)).get(h2)?.spec, R);
    await waitForSelectors(cluster, ns, { canary: h2, stable: h2 });
  });

  test('dynamicStableScale: stable shrinks as the weight rises, grows back first on abort', async () => {
    const ns = await target.namespace('alb-dss');
    await applyAll(
      cluster,
      ns,
      docs([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }], {
        dynamicStableScale: true,
      }),
    );
    const s1 = await waitForPhase(cluster, ns, NAME, 'Healthy');
    const h1 = s1.currentPodHash!;
    await waitForWeights(cluster, ns, expectedWeights(0, h1, h1));
    await waitForAction(ns, 0);

    // The sampler reads the Ingress, then both ReplicaSets (one list: one snapshot), then the
    // Ingress and the canary Service again, and checks the ordering rules that must hold at
    // every moment of each phase. Reading in that order makes each rule safe against the
    // writes that happen between the reads (see each rule).
    let phase: 'rise' | 'abort' = 'rise';
    let h2 = '';
    const problems: string[] = [];
    let samples = 0;
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        try {
          const before = canaryWeightOf(await cluster.get('Ingress', ns, INGRESS));
          const rss = await ownedReplicaSets(cluster, ns, NAME);
          const svcHash = await selectorHash(cluster, ns, 'rollouts-demo-canary');
          const afterW = canaryWeightOf(await cluster.get('Ingress', ns, INGRESS));
          const c = h2 ? rss.get(h2) : undefined;
          const s = rss.get(h1);
          if (c && s) {
            samples++;
            const at = `${phase}: weights ${before}/${afterW}, canary ${c.spec}/${c.available}, stable ${s.spec}/${s.available}`;
            if (phase === 'rise') {
              // The weight rises only onto available canary pods (and available pods stay).
              if (c.available < Math.ceil((R * before) / 100))
                problems.push(`canary not available for its weight: ${at}`);
              // The stable shrinks only after its share went down (the share only falls).
              if (s.spec < Math.ceil((R * (100 - afterW)) / 100))
                problems.push(`stable below its traffic share: ${at}`);
            } else {
              // The stable is back up before it gets the traffic (its availability only grows).
              if (s.available < Math.floor((R * (100 - before)) / 100))
                problems.push(`stable share ahead of its available pods: ${at}`);
              // The canary loses pods only after its weight went down (the weight only falls).
              if (c.spec < Math.ceil((R * afterW) / 100))
                problems.push(`canary below its traffic weight: ${at}`);
              // The canary Service returns to the stable only once no weight is left on it.
              if (svcHash === h1 && afterW !== 0)
                problems.push(`canary Service on stable with weight ${afterW}: ${at}`);
            }
          }
        } catch {
          // A read between a delete and a create; the next sample will do.
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    try {
      await withRetries(() => cluster.setImage(ns, NAME, '*', 'argoproj/rollouts-demo:yellow'));
      h2 = await newHash(cluster, ns, h1);
      // setWeight 25: canary ceil(4·25/100) = 1, stable ceil(4·75/100) = 3.
      await expectPausedAt(ns, { index: 1, canary: 1, stable: 3, weight: 25, h2, h1 });
      // setWeight 75: canary 3, stable 1.
      await promote(cluster, ns, NAME);
      await expectPausedAt(ns, { index: 3, canary: 3, stable: 1, weight: 75, h2, h1 });
      await waitForSelectors(cluster, ns, { canary: h2, stable: h1 });

      // Abort: the stable grows back to 3 while 75 stays on the canary, then 25, then the
      // stable to 4 and 0 to the canary, whose pods go last (no abort delay with dynamic
      // scaling unless abortScaleDownDelaySeconds is set).
      phase = 'abort';
      await abort(cluster, ns);
      await waitForPhase(cluster, ns, NAME, 'Degraded', (st) => st.abort === true);
      await waitForWeights(cluster, ns, expectedWeights(0, h2, h1));
      await waitForAction(ns, 0);
      await waitForSizes(ns, { canary: 0, stable: R }, h2, h1);
      await waitForSelectors(cluster, ns, { canary: h1, stable: h1 });
    } finally {
      stop = true;
      await sampler;
    }
    assert.deepEqual(problems, []);
    assert.ok(samples > 0, 'the sampler saw both ReplicaSets');

    // The weight went down in the two steps the abort formula gives, never straight to 0.
    // (Events carry second-resolution timestamps, so their order is not asserted.)
    const moves = (await eventsOf(cluster, ns, NAME))
      .filter((e) => e.reason === 'TrafficWeightUpdated')
      .map((e) => e.message);
    assert.ok(moves.includes('Traffic weight updated from 75 to 25'), JSON.stringify(moves));
    assert.ok(moves.includes('Traffic weight updated from 25 to 0'), JSON.stringify(moves));
    assert.ok(!moves.includes('Traffic weight updated from 75 to 0'), JSON.stringify(moves));
  });
});
