// Ephemeral metadata against the emulator (rollout-semantics §5.5): previewMetadata/activeMetadata
// and canaryMetadata/stableMetadata in the ReplicaSets' pod templates and on their running pods,
// patched in place (same pods, no restart) as the roles move, with the bookkeeping annotation, and
// keys dropped from the spec removed from the pods.
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
  waitForPhase,
  withRetries,
  type ControllerHandle,
  type RsInfo,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const HASH = 'rollouts-pod-template-hash';
const ANN = 'rollout.argoproj.io/ephemeral-metadata';

interface PodMeta {
  name: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const templateMeta = (rs: RsInfo) =>
  (
    rs.obj.spec as {
      template: {
        metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      };
    }
  ).template.metadata;

describe('ephemeral metadata', () => {
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
  const podsOf = async (ns: string, hash: string): Promise<PodMeta[]> =>
    (await cluster.pods(ns))
      .filter(
        (p: KubeObject) => !p.metadata.deletionTimestamp && p.metadata.labels?.[HASH] === hash,
      )
      .map((p) => ({
        name: p.metadata.name ?? '',
        uid: p.metadata.uid ?? '',
        labels: p.metadata.labels ?? {},
        annotations: p.metadata.annotations ?? {},
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  /** Waits until `n` pods of `hash` all satisfy `ok`; returns them. */
  const podsWhere = (
    ns: string,
    hash: string,
    n: number,
    ok: (p: PodMeta) => boolean,
    what: string,
  ) =>
    eventually(async () => {
      const pods = await podsOf(ns, hash);
      return pods.length === n && pods.every(ok) ? pods : undefined;
    }, what);

  test('blue-green: preview labels on the new pods, active labels move to them at promotion', async () => {
    const ns = await target.namespace('em-bg');
    const name = 'em-bg';
    await cluster.apply(minimalService(`${name}-active`, { app: name }), ns);
    await cluster.apply(minimalService(`${name}-preview`, { app: name }), ns);
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name, team: 'web' } },
          spec: { containers: [{ name: 'app', image: 'example/app:v1' }] },
        },
        strategy: {
          blueGreen: {
            activeService: `${name}-active`,
            previewService: `${name}-preview`,
            autoPromotionEnabled: false,
            activeMetadata: {
              labels: { role: 'active' },
              annotations: { 'example.com/tier': 'live' },
            },
            previewMetadata: { labels: { role: 'preview' } },
          },
        },
      },
    };
    await cluster.apply(rollout, ns);
    await waitForPhase(cluster, ns, name, 'Healthy');
    // Initial deploy: the first ReplicaSet is created in the active role.
    const rs1 = await rsOf(ns, name, 1);
    assert.deepEqual(templateMeta(rs1).labels, {
      app: name,
      team: 'web',
      role: 'active',
      [HASH]: rs1.hash,
    });
    assert.deepEqual(templateMeta(rs1).annotations, { 'example.com/tier': 'live' });
    assert.equal(
      rs1.annotations[ANN],
      '{"labels":{"role":"active"},"annotations":{"example.com/tier":"live"}}',
    );
    // The ReplicaSet's own labels (its selector's world) stay those of the template.
    assert.deepEqual(rs1.obj.metadata.labels, { app: name, team: 'web', [HASH]: rs1.hash });
    await podsWhere(ns, rs1.hash, 2, (p) => p.labels.role === 'active', 'active pods of v1');

    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(templateMeta(rs2).labels?.role, 'preview');
    assert.equal(templateMeta(rs2).annotations?.['example.com/tier'], undefined);
    assert.equal(rs2.annotations[ANN], '{"labels":{"role":"preview"}}');
    const previewPods = await podsWhere(
      ns,
      rs2.hash,
      2,
      (p) => p.labels.role === 'preview' && p.annotations['example.com/tier'] === undefined,
      'preview pods of v2',
    );
    const activePods = await podsOf(ns, rs1.hash);
    assert.deepEqual(
      activePods.map((p) => [p.labels.role, p.annotations['example.com/tier']]),
      [
        ['active', 'live'],
        ['active', 'live'],
      ],
    );
    // The decorated templates are still the two revisions.
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 2);

    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === rs2.hash);
    // The same pods (no restart) now carry the active role …
    const promoted = await podsWhere(
      ns,
      rs2.hash,
      2,
      (p) => p.labels.role === 'active' && p.annotations['example.com/tier'] === 'live',
      'v2 pods relabelled active',
    );
    assert.deepEqual(
      promoted.map((p) => p.uid),
      previewPods.map((p) => p.uid),
    );
    assert.ok(promoted.every((p) => p.labels.team === 'web' && p.labels.app === name));
    const rs2After = await rsOf(ns, name, 2);
    assert.equal(templateMeta(rs2After).labels?.role, 'active');
    assert.equal(
      rs2After.annotations[ANN],
      '{"labels":{"role":"active"},"annotations":{"example.com/tier":"live"}}',
    );
    // … and the previous active ReplicaSet (kept for the scale-down delay) plays no role any more.
    const oldPods = await podsWhere(
      ns,
      rs1.hash,
      2,
      (p) => p.labels.role === undefined && p.annotations['example.com/tier'] === undefined,
      'v1 pods without the active role',
    );
    assert.deepEqual(
      oldPods.map((p) => p.uid),
      activePods.map((p) => p.uid),
    );
    const rs1After = await rsOf(ns, name, 1);
    assert.equal(rs1After.annotations[ANN], undefined);
    assert.equal(templateMeta(rs1After).labels?.role, undefined);
    assert.equal(templateMeta(rs1After).labels?.team, 'web');

    // A key dropped from the spec is removed from the pods; the rest stays.
    await withRetries(async () => {
      const ro = await cluster.rollout(ns, name);
      const bg = (ro.spec as { strategy: { blueGreen: Record<string, unknown> } }).strategy
        .blueGreen;
      bg.activeMetadata = { labels: { role: 'active' } };
      await cluster.client.update(cluster.path('Rollout', ns, name), ro);
    });
    await podsWhere(
      ns,
      rs2.hash,
      2,
      (p) => p.annotations['example.com/tier'] === undefined && p.labels.role === 'active',
      'the dropped annotation removed from the v2 pods',
    );
    assert.equal((await rsOf(ns, name, 2)).annotations[ANN], '{"labels":{"role":"active"}}');
    assert.equal((await ownedReplicaSets(cluster, ns, name)).size, 2);
  });

  test('canary: canary labels on the new pods, stable labels once it is promoted', async () => {
    const ns = await target.namespace('em-canary');
    const name = 'em-canary';
    await cluster.apply(
      canaryRollout({
        name,
        replicas: 4,
        steps: [{ setWeight: 50 }, { pause: {} }],
        canary: {
          canaryMetadata: { labels: { role: 'canary' } },
          stableMetadata: { labels: { role: 'stable' } },
        },
      }),
      ns,
    );
    await waitForPhase(cluster, ns, name, 'Healthy');
    const rs1 = await rsOf(ns, name, 1);
    await podsWhere(ns, rs1.hash, 4, (p) => p.labels.role === 'stable', 'stable pods of v1');

    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    await waitForPhase(cluster, ns, name, 'Paused');
    const rs2 = await rsOf(ns, name, 2);
    assert.equal(templateMeta(rs2).labels?.role, 'canary');
    const canaryPods = await podsWhere(
      ns,
      rs2.hash,
      2,
      (p) => p.labels.role === 'canary',
      'canary pods',
    );
    await podsWhere(ns, rs1.hash, 2, (p) => p.labels.role === 'stable', 'the stable pods left');

    await promote(cluster, ns, name);
    await waitForPhase(cluster, ns, name, 'Healthy', (s) => s.stableRS === rs2.hash);
    // The canary pods that were there become stable in place; the two added ones are created so.
    const stable = await podsWhere(ns, rs2.hash, 4, (p) => p.labels.role === 'stable', 'v2 stable');
    const uids = new Set(stable.map((p) => p.uid));
    assert.ok(
      canaryPods.every((p) => uids.has(p.uid)),
      'relabelled in place, not recreated',
    );
    assert.equal(templateMeta(await rsOf(ns, name, 2)).labels?.role, 'stable');
    const rs1After = await rsOf(ns, name, 1);
    assert.equal(rs1After.annotations[ANN], undefined);
    assert.equal(templateMeta(rs1After).labels?.role, undefined);
  });
});
