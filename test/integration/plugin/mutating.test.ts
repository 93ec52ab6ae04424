// The mutating commands of `kubectl argo rollouts` through the real kubectl, against the
// emulator with our controller running: the exact requests (§1.4, recorded by a proxy in front
// of the emulator), the object change read back, stdout, exit code, and the controller's reaction.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simKubeconfig } from '../../../sim/kubeconfig.ts';
import { resourcePath, type KubeObject } from '../../../src/kube/raw-client.ts';
import {
  CRDS,
  Cluster,
  FIXTURES,
  canaryRollout,
  loadYamlDocs,
  ownedReplicaSets,
  startController,
  statusOf,
  waitForPhase,
  withRetries,
  type ControllerHandle,
} from '../../support/controller.ts';
import {
  pluginEnv,
  pluginRunner,
  RecordingProxy,
  type PluginEnv,
  type PluginRunner,
  type RecordedRequest,
} from '../../support/plugin.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';

const STEPS = [{ setWeight: 50 }, { pause: {} }, { setWeight: 75 }, { pause: {} }];
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

describe('kubectl argo rollouts: mutating commands', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let proxy: RecordingProxy;
  let env: PluginEnv;
  let k: PluginRunner;

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    for (const f of ['analysis-run-crd.yaml']) {
      for (const doc of loadYamlDocs(new URL(f, CRDS))) {
        await cluster.client
          .create(cluster.path('CustomResourceDefinition'), doc)
          .catch((e: { code?: number }) => {
            if (e.code !== 409) throw e;
          });
      }
    }
    ctl = await startController(target);
    proxy = await RecordingProxy.start(target.sim!.url);
    const kubeconfig = join(target.tmpDir, 'proxy.kubeconfig');
    writeFileSync(kubeconfig, simKubeconfig(proxy.url));
    env = pluginEnv();
    k = pluginRunner(env, kubeconfig, join(target.tmpDir, 'kube-cache'));
  });
  after(async () => {
    await ctl?.stop();
    await proxy?.close();
    env?.close();
    await target?.close();
  });

  const rolloutPath = (ns: string, name: string, sub?: string) =>
    resourcePath({
      group: 'argoproj.io',
      version: 'v1alpha1',
      resource: 'rollouts',
      namespace: ns,
      name,
      ...(sub ? { subresource: sub } : {}),
    });

  /** The API requests of one plugin run, as `METHOD path content-type body`. */
  async function run(args: string[]) {
    proxy.clear();
    const r = await k.run(args);
    const requests = proxy.apiRequests().map((q: RecordedRequest) => ({
      method: q.method,
      path: q.path,
      contentType: q.contentType,
      body: q.body ? (JSON.parse(q.body) as unknown) : undefined,
    }));
    return { ...r, requests };
  }

  /** A 4-replica canary, Healthy on v1, then on v2 paused at step 1 (50%). */
  async function atFirstPause(prefix: string, name = 'app') {
    const ns = await target.namespace(prefix);
    await cluster.apply(canaryRollout({ name, steps: STEPS }), ns);
    const s0 = await waitForPhase(cluster, ns, name, 'Healthy');
    await withRetries(() => cluster.setImage(ns, name, 'app', 'example/app:v2'));
    const s1 = await waitForPhase(cluster, ns, name, 'Paused', (s) => s.currentStepIndex === 1);
    return { ns, name, h1: s0.currentPodHash!, h2: s1.currentPodHash! };
  }

  test('pause: one merge patch of spec.paused per name, in order; stops at the first error', async () => {
    const ns = await target.namespace('plg-pause');
    await cluster.apply(canaryRollout({ name: 'a', steps: STEPS }), ns);
    await cluster.apply(canaryRollout({ name: 'b', steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'a', 'Healthy');
    const r = await run(['pause', 'a', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "rollout 'a' paused\n");
    assert.equal(r.stderr, '');
    assert.deepEqual(r.requests, [
      {
        method: 'PATCH',
        path: rolloutPath(ns, 'a'),
        contentType: MERGE,
        body: { spec: { paused: true } },
      },
    ]);
    assert.equal(((await cluster.rollout(ns, 'a')).spec as { paused?: boolean }).paused, true);
    const s = await waitForPhase(cluster, ns, 'a', 'Paused');
    assert.equal(s.message, 'manually paused');

    const r2 = await run(['pause', 'missing', 'b', '-n', ns]);
    assert.equal(r2.code, 1);
    assert.equal(r2.stdout, '');
    assert.equal(r2.stderr, `Error: rollouts.argoproj.io "missing" not found\n`);
    assert.equal(r2.requests.length, 1, 'nothing sent for b');
    assert.equal(((await cluster.rollout(ns, 'b')).spec as { paused?: boolean }).paused, undefined);
  });

  test('resume: clears pause conditions (status) and spec.paused, as Argo CD does; the controller moves on', async () => {
    const { ns, name } = await atFirstPause('plg-resume');
    await cluster.patchRollout(ns, name, { spec: { paused: true } });
    const r = await run(['resume', name, '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `rollout '${name}' resumed\n`);
    assert.deepEqual(r.requests, [
      { method: 'GET', path: rolloutPath(ns, name), contentType: '', body: undefined },
      {
        method: 'PATCH',
        path: rolloutPath(ns, name, 'status'),
        contentType: MERGE,
        body: { status: { pauseConditions: null } },
      },
      {
        method: 'PATCH',
        path: rolloutPath(ns, name),
        contentType: MERGE,
        body: { spec: { paused: false } },
      },
    ]);
    assert.equal(((await cluster.rollout(ns, name)).spec as { paused?: boolean }).paused, false);
    // A Rollout that is not paused: only the GET.
    await cluster.apply(canaryRollout({ name: 'calm', steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'calm', 'Healthy');
    const r2 = await run(['resume', 'calm', '-n', ns]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(r2.requests.length, 1, 'nothing to clear: only the GET');
  });

  test('promote at a pause step: status patch clearing pauseConditions; the controller moves on', async () => {
    const { ns, name } = await atFirstPause('plg-promote');
    const r = await run(['promote', name, '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `rollout '${name}' promoted\n`);
    assert.deepEqual(r.requests, [
      { method: 'GET', path: rolloutPath(ns, name), contentType: '', body: undefined },
      {
        method: 'PATCH',
        path: rolloutPath(ns, name, 'status'),
        contentType: MERGE,
        body: { status: { pauseConditions: null } },
      },
    ]);
    // setWeight 75, then the second pause step (index 3).
    const s = await waitForPhase(cluster, ns, name, 'Paused', (st) => st.currentStepIndex === 3);
    assert.deepEqual(
      s.pauseConditions?.map((p) => p.reason),
      ['CanaryPauseStep'],
    );

    // Paused by the user as well: the status patch first, then the spec patch.
    await cluster.patchRollout(ns, name, { spec: { paused: true } });
    const r2 = await run(['promote', name, '-n', ns]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(
      r2.requests.map((q) => [q.method, q.path, q.body]),
      [
        ['GET', rolloutPath(ns, name), undefined],
        ['PATCH', rolloutPath(ns, name, 'status'), { status: { pauseConditions: null } }],
        ['PATCH', rolloutPath(ns, name), { spec: { paused: false } }],
      ],
    );
    const ro = await cluster.rollout(ns, name);
    assert.equal((ro.spec as { paused?: boolean }).paused, false);
  });

  test('promote without pause conditions skips to the next step; status-first falls back to a main patch on 404', async () => {
    const ns = await target.namespace('plg-promote-step');
    await cluster.apply(canaryRollout({ name: 'app', steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'app', 'Healthy');
    // Healthy: currentStepIndex == len(steps), so idx+1 is capped at 4.
    const r = await run(['promote', 'app', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.requests[1]?.body, {
      status: { pauseConditions: null, currentStepIndex: 4 },
    });

    // A CRD without the status subresource answers 404 on /status: the unified body goes to
    // the object itself.
    await cluster.patchRollout(ns, 'app', { spec: { paused: true } });
    proxy.intercept = (q) =>
      q.method === 'PATCH' && q.path.endsWith('/status')
        ? {
            status: 404,
            body: {
              kind: 'Status',
              status: 'Failure',
              reason: 'NotFound',
              code: 404,
              message: 'the server could not find the requested resource',
            },
          }
        : undefined;
    try {
      const r2 = await run(['promote', 'app', '-n', ns]);
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(
        r2.requests.map((q) => [q.method, q.path, q.contentType, q.body]),
        [
          ['GET', rolloutPath(ns, 'app'), '', undefined],
          [
            'PATCH',
            rolloutPath(ns, 'app', 'status'),
            MERGE,
            { status: { pauseConditions: null, currentStepIndex: 4 } },
          ],
          [
            'PATCH',
            rolloutPath(ns, 'app'),
            MERGE,
            { spec: { paused: false }, status: { pauseConditions: null, currentStepIndex: 4 } },
          ],
        ],
      );
      const r3 = await run(['abort', 'app', '-n', ns]);
      assert.equal(r3.code, 0, r3.stderr);
      assert.deepEqual(
        r3.requests.map((q) => [q.method, q.path, q.body]),
        [
          ['PATCH', rolloutPath(ns, 'app', 'status'), { status: { abort: true } }],
          ['PATCH', rolloutPath(ns, 'app'), { status: { abort: true } }],
        ],
      );
    } finally {
      proxy.intercept = undefined;
    }
    assert.equal(((await cluster.rollout(ns, 'app')).spec as { paused?: boolean }).paused, false);
  });

  test('promote --full: promoteFull in the status; the controller goes straight to the new revision', async () => {
    const { ns, name, h2 } = await atFirstPause('plg-full');
    const r = await run(['promote', name, '--full', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `rollout '${name}' fully promoted\n`);
    assert.deepEqual(
      r.requests.map((q) => [q.method, q.path, q.contentType, q.body]),
      [
        ['GET', rolloutPath(ns, name), '', undefined],
        ['PATCH', rolloutPath(ns, name, 'status'), MERGE, { status: { promoteFull: true } }],
      ],
    );
    const s = await waitForPhase(cluster, ns, name, 'Healthy');
    assert.equal(s.stableRS, h2);
    assert.equal(s.currentStepIndex, STEPS.length);
  });

  test('promote with the deprecated flags: warnings, index moves; both together is an error', async () => {
    const { ns, name } = await atFirstPause('plg-skip');
    const r = await run(['promote', name, '-c', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Flag --skip-current-step has been deprecated/);
    assert.deepEqual(r.requests[1]?.body, { status: { currentStepIndex: 2 } });
    const both = await run(['promote', name, '-c', '-a', '-n', ns]);
    assert.equal(both.code, 1);
    assert.match(
      both.stderr,
      /^Error: Cannot use skip-current-step and skip-all-steps flags at the same time$/m,
    );
  });

  test('abort, then retry: status-first merge patches; Degraded and back to the steps', async () => {
    const { ns, name, h1, h2 } = await atFirstPause('plg-abort');
    const r = await run(['abort', name, '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `rollout '${name}' aborted\n`);
    assert.deepEqual(r.requests, [
      {
        method: 'PATCH',
        path: rolloutPath(ns, name, 'status'),
        contentType: MERGE,
        body: { status: { abort: true } },
      },
    ]);
    const s = await waitForPhase(cluster, ns, name, 'Degraded');
    assert.equal(s.message, 'RolloutAborted: Rollout aborted update to revision 2');
    await eventually(async () => {
      const rss = await ownedReplicaSets(cluster, ns, name);
      return rss.get(h1)?.available === 4 && rss.get(h2)?.spec === 0;
    }, 'stable back to 4, canary 0');

    const r2 = await run(['retry', 'rollout', name, '-n', ns]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(r2.stdout, `rollout '${name}' retried\n`);
    assert.deepEqual(r2.requests, [
      {
        method: 'PATCH',
        path: rolloutPath(ns, name, 'status'),
        contentType: MERGE,
        body: { status: { abort: false } },
      },
    ]);
    const s2 = await waitForPhase(cluster, ns, name, 'Paused', (st) => st.currentStepIndex === 1);
    assert.equal(s2.abort, undefined);
    // The alias works too.
    const r3 = await run(['retry', 'ro', name, '-n', ns]);
    assert.equal(r3.code, 0, r3.stderr);
  });

  test('restart: spec.restartAt = now (+ --in), RFC3339 seconds; the controller restarts the pods', async () => {
    const ns = await target.namespace('plg-restart');
    await cluster.apply(canaryRollout({ name: 'app', replicas: 2, steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'app', 'Healthy');
    const t0 = Date.now();
    const r = await run(['restart', 'app', '--in', '1h', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "rollout 'app' restarts in 1h\n");
    assert.equal(r.requests.length, 1);
    const body = r.requests[0]!.body as { spec: { restartAt: string } };
    assert.deepEqual(Object.keys(body.spec), ['restartAt']);
    assert.match(body.spec.restartAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const at = Date.parse(body.spec.restartAt);
    assert.ok(at >= Math.floor(t0 / 1000) * 1000 + 3_600_000 && at <= Date.now() + 3_600_000);
    assert.equal(r.requests[0]!.contentType, MERGE);
    assert.equal(r.requests[0]!.path, rolloutPath(ns, 'app'));

    const r2 = await run(['restart', 'app', '-n', ns]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(r2.stdout, "rollout 'app' restarts in 0s\n");
    const restartAt = (r2.requests[0]!.body as { spec: { restartAt: string } }).spec.restartAt;
    assert.equal(
      ((await cluster.rollout(ns, 'app')).spec as { restartAt?: string }).restartAt,
      restartAt,
    );
    await eventually(
      async () => statusOf(await cluster.rollout(ns, 'app')).restartedAt === restartAt,
      'status.restartedAt',
      30_000,
    );

    const bad = await run(['restart', 'app', '--in', 'soon', '-n', ns]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'Error: time: invalid duration "soon"\n');
  });

  test('undo: JSON patch of /spec/template with the previous revision; the controller rolls back', async () => {
    const { ns, name, h1 } = await atFirstPause('plg-undo');
    const rss = await ownedReplicaSets(cluster, ns, name);
    const v1Template = structuredClone(
      (rss.get(h1)!.obj.spec as { template: KubeObject }).template,
    );
    delete v1Template.metadata.labels!['rollouts-pod-template-hash'];
    const r = await run(['undo', name, '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `rollout '${name}' undo\n`);
    const patch = r.requests.find((q) => q.method === 'PATCH');
    assert.equal(patch?.contentType, JSON_PATCH);
    assert.equal(patch?.path, rolloutPath(ns, name));
    assert.deepEqual(patch?.body, [{ op: 'replace', path: '/spec/template', value: v1Template }]);
    assert.deepEqual(
      r.requests.map((q) => q.method),
      ['GET', 'GET', 'PATCH'],
    );
    assert.match(r.requests[1]!.path, /\/apis\/apps\/v1\/namespaces\/[^/]+\/replicasets$/);
    const image = async () =>
      (
        (await cluster.rollout(ns, name)).spec as {
          template: { spec: { containers: { image: string }[] } };
        }
      ).template.spec.containers[0]!.image;
    assert.equal(await image(), 'example/app:v1');
    // Fast rollback to the stable ReplicaSet: Healthy on h1 again (as revision 3).
    const s = await waitForPhase(cluster, ns, name, 'Healthy', (st) => st.currentPodHash === h1);
    assert.equal(s.stableRS, h1);

    // Already there: skipped, no newline, the flag's value in the message.
    const revs = await ownedReplicaSets(cluster, ns, name);
    const current = revs.get(h1)!.revision!;
    const skip = await run(['undo', name, '--to-revision', current, '-n', ns]);
    assert.equal(skip.code, 0, skip.stderr);
    assert.equal(
      skip.stdout,
      `skipped rollback (current template already matches revision ${current})`,
    );
    assert.equal(skip.requests.filter((q) => q.method === 'PATCH').length, 0);

    const missing = await run(['undo', name, '--to-revision', '99', '-n', ns]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: unable to find specified revision 99 in history\n');
  });

  test('set image: GET and full PUT, retried on 409 (5 attempts), container name or *', async () => {
    const ns = await target.namespace('plg-set');
    const ro = canaryRollout({ name: 'app', replicas: 2, steps: STEPS });
    const podSpec = (ro.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    podSpec.initContainers = [{ name: 'init', image: 'example/init:v1' }];
    await cluster.apply(ro, ns);
    await waitForPhase(cluster, ns, 'app', 'Healthy');
    const r = await run(['set', 'image', 'app', 'app=example/app:v2', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'rollout "app" image updated\n');
    assert.deepEqual(
      r.requests.map((q) => [q.method, q.path]),
      [
        ['GET', rolloutPath(ns, 'app')],
        ['PUT', rolloutPath(ns, 'app')],
      ],
    );
    const put = r.requests[1]!.body as KubeObject;
    assert.equal(
      put.metadata.uid !== undefined && put.metadata.resourceVersion !== undefined,
      true,
    );
    const spec = (await cluster.rollout(ns, 'app')).spec as {
      template: { spec: { containers: { image: string }[]; initContainers: { image: string }[] } };
    };
    assert.equal(spec.template.spec.containers[0]!.image, 'example/app:v2');
    assert.equal(spec.template.spec.initContainers[0]!.image, 'example/init:v1');
    await waitForPhase(cluster, ns, 'app', 'Paused', (s) => s.currentStepIndex === 1);

    // Two conflicts: three attempts, then success. (Injected by the proxy: the emulator's own
    // conflict fault would also hit the controller's status writes.)
    const conflicts = (n: number) => {
      let left = n;
      proxy.intercept = (q) =>
        q.method === 'PUT' && left-- > 0
          ? {
              status: 409,
              body: {
                kind: 'Status',
                apiVersion: 'v1',
                status: 'Failure',
                reason: 'Conflict',
                code: 409,
                message:
                  'Operation cannot be fulfilled on rollouts.argoproj.io "app": the object has been modified; please apply your changes to the latest version and try again',
              },
            }
          : undefined;
    };
    conflicts(2);
    const r2 = await run(['set', 'image', 'app', '*=example/app:v3', '-n', ns]);
    proxy.intercept = undefined;
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(
      r2.requests.map((q) => q.method),
      ['GET', 'PUT', 'GET', 'PUT', 'GET', 'PUT'],
    );
    const spec3 = (await cluster.rollout(ns, 'app')).spec as typeof spec;
    assert.equal(spec3.template.spec.containers[0]!.image, 'example/app:v3');
    assert.equal(spec3.template.spec.initContainers[0]!.image, 'example/app:v3');

    // Five conflicts: the fifth is reported.
    conflicts(5);
    const r3 = await run(['set', 'image', 'app', 'app=example/app:v4', '-n', ns]);
    proxy.intercept = undefined;
    assert.equal(r3.code, 1);
    assert.equal(r3.requests.filter((q) => q.method === 'PUT').length, 5);
    assert.equal(
      r3.stderr,
      'Error: Operation cannot be fulfilled on rollouts.argoproj.io "app": the object has been modified; please apply your changes to the latest version and try again\n',
    );

    const none = await run(['set', 'image', 'app', 'nope=x:1', '-n', ns]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Error: unable to find container named "nope"\n');
    const usage = await run(['set', 'image', 'app', 'noequals', '-n', ns]);
    assert.equal(usage.code, 1);
    assert.match(
      usage.stderr,
      /^Usage: kubectl argo rollouts set image ROLLOUT_NAME CONTAINER=IMAGE/,
    );
    assert.doesNotMatch(usage.stderr, /Error:/);
  });

  test('set image on a workloadRef rollout updates the Deployment', async () => {
    const ns = await target.namespace('plg-set-wl');
    await cluster.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'example/web:v1' }] },
          },
        },
      },
      ns,
    );
    await cluster.apply(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          strategy: { canary: { steps: STEPS } },
        },
      },
      ns,
    );
    const r = await run(['set', 'image', 'web', 'web=example/web:v2', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment "web" image updated\n');
    const d = await cluster.get('Deployment', ns, 'web');
    assert.equal(
      (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0]!.image,
      'example/web:v2',
    );
    assert.deepEqual(
      r.requests.map((q) => [q.method, q.path.split('/').slice(-2).join('/')]),
      [
        ['GET', 'rollouts/web'],
        ['GET', 'deployments/web'],
        ['PUT', 'deployments/web'],
      ],
    );
  });

  test('connection flags: --token, --as and repeated --as-group reach the server (plain and watching commands)', async () => {
    const ns = await target.namespace('plg-auth');
    await cluster.apply(canaryRollout({ name: 'app', replicas: 1, steps: STEPS }), ns);
    await waitForPhase(cluster, ns, 'app', 'Healthy');
    const flags = [
      '--token',
      'abc',
      '--as',
      'bob',
      '--as-group',
      'g1',
      '--as-group',
      'g2',
      '--as-uid',
      'u-1',
    ];
    for (const args of [
      ['pause', 'app'],
      ['get', 'rollout', 'app', '-w', '--timeout-seconds', '1'],
    ]) {
      proxy.clear();
      const r = await k.run([...args, '-n', ns, ...flags]);
      assert.equal(r.code, 0, r.stderr);
      const reqs = proxy.apiRequests();
      assert.ok(reqs.length > 0);
      for (const q of reqs) {
        assert.deepEqual(RecordingProxy.header(q, 'Authorization'), ['Bearer abc'], args[0]);
        assert.deepEqual(RecordingProxy.header(q, 'Impersonate-User'), ['bob'], args[0]);
        assert.deepEqual(RecordingProxy.header(q, 'Impersonate-Group'), ['g1', 'g2'], args[0]);
        assert.deepEqual(RecordingProxy.header(q, 'Impersonate-Uid'), ['u-1'], args[0]);
      }
    }
  });

  test('retry experiment wipes the status; terminate experiment sets spec.terminate (and says "retried")', async () => {
    for (const doc of loadYamlDocs(new URL('argo-rollouts/crds/experiment-crd.yaml', FIXTURES))) {
      await cluster.client
        .create(cluster.path('CustomResourceDefinition'), doc)
        .catch((e: { code?: number }) => {
          if (e.code !== 409) throw e;
        });
    }
    const ns = await target.namespace('plg-exp');
    const expPath = (name?: string, sub?: string) =>
      resourcePath({
        group: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'experiments',
        namespace: ns,
        ...(name ? { name } : {}),
        ...(sub ? { subresource: sub } : {}),
      });
    await eventually(async () => {
      try {
        await cluster.client.create(expPath(), {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Experiment',
          metadata: { name: 'exp' },
          spec: {
            templates: [
              {
                name: 'baseline',
                selector: { matchLabels: { app: 'exp' } },
                template: {
                  metadata: { labels: { app: 'exp' } },
                  spec: { containers: [{ name: 'c', image: 'c:1' }] },
                },
              },
            ],
          },
          status: { phase: 'Failed', message: 'boom' },
        });
        return true;
      } catch {
        return false;
      }
    }, 'experiment CRD served');
    const r = await run(['retry', 'experiment', 'exp', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "experiment 'exp' retried\n");
    assert.deepEqual(r.requests, [
      { method: 'PATCH', path: expPath('exp'), contentType: MERGE, body: { status: null } },
    ]);
    assert.equal((await cluster.client.get(expPath('exp'))).status, undefined);
    const t = await run(['terminate', 'exp', 'exp', '-n', ns]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout, "experiment 'exp' retried\n");
    assert.deepEqual(t.requests, [
      {
        method: 'PATCH',
        path: expPath('exp'),
        contentType: MERGE,
        body: { spec: { terminate: true } },
      },
    ]);
    assert.equal(
      ((await cluster.client.get(expPath('exp'))).spec as { terminate?: boolean }).terminate,
      true,
    );
  });

  test('terminate analysisrun: merge patch of spec.terminate', async () => {
    const ns = await target.namespace('plg-term');
    const arPath = (name?: string) =>
      resourcePath({
        group: 'argoproj.io',
        version: 'v1alpha1',
        resource: 'analysisruns',
        namespace: ns,
        ...(name ? { name } : {}),
      });
    await cluster.client.create(arPath(), {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'run-1' },
      spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://127.0.0.1:1/' } } }] },
    });
    const r = await run(['terminate', 'ar', 'run-1', '-n', ns]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "analysisRun 'run-1' terminated\n");
    assert.deepEqual(r.requests, [
      {
        method: 'PATCH',
        path: arPath('run-1'),
        contentType: MERGE,
        body: { spec: { terminate: true } },
      },
    ]);
    const ar = await cluster.client.get(arPath('run-1'));
    assert.equal((ar.spec as { terminate?: boolean }).terminate, true);
  });
});
