// Each dashboard action changes a Rollout exactly as the matching `kubectl argo rollouts`
// command does: for every case two identical Rollouts are prepared, the real built plugin (run
// through the real kubectl) acts on one and the dashboard API on the other, and the resulting
// spec and status are compared. No controller runs here, so nothing but the action touches the
// objects and the comparison is exact; the controller's reaction to the API's changes is covered
// by api.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/kube/raw-client.ts';
import { startDashboard, type Dashboard } from '../../../plugin/dashboard/server.ts';
import { loadKube } from '../../../plugin/kube.ts';
import { Cluster } from '../../support/controller.ts';
import {
  pluginEnv,
  pluginRunner,
  type PluginEnv,
  type PluginRunner,
} from '../../support/plugin.ts';
import { openTarget, type Target } from '../../support/target.ts';
import { putJson } from './support.ts';

const PAUSE = [{ reason: 'CanaryPauseStep', startTime: '2024-01-01T00:00:00Z' }];

function rollout(name: string, label: string, image = 'example/app:v1'): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: label } },
      template: {
        metadata: { labels: { app: label } },
        spec: { containers: [{ name: 'app', image }] },
      },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }, { setWeight: 80 }] } },
    },
  };
}

interface Case {
  name: string;
  /** Spec fields merged into both Rollouts before the action. */
  spec?: Record<string, unknown>;
  /** Status written to both Rollouts before the action. */
  status?: Record<string, unknown>;
  /** ReplicaSets (revision → image) owned by each Rollout, for undo. */
  revisions?: [number, string][];
  cli: (name: string) => string[];
  api: (name: string) => { path: string; body?: unknown };
  /** Extra checks on the Rollout after the action (the same for both). */
  check?: (ro: KubeObject) => void;
}

const statusOf = (ro: KubeObject) => (ro.status ?? {}) as Record<string, unknown>;
const specOf = (ro: KubeObject) => (ro.spec ?? {}) as Record<string, unknown>;

const CASES: Case[] = [
  {
    name: 'pause',
    cli: (n) => ['pause', n],
    api: (n) => ({ path: `${n}/pause` }),
    check: (ro) => assert.equal(specOf(ro).paused, true),
  },
  {
    name: 'resume',
    spec: { paused: true },
    status: { pauseConditions: PAUSE, controllerPause: true },
    cli: (n) => ['resume', n],
    api: (n) => ({ path: `${n}/resume` }),
    check: (ro) => {
      assert.equal(specOf(ro).paused, false);
      assert.equal(statusOf(ro).pauseConditions, undefined);
    },
  },
  {
    name: 'abort',
    cli: (n) => ['abort', n],
    api: (n) => ({ path: `${n}/abort` }),
    check: (ro) => assert.equal(statusOf(ro).abort, true),
  },
  {
    name: 'retry',
    status: { abort: true },
    cli: (n) => ['retry', 'rollout', n],
    api: (n) => ({ path: `${n}/retry` }),
    check: (ro) => assert.equal(statusOf(ro).abort, false),
  },
  {
    name: 'promote-paused',
    spec: { paused: true },
    status: { pauseConditions: PAUSE, currentStepIndex: 1 },
    cli: (n) => ['promote', n],
    api: (n) => ({ path: `${n}/promote`, body: { full: false } }),
    check: (ro) => {
      assert.equal(specOf(ro).paused, false);
      assert.equal(statusOf(ro).pauseConditions, undefined);
      assert.equal(statusOf(ro).currentStepIndex, 1);
    },
  },
  {
    name: 'promote-step',
    status: { currentStepIndex: 0 },
    cli: (n) => ['promote', n],
    api: (n) => ({ path: `${n}/promote`, body: {} }),
    check: (ro) => assert.equal(statusOf(ro).currentStepIndex, 1),
  },
  {
    name: 'promote-full',
    status: { currentPodHash: 'aaa', stableRS: 'bbb', currentStepIndex: 1 },
    cli: (n) => ['promote', n, '--full'],
    api: (n) => ({ path: `${n}/promote`, body: { full: true } }),
    check: (ro) => assert.equal(statusOf(ro).promoteFull, true),
  },
  {
    name: 'set-image',
    cli: (n) => ['set', 'image', n, 'app=argoproj/rollouts-demo:yellow'],
    // The image's `/` sent raw: everything between the container and the tag is the image.
    api: (n) => ({ path: `${n}/set/app/argoproj/rollouts-demo/yellow` }),
    check: (ro) =>
      assert.deepEqual(
        (specOf(ro).template as { spec: { containers: unknown[] } }).spec.containers,
        [{ name: 'app', image: 'argoproj/rollouts-demo:yellow' }],
      ),
  },
  {
    name: 'undo',
    revisions: [
      [1, 'example/app:v0'],
      [2, 'example/app:v1'],
    ],
    cli: (n) => ['undo', n, '--to-revision', '1'],
    api: (n) => ({ path: `${n}/undo/1` }),
    // The ReplicaSet's template comes back with the API server's container defaults.
    check: (ro) =>
      assert.deepEqual(
        (
          specOf(ro).template as { spec: { containers: { name: string; image: string }[] } }
        ).spec.containers.map((c) => [c.name, c.image]),
        [['app', 'example/app:v0']],
      ),
  },
];

describe('dashboard actions change Rollouts exactly as the plugin commands do', () => {
  let target: Target;
  let cluster: Cluster;
  let dash: Dashboard;
  let env: PluginEnv;
  let k: PluginRunner;
  let ns: string;
  let api: string;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ns = await target.namespace('act');
    env = pluginEnv();
    k = pluginRunner(env, target.kubeconfigPath, target.tmpDir);
    const kube = await loadKube(
      { kubeconfig: target.kubeconfigPath, namespace: ns },
      { full: true },
    );
    dash = await startDashboard({ kube, port: 0 });
    api = `http://127.0.0.1:${dash.port}/rollouts/api/v1/rollouts/${ns}`;
  });

  after(async () => {
    await dash?.close();
    env?.close();
    await target?.close();
  });

  async function prepare(c: Case, name: string): Promise<void> {
    const ro = await cluster.apply(rollout(name, c.name), ns);
    if (c.spec) await cluster.patchRollout(ns, name, { spec: c.spec });
    if (c.status) await cluster.patchRolloutStatus(ns, name, { status: c.status });
    for (const [revision, image] of c.revisions ?? []) {
      const template = {
        metadata: { labels: { app: c.name, 'rollouts-pod-template-hash': `h${revision}` } },
        spec: { containers: [{ name: 'app', image }] },
      };
      await cluster.client.create(`/apis/apps/v1/namespaces/${ns}/replicasets`, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-h${revision}`,
          labels: template.metadata.labels,
          annotations: { 'rollout.argoproj.io/revision': String(revision) },
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Rollout',
              name,
              uid: ro.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 0,
          selector: { matchLabels: template.metadata.labels },
          template,
        },
      });
    }
  }

  for (const c of CASES) {
    test(c.name, async () => {
      const viaCli = `${c.name}-cli`;
      const viaApi = `${c.name}-api`;
      await prepare(c, viaCli);
      await prepare(c, viaApi);

      const r = await k.run(['-n', ns, ...c.cli(viaCli)]);
      assert.equal(r.code, 0, r.stderr);
      const { path, body } = c.api(viaApi);
      const reply = await putJson<KubeObject>(`${api}/${path}`, body ?? {});
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.kind, 'Rollout');
      assert.equal(reply.body.metadata.name, viaApi);

      const a = await cluster.rollout(ns, viaCli);
      const b = await cluster.rollout(ns, viaApi);
      assert.deepEqual(b.spec, a.spec);
      assert.deepEqual(b.status ?? {}, a.status ?? {});
      assert.equal(b.metadata.generation, a.metadata.generation);
      // The reply is the Rollout as the action left it.
      assert.deepEqual(reply.body.spec, b.spec);
      c.check?.(b);
    });
  }

  test('restart: spec.restartAt now, to the second, as the plugin writes it', async () => {
    await cluster.apply(rollout('restart-cli', 'restart'), ns);
    await cluster.apply(rollout('restart-api', 'restart'), ns);
    const before = Math.floor(Date.now() / 1000) * 1000;
    const r = await k.run(['-n', ns, 'restart', 'restart-cli']);
    assert.equal(r.code, 0, r.stderr);
    const reply = await putJson<KubeObject>(`${api}/restart-api/restart`, {});
    assert.equal(reply.status, 200);
    const afterMs = Date.now();
    const a = await cluster.rollout(ns, 'restart-cli');
    const b = await cluster.rollout(ns, 'restart-api');
    const at = (ro: KubeObject) => String(specOf(ro).restartAt);
    for (const ro of [a, b]) {
      assert.match(at(ro), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const t = Date.parse(at(ro));
      assert.ok(t >= before && t <= afterMs, `${at(ro)} is the time of the call`);
    }
    const { restartAt: _a, ...restA } = specOf(a);
    const { restartAt: _b, ...restB } = specOf(b);
    assert.deepEqual(restB, restA);
  });
});
