// The blue-green strategy against the emulator (rollout-semantics §7, traffic-routing §1.4):
// Argo's example and the rollouts-demo blue-green app, image changes, preview then active
// selectors, replica counts, the scale-down delay, auto-promotion, abort, and a controller
// restart between preview and promotion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster,
  FIXTURES,
  loadYamlDocs,
  ownedReplicaSets,
  promote,
  serviceSelectorOf,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';

interface BgStatus {
  activeSelector?: string;
  previewSelector?: string;
  scaleUpPreviewCheckPoint?: boolean;
}

describe('blue-green', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;

  before(async () => {
    target = await openTarget({ kubeletReadyDelayMs: 50 });
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ctl = await startController(target);
  });
  after(async () => {
    await ctl?.stop();
    await target?.close();
  });

  const bgOf = async (ns: string, name: string): Promise<BgStatus> =>
    statusOf(await cluster.rollout(ns, name)).blueGreen ?? {};
  const selector = async (ns: string, svc: string) =>
    serviceSelectorOf(await cluster.get('Service', ns, svc))[HASH];
  const rsByRevision = async (ns: string, name: string, revision: number) => {
    const rs = [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) => r.revision === String(revision),
    );
    return rs;
  };

  test('examples/rollout-bluegreen.yaml: preview first, pause, promote, old kept for the delay', async () => {
    const ns = await target.namespace('bg-example');
    const docs = loadYamlDocs(new URL('argo-rollouts/examples/rollout-bluegreen.yaml', FIXTURES));
    for (const d of docs) await cluster.apply(d, ns);
    await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Healthy');
    const rs1 = (await rsByRevision(ns, 'rollout-bluegreen', 1))!;
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs1.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-preview'), rs1.hash);
    assert.deepEqual(await bgOf(ns, 'rollout-bluegreen'), {
      activeSelector: rs1.hash,
      previewSelector: rs1.hash,
    });
    assert.equal(statusOf(await cluster.rollout(ns, 'rollout-bluegreen')).stableRS, rs1.hash);

    await withRetries(() =>
      cluster.setImage(ns, 'rollout-bluegreen', 'rollouts-demo', 'argoproj/rollouts-demo:green'),
    );
    const paused = await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Paused');
    assert.equal(paused.message, 'BlueGreenPause');
    const rs2 = (await rsByRevision(ns, 'rollout-bluegreen', 2))!;
    assert.equal(rs2.spec, 2);
    assert.equal(rs2.available, 2);
    assert.equal(await selector(ns, 'rollout-bluegreen-preview'), rs2.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs1.hash);
    assert.equal((await rsByRevision(ns, 'rollout-bluegreen', 1))!.spec, 2);
    assert.deepEqual(await bgOf(ns, 'rollout-bluegreen'), {
      activeSelector: rs1.hash,
      previewSelector: rs2.hash,
    });

    await promote(cluster, ns, 'rollout-bluegreen');
    const healthy = await waitForPhase(cluster, ns, 'rollout-bluegreen', 'Healthy');
    assert.equal(healthy.stableRS, rs2.hash);
    assert.equal(await selector(ns, 'rollout-bluegreen-active'), rs2.hash);
    // The old active ReplicaSet stays up for scaleDownDelaySeconds (default 30 s).
    const old = await eventually(async () => {
      const r = await rsByRevision(ns, 'rollout-bluegreen', 1);
      return r?.annotations['scale-down-deadline'] ? r : undefined;
    }, 'the scale-down deadline');
    assert.equal(old.spec, 2);
    const deadline = Date.parse(old.annotations['scale-down-deadline'] ?? '');
    assert.ok(deadline - Date.now() > 20_000 && deadline - Date.now() <= 31_000, String(deadline));
  });
});
