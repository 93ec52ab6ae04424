// User actions as the object changes of rollout-semantics §8 (what kubectl-argo-rollouts and
// Argo CD send), and the controller's reaction from §6.10: abort, retry, pause, resume,
// promote --full, undo, restart and a `kubectl scale` in the middle of a rollout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  conditionOf,
  eventsOf,
  minimalService,
  ownedReplicaSets,
  podReady,
  podsByHash,
  serviceSelectorOf,
  settledCanaryCounts,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';
const STEPS = [{ setWeight: 50 }, { pause: {} }, { setWeight: 75 }, { pause: {} }];

describe('user actions (rollout-semantics §8)', () => {
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

  /**
   * A 4-replica canary with canary/stable Services (minimal ones created here), deployed and
   * Healthy, then updated to v2 and waiting at the first pause step (50%: 2 canary, 2 stable).
   */
  async function atFirstPause(prefix: string, name = 'app') {
    const ns = await target.namespace(prefix);
    await cluster.apply(minimalService(`${name}-canary`, { app: name }), ns);
    await cluster.apply(minimalService(`${name}-stable`, { app: name }), ns);
    await cluster.apply(
      canaryRollout({
        name,
        steps: STEPS,
        canary: { canaryService: `${name}-canary`, stableService: `${name}-stable` },
      }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    const h1 = s0.currentPodHash!;
    await eventually(
      async () => (await selectors(ns, name)).stable === h1,
      'stable Service on revision 1',
    );
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const s1 = await waitForPaused(ns, name, 1);
    const h2 = s1.currentPodHash!;
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h2)?.available === 2 && rss.get(h1)?.spec === 2;
    }, '50%: 2 canary, 2 stable');
    await eventually(
      async () => (await selectors(ns, name)).canary === h2,
      'canary Service on revision 2',
    );
    return { ns, name, h1, h2 };
  }

  async function selectors(ns: string, name: string) {
    return {
      canary: serviceSelectorOf(await cluster.get('Service', ns, `${name}-canary`))[HASH],
      stable: serviceSelectorOf(await cluster.get('Service', ns, `${name}-stable`))[HASH],
    };
  }

  /** Paused by the controller at pause step `index`, with the pre-pass conditions written. */
  function waitForPaused(
    ns: string,
    name: string,
    index: number,
    extra: (s: ReturnType<typeof statusOf>) => boolean = () => true,
  ) {
    return waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) =>
        extra(s) &&
        s.currentStepIndex === index &&
        (s.pauseConditions ?? []).some((p) => p.reason === 'CanaryPauseStep') &&
        conditionOf(s, 'Progressing')?.reason === 'RolloutPaused',
    );
  }

  test('abort: stable back to full size, canary to 0, canary Service back; retry restarts at step 0', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-abort');
    await cluster.patchRolloutStatus(ns, name, { status: { abort: true } });
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    assert.equal(s.message, 'RolloutAborted: Rollout aborted update to revision 2');
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h1)?.spec === 4 && rss.get(h1)?.available === 4 && rss.get(h2)?.spec === 0;
    }, 'stable 4/4, canary 0');
    await eventually(async () => !(await podsByHash(cluster, ns)).has(h2), 'canary pods gone');
    assert.deepEqual(await selectors(ns, name), { canary: h1, stable: h1 });
    await waitForEvent(
      cluster,
      ns,
      name,
      'SwitchService',
      `Switched selector for service '${name}-canary' from '${h2}' to '${h1}'`,
    );
    const st = statusOf(await cluster.rollout(ns, name));
    assert.equal(st.phase, 'Degraded');
    assert.equal(st.abort, true);
    assert.equal(typeof st.abortedAt, 'string');
    assert.equal(st.currentStepIndex, 0);
    assert.equal(st.stableRS, h1);
    assert.equal(st.currentPodHash, h2);
    assert.equal(st.pauseConditions, undefined);
    assert.equal(st.controllerPause, undefined);
    const prog = conditionOf(st, 'Progressing');
    assert.equal(prog?.status, 'False');
    assert.equal(prog?.reason, 'RolloutAborted');
    assert.equal(prog?.message, 'Rollout aborted update to revision 2');
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutAborted',
      'Rollout aborted update to revision 2',
      'Warning',
    );

    // retry: the abort is lifted; the update starts again at step 0.
    await cluster.patchRolloutStatus(ns, name, { status: { abort: false } });
    const r = await waitForPaused(ns, name, 1);
    assert.equal(r.abort, undefined);
    assert.equal(r.abortedAt, undefined);
    assert.equal(r.stableRS, h1);
    assert.equal(r.currentPodHash, h2);
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h2)?.available === 2 && rss.get(h1)?.spec === 2;
    }, 'back at 50% after retry');
    await eventually(async () => (await selectors(ns, name)).canary === h2, 'canary Service');
    const steps = (await eventsOf(cluster, ns, name)).filter(
      (e) => e.reason === 'RolloutStepCompleted' && e.message.startsWith('Rollout step 1/4'),
    );
    assert.equal(steps.length, 1, 'the same event message, counted');
    assert.ok(steps[0]!.count >= 2, 'step 1 completed again after the retry');
  });

  test('set image while aborted: the abort is cleared and the new revision starts at step 0 (§6.9)', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-abort-new');
    await cluster.patchRolloutStatus(ns, name, { status: { abort: true } });
    await waitForPhase(cluster, ns, name, 'Degraded');
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v3'));
    const s = await waitForPaused(ns, name, 1);
    const h3 = s.currentPodHash!;
    assert.ok(h3 !== h1 && h3 !== h2);
    assert.equal(s.abort, undefined);
    assert.equal(s.abortedAt, undefined);
    assert.equal(s.stableRS, h1);
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return (
        rss.size === 3 &&
        rss.get(h3)?.available === 2 &&
        rss.get(h1)?.spec === 2 &&
        rss.get(h2)?.spec === 0
      );
    }, 'v3 at 50%, v1 stable, v2 at 0');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.get(h3)?.revision, '3');
    await eventually(async () => (await selectors(ns, name)).canary === h3, 'canary Service → v3');
    assert.equal((await selectors(ns, name)).stable, h1);
  });

  test('set image mid-update: the previous canary is scaled down, the new one walks the steps (§6.9)', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-supersede');
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v3'));
    const s = await waitForPaused(ns, name, 1, (st) => st.currentPodHash !== h2);
    const h3 = s.currentPodHash!;
    assert.equal(s.stableRS, h1, 'the stable ReplicaSet keeps serving');
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return (
        rss.get(h3)?.available === 2 &&
        rss.get(h2)?.spec === 0 &&
        rss.get(h1)?.spec === 2 &&
        rss.get(h1)?.available === 2
      );
    }, 'v3 at 50%, v2 scaled down, v1 at 2');
    await eventually(async () => !(await podsByHash(cluster, ns)).has(h2), 'v2 pods gone');
    assert.deepEqual(await selectors(ns, name), { canary: h3, stable: h1 });
    await cluster.patchRolloutStatus(ns, name, { status: { promoteFull: true } });
    await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === h3);
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.deepEqual([...rss.values()].map((r) => [r.revision, r.spec]).sort(), [
      ['1', 0],
      ['2', 0],
      ['3', 4],
    ]);
  });

  test('pause (spec.paused) holds scaling and steps; resume continues', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-pause');
    const ro = await cluster.patchRollout(ns, name, { spec: { paused: true } });
    const p = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) =>
        s.message === 'manually paused' && s.observedGeneration === String(ro.metadata.generation),
    );
    assert.equal(conditionOf(p, 'Paused')?.status, 'True');
    assert.equal(conditionOf(p, 'Progressing')?.reason, 'RolloutPaused');

    // skip-current-step (Argo CD action) while manually paused: the index moves to the
    // setWeight 75 step, but nothing is scaled and the step does not complete.
    // Sample the ReplicaSet sizes from before the skip until the controller has reacted.
    const sizes = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = await ownedReplicaSets(cluster, ns, name);
        sizes.add(`${rss.get(h2)?.spec}/${rss.get(h1)?.spec}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await cluster.patchRolloutStatus(ns, name, {
      status: { pauseConditions: null, currentStepIndex: 2 },
    });
    const held = await eventually(async () => {
      const s = statusOf(await cluster.rollout(ns, name));
      // controllerPause drops once the controller has recomputed the (now empty) pause list.
      return s.currentStepIndex === 2 && s.controllerPause === undefined ? s : undefined;
    }, 'controller saw the skip');
    sampling = false;
    await sampler;
    assert.equal(held.phase, 'Paused');
    assert.equal(held.message, 'manually paused');
    assert.deepEqual([...sizes], ['2/2'], 'canary/stable not scaled while paused');

    // resume
    await cluster.patchRollout(ns, name, { spec: { paused: false } });
    const s3 = await waitForPaused(ns, name, 3);
    const want = settledCanaryCounts({
      replicas: 4,
      weight: 75,
      maxSurge: 1,
      maxUnavailable: 1,
      canary: 2,
      stable: 2,
    });
    const rss3 = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss3.get(h2)?.spec, want.canary);
    assert.equal(rss3.get(h1)?.spec, want.stable);
    assert.equal(s3.message, 'CanaryPauseStep');
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutStepCompleted',
      'Rollout step 3/4 completed (setWeight: 75)',
    );
  });

  test('spec.paused at creation: the ReplicaSet is created at 0 and scaled on resume', async () => {
    const ns = await target.namespace('ua-paused-new');
    const name = 'app';
    await cluster.apply(canaryRollout({ name, steps: STEPS, spec: { paused: true } }), ns);
    const s = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      // The Paused condition comes from the pre-pass of a later reconcile (§4.3 step 1).
      (st) =>
        st.message === 'manually paused' &&
        !!st.currentPodHash &&
        st.stableRS === st.currentPodHash &&
        conditionOf(st, 'Paused')?.status === 'True',
    );
    // Initial deploy is promoted at once, paused or not (§6.7 rule 1); a completed rollout gets
    // no Progressing RolloutPaused from the pre-pass (§4.3 step 1).
    assert.equal(conditionOf(s, 'Completed')?.status, 'True');
    await eventually(
      async () => (await ownedReplicaSets(cluster, ns, name)).size === 1,
      'ReplicaSet created',
    );
    const ro = await cluster.rollout(ns, name);
    assert.equal(statusOf(ro).observedGeneration, String(ro.metadata.generation));
    const rs = (await ownedReplicaSets(cluster, ns, name)).get(s.currentPodHash!)!;
    assert.equal(rs.spec, 0, 'no scaling while paused');

    await cluster.patchRollout(ns, name, { spec: { paused: false } });
    const h = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(h.stableRS, s.currentPodHash);
    assert.equal((await ownedReplicaSets(cluster, ns, name)).get(h.stableRS!)?.spec, 4);
  });

  test('promote --full: straight to the new revision, steps skipped', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-full');
    await cluster.patchRolloutStatus(ns, name, { status: { promoteFull: true } });
    const s = await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === h2);
    assert.equal(s.currentStepIndex, STEPS.length);
    assert.equal(s.promoteFull, undefined, 'promoteFull cleared at promotion');
    assert.equal(s.pauseConditions, undefined);
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.get(h2)?.spec, 4);
    assert.equal(rss.get(h1)?.spec, 0);
    assert.deepEqual(await selectors(ns, name), { canary: h2, stable: h2 });
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${h2}): Full promotion requested`,
    );
    const steps = (await eventsOf(cluster, ns, name)).filter(
      (e) => e.reason === 'RolloutStepCompleted',
    );
    assert.deepEqual(
      steps.map((e) => e.message),
      ['Rollout step 1/4 completed (setWeight: 50)'],
      'no further step was completed',
    );
  });

  /** `kubectl argo rollouts undo --to-revision N`: JSON patch of /spec/template (§8). */
  async function undoTo(ns: string, name: string, revision: string): Promise<void> {
    const ro = await cluster.rollout(ns, name);
    const rs = [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) => r.revision === revision,
    );
    assert.ok(rs, `a ReplicaSet with revision ${revision}`);
    const template = structuredClone(
      (rs.obj.spec as { template: { metadata: { labels: Record<string, string> } } }).template,
    );
    delete template.metadata.labels[HASH];
    await cluster.client.patch(
      cluster.path('Rollout', ns, name),
      [
        { op: 'test', path: '/metadata/resourceVersion', value: ro.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template', value: template },
      ],
      'json',
    );
  }

  test('undo to the stable revision mid-update: fast rollback, steps skipped, revision bumped', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-undo');
    await withRetries(() => undoTo(ns, name, '1'));
    const s = await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.currentPodHash === h1);
    assert.equal(s.stableRS, h1);
    assert.equal(s.currentStepIndex, STEPS.length, 'steps skipped');
    await waitForEvent(cluster, ns, name, 'SkipSteps', 'Rollback to stable ReplicaSets');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 2, 'the old ReplicaSet is reused, none created');
    assert.equal(rss.get(h1)?.revision, '3');
    assert.equal(rss.get(h1)?.revisionHistory, '1');
    assert.equal(rss.get(h1)?.spec, 4);
    assert.equal(rss.get(h2)?.spec, 0);
    assert.equal(rss.get(h2)?.revision, '2');
    const ro = await cluster.rollout(ns, name);
    assert.equal(ro.metadata.annotations?.['rollout.argoproj.io/revision'], '3');
    assert.equal(statusOf(ro).observedGeneration, String(ro.metadata.generation));
    assert.deepEqual(await selectors(ns, name), { canary: h1, stable: h1 });
    await eventually(async () => !(await podsByHash(cluster, ns)).has(h2), 'canary pods gone');
  });

  test('undo to an older, scaled-down revision: that ReplicaSet is reused and walks the steps', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('ua-undo-old');
    await cluster.patchRolloutStatus(ns, name, { status: { promoteFull: true } });
    await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.stableRS === h2);
    await eventually(
      async () => (await ownedReplicaSets(cluster, ns, name)).get(h1)?.spec === 0,
      'revision 1 scaled down',
    );
    await withRetries(() => undoTo(ns, name, '1'));
    const s = await waitForPaused(ns, name, 1);
    assert.equal(s.currentPodHash, h1);
    assert.equal(s.stableRS, h2);
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 2, 'no ReplicaSet created');
    assert.equal(rss.get(h1)?.revision, '3');
    assert.equal(rss.get(h1)?.revisionHistory, '1');
    assert.equal(rss.get(h1)?.spec, 2);
    assert.equal(rss.get(h2)?.spec, 2);
    await waitForEvent(cluster, ns, name, 'RolloutUpdated', 'Rollout updated to revision 3');
    const skip = (await eventsOf(cluster, ns, name)).filter((e) => e.reason === 'SkipSteps');
    assert.deepEqual(skip, [], 'not a rollback to the stable ReplicaSet');
  });

  test('restart: every pod replaced, at most maxUnavailable at a time, then status.restartedAt', async () => {
    const ns = await target.namespace('ua-restart');
    const name = 'app';
    const R = 4; // maxUnavailable 25% of 4 = 1
    await cluster.apply(canaryRollout({ name, replicas: R, steps: STEPS }), ns);
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    await eventually(
      async () => (await podsByHash(cluster, ns)).get(s0.currentPodHash!)?.ready === R,
      'all pods ready',
    );
    const before = new Set((await podsByHash(cluster, ns)).get(s0.currentPodHash!)!.names);
    // Whole seconds (RFC3339): the next second, so every current pod is older.
    const restartAt = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');

    let sampling = true;
    let minReady = R;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const pods = (await cluster.pods(ns)).filter((p) => !p.metadata.deletionTimestamp);
        minReady = Math.min(minReady, pods.filter(podReady).length);
        samples++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await cluster.patchRollout(ns, name, { spec: { restartAt } });
    // Until restartedAt catches up the phase says so (§4.1 rule 5), even before restartAt.
    await eventually(async () => {
      const st = statusOf(await cluster.rollout(ns, name));
      return st.phase === 'Progressing' && st.message === 'rollout is restarting';
    }, 'phase Progressing "rollout is restarting"');
    const s = await eventually(
      async () => {
        const st = statusOf(await cluster.rollout(ns, name));
        return st.restartedAt === restartAt && st.phase === 'Healthy' ? st : undefined;
      },
      'status.restartedAt == spec.restartAt',
      30_000,
    );
    sampling = false;
    await sampler;
    assert.ok(samples > 0);
    assert.ok(minReady >= R - 1, `never more than 1 pod unavailable (min ready ${minReady})`);
    const pods = (await cluster.pods(ns)).filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, R);
    for (const p of pods) {
      assert.ok(!before.has(p.metadata.name ?? ''), `${p.metadata.name} was replaced`);
      assert.ok(
        Date.parse(p.metadata.creationTimestamp ?? '') >= Date.parse(restartAt),
        `${p.metadata.name} created after restartAt`,
      );
    }
    assert.equal(s.message ?? '', '');
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 1, 'a restart makes no ReplicaSet');
  });

  test('kubectl scale at a pause step: ReplicaSets resized per §6.10, step kept', async () => {
    const ns = await target.namespace('ua-scale');
    const name = 'app';
    await cluster.apply(
      canaryRollout({ name, replicas: 2, steps: [{ setWeight: 25 }, { pause: {} }] }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    const h1 = s0.currentPodHash!;
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const s1 = await waitForPaused(ns, name, 1);
    const h2 = s1.currentPodHash!;
    // Default maxSurge/maxUnavailable "25" (= 25%): surge ceil(R/4), unavailable floor(R/4).
    const fp = (R: number) => ({ maxSurge: Math.ceil(R / 4), maxUnavailable: Math.floor(R / 4) });
    let cur = settledCanaryCounts({ replicas: 2, weight: 25, ...fp(2), canary: 0, stable: 2 });
    await eventually(
      async () => {
        const rss = await ownedReplicaSets(cluster, ns, name);
        return rss.get(h2)?.spec === cur.canary && rss.get(h1)?.spec === cur.stable;
      },
      `R=2: ${JSON.stringify(cur)}`,
    );

    for (const R of [8, 4]) {
      // kubectl scale: the scale subresource.
      await cluster.client.patch(
        cluster.path('Rollout', ns, name, 'scale'),
        { spec: { replicas: R } },
        'merge',
      );
      cur = settledCanaryCounts({ replicas: R, weight: 25, ...fp(R), ...cur });
      const want = cur;
      await eventually(
        async () => {
          const rss = await ownedReplicaSets(cluster, ns, name);
          const c = rss.get(h2);
          const st = rss.get(h1);
          return (
            c?.spec === want.canary &&
            c.available === want.canary &&
            st?.spec === want.stable &&
            st.available === want.stable &&
            c.annotations['rollout.argoproj.io/desired-replicas'] === String(R) &&
            st.annotations['rollout.argoproj.io/desired-replicas'] === String(R)
          );
        },
        `R=${R}: ${JSON.stringify(want)}`,
      );
      const s = statusOf(await cluster.rollout(ns, name));
      assert.equal(s.currentStepIndex, 1, 'still at the pause step');
      assert.equal(s.phase, 'Paused');
      assert.deepEqual(
        s.pauseConditions?.map((p) => p.reason),
        ['CanaryPauseStep'],
      );
      assert.equal(s.stableRS, h1);
    }
    // The e2e example of §6.10: R 2→8→4 at 25% gives (1,1)→(2,6)→(1,3).
    assert.deepEqual(cur, { canary: 1, stable: 3 });
    await waitForEvent(
      cluster,
      ns,
      name,
      'ScalingReplicaSet',
      new RegExp(`^Scaled up ReplicaSet ${name}-${h1} \\(revision 1\\) from \\d+ to 6$`),
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'ScalingReplicaSet',
      new RegExp(`^Scaled down ReplicaSet ${name}-${h1} \\(revision 1\\) from \\d+ to 3$`),
    );
  });
});
