// revisionHistoryLimit deletes fully scaled-down old ReplicaSets, oldest first; deleting a
// Rollout gives its Services their selectors back (traffic-routing §1.5).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  canaryRollout,
  minimalService,
  ownedReplicaSets,
  serviceSelectorOf,
  startController,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

describe('revision history and cleanup', () => {
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

  test('revisionHistoryLimit 1 keeps one scaled-down ReplicaSet besides the stable one', async () => {
    const ns = await target.namespace('history');
    const ro = canaryRollout({ name: 'hist', replicas: 2, spec: { revisionHistoryLimit: 1 } });
    await cluster.apply(ro, ns);
    await waitForPhase(cluster, ns, 'hist', 'Healthy');
    for (const v of ['v2', 'v3', 'v4']) {
      await withRetries(() => cluster.setImage(ns, 'hist', 'app', `example/app:${v}`));
      await waitForPhase(cluster, ns, 'hist', 'Healthy', (s) => s.stableRS === s.currentPodHash);
    }
    const rss = await eventually(async () => {
      const byHash = await ownedReplicaSets(cluster, ns, 'hist');
      return byHash.size === 2 ? [...byHash.values()] : undefined;
    }, 'old ReplicaSets deleted down to the limit');
    const revisions = rss.map((r) => Number(r.revision)).sort();
    assert.deepEqual(
      revisions,
      [3, 4],
      'the newest scaled-down revision and the stable one remain',
    );
  });

  test('deleting the Rollout removes its selector and annotation from the Services', async () => {
    const ns = await target.namespace('release');
    await cluster.apply(minimalService('rel-stable', { app: 'rel' }), ns);
    await cluster.apply(minimalService('rel-canary', { app: 'rel' }), ns);
    const ro = canaryRollout({
      name: 'rel',
      replicas: 2,
      canary: { stableService: 'rel-stable', canaryService: 'rel-canary' },
    });
    await cluster.apply(ro, ns);
    const s = await waitForPhase(cluster, ns, 'rel', 'Healthy');
    await eventually(async () => {
      const svc = await cluster.get('Service', ns, 'rel-stable');
      return serviceSelectorOf(svc)['rollouts-pod-template-hash'] === s.stableRS;
    }, 'stable Service pointed at the stable ReplicaSet');
    await cluster.client.delete(cluster.path('Rollout', ns, 'rel'));
    for (const name of ['rel-stable', 'rel-canary']) {
      await eventually(async () => {
        const svc = await cluster.get('Service', ns, name);
        const released =
          serviceSelectorOf(svc)['rollouts-pod-template-hash'] === undefined &&
          svc.metadata.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts'] === undefined;
        return released;
      }, `${name} released`);
      const svc = await cluster.get('Service', ns, name);
      assert.deepEqual(serviceSelectorOf(svc), { app: 'rel' }, 'the user-written selector is kept');
    }
  });
});
