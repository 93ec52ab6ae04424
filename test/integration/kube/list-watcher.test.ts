// ListWatcher against the emulator over real HTTP: convergence, dropped watches, 410 after
// compaction, injected list errors, idle watchdog, watch timeouts and resync.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { startSim, type Sim } from '../../../sim/index.ts';
import { ListWatcher, type KubeObject } from '../../../src/kube/list-watcher.ts';
import {
  isConflict,
  isNotFound,
  KubeApiError,
  RawClient,
  resourcePath,
  type K8sRequestInfo,
} from '../../../src/kube/raw-client.ts';
import { eventually } from '../../support/target.ts';

let sim: Sim;
let kc: KubeConfig;
let client: RawClient;
let nsCounter = 0;

before(async () => {
  sim = await startSim({ bookmarkIntervalMs: 200 });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  client = new RawClient(kc, { qps: 0 });
});

/** Watchers a test started; stopped after each test even when it fails (a leaked watcher
 * would retry forever and keep the process alive). */
const watchers: ListWatcher[] = [];
function track(lw: ListWatcher): ListWatcher {
  watchers.push(lw);
  return lw;
}

afterEach(async () => {
  sim.faults.reset();
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

after(async () => {
  client.close();
  await sim.stop();
});

async function namespace(): Promise<string> {
  const name = `lw-${++nsCounter}`;
  await client.create('/api/v1/namespaces', { metadata: { name } });
  return name;
}

const cmPath = (ns?: string, name?: string): string =>
  resourcePath({
    version: 'v1',
    resource: 'configmaps',
    ...(ns ? { namespace: ns } : {}),
    ...(name ? { name } : {}),
  });

async function createCm(
  ns: string,
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): Promise<KubeObject> {
  return client.create(cmPath(ns), { metadata: { name, ...(labels ? { labels } : {}) }, data });
}

async function serverState(ns?: string, labelSelector?: string): Promise<Map<string, string>> {
  const list = await client.list(cmPath(ns), labelSelector ? { labelSelector } : {});
  return new Map(
    list.items.map((o) => [
      `${o.metadata.namespace}/${o.metadata.name}`,
      o.metadata.resourceVersion ?? '',
    ]),
  );
}

function cacheState(lw: ListWatcher): Map<string, string> {
  return new Map(
    lw
      .list()
      .map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion ?? '']),
  );
}

async function converged(lw: ListWatcher, ns?: string, labelSelector?: string): Promise<void> {
  await eventually(async () => {
    const want = await serverState(ns, labelSelector);
    const got = cacheState(lw);
    return JSON.stringify([...want].sort()) === JSON.stringify([...got].sort());
  }, 'cache to converge with the server');
}

interface Recorder {
  events: string[];
}

function record(lw: ListWatcher): Recorder {
  const r: Recorder = { events: [] };
  lw.onAdd((o) => r.events.push(`add ${o.metadata.name}`));
  lw.onUpdate((a, b) => r.events.push(`update ${b.metadata.name}${a === b ? ' (resync)' : ''}`));
  lw.onDelete((o) => r.events.push(`delete ${o.metadata.name}`));
  return r;
}

describe('ListWatcher', () => {
  test('lists, then follows adds, updates and deletes; cache matches the server', async () => {
    const ns = await namespace();
    await createCm(ns, 'a', { v: '1' });
    await createCm(ns, 'b', { v: '1' });
    const lw = track(new ListWatcher({ kc, client, path: cmPath(ns) }));
    const rec = record(lw);
    lw.start();
    await lw.synced;
    assert.equal(lw.hasSynced(), true);
    assert.deepEqual(rec.events.sort(), ['add a', 'add b']);
    const a = lw.get(ns, 'a');
    assert.equal(a?.kind, 'ConfigMap', 'list items get kind/apiVersion filled in');
    assert.equal(a?.apiVersion, 'v1');
    assert.deepEqual(a?.data, { v: '1' }, 'plain JSON, unknown-to-models fields kept');

    await client.patch(cmPath(ns, 'a'), { data: { v: '2' } }, 'merge');
    await createCm(ns, 'c');
    await client.delete(cmPath(ns, 'b'));
    await converged(lw, ns);
    assert.deepEqual((lw.get(ns, 'a')?.data as Record<string, string>).v, '2');
    assert.equal(lw.get(ns, 'b'), undefined);
    assert.deepEqual(
      lw.list(ns).map((o) => o.metadata.name),
      ['a', 'c'],
    );
    await eventually(() => rec.events.length >= 5, 'events');
    assert.deepEqual(rec.events.slice(2).sort(), ['add c', 'delete b', 'update a']);
    await lw.stop();
  });

  test('all namespaces with a label selector', async () => {
    const ns1 = await namespace();
    const ns2 = await namespace();
    await createCm(ns1, 'x', {}, { app: 'lw-sel' });
    await createCm(ns2, 'y', {}, { app: 'lw-sel' });
    await createCm(ns2, 'z', {}, { app: 'other' });
    const lw = track(new ListWatcher({ kc, client, path: cmPath(), labelSelector: 'app=lw-sel' }));
    lw.start();
    await lw.synced;
    assert.deepEqual(
      lw.list().map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
      [`${ns1}/x`, `${ns2}/y`],
    );
    assert.deepEqual(
      lw.list(ns2).map((o) => o.metadata.name),
      ['y'],
    );
    await createCm(ns1, 'w', {}, { app: 'lw-sel' });
    // Leaving the selector is a delete for this watcher.
    await client.patch(cmPath(ns2, 'y'), { metadata: { labels: { app: 'gone' } } }, 'merge');
    await converged(lw, undefined, 'app=lw-sel');
    assert.equal(lw.get(ns2, 'y'), undefined);
    assert.ok(lw.get(ns1, 'w'));
    await lw.stop();
  });

  test('survives dropped watch connections', async () => {
    const ns = await namespace();
    await createCm(ns, 'a');
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: cmPath(ns),
        backoff: { minMs: 10, maxMs: 100 },
      }),
    );
    lw.start();
    await lw.synced;
    await eventually(() => lw.watching, 'the watch to be established');
    for (let i = 0; i < 3; i++) {
      await eventually(() => lw.watching, 'the watch to be established');
      const dropped = sim.faults.dropWatches();
      assert.ok(dropped >= 1);
      await createCm(ns, `after-drop-${i}`);
      await client.patch(cmPath(ns, 'a'), { data: { i: String(i) } }, 'merge');
      await converged(lw, ns);
    }
    assert.ok(lw.stats.watchesConnected >= 4, `re-watched (${lw.stats.watchesConnected})`);
    assert.equal(lw.stats.lists, 1, 'no relist needed: the watch resumes from its resourceVersion');
    await lw.stop();
  });

  test('relists after compaction (410 Gone) and removes objects deleted meanwhile', async () => {
    const ns = await namespace();
    await createCm(ns, 'keep');
    await createCm(ns, 'doomed');
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: cmPath(ns),
        backoff: { minMs: 10, maxMs: 100 },
      }),
    );
    const rec = record(lw);
    lw.start();
    await lw.synced;
    await eventually(() => lw.watching, 'the watch to be established');

    // The watch goes silent, changes happen, history is compacted, then the connection drops:
    // the re-watch from the old resourceVersion gets 410 and the watcher must relist.
    sim.faults.set({ hangWatches: true });
    await client.delete(cmPath(ns, 'doomed'));
    await createCm(ns, 'born');
    await client.patch(cmPath(ns, 'keep'), { data: { changed: 'yes' } }, 'merge');
    sim.store.compact();
    sim.faults.set({ hangWatches: false });
    sim.faults.dropWatches();

    await converged(lw, ns);
    assert.ok(lw.stats.relists >= 1, 'relisted after 410');
    assert.equal(lw.stats.lists, 2);
    assert.equal(lw.get(ns, 'doomed'), undefined);
    assert.ok(lw.get(ns, 'born'));
    assert.ok(rec.events.includes('delete doomed'));
    assert.ok(rec.events.includes('add born'));
    assert.ok(rec.events.includes('update keep'));
    // The watch resumes after the relist.
    await createCm(ns, 'later');
    await converged(lw, ns);
    await lw.stop();
  });

  test('a 410 on an HTTP watch request also relists', async () => {
    const ns = await namespace();
    await createCm(ns, 'a');
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: cmPath(ns),
        backoff: { minMs: 10, maxMs: 100 },
      }),
    );
    lw.start();
    await lw.synced;
    await eventually(() => lw.watching, 'the watch to be established');
    sim.faults.set({
      errors: [{ verbs: ['watch'], resources: ['configmaps'], rate: 1, code: 410, count: 1 }],
    });
    sim.faults.dropWatches();
    await createCm(ns, 'b');
    await converged(lw, ns);
    sim.faults.reset();
    assert.equal(lw.stats.relists, 1);
    assert.equal(lw.stats.lists, 2);
    await lw.stop();
  });

  test('retries a failing list with backoff and then syncs', async () => {
    const ns = await namespace();
    await createCm(ns, 'a');
    const before = sim.faults.injected.errors;
    sim.faults.set({
      errors: [{ verbs: ['list'], resources: ['configmaps'], rate: 1, code: 500, count: 3 }],
    });
    const lw = track(
      new ListWatcher({ kc, client, path: cmPath(ns), backoff: { minMs: 10, maxMs: 50 } }),
    );
    lw.start();
    await lw.synced;
    sim.faults.reset();
    assert.equal(sim.faults.injected.errors - before, 3);
    assert.equal(lw.stats.listErrors, 3);
    assert.equal(lw.stats.lists, 4);
    assert.ok(lw.get(ns, 'a'));
    await lw.stop();
  });

  test('the idle watchdog re-watches a silent (half-open) watch', async () => {
    const ns = await namespace();
    await createCm(ns, 'a');
    // Bookmarks every 200 ms keep a healthy watch alive well within the 600 ms idle timeout.
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: cmPath(ns),
        idleTimeoutMs: 600,
        backoff: { minMs: 10, maxMs: 50 },
      }),
    );
    lw.start();
    await lw.synced;
    await eventually(() => lw.stats.bookmarks >= 3, 'bookmarks');
    assert.equal(lw.stats.idleTimeouts, 0, 'bookmarks count as activity');

    sim.faults.set({ hangWatches: true });
    await createCm(ns, 'missed');
    await eventually(() => lw.stats.idleTimeouts >= 1, 'the watchdog to fire');
    assert.equal(lw.get(ns, 'missed'), undefined, 'the event was swallowed by the silent watch');
    sim.faults.set({ hangWatches: false });
    // The next re-watch (from the old resourceVersion) replays the missed event.
    await converged(lw, ns);
    assert.ok(lw.get(ns, 'missed'));
    await lw.stop();
  });

  test('re-watches when the server ends the watch at timeoutSeconds', async () => {
    const ns = await namespace();
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: cmPath(ns),
        watchTimeoutSeconds: { min: 1, max: 1 },
      }),
    );
    lw.start();
    await lw.synced;
    await eventually(
      () => lw.stats.watches >= 2,
      'a second watch after the first timed out',
      10_000,
    );
    await createCm(ns, 'after-timeout');
    await converged(lw, ns);
    assert.equal(lw.stats.lists, 1);
    assert.equal(lw.stats.watchErrors, 0);
    await lw.stop();
  });

  test('resync re-emits update(obj, obj) for every cached object', async () => {
    const ns = await namespace();
    await createCm(ns, 'a');
    await createCm(ns, 'b');
    const lw = track(new ListWatcher({ kc, client, path: cmPath(ns), resyncMs: 50 }));
    const rec = record(lw);
    lw.start();
    await lw.synced;
    await eventually(
      () =>
        rec.events.filter((e) => e === 'update a (resync)').length >= 2 &&
        rec.events.filter((e) => e === 'update b (resync)').length >= 2,
      'two resyncs',
    );
    assert.ok(lw.stats.resyncs >= 2);
    await lw.stop();
    const n = rec.events.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(rec.events.length, n, 'no handler calls after stop()');
  });

  test('stop() before sync rejects synced; handler errors do not break the watcher', async () => {
    sim.faults.set({ errors: [{ verbs: ['list'], resources: ['secrets'], rate: 1, code: 403 }] });
    const lw = track(
      new ListWatcher({
        kc,
        client,
        path: '/api/v1/secrets',
        backoff: { minMs: 10, maxMs: 20 },
      }),
    );
    lw.start();
    await eventually(() => lw.stats.listErrors >= 2, 'list errors');
    await lw.stop();
    await assert.rejects(lw.synced, /stopped before it synced/);
    sim.faults.reset();

    const ns = await namespace();
    const lw2 = track(new ListWatcher({ kc, client, path: cmPath(ns) }));
    let seen = 0;
    lw2.onAdd(() => {
      seen++;
      throw new Error('handler bug');
    });
    lw2.start();
    await lw2.synced;
    await createCm(ns, 'a');
    await createCm(ns, 'b');
    await eventually(() => seen === 2, 'both adds despite the throwing handler');
    await lw2.stop();
  });

  test('counts list and watch requests for controller_clientset_k8s_request_total', async () => {
    const ns = await namespace();
    const seen: K8sRequestInfo[] = [];
    const counting = new RawClient(kc, { qps: 0, metrics: { incK8sRequest: (i) => seen.push(i) } });
    const lw = track(new ListWatcher({ kc, client: counting, path: cmPath(ns) }));
    lw.start();
    await lw.synced;
    await eventually(() => seen.some((i) => i.verb === 'Watch'), 'the watch to be counted');
    assert.deepEqual(
      seen.find((i) => i.verb === 'List'),
      {
        kind: 'configmaps',
        namespace: ns,
        name: 'N/A',
        verb: 'List',
        statusCode: '200',
      },
    );
    assert.deepEqual(
      seen.find((i) => i.verb === 'Watch'),
      {
        kind: 'configmaps',
        namespace: ns,
        name: '',
        verb: 'Watch',
        statusCode: '200',
      },
    );
    await lw.stop();
    counting.close();
  });
});

describe('RawClient', () => {
  test('plain JSON CRUD, Status errors as KubeApiError, and request counting', async () => {
    const ns = await namespace();
    const seen: K8sRequestInfo[] = [];
    const c = new RawClient(kc, {
      qps: 100,
      burst: 10,
      metrics: { incK8sRequest: (i) => seen.push(i) },
    });
    const created = await c.create(cmPath(ns), {
      metadata: { name: 'x', annotations: { a: '1' } },
      data: { k: 'v' },
    });
    assert.equal(created.metadata.name, 'x');
    assert.equal(typeof created.metadata.creationTimestamp, 'string', 'timestamps stay strings');
    const got = await c.get(cmPath(ns, 'x'));
    assert.deepEqual(got.data, { k: 'v' });
    const patched = await c.patch(
      cmPath(ns, 'x'),
      [{ op: 'add', path: '/data/j', value: 'w' }],
      'json',
    );
    assert.deepEqual(patched.data, { k: 'v', j: 'w' });
    // A stale resourceVersion is a conflict.
    const conflict = await c.update(cmPath(ns, 'x'), got).catch((e: unknown) => e);
    assert.ok(conflict instanceof KubeApiError);
    assert.equal(conflict.code, 409);
    assert.equal(conflict.reason, 'Conflict');
    assert.ok(isConflict(conflict));
    const missing = await c.get(cmPath(ns, 'nope')).catch((e: unknown) => e);
    assert.ok(isNotFound(missing));
    assert.match((missing as KubeApiError).message, /configmaps "nope" not found/);
    await c.delete(cmPath(ns, 'x'));
    assert.deepEqual(
      seen.map((i) => `${i.verb} ${i.kind} ${i.name} ${i.statusCode}`),
      [
        'Create configmaps  201',
        'Get configmaps x 200',
        'Patch configmaps x 200',
        'Update configmaps x 409',
        'Get configmaps nope 404',
        'Delete configmaps x 200',
      ],
    );
    const unreachable = new KubeConfig();
    unreachable.loadFromString(sim.kubeconfig.replace(/:\d+/, ':1'));
    const down = new RawClient(unreachable, { metrics: { incK8sRequest: (i) => seen.push(i) } });
    const err = await down.get('/api/v1/namespaces').catch((e: unknown) => e);
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.code, 0);
    assert.equal(seen.at(-1)?.statusCode, '0');
    down.close();
    c.close();
  });
});
