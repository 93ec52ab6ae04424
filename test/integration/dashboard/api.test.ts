// The dashboard API (cli-dashboard-ops §3.2–3.5) against the emulator with our controller
// running: every endpoint's payload, `?fields=`, the SSE and ndjson streams, errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type Dashboard } from '../../../plugin/dashboard/server.ts';
import { loadKube } from '../../../plugin/kube.ts';
import {
  Cluster,
  canaryRollout,
  startController,
  waitForPhase,
  type ControllerHandle,
} from '../../support/controller.ts';
import { eventually, openTarget, type Target } from '../../support/target.ts';
import { getJson, putJson, StreamReader, zeroValuePaths } from './support.ts';

interface Info {
  objectMeta: { name: string; namespace: string; resourceVersion?: string; generation?: number };
  status?: string;
  step?: string;
  setWeight?: string;
  strategy?: string;
  ready?: number;
  desired?: number;
  generation?: string;
  restartedAt?: string;
  steps?: unknown[];
  containers?: { name: string; image: string }[];
  replicaSets?: {
    objectMeta: { name: string };
    revision?: number;
    stable?: boolean;
    canary?: boolean;
    replicas?: number;
    images?: string[];
    pods?: { objectMeta: { name: string }; status?: string; ready?: string }[];
  }[];
  experiments?: unknown[];
  analysisRuns?: unknown[];
}

const STEPS = [{ setWeight: 50 }, { pause: {} }];

describe('dashboard API', () => {
  let target: Target;
  let cluster: Cluster;
  let ctl: ControllerHandle;
  let dash: Dashboard;
  let ns: string;
  let api: string;
  const readers: StreamReader[] = [];
  const open = async (path: string, sse: boolean): Promise<StreamReader> => {
    const r = await StreamReader.open(`${api}${path}`, { sse });
    readers.push(r);
    return r;
  };

  before(async () => {
    target = await openTarget();
    cluster = new Cluster(target.kc);
    await cluster.installCrds();
    ns = await target.namespace('dash');
    ctl = await startController(target, { namespace: ns });
    await cluster.apply(canaryRollout({ name: 'web', replicas: 2, steps: STEPS }), ns);
    await cluster.apply(canaryRollout({ name: 'plain', replicas: 1 }), ns);
    await waitForPhase(cluster, ns, 'web', 'Healthy');
    await waitForPhase(cluster, ns, 'plain', 'Healthy');
    const kube = await loadKube(
      { kubeconfig: target.kubeconfigPath, namespace: ns },
      { full: true },
    );
    // A short keep-alive period so the test sees one without waiting 15 s.
    dash = await startDashboard({ kube, port: 0, keepAliveMs: 100 });
    api = `http://127.0.0.1:${dash.port}/rollouts/api/v1`;
  });

  after(async () => {
    for (const r of readers) r.close();
    await dash?.close();
    await ctl?.stop();
    await target?.close();
  });

  test('GET version', async () => {
    const r = await getJson(`${api}/version`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(r.body), ['rolloutsVersion']);
    assert.match(String(r.body.rolloutsVersion), /^v\d+\.\d+\.\d+\+/);
  });

  test('GET namespace: the server namespace and the namespaces holding Rollouts', async () => {
    const r = await getJson<{ namespace: string; availableNamespaces: string[] }>(
      `${api}/namespace`,
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.namespace, ns);
    assert.deepEqual(r.body.availableNamespaces, [ns]);
  });

  test('GET list: every Rollout with ReplicaSets and pods, no experiments or analysis runs', async () => {
    const r = await getJson<{ rollouts: Info[] }>(`${api}/rollouts/${ns}/info`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['rollouts']);
    const names = r.body.rollouts.map((i) => i.objectMeta.name).sort();
    assert.deepEqual(names, ['plain', 'web']);
    const web = r.body.rollouts.find((i) => i.objectMeta.name === 'web')!;
    assert.equal(web.status, 'Healthy');
    assert.equal(web.strategy, 'Canary');
    assert.equal(web.ready, 2);
    assert.equal(web.replicaSets?.length, 1);
    assert.equal(web.replicaSets?.[0]?.pods?.length, 2);
    assert.equal('experiments' in web, false);
    assert.equal('analysisRuns' in web, false);
    assert.deepEqual(zeroValuePaths(r.body), []);
  });

  test('GET list of a namespace without Rollouts is {} (the empty list is omitted)', async () => {
    const empty = await target.namespace('empty');
    const r = await getJson(`${api}/rollouts/${empty}/info`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {});
  });

  test('GET info: the full RolloutInfo, zero values omitted, int64 as numbers', async () => {
    const r = await getJson<Info>(`${api}/rollouts/${ns}/web/info`);
    assert.equal(r.status, 200);
    const info = r.body;
    const ro = await cluster.rollout(ns, 'web');
    assert.equal(info.objectMeta.name, 'web');
    assert.equal(info.objectMeta.namespace, ns);
    assert.equal(info.objectMeta.resourceVersion, ro.metadata.resourceVersion);
    assert.equal(typeof info.objectMeta.generation, 'number');
    assert.equal(info.status, 'Healthy');
    assert.equal(info.step, '2/2');
    assert.equal(info.setWeight, '100');
    assert.equal(info.desired, 2);
    assert.equal(typeof info.generation, 'string');
    assert.equal(info.restartedAt, 'Never');
    assert.deepEqual(info.steps, STEPS);
    assert.deepEqual(info.containers, [{ name: 'app', image: 'example/app:v1' }]);
    const rs = info.replicaSets![0]!;
    assert.equal(rs.revision, 1);
    assert.equal(rs.stable, true);
    assert.equal('canary' in rs, false, 'false is omitted');
    assert.deepEqual(rs.images, ['example/app:v1']);
    assert.equal(rs.pods?.length, 2);
    assert.ok(rs.pods?.every((p) => p.status === 'Running' && p.ready === '1/1'));
    assert.deepEqual(zeroValuePaths(info), []);
  });

  test('?fields= keeps or removes dotted paths (unary)', async () => {
    const keep = await getJson(
      `${api}/rollouts/${ns}/web/info?fields=objectMeta.name,replicaSets.revision,status`,
    );
    assert.deepEqual(keep.body, {
      objectMeta: { name: 'web' },
      status: 'Healthy',
      replicaSets: [{ revision: 1 }],
    });
    const drop = await getJson<Info>(`${api}/rollouts/${ns}/web/info?fields=-replicaSets,steps`);
    assert.equal(drop.body.objectMeta.name, 'web');
    assert.equal('replicaSets' in drop.body, false);
    assert.equal('steps' in drop.body, false);
    assert.equal(drop.body.status, 'Healthy');
    const list = await getJson(`${api}/rollouts/${ns}/info?fields=rollouts.objectMeta.name`);
    assert.deepEqual(
      (list.body.rollouts as { objectMeta: { name: string } }[])
        .map((i) => i.objectMeta.name)
        .sort(),
      ['plain', 'web'],
    );
    assert.deepEqual(
      (list.body.rollouts as object[]).map((i) => Object.keys(i)),
      [['objectMeta'], ['objectMeta']],
    );
  });

  test('errors: a Kubernetes error is HTTP 500 {"code":2,"message"}; an unknown route 404', async () => {
    const missing = await getJson(`${api}/rollouts/${ns}/nope/info`);
    assert.equal(missing.status, 500);
    assert.deepEqual(missing.body, { code: 2, message: 'rollout.argoproj.io "nope" not found' });

    const promote = await putJson(`${api}/rollouts/${ns}/nope/promote`, {});
    assert.equal(promote.status, 500);
    assert.equal(promote.body.code, 2);
    assert.match(String(promote.body.message), /"nope" not found/);

    const unknown = await getJson(`${api}/nothing/here`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 5);

    const badRevision = await putJson(`${api}/rollouts/${ns}/web/undo/latest`, {});
    assert.equal(badRevision.status, 400);
    assert.equal(badRevision.body.code, 3);

    const badBody = await putJson(`${api}/rollouts/${ns}/web/promote`, '{not json');
    assert.equal(badBody.status, 400);
    assert.equal(badBody.body.code, 3);

    const wrongMethod = await putJson(`${api}/rollouts/${ns}/web/info`, {});
    assert.equal(wrongMethod.status, 405);
  });

  test('a stream of a missing Rollout answers 500 with one {"error":…} message', async () => {
    const s = await open(`/rollouts/${ns}/nope/info/watch`, true);
    assert.equal(s.status, 500);
    await eventually(() => s.messages.length > 0, 'the error message');
    assert.deepEqual(s.messages[0], {
      error: { code: 2, message: 'rollout.argoproj.io "nope" not found' },
    });
    assert.deepEqual(s.framingErrors, []);
  });

  test('SSE single watch: exact framing, keep-alives, an update after set image and promote', async () => {
    const s = await open(`/rollouts/${ns}/web/info/watch`, true);
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], 'text/event-stream');
    assert.equal(s.headers['transfer-encoding'], 'chunked');
    assert.equal(s.headers['x-content-type-options'], 'nosniff');
    const first = await s.waitFor<Info>(() => true, 'the first info');
    assert.equal(first.objectMeta.name, 'web');
    assert.equal(first.status, 'Healthy');
    assert.match(s.raw, /^(:\n)*data: \{"result":\{"objectMeta":\{"name":"web",/);

    // The same change `set image` makes, with a slash in the image (sent as %2F).
    const set = await putJson<{
      kind: string;
      spec: { template: { spec: { containers: { image: string }[] } } };
    }>(`${api}/rollouts/${ns}/web/set/app/argoproj%2Frollouts-demo/yellow`);
    assert.equal(set.status, 200);
    assert.equal(set.body.kind, 'Rollout');
    assert.equal(set.body.spec.template.spec.containers[0]!.image, 'argoproj/rollouts-demo:yellow');
    const paused = await s.waitFor<Info>(
      (i) => i.status === 'Paused' && i.replicaSets?.length === 2,
      'the canary paused at step 1',
    );
    assert.deepEqual(paused.containers, [{ name: 'app', image: 'argoproj/rollouts-demo:yellow' }]);

    const n = s.results().length;
    const promoted = await putJson<{ kind: string }>(`${api}/rollouts/${ns}/web/promote`, {
      full: false,
    });
    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.kind, 'Rollout');
    const healthy = await s.waitFor<Info>(
      (i) => i.status === 'Healthy' && i.step === '2/2',
      'Healthy at the new revision after promote',
      n,
    );
    assert.equal(healthy.replicaSets?.find((r) => r.stable)?.revision, 2);
    await eventually(() => s.keepAlives > 0, 'a keep-alive comment');
    assert.deepEqual(s.framingErrors, []);
    assert.ok(s.messages.every((m) => Object.keys(m).join() === 'result'));
  });

  test('single watch re-sends the latest info while the client stays', async () => {
    const s = await open(`/rollouts/${ns}/plain/info/watch`, true);
    // Nothing changes on `plain`: every message after the first is a re-send.
    await eventually(() => s.results().length >= 3, 'three messages for an unchanged rollout');
    const rvs = new Set(s.results<Info>().map((i) => i.objectMeta.resourceVersion));
    assert.equal(rvs.size, 1);
  });

  test('ndjson variant without the Accept header, with ?fields=', async () => {
    const s = await open(`/rollouts/${ns}/plain/info/watch?fields=objectMeta.name,status`, false);
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^application\/json/);
    await s.waitFor(() => true, 'a first line');
    assert.deepEqual(s.results()[0], { objectMeta: { name: 'plain' }, status: 'Healthy' });
    assert.match(s.raw, /^\{"result":\{"objectMeta":\{"name":"plain"\},"status":"Healthy"\}\}\n/);
    assert.deepEqual(s.framingErrors, []);
    assert.equal(s.keepAlives, 0);
  });

  test('SSE list watch: every Rollout once, then updates and pod deletions', async () => {
    const s = await open(`/rollouts/${ns}/info/watch`, true);
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], 'text/event-stream');
    type Ev = { type: string; rolloutInfo: Info };
    await eventually(() => s.results().length >= 2, 'one event per rollout');
    const initial = s.results<Ev>().slice(0, 2);
    assert.deepEqual(
      initial.map((e) => e.type),
      ['Updated', 'Updated'],
    );
    assert.deepEqual(initial.map((e) => e.rolloutInfo.objectMeta.name).sort(), ['plain', 'web']);
    for (const e of initial) {
      assert.equal('experiments' in e.rolloutInfo, false);
      assert.ok((e.rolloutInfo.replicaSets?.length ?? 0) > 0);
    }

    // A Rollout update is announced.
    let from = s.results().length;
    const restarted = await putJson(`${api}/rollouts/${ns}/plain/restart`, {});
    assert.equal(restarted.status, 200);
    await s.waitFor<Ev>(
      (e) => e.rolloutInfo.objectMeta.name === 'plain',
      'the restart of plain announced',
      from,
    );

    // A pod deletion is announced for the Rollout owning the pod.
    await waitForPhase(cluster, ns, 'web', 'Healthy');
    await eventually(async () => {
      const pods = await cluster.pods(ns);
      return pods.filter((p) => p.metadata.name?.startsWith('web-')).length === 2;
    }, 'two web pods');
    const pod = (await cluster.pods(ns)).find((p) => p.metadata.name?.startsWith('web-'))!;
    from = s.results().length;
    await cluster.client.delete(`/api/v1/namespaces/${ns}/pods/${pod.metadata.name!}`);
    await s.waitFor<Ev>(
      (e) =>
        e.rolloutInfo.objectMeta.name === 'web' &&
        !(e.rolloutInfo.replicaSets ?? []).some((rs) =>
          (rs.pods ?? []).some((p) => p.objectMeta.name === pod.metadata.name),
        ),
      'the pod deletion announced for web',
      from,
    );
    assert.deepEqual(s.framingErrors, []);
  });

  test('list watch ?fields= applies to each event', async () => {
    const s = await open(
      `/rollouts/${ns}/info/watch?fields=type,rolloutInfo.objectMeta.name`,
      false,
    );
    await eventually(() => s.results().length >= 2, 'one event per rollout');
    assert.deepEqual(
      s
        .results()
        .slice(0, 2)
        .map((e) => JSON.stringify(e))
        .sort(),
      [
        '{"type":"Updated","rolloutInfo":{"objectMeta":{"name":"plain"}}}',
        '{"type":"Updated","rolloutInfo":{"objectMeta":{"name":"web"}}}',
      ],
    );
  });

  test('closing the server ends open streams', async () => {
    const kube = await loadKube(
      { kubeconfig: target.kubeconfigPath, namespace: ns },
      { full: true },
    );
    const d2 = await startDashboard({ kube, port: 0 });
    const s = await StreamReader.open(
      `http://127.0.0.1:${d2.port}/rollouts/api/v1/rollouts/${ns}/plain/info/watch`,
      { sse: true },
    );
    readers.push(s);
    await s.waitFor(() => true, 'a first message');
    await d2.close();
  });
});
