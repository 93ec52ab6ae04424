// The emulator's fault injection, driven in-process (target.sim.faults, target.sim.store) and
// through its HTTP admin API (/sim/v1/faults…), observed through the real client-node: added
// latency, injected errors and conflicts, hung and dropped watches, compaction, and how
// client-node's informer (ListWatch) recovers from the last two. A real cluster has none of
// these controls, so the suite is skipped there.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  ListWatch,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type Informer,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { eventually, openTarget } from '../support/target.ts';
import type { Sim } from '../../sim/index.ts';

const target = await openTarget();
const core = target.kc.makeApiClient(CoreV1Api);

after(() => target.close());

interface WatchEvent {
  type: string;
  object: KubernetesObject & { code?: number; reason?: string };
}

interface OpenWatch {
  events: WatchEvent[];
  done: Promise<unknown>;
  ended: boolean;
}

const openWatches: AbortController[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of openWatches.splice(0)) c.abort();
  for (const fn of cleanups.splice(0)) await fn();
  target.sim?.faults.reset();
});

/** Opens a raw watch and resolves once the server has answered. */
async function openWatch(
  path: string,
  query: Record<string, string | number | boolean>,
): Promise<OpenWatch> {
  const w: OpenWatch = { events: [], done: Promise.resolve(), ended: false };
  let controller: AbortController | undefined;
  w.done = new Promise((resolve) => {
    void new Watch(target.kc)
      .watch(
        path,
        query,
        (type, object) => w.events.push({ type, object: object as WatchEvent['object'] }),
        (err) => {
          w.ended = true;
          resolve(err);
        },
      )
      .then((c) => {
        controller = c;
        openWatches.push(c);
      });
  });
  await eventually(() => controller !== undefined || w.ended, `a watch of ${path} to open`);
  return w;
}

function cmPath(ns: string): string {
  return `/api/v1/namespaces/${ns}/configmaps`;
}

async function createCm(ns: string, name: string) {
  return core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name }, data: { k: name } },
  });
}

async function mergePatchCm(ns: string, name: string, body: object) {
  return core.patchNamespacedConfigMap(
    { name, namespace: ns, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function listRv(ns: string): Promise<string> {
  const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
  assert.ok(rv, 'list has a resourceVersion');
  return rv;
}

async function serverState(ns: string): Promise<string[]> {
  const list = await core.listNamespacedConfigMap({ namespace: ns });
  return list.items.map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`).sort();
}

function cacheState(
  informer: { list(ns?: string): readonly KubernetesObject[] },
  ns: string,
): string[] {
  return informer
    .list(ns)
    .map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`)
    .sort();
}

interface Failure {
  code: number;
  reason: string;
  statusCode: number;
  headers: Record<string, string>;
}

/** The HTTP code, parsed Status and headers of a typed call that must fail. */
async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as {
      kind?: string;
      reason?: string;
      code?: number;
    };
    assert.equal(body.kind, 'Status');
    return {
      code: e.code,
      reason: body.reason ?? '',
      statusCode: body.code ?? 0,
      headers: e.headers ?? {},
    };
  }
  assert.fail('expected the request to fail');
}

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${target.sim!.url}/sim/v1/${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
      : {}),
  });
  assert.equal(res.status, 200, `${method} /sim/v1/${path}`);
  return res.json();
}

interface Supervision {
  errors: unknown[];
  connects: number;
  stop(): Promise<void>;
}

/**
 * What a real controller must do around a client-node informer: any non-410 error (a dropped
 * connection among them) stops it for good, so restart it from the error handler, once at a
 * time, after a short backoff.
 */
function supervise(informer: Informer<KubernetesObject>): Supervision {
  let stopped = false;
  let restarting = false;
  const s: Supervision = {
    errors: [],
    connects: 0,
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
  informer.on('connect', () => s.connects++);
  informer.on('error', (err) => {
    s.errors.push(err);
    if (stopped || restarting) return;
    restarting = true;
    setTimeout(() => {
      restarting = false;
      if (!stopped) void informer.start();
    }, 20);
  });
  cleanups.push(() => s.stop());
  return s;
}

/** client-node's Watch, recording the event types and ERROR codes the informer is fed. */
class RecordingWatch extends Watch {
  readonly seen: string[] = [];
  override watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      query,
      (phase, obj: { code?: number }, raw) => {
        this.seen.push(phase === 'ERROR' ? `ERROR ${obj.code}` : phase);
        callback(phase, obj, raw);
      },
      done,
    );
  }
}

describe(
  'fault injection',
  { skip: target.sim ? false : "needs the emulator's fault controls" },
  () => {
    const sim = (): Sim => target.sim!;

    test('added latency: requests still succeed', async () => {
      const ns = await target.namespace('f-latency');
      sim().faults.set({ latencyMs: 100 });
      assert.equal(sim().faults.latencyMs, 100);
      await createCm(ns, 'slow');
      const got = await core.readNamespacedConfigMap({ name: 'slow', namespace: ns });
      assert.equal(got.data?.k, 'slow');
      sim().faults.set({ latencyMs: 0 });
      assert.equal(sim().faults.latencyMs, 0);
    });

    for (const [code, reason] of [
      [500, 'InternalError'],
      [429, 'TooManyRequests'],
      [503, 'ServiceUnavailable'],
    ] as const) {
      test(`an error rule (rate 1, count 2, code ${code}) fails the first two creates`, async () => {
        const ns = await target.namespace(`f-err${code}`);
        const before = sim().faults.injected.errors;
        sim().faults.set({
          errors: [{ verbs: ['create'], resources: ['configmaps'], rate: 1, count: 2, code }],
        });
        for (const name of ['try-1', 'try-2']) {
          const f = await failure(createCm(ns, name));
          assert.equal(f.code, code);
          assert.equal(f.statusCode, code);
          assert.equal(f.reason, reason);
          if (code === 429) assert.ok(f.headers['retry-after'], 'a 429 carries Retry-After');
        }
        await createCm(ns, 'try-3');
        assert.equal(sim().faults.injected.errors - before, 2);
        // Failed creates stored nothing.
        const names = (await core.listNamespacedConfigMap({ namespace: ns })).items.map(
          (i) => i.metadata?.name,
        );
        assert.deepEqual(names, ['try-3']);
      });
    }

    test('error rules scoped by verb and resource leave other verbs and resources alone', async () => {
      const ns = await target.namespace('f-scope');
      await createCm(ns, 'existing');
      const before = sim().faults.injected.errors;
      sim().faults.set({
        errors: [
          { verbs: ['create'], resources: ['configmaps'], rate: 1 },
          { verbs: ['list'], resources: ['secrets'], rate: 1, code: 503 },
        ],
      });
      // Other verbs on configmaps, and create on another resource, pass.
      await core.listNamespacedConfigMap({ namespace: ns });
      await core.readNamespacedConfigMap({ name: 'existing', namespace: ns });
      await mergePatchCm(ns, 'existing', { data: { k: 'patched' } });
      await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 's' }, stringData: { a: 'b' } },
      });
      await core.readNamespacedSecret({ name: 's', namespace: ns });
      assert.equal(sim().faults.injected.errors, before);
      // The scoped ones fail.
      assert.equal((await failure(createCm(ns, 'new'))).code, 500);
      const listed = await failure(core.listNamespacedSecret({ namespace: ns }));
      assert.equal(listed.code, 503);
      assert.equal(listed.reason, 'ServiceUnavailable');
      assert.equal(sim().faults.injected.errors - before, 2);
    });

    test('forced conflicts: the next update is 409 Conflict, the one after succeeds', async () => {
      const ns = await target.namespace('f-conflict');
      await createCm(ns, 'c');
      const before = sim().faults.injected.conflicts;

      // Scoped to another resource: configmap updates pass.
      sim().faults.set({ conflicts: { count: 1, resources: ['secrets'] } });
      let cm = await core.readNamespacedConfigMap({ name: 'c', namespace: ns });
      cm = await core.replaceNamespacedConfigMap({
        name: 'c',
        namespace: ns,
        body: { ...cm, data: { k: 'v1' } },
      });
      assert.equal(sim().faults.injected.conflicts, before);

      sim().faults.set({ conflicts: { count: 1 } });
      const f = await failure(
        core.replaceNamespacedConfigMap({
          name: 'c',
          namespace: ns,
          body: { ...cm, data: { k: 'v2' } },
        }),
      );
      assert.equal(f.code, 409);
      assert.equal(f.reason, 'Conflict');
      assert.equal(sim().faults.injected.conflicts - before, 1);
      const unchanged = await core.readNamespacedConfigMap({ name: 'c', namespace: ns });
      assert.equal(unchanged.data?.k, 'v1');

      const ok: V1ConfigMap = await core.replaceNamespacedConfigMap({
        name: 'c',
        namespace: ns,
        body: { ...unchanged, data: { k: 'v2' } },
      });
      assert.equal(ok.data?.k, 'v2');
      assert.equal(sim().faults.injected.conflicts - before, 1);
    });

    test('hangWatches: open and new watches get no events while it is set', async () => {
      const ns = await target.namespace('f-hang');
      await createCm(ns, 'existing');
      const rv = await listRv(ns);
      const open = await openWatch(cmPath(ns), { resourceVersion: rv });

      sim().faults.set({ hangWatches: true });
      assert.equal(sim().faults.hangWatches, true);
      const fresh = await openWatch(cmPath(ns), {}); // would start with ADDED existing
      await createCm(ns, 'while-hung');
      await mergePatchCm(ns, 'existing', { data: { k: 'while-hung' } });
      assert.equal(open.ended || fresh.ended, false, 'hung watches stay open');

      sim().faults.set({ hangWatches: false });
      await createCm(ns, 'after');
      // A watch opened now from the same resourceVersion gets all of it…
      const control = await openWatch(cmPath(ns), { resourceVersion: rv });
      await eventually(() => control.events.length >= 3, 'the control watch to catch up');
      assert.deepEqual(
        control.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ['ADDED while-hung', 'MODIFIED existing', 'ADDED after'],
      );
      // …and once the hung ones are cut (their streams final), they had nothing from the hang.
      assert.ok(sim().faults.dropWatches() >= 3);
      await open.done;
      await fresh.done;
      for (const w of [open, fresh]) {
        assert.deepEqual(
          w.events.filter((e) => e.object.metadata?.name !== 'after'),
          [],
          'no events while hangWatches was set',
        );
      }
    });

    test('dropWatches cuts every open watch and counts them in faults.injected', async () => {
      const ns = await target.namespace('f-drop');
      const before = sim().faults.injected.droppedWatches;
      const a = await openWatch(cmPath(ns), {});
      const b = await openWatch(cmPath(ns), { labelSelector: 'x' });
      const dropped = sim().faults.dropWatches();
      assert.ok(dropped >= 2, `dropped ${dropped}`);
      await a.done;
      await b.done;
      assert.equal(sim().faults.injected.droppedWatches - before, dropped);
      assert.equal(sim().faults.dropWatches(), 0, 'nothing left to drop');
    });

    test('an informer whose watch is dropped re-watches and sees later changes', async () => {
      const ns = await target.namespace('f-inf-drop');
      await createCm(ns, 'first');
      let lists = 0;
      const informer = makeInformer<KubernetesObject>(target.kc, cmPath(ns), () => {
        lists++;
        return core.listNamespacedConfigMap({ namespace: ns });
      });
      const sup = supervise(informer);
      await informer.start();
      await eventually(() => informer.get('first', ns), 'the initial list');
      assert.equal(sup.connects, 1);

      assert.ok(sim().faults.dropWatches() >= 1, 'the informer had a watch open');
      await createCm(ns, 'after-drop');
      await mergePatchCm(ns, 'first', { data: { k: 'changed' } });
      await core.deleteNamespacedConfigMap({ name: 'after-drop', namespace: ns });
      await createCm(ns, 'last');

      const server = await serverState(ns);
      await eventually(
        () => JSON.stringify(cacheState(informer, ns)) === JSON.stringify(server),
        `the cache to match ${server.join(', ')}`,
      );
      assert.ok(sup.connects >= 2, `re-watched (connects: ${sup.connects})`);
      // It resumed from its resourceVersion: no relist was needed.
      assert.equal(lists, 1);
      assert.equal((informer.get('first', ns) as V1ConfigMap).data?.k, 'changed');
    });

    test('after a compaction a re-watching informer gets 410, relists and converges', async () => {
      const ns = await target.namespace('f-inf-410');
      for (const name of ['keep', 'gone', 'changed']) await createCm(ns, name);
      let lists = 0;
      const watch = new RecordingWatch(target.kc);
      const informer = new ListWatch<KubernetesObject>(
        cmPath(ns),
        watch,
        () => {
          lists++;
          return core.listNamespacedConfigMap({ namespace: ns });
        },
        false,
      );
      const added: string[] = [];
      const deleted: string[] = [];
      informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
      informer.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
      const sup = supervise(informer);
      await informer.start();
      await eventually(() => informer.list(ns).length === 3, 'the initial list');
      assert.equal(lists, 1);

      // Disconnected in effect: the informer's watch hears nothing while these happen.
      sim().faults.set({ hangWatches: true });
      await createCm(ns, 'created');
      await core.deleteNamespacedConfigMap({ name: 'gone', namespace: ns });
      await mergePatchCm(ns, 'changed', { data: { k: 'v2' } });
      sim().faults.compact();
      sim().faults.set({ hangWatches: false });
      assert.equal(informer.get('created', ns), undefined, 'the hung watch delivered nothing');
      assert.ok(sim().faults.dropWatches() >= 1);

      const server = await serverState(ns);
      await eventually(
        () => JSON.stringify(cacheState(informer, ns)) === JSON.stringify(server),
        `the cache to match ${server.join(', ')}`,
      );
      assert.ok(watch.seen.includes('ERROR 410'), `watch events: ${watch.seen.join(', ')}`);
      assert.ok(lists >= 2, 'relisted');
      assert.ok(sup.connects >= 2);
      assert.deepEqual(deleted, ['gone']);
      assert.deepEqual(added.slice(3), ['created']);
      assert.equal((informer.get('changed', ns) as V1ConfigMap).data?.k, 'v2');

      // And it keeps watching from the relist.
      await createCm(ns, 'later');
      await eventually(() => informer.get('later', ns), 'a change after the relist');
    });

    test('the HTTP admin API configures the same faults', async () => {
      const ns = await target.namespace('f-admin');
      await createCm(ns, 'c');
      const before = { ...sim().faults.injected };

      await admin('PUT', 'faults', {
        latencyMs: 50,
        errors: [{ verbs: ['create'], resources: ['configmaps'], rate: 1, count: 1, code: 429 }],
        conflicts: { count: 1 },
      });
      assert.equal(sim().faults.latencyMs, 50);
      const info = (await admin('GET', 'info')) as {
        faults: { latencyMs: number; hangWatches: boolean };
      };
      assert.equal(info.faults.latencyMs, 50);
      assert.equal(info.faults.hangWatches, false);

      const f = await failure(createCm(ns, 'd'));
      assert.equal(f.code, 429);
      assert.equal(f.reason, 'TooManyRequests');
      await createCm(ns, 'd');
      const conflict = await failure(mergePatchCm(ns, 'c', { data: { k: 'x' } }));
      assert.equal(conflict.code, 409);
      await mergePatchCm(ns, 'c', { data: { k: 'x' } });
      assert.equal(sim().faults.injected.errors - before.errors, 1);
      assert.equal(sim().faults.injected.conflicts - before.conflicts, 1);

      await admin('PUT', 'faults', { hangWatches: true });
      assert.equal(sim().faults.hangWatches, true);
      await admin('DELETE', 'faults');
      assert.equal(sim().faults.latencyMs, 0);
      assert.equal(sim().faults.hangWatches, false);
      await createCm(ns, 'e'); // no rule left
    });

    test('the HTTP admin API drops watches and compacts', async () => {
      const ns = await target.namespace('f-admin-watch');
      const before = sim().faults.injected.droppedWatches;
      const w = await openWatch(cmPath(ns), {});
      const out = (await admin('POST', 'faults/drop-watches')) as { dropped: number };
      assert.ok(out.dropped >= 1, `dropped ${out.dropped}`);
      await w.done;
      assert.equal(sim().faults.injected.droppedWatches - before, out.dropped);

      const rv = await listRv(ns);
      await createCm(ns, 'after');
      const compacted = (await admin('POST', 'faults/compact')) as { compactedAt: number };
      assert.equal(compacted.compactedAt, sim().store.oldestWatchableRv);
      const old = await openWatch(cmPath(ns), { resourceVersion: rv });
      await old.done;
      assert.deepEqual(
        old.events.map((e) => `${e.type} ${e.object.code} ${e.object.reason}`),
        ['ERROR 410 Expired'],
      );
    });
  },
);
