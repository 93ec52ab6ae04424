// spec.strategy.*.antiAffinity against the emulator (rollout-semantics §5.4): the new ReplicaSet's
// pod template (and so its pods) gets a pod anti-affinity term against the stable ReplicaSet's
// hash while the update is in flight; the term goes once that ReplicaSet is the stable one; and
// the controller never mistakes the decorated template for a new revision.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import {
  Cluster,
  canaryRollout,
  minimalService,
  ownedReplicaSets,
  promote,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
  type RsInfo,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';

/** The term Argo injects (§5.4), against `stable` in namespace `ns`. */
const injected = (stable: string, ns: string) => ({
  labelSelector: { matchExpressions: [{ key: HASH, operator: 'In', values: [stable] }] },
  namespaces: [ns],
  topologyKey: 'kubernetes.io/hostname',
});

/** The user's own scheduling rule, which must come through untouched. */
const nodeAffinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['web'] }] }],
    },
  },
};

const affinityOf = (o: KubeObject): Record<string, unknown> | undefined =>
  (o.spec as { template?: { spec?: { affinity?: Record<string, unknown> } } }).template?.spec
    ?.affinity;

describe('antiAffinity', () => {
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

  const rsByRevision = async (ns: string, name: string, revision: number) =>
    [...(await ownedReplicaSets(cluster, ns, name)).values()].find(
      (r) => r.revision === String(revision),
    );
  const rsOf = (ns: string, name: string, revision: number): Promise<RsInfo> =>
    eventually(() => rsByRevision(ns, name, revision), `${name} revision ${revision}`);
  const podsOf = async (ns: string, hash: string) =>
    (await cluster.pods(ns)).filter(
      (p) => !p.metadata.deletionTimestamp && p.metadata.labels?.[HASH] === hash,
    );

  test('blue-green, required: the preview avoids the active pods until it is promoted', async () => {
    const ns = await target.namespace('aa-bg');
    const name = 'aa-bg';
    await cluster.apply(minimalService(`${name}-active`, { app: name }), ns);
    await cluster.apply(minimalService(`${name}-preview`, { app: name }), ns);
    await cluster.apply(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              affinity: nodeAffinity,
              containers: [{ name: 'app', image: 'example/app:v1' }],
            },
          },
          strategy: {
            blueGreen: {
              activeService: `${name}-active`,
              previewService: `${name}-preview`,
              autoPromotionEnabled: false,
              antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} },
            },
          },
        },
      },
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    // Initial deploy: no stable ReplicaSet to keep away from.
    assert.deepEqual(affinityOf(rs1.obj), nodeAffinity);

    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const paused = await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(paused.currentPodHash, rs2.hash);
    assert.deepEqual(affinityOf(rs2.obj), {
      ...nodeAffinity,
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [injected(rs1.hash, ns)] },
    });
    // The pods are created from that template.
    const pods = await eventually(async () => {
      const p = await podsOf(ns, rs2.hash);
      return p.length === 2 ? p : undefined;
    }, 'two preview pods');
    for (const p of pods) {
      const spec = p.spec as { affinity?: { podAntiAffinity?: unknown } };
      assert.deepEqual(spec.affinity?.podAntiAffinity, {
        requiredDuringSchedulingIgnoredDuringExecution: [injected(rs1.hash, ns)],
      });
    }
    // The decorated template is still revision 2, not a new one.
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 2);
    // The stable ReplicaSet keeps its template.
    assert.deepEqual(affinityOf((await rsOf(ns, name, 1)).obj), nodeAffinity);

    await promote(cluster, ns, name);
    const healthy = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(healthy.stableRS, rs2.hash);
    // Now the stable one: nothing left to avoid, the user's own affinity stays.
    const cleaned = await eventually(async () => {
      const r = await rsByRevision(ns, name, 2);
      return r && JSON.stringify(affinityOf(r.obj)) === JSON.stringify(nodeAffinity)
        ? r
        : undefined;
    }, 'the injected term removed from the promoted ReplicaSet');
    assert.equal(cleaned.hash, rs2.hash);
    const after = statusOf(await cluster.rollout(ns, name));
    assert.equal(after.currentPodHash, rs2.hash);
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 2);
  });

  test('canary, preferred: the canary prefers other nodes; rollback to stable drops it', async () => {
    const ns = await target.namespace('aa-canary');
    const name = 'aa-canary';
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 4,
        steps: [{ setWeight: 50 }, { pause: {} }],
        canary: {
          antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 60 } },
        },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    assert.equal(affinityOf(rs1.obj), undefined);

    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    assert.deepEqual(affinityOf(rs2.obj), {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 60, podAffinityTerm: injected(rs1.hash, ns) },
        ],
      },
    });

    // Back to v1 = the stable ReplicaSet: a fast rollback, and v2 (an old one now) is left as it is.
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v1'));
    const healthy = await waitForPhase(
      cluster,
      ns,
      name,
      'Healthy',
      (s) => s.currentPodHash === rs1.hash,
    );
    assert.equal(healthy.stableRS, rs1.hash);
    const rss = await ownedReplicaSets(cluster, ns, name);
    assert.equal(rss.size, 2);
    assert.equal(affinityOf(rss.get(rs1.hash)!.obj), undefined);
  });
});
