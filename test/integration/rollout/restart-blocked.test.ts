// Regression (was a bug in restartPods()): the canary pass ended
// after the restart step even when no pod was evicted, i.e. whenever a restart is pending but
// its availability budget is exhausted. rollout-semantics §6.1 step 9 / §6.10 ("canary pass
// ends after any eviction") only ends the pass when a pod WAS evicted; otherwise Services,
// scaling and step handling run as usual. With the bug, a restart that cannot make progress
// (budget = available − (max(R, Σspec) − max(maxUnavailable, 1)) ≤ 0, e.g. because canary pods
// never get ready) freezes the Rollout: here a user abort is recorded in the status but the
// ReplicaSets are never scaled back, so the restart stays blocked forever too.
//
// Input: R=4 (maxSurge 1, maxUnavailable 1), steps [setWeight 50, pause], v2 image never ready
// → canary 2 (unready), stable 3 (ready), stuck at step 0. Then spec.restartAt = now, then
// status.abort = true. Expected (§6.10 abort): canary → 0, stable → 4; then, with all 4 stable
// pods available, the restart proceeds and status.restartedAt == spec.restartAt.
// Observed: ReplicaSets stay at canary 2 / stable 3; restartedAt never set.
// Fix: restartPods() should `return d.evict.length > 0` (keeping the 30 s requeue).
//
// Rename to pending-restart-blocks-pass.test.ts to run it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  ownedReplicaSets,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

describe('a blocked restart does not freeze the Rollout', () => {
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

  test('abort while a restart waits for availability: ReplicaSets are scaled back', async () => {
    const ns = await target.namespace('pend-restart');
    const name = 'app';
    const image = 'example/never-ready:pend-restart';
    target.sim!.setImageBehavior(image, 'unready');
    await cluster.apply(
      canaryRollout({ name, replicas: 4, steps: [{ setWeight: 50 }, { pause: {} }] }),
      ns,
    );
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    const h1 = s0.currentPodHash!;
    await withRetries(() => cluster.setImage(ns, name, 'app', image));
    const h2 = (
      await eventually(async () => {
        const s = statusOf(await cluster.rollout(ns, name));
        return s.currentPodHash !== h1 ? s : undefined;
      }, 'new revision')
    ).currentPodHash!;
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h2)?.spec === 2 && rss.get(h1)?.spec === 3 && rss.get(h1)?.available === 3;
    }, 'stuck at canary 2 (unready) / stable 3');

    const restartAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await cluster.patchRollout(ns, name, { spec: { restartAt } });
    await cluster.patchRolloutStatus(ns, name, { status: { abort: true } });
    await waitForPhase(cluster, ns, name, 'Degraded', (s) => s.abort === true);
    await eventually(
      async () => {
        const rss = await ownedReplicaSets(cluster, ns, name);
        return rss.get(h2)?.spec === 0 && rss.get(h1)?.spec === 4;
      },
      'abort scaled canary to 0 and stable to 4',
      10_000,
    );
    const s = await eventually(
      async () => {
        const st = statusOf(await cluster.rollout(ns, name));
        return st.restartedAt === restartAt ? st : undefined;
      },
      'restart finished',
      15_000,
    );
    assert.equal(s.restartedAt, restartAt);
  });
});
