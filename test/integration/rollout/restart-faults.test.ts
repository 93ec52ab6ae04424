// Robustness: the controller restarted in the middle of a rollout picks up where it was (no
// extra ReplicaSet, no skipped step, Services never pointed at a ReplicaSet without available
// pods — rollout-semantics §6.6), and a rollout converges through API errors and conflicts.
// Each test runs its own controller(s), scoped to the test's namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  conditionOf,
  eventsOf,
  minimalService,
  ownedReplicaSets,
  promote,
  serviceSelectorOf,
  startController,
  startCountingController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type CountingControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';

describe('controller restarts and API faults', () => {
  let target: Target;
  let cluster: Cluster;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
  });
  after(async () => {
    target?.sim?.faults.reset();
    await target?.close();
  });

  /**
   * Samples, until stopped: the ReplicaSets the Rollout owns (every name ever seen) and the
   * canary/stable Services. A Service whose selector is the same before and after reading the
   * ReplicaSets, and names a ReplicaSet with 0 available pods in that read, is a violation.
   *
   * Exception, per the spec: once all steps are done (currentStepIndex == len(steps)) the basic
   * canary's weight is 100, so the stable ReplicaSet is drained to 0 (§6.3.2, §6.4) while the
   * stable Service keeps pointing at it until promotion (§6.6, §6.7) — Argo does the same. The
   * stable Service is therefore only checked while a step is still current.
   */
  function watchInvariants(
    ns: string,
    name: string,
    services: { canary?: string; stable?: string } = {},
  ) {
    const rsNames = new Set<string>();
    const violations: string[] = [];
    let maxOwned = 0;
    let running = true;
    const svcs = [services.canary, services.stable].filter((s): s is string => !!s);
    const read = async () => {
      const ro = await cluster.rollout(ns, name);
      const steps =
        (ro.spec as { strategy: { canary: { steps?: unknown[] } } }).strategy.canary.steps ?? [];
      const index = statusOf(ro).currentStepIndex ?? 0;
      const selectors = await Promise.all(
        svcs.map(async (s) => serviceSelectorOf(await cluster.get('Service', ns, s))[HASH] ?? ''),
      );
      return { selectors, stepsDone: index >= steps.length };
    };
    const loop = (async () => {
      while (running) {
        try {
          const before = await read();
          const rss = await ownedReplicaSets(cluster, ns, name);
          const afterRead = await read();
          maxOwned = Math.max(maxOwned, rss.size);
          for (const rs of rss.values()) rsNames.add(rs.name);
          svcs.forEach((svc, i) => {
            const h = before.selectors[i]!;
            if (!h || h !== afterRead.selectors[i]) return;
            if (svc === services.stable && (before.stepsDone || afterRead.stepsDone)) return;
            const rs = rss.get(h);
            if (!rs || rs.available === 0)
              violations.push(`${svc} → ${h} (available ${rs?.available ?? 'no RS'})`);
          });
        } catch {
          // a read failed (e.g. an injected fault): just sample again
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    return {
      rsNames,
      violations,
      get maxOwned() {
        return maxOwned;
      },
      async stop() {
        running = false;
        await loop;
      },
    };
  }

  function waitForPaused(ns: string, name: string, index: number) {
    return waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) =>
        s.currentStepIndex === index &&
        (s.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep') &&
        conditionOf(s, 'Progressing')?.reason === 'RolloutPaused',
    );
  }

  /** A fresh controller has reconciled the Rollout at least once and has nothing queued. */
  async function settledOn(ctl: CountingControllerHandle, ns: string, name: string) {
    await eventually(
      () => ctl.reconciles(ns, name) > 0 && ctl.controller.queue.length === 0,
      'new controller reconciled the Rollout',
    );
  }

  test('restart at a pause step and in the middle of scaling: continues, no extra ReplicaSet, no step skipped', async () => {
    const ns = await target.namespace('rf-restart');
    const name = 'app';
    const svcs = [`${name}-canary`, `${name}-stable`];
    let ctl = await startCountingController(target, { namespace: ns });
    try {
      for (const s of svcs) await cluster.apply(minimalService(s, { app: name }), ns);
      const steps = [
        { setWeight: 25 },
        { pause: {} },
        { setWeight: 50 },
        { pause: {} },
        { setWeight: 75 },
        { pause: {} },
      ];
      await cluster.apply(
        canaryRollout({
          name,
          steps,
          canary: { canaryService: svcs[0], stableService: svcs[1] },
        }),
        ns,
      );
      const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
      const h1 = s0.currentPodHash!;
      await eventually(async () => {
        const sel = await Promise.all(
          svcs.map(async (s) => serviceSelectorOf(await cluster.get('Service', ns, s))[HASH]),
        );
        return sel.every((h) => h === h1);
      }, 'Services on revision 1');
      const inv = watchInvariants(ns, name, { canary: svcs[0], stable: svcs[1] });

      // 1. An image change, and a controller restart right after it (the new ReplicaSet may or
      //    may not exist yet).
      await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
      await ctl.stop();
      ctl = await startCountingController(target, { namespace: ns });
      const s1 = await waitForPaused(ns, name, 1);
      const h2 = s1.currentPodHash!;

      // 2. Restart at the pause step: nothing moves until promoted.
      const rsBefore = await ownedReplicaSets(cluster, ns, name);
      await ctl.stop();
      ctl = await startCountingController(target, { namespace: ns });
      await settledOn(ctl, ns, name);
      const s1b = statusOf(await cluster.rollout(ns, name));
      for (const k of [
        'currentStepIndex',
        'pauseConditions',
        'controllerPause',
        'stableRS',
        'currentPodHash',
        'currentStepHash',
        'phase',
        'message',
      ] as const) {
        assert.deepEqual(s1b[k], s1[k], `${k} unchanged by the restart`);
      }
      const rsAfter = await ownedReplicaSets(cluster, ns, name);
      assert.deepEqual(
        [...rsAfter.values()].map((r) => [r.name, r.spec]).sort(),
        [...rsBefore.values()].map((r) => [r.name, r.spec]).sort(),
      );

      // 3. Promote; the next step (setWeight 50) runs; restart while it scales.
      await promote(cluster, ns, name);
      await waitForPaused(ns, name, 3);
      await promote(cluster, ns, name);
      await eventually(async () => {
        const rss = await ownedReplicaSets(cluster, ns, name);
        return (rss.get(h2)?.spec ?? 0) > 2 ? true : undefined;
      }, 'scaling towards 75% started');
      await ctl.stop();
      ctl = await startCountingController(target, { namespace: ns });
      await waitForPaused(ns, name, 5);
      const rss = await ownedReplicaSets(cluster, ns, name);
      assert.equal(rss.get(h2)?.spec, 3, '75% of 4');
      assert.equal(rss.get(h1)?.spec, 1);

      // Every step completed, none skipped.
      const completed = new Set(
        (await eventsOf(cluster, ns, name))
          .filter((e) => e.reason === 'RolloutStepCompleted')
          .map((e) => e.message),
      );
      for (const m of [
        'Rollout step 1/6 completed (setWeight: 25)',
        'Rollout step 2/6 completed (pause)',
        'Rollout step 3/6 completed (setWeight: 50)',
        'Rollout step 4/6 completed (pause)',
        'Rollout step 5/6 completed (setWeight: 75)',
      ])
        assert.ok(completed.has(m), m);

      await promote(cluster, ns, name);
      await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === h2);
      await eventually(async () => {
        const sel = await Promise.all(
          svcs.map(async (s) => serviceSelectorOf(await cluster.get('Service', ns, s))[HASH]),
        );
        return sel.every((h) => h === h2);
      }, 'Services on revision 2');
      await eventually(
        async () => (await ownedReplicaSets(cluster, ns, name)).get(h1)?.spec === 0,
        'revision 1 scaled down',
      );
      await inv.stop();
      assert.deepEqual(inv.violations, []);
      assert.equal(inv.maxOwned, 2);
      assert.deepEqual([...inv.rsNames].sort(), [`${name}-${h1}`, `${name}-${h2}`].sort());
    } finally {
      await ctl.stop();
    }
  });

  test('API errors (30% of ReplicaSet/Rollout writes) and conflicts: converges, exactly 2 ReplicaSets', async () => {
    const ns = await target.namespace('rf-faults');
    const name = 'flaky';
    const R = 4;
    const ctl = await startController(target, { namespace: ns });
    const sim = target.sim!;
    try {
      await cluster.apply(
        canaryRollout({ name, replicas: R, steps: [{ setWeight: 50 }, { pause: {} }] }),
        ns,
      );
      const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
      const h1 = s0.currentPodHash!;
      const injectedBefore = { ...sim.faults.injected };
      sim.faults.set({
        errors: [{ verbs: ['update', 'patch'], resources: ['replicasets', 'rollouts'], rate: 0.3 }],
        conflicts: { count: 5 },
      });
      const inv = watchInvariants(ns, name);

      await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
      const p = await waitForPhase(
        cluster,
        ns,
        name,
        'Paused',
        (s) => s.currentStepIndex === 1 && (s.pauseConditions?.length ?? 0) > 0,
        30_000,
      );
      const h2 = p.currentPodHash!;
      await withRetries(() =>
        cluster.patchRolloutStatus(ns, name, { status: { promoteFull: true } }),
      );
      const done = await waitForPhase(
        cluster,
        ns,
        name,
        'Healthy',
        (s) => s.stableRS === h2,
        30_000,
      );
      await eventually(
        async () => (await ownedReplicaSets(cluster, ns, name)).get(h1)?.spec === 0,
        'revision 1 scaled down',
        30_000,
      );
      await inv.stop();
      assert.ok(sim.faults.injected.errors > injectedBefore.errors, 'errors were injected');
      assert.ok(sim.faults.injected.conflicts > injectedBefore.conflicts, 'conflicts injected');
      sim.faults.reset();

      assert.equal(done.currentStepIndex, 2);
      const rss = await ownedReplicaSets(cluster, ns, name);
      assert.equal(rss.size, 2);
      assert.equal(inv.maxOwned, 2, 'never a third ReplicaSet');
      assert.deepEqual([...inv.rsNames].sort(), [`${name}-${h1}`, `${name}-${h2}`].sort());
      assert.equal(rss.get(h1)?.revision, '1');
      assert.equal(rss.get(h2)?.revision, '2');
      assert.equal(rss.get(h2)?.spec, R);
      assert.equal(rss.get(h2)?.available, R);
      assert.equal(rss.get(h1)?.spec, 0);
      const ro = await cluster.rollout(ns, name);
      assert.equal(ro.metadata.annotations?.['rollout.argoproj.io/revision'], '2');
      assert.equal(statusOf(ro).observedGeneration, String(ro.metadata.generation));
      await waitForEvent(
        cluster,
        ns,
        name,
        'RolloutCompleted',
        `Rollout completed update to revision 2 (${h2}): Full promotion requested`,
      );
    } finally {
      sim.faults.reset();
      await ctl.stop();
    }
  });
});
