// Time-driven behaviour: a timed pause step resumes by itself at its deadline (§6.2), and a
// canary that never becomes ready runs into progressDeadlineSeconds (§4.3, §6.10), with and
// without progressDeadlineAbort. The controller runs without resync, so only its own timed
// requeues can move these Rollouts along.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  conditionOf,
  ownedReplicaSets,
  podsByHash,
  startController,
  statusOf,
  waitForEvent,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

function startTimes(s: ReturnType<typeof statusOf>): string[] {
  return ((s.pauseConditions ?? []) as { reason: string; startTime?: string }[]).map(
    (p) => p.startTime ?? '',
  );
}

describe('timed pause and progress deadline', () => {
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

  test('pause {duration: 2s} resumes by itself at its deadline', async () => {
    const ns = await target.namespace('pd-timed');
    const name = 'timed';
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 2,
        steps: [{ setWeight: 50 }, { pause: { duration: '2s' } }],
      }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const paused = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) => s.currentStepIndex === 1 && (s.pauseConditions?.length ?? 0) > 0,
    );
    const h2 = paused.currentPodHash!;
    const pc = (paused.pauseConditions as { reason: string; startTime: string }[])[0]!;
    assert.equal(pc.reason, 'CanaryPauseStep');
    const startedAt = Date.parse(pc.startTime);
    assert.ok(!Number.isNaN(startedAt), 'startTime is an RFC3339 instant');

    // Nothing else happens: the Rollout must wake up by itself.
    const done = await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === h2, 15_000);
    assert.ok(Date.now() > startedAt + 2000, 'not before the pause deadline');
    assert.equal(done.currentStepIndex, 2);
    assert.equal(done.pauseConditions, undefined);
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutStepCompleted',
      'Rollout step 2/2 completed (pause: 2s)',
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutCompleted',
      `Rollout completed update to revision 2 (${h2}): Completed all 2 canary steps`,
    );
    await eventually(
      async () => (await ownedReplicaSets(cluster, ns, name)).get(s0.currentPodHash!)?.spec === 0,
      'old revision scaled down',
    );
  });

  test('a timed pause that expires under spec.paused completes right after unpausing', async () => {
    const ns = await target.namespace('pd-timed-paused');
    const name = 'timed';
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 2,
        steps: [{ setWeight: 50 }, { pause: { duration: 2 } }, { setWeight: 100 }, { pause: {} }],
      }),
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const paused = await waitForPhase(
      cluster,
      ns,
      name,
      'Paused',
      (s) => s.currentStepIndex === 1 && (s.pauseConditions?.length ?? 0) > 0,
    );
    const startTime = startTimes(paused)[0]!;
    await cluster.patchRollout(ns, name, { spec: { paused: true } });
    await waitForPhase(cluster, ns, name, 'Paused', (s) => s.message === 'manually paused');
    // Let the pause deadline (and the controller's requeue at it) pass while manually paused.
    await new Promise((r) => setTimeout(r, Date.parse(startTime) + 3500 - Date.now()));
    const held = statusOf(await cluster.rollout(ns, name));
    assert.equal(held.currentStepIndex, 1, 'no step advancement under spec.paused (§6.10)');
    assert.deepEqual(startTimes(held), [startTime]);

    // Unpause: the expired pause completes (the same pause condition; no new 2 s pause).
    const seen = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const st = statusOf(await cluster.rollout(ns, name));
        if (st.currentStepIndex === 1) for (const t of startTimes(st)) seen.add(t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await cluster.patchRollout(ns, name, { spec: { paused: false } });
    await waitForPhase(cluster, ns, name, 'Paused', (s) => s.currentStepIndex === 3);
    sampling = false;
    await sampler;
    assert.deepEqual(
      [...seen].filter((t) => t !== startTime),
      [],
      'pause not restarted',
    );
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutStepCompleted',
      'Rollout step 2/4 completed (pause: 2)',
    );
  });

  /** A Healthy 2-replica canary whose next image never gets ready. */
  async function stuckCanary(prefix: string, spec: Record<string, unknown>) {
    const ns = await target.namespace(prefix);
    const name = 'stuck';
    const image = `example/never-ready:${prefix}`;
    target.sim!.setImageBehavior(image, 'unready');
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 2,
        steps: [{ setWeight: 50 }, { pause: {} }],
        spec: { progressDeadlineSeconds: 3, ...spec },
      }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    await withRetries(() => cluster.setImage(ns, name, 'app', image));
    const h2 = (
      await eventually(async () => {
        const s = statusOf(await cluster.rollout(ns, name));
        return s.currentPodHash !== s0.currentPodHash ? s : undefined;
      }, 'new revision')
    ).currentPodHash!;
    return { ns, name, h1: s0.currentPodHash!, h2 };
  }

  test('progressDeadlineSeconds: 3 with a never-ready canary → ProgressDeadlineExceeded, Degraded', async () => {
    const { ns, name, h1, h2 } = await stuckCanary('pd-deadline', {});
    const s = await waitForPhase(cluster, ns, name, 'Degraded', undefined, 20_000);
    const prog = conditionOf(s, 'Progressing');
    assert.equal(prog?.status, 'False');
    assert.equal(prog?.reason, 'ProgressDeadlineExceeded');
    assert.equal(prog?.message, `ReplicaSet "${name}-${h2}" has timed out progressing.`);
    assert.equal(
      s.message,
      `ProgressDeadlineExceeded: ReplicaSet "${name}-${h2}" has timed out progressing.`,
    );
    assert.equal(s.abort, undefined, 'no abort without progressDeadlineAbort');
    assert.equal(s.currentStepIndex, 0, 'stuck at the setWeight step');
    assert.equal(s.stableRS, h1);
    await waitForEvent(
      cluster,
      ns,
      name,
      'ProgressDeadlineExceeded',
      `ReplicaSet "${name}-${h2}" has timed out progressing.`,
      'Warning',
    );
    // Nothing is scaled back: the canary keeps its (unready) pod, the stable stays up.
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.get(h2)?.spec, 1);
    assert.equal(rss.get(h2)?.available, 0);
    assert.equal(rss.get(h1)?.available, 2);
  });

  test('progressDeadlineAbort: true → aborted, stable back to full size, canary to 0', async () => {
    const { ns, name, h1, h2 } = await stuckCanary('pd-abort', { progressDeadlineAbort: true });
    const s = await waitForPhase(cluster, ns, name, 'Degraded', (st) => st.abort === true, 20_000);
    const timeout = `ReplicaSet "${name}-${h2}" has timed out progressing.`;
    assert.equal(s.message, `RolloutAborted: Rollout aborted update to revision 2: ${timeout}`);
    const prog = conditionOf(s, 'Progressing');
    assert.equal(prog?.status, 'False');
    assert.equal(prog?.reason, 'RolloutAborted');
    assert.equal(prog?.message, `Rollout aborted update to revision 2: ${timeout}`);
    assert.equal(typeof s.abortedAt, 'string');
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h1)?.spec === 2 && rss.get(h1)?.available === 2 && rss.get(h2)?.spec === 0;
    }, 'stable back to 2, canary 0');
    await eventually(async () => !(await podsByHash(cluster, ns)).has(h2), 'canary pods gone');
    await waitForEvent(
      cluster,
      ns,
      name,
      'RolloutAborted',
      `Rollout aborted update to revision 2: ${timeout}`,
      'Warning',
    );
    const after = statusOf(await cluster.rollout(ns, name));
    assert.equal(after.phase, 'Degraded');
    assert.equal(after.stableRS, h1);
  });
});
