// List and watch of ConfigMaps through the real client-node, as kube-apiserver 1.32 serves them:
// label and field selectors, limit/continue pagination, list resourceVersions as watch start
// points, and the raw watch stream (replay, initial ADDED events, bookmarks, timeouts,
// selector enter/leave, 410 Gone). Runs against the emulator, or a real cluster when
// KUBECONFIG_CONFORMANCE is set; the one emulator-only test says so in its skip reason.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type V1ConfigMapList,
} from '@kubernetes/client-node';
import { eventually, openTarget, REAL_CLUSTER } from '../support/target.ts';

// Bookmarks every 200 ms on the emulator; a real cluster ignores the option and sends them
// about once a minute.
const target = await openTarget({ bookmarkIntervalMs: 200 });
const core = target.kc.makeApiClient(CoreV1Api);

/** Created by kube-controller-manager in every namespace of a real cluster. */
const SYSTEM_CONFIGMAPS = new Set(['kube-root-ca.crt']);

interface WatchEvent {
  type: string;
  object: KubernetesObject & { code?: number; reason?: string; message?: string };
}

interface OpenWatch {
  events: WatchEvent[];
  /** Resolves with the done callback's argument when the watch ends. */
  done: Promise<unknown>;
  ended: boolean;
}

const openWatches: AbortController[] = [];

afterEach(() => {
  for (const c of openWatches.splice(0)) c.abort();
});

after(() => target.close());

/**
 * Opens a raw watch and resolves once the server has answered (Watch.watch() resolved). Events
 * about a real cluster's kube-root-ca.crt are left out.
 */
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
        (type, object) => {
          const ev = { type, object: object as WatchEvent['object'] };
          if (!SYSTEM_CONFIGMAPS.has(ev.object.metadata?.name ?? '')) w.events.push(ev);
        },
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

async function createCm(ns: string, name: string, labels: Record<string, string> = {}) {
  return core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name, labels }, data: { k: name } },
  });
}

async function mergePatchCm(ns: string, name: string, body: object) {
  return core.patchNamespacedConfigMap(
    { name, namespace: ns, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

function names(list: V1ConfigMapList): string[] {
  return list.items
    .map((cm) => cm.metadata?.name ?? '')
    .filter((n) => !SYSTEM_CONFIGMAPS.has(n))
    .sort();
}

function eventNames(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata?.name}`);
}

/** The events before the first one about `sentinel`, once that one has arrived. */
async function eventsBefore(w: OpenWatch, sentinel: string): Promise<WatchEvent[]> {
  const at = await eventually(() => {
    const i = w.events.findIndex((e) => e.object.metadata?.name === sentinel);
    return i >= 0 ? i + 1 : undefined;
  }, `a watch event for ${sentinel}`);
  return w.events.slice(0, at - 1);
}

/** The parsed Status of a failed typed call. */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, status: body as StatusBody };
  }
  assert.fail('expected the request to fail');
}

interface StatusBody {
  kind: string;
  status: string;
  reason: string;
  message: string;
  code: number;
}

describe('list and watch of ConfigMaps', () => {
  test('label selectors: =, !=, in, notin, exists, does not exist, and AND', async () => {
    const ns = await target.namespace('lw-labels');
    await createCm(ns, 'cm-b', { a: 'b' });
    await createCm(ns, 'cm-x', { a: 'x' });
    await createCm(ns, 'cm-y', { a: 'y' });
    await createCm(ns, 'cm-z', { a: 'z', other: '1' });
    await createCm(ns, 'cm-none');
    await createCm(ns, 'cm-other', { other: '1' });

    const cases: [string, string[]][] = [
      ['a=b', ['cm-b']],
      ['a==b', ['cm-b']],
      ['a!=b', ['cm-none', 'cm-other', 'cm-x', 'cm-y', 'cm-z']],
      ['a in (x,y)', ['cm-x', 'cm-y']],
      ['a notin (x)', ['cm-b', 'cm-none', 'cm-other', 'cm-y', 'cm-z']],
      ['a', ['cm-b', 'cm-x', 'cm-y', 'cm-z']],
      ['!a', ['cm-none', 'cm-other']],
      ['a,other', ['cm-z']],
      ['a notin (x),!other', ['cm-b', 'cm-none', 'cm-y']],
    ];
    for (const [labelSelector, expected] of cases) {
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector });
      assert.deepEqual(names(list), expected, `labelSelector=${labelSelector}`);
    }

    const bad = await statusOf(
      core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'a in' }),
    );
    assert.equal(bad.code, 400);
    assert.equal(bad.status.reason, 'BadRequest');
  });

  test('field selectors: metadata.name, metadata.namespace, and an unsupported field is 400', async () => {
    const ns = await target.namespace('lw-fields');
    const other = await target.namespace('lw-fields-other');
    await createCm(ns, 'one');
    await createCm(ns, 'two');
    await createCm(other, 'one');

    const byName = await core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name=one',
    });
    assert.deepEqual(names(byName), ['one']);
    assert.equal(byName.items[0]?.metadata?.namespace, ns);

    const notName = await core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name!=one',
    });
    assert.deepEqual(names(notName), ['two']);

    // Across all namespaces, metadata.namespace= picks one namespace's objects.
    const byNs = await core.listConfigMapForAllNamespaces({
      fieldSelector: `metadata.namespace=${other}`,
    });
    assert.deepEqual(names(byNs), ['one']);
    assert.equal(byNs.items[0]?.metadata?.namespace, other);

    const both = await core.listConfigMapForAllNamespaces({
      fieldSelector: `metadata.namespace=${ns},metadata.name=two`,
    });
    assert.deepEqual(
      both.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`),
      [`${ns}/two`],
    );

    const mismatch = await core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: `metadata.namespace=${other}`,
    });
    assert.deepEqual(mismatch.items, []);

    const bad = await statusOf(
      core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'data.k=one' }),
    );
    assert.equal(bad.code, 400);
    assert.equal(bad.status.kind, 'Status');
    assert.equal(bad.status.reason, 'BadRequest');
    assert.match(bad.status.message, /data\.k/);
  });

  test('limit/continue pages return every object exactly once, with remainingItemCount', async () => {
    const ns = await target.namespace('lw-pages');
    for (let i = 0; i < 7; i++) await createCm(ns, `page-${i}`, { paged: 'yes' });
    if (REAL_CLUSTER) {
      // Wait for kube-root-ca.crt, so the total does not change while paging.
      await eventually(async () => {
        const l = await core.listNamespacedConfigMap({ namespace: ns });
        return l.items.some((i) => SYSTEM_CONFIGMAPS.has(i.metadata?.name ?? ''));
      }, 'kube-root-ca.crt in the namespace');
    }
    const full = await core.listNamespacedConfigMap({ namespace: ns });
    const total = full.items.length;
    assert.equal(full.metadata?._continue, undefined);
    assert.equal(full.metadata?.remainingItemCount, undefined);

    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: ns,
        limit: 3,
        ...(cont ? { _continue: cont } : {}),
      });
      pages++;
      assert.ok(page.items.length <= 3, `page ${pages} has ${page.items.length} items`);
      seen.push(...page.items.map((i) => i.metadata?.name ?? ''));
      cont = page.metadata?._continue || undefined;
      if (cont) {
        assert.equal(page.items.length, 3);
        assert.equal(page.metadata?.remainingItemCount, total - seen.length, `page ${pages}`);
      } else {
        assert.equal(page.metadata?.remainingItemCount, undefined, 'last page');
      }
      assert.ok(pages <= total, 'pagination terminates');
    } while (cont);
    assert.equal(pages, Math.ceil(total / 3));
    assert.equal(new Set(seen).size, seen.length, `no duplicates in ${seen.join(',')}`);
    assert.deepEqual([...seen].sort(), full.items.map((i) => i.metadata?.name ?? '').sort());

    // With a selector the count of the rest is unknown, so the server leaves it unset.
    const selected: string[] = [];
    cont = undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: ns,
        labelSelector: 'paged=yes',
        limit: 2,
        ...(cont ? { _continue: cont } : {}),
      });
      assert.equal(page.metadata?.remainingItemCount, undefined, 'with labelSelector');
      selected.push(...page.items.map((i) => i.metadata?.name ?? ''));
      cont = page.metadata?._continue || undefined;
    } while (cont);
    assert.deepEqual(
      selected,
      Array.from({ length: 7 }, (_, i) => `page-${i}`),
    );
  });

  test("a list's resourceVersion is the point a watch from it starts at", async () => {
    const ns = await target.namespace('lw-listrv');
    await createCm(ns, 'before-a');
    await createCm(ns, 'before-b');
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const rv = list.metadata?.resourceVersion;
    assert.ok(rv, 'list has metadata.resourceVersion');

    const after = await createCm(ns, 'after-list'); // before the watch opens: replayed
    const w = await openWatch(cmPath(ns), { resourceVersion: rv });
    const patched = await mergePatchCm(ns, 'before-a', { data: { k: 'changed' } }); // live
    await createCm(ns, 'sentinel');

    const events = await eventsBefore(w, 'sentinel');
    assert.deepEqual(eventNames(events), ['ADDED after-list', 'MODIFIED before-a']);
    assert.equal(events[0]?.object.metadata?.resourceVersion, after.metadata?.resourceVersion);
    assert.equal(events[1]?.object.metadata?.resourceVersion, patched.metadata?.resourceVersion);
    // Watch events carry kind and apiVersion, unlike list items.
    assert.equal(events[0]?.object.kind, 'ConfigMap');
    assert.equal(events[0]?.object.apiVersion, 'v1');
  });

  test('a watch from a resourceVersion replays ADDED, MODIFIED, DELETED in order', async () => {
    const ns = await target.namespace('lw-order');
    const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
    assert.ok(rv);
    const created = await createCm(ns, 'x');
    const modified = await mergePatchCm(ns, 'x', { data: { k: 'v2' } });
    await core.deleteNamespacedConfigMap({ name: 'x', namespace: ns });

    const w = await openWatch(cmPath(ns), { resourceVersion: rv });
    await eventually(() => w.events.length >= 3, 'three events');
    assert.deepEqual(eventNames(w.events), ['ADDED x', 'MODIFIED x', 'DELETED x']);
    const rvs = w.events.map((e) => e.object.metadata?.resourceVersion);
    assert.equal(rvs[0], created.metadata?.resourceVersion);
    assert.equal(rvs[1], modified.metadata?.resourceVersion);
    assert.equal(new Set(rvs).size, 3, 'each event has its own resourceVersion');
    assert.deepEqual((w.events[1]?.object as { data?: Record<string, string> }).data, { k: 'v2' });
  });

  for (const [label, query] of [
    ['without a resourceVersion', {}],
    ['from resourceVersion 0', { resourceVersion: '0' }],
  ] as const) {
    test(`a watch ${label} first gets ADDED for the existing objects`, async () => {
      const ns = await target.namespace('lw-initial');
      await createCm(ns, 'old-1');
      await createCm(ns, 'old-2');
      const w = await openWatch(cmPath(ns), query);
      await eventually(() => w.events.length >= 2, 'ADDED for both existing objects');
      assert.deepEqual(eventNames(w.events).sort(), ['ADDED old-1', 'ADDED old-2']);

      await createCm(ns, 'new');
      await eventually(() => w.events.length >= 3, 'the live event');
      assert.deepEqual(eventNames(w.events).slice(2), ['ADDED new']);
    });
  }

  test(
    'allowWatchBookmarks=true gets BOOKMARK events',
    // A real apiserver sends a bookmark about once a minute.
    { timeout: REAL_CLUSTER ? 180_000 : 30_000 },
    async () => {
      const ns = await target.namespace('lw-bookmark');
      const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
      assert.ok(rv);
      const plain = await openWatch(cmPath(ns), { resourceVersion: rv });
      const w = await openWatch(cmPath(ns), { resourceVersion: rv, allowWatchBookmarks: true });
      const bookmark = await eventually(
        () => w.events.find((e) => e.type === 'BOOKMARK'),
        'a BOOKMARK event',
        REAL_CLUSTER ? 150_000 : 10_000,
      );
      assert.equal(bookmark.object.kind, 'ConfigMap');
      assert.equal(bookmark.object.apiVersion, 'v1');
      assert.equal(typeof bookmark.object.metadata?.resourceVersion, 'string');
      assert.notEqual(bookmark.object.metadata?.resourceVersion, '');
      assert.equal(bookmark.object.metadata?.name, undefined);
      // The watch opened earlier without allowWatchBookmarks got none.
      assert.deepEqual(plain.events, []);
      assert.equal(w.ended, false);
    },
  );

  test('timeoutSeconds=1 ends the watch cleanly', async () => {
    const ns = await target.namespace('lw-timeout');
    const w = await openWatch(cmPath(ns), { timeoutSeconds: 1 });
    const err = await w.done;
    assert.equal(err ?? null, null, 'the done callback gets no error');
    assert.equal(w.ended, true);
  });

  test('a watch with a labelSelector sees DELETED when an object stops matching', async () => {
    const ns = await target.namespace('lw-leave');
    await createCm(ns, 'm', { role: 'web' });
    await createCm(ns, 'other', { role: 'db' });
    const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
    assert.ok(rv);
    const w = await openWatch(cmPath(ns), { resourceVersion: rv, labelSelector: 'role=web' });

    await mergePatchCm(ns, 'other', { data: { k: 'ignored' } }); // never matches
    const left = await mergePatchCm(ns, 'm', { metadata: { labels: { role: 'db' } } });
    const back = await mergePatchCm(ns, 'm', { metadata: { labels: { role: 'web' } } });
    await createCm(ns, 'sentinel', { role: 'web' });

    const events = await eventsBefore(w, 'sentinel');
    assert.deepEqual(eventNames(events), ['DELETED m', 'ADDED m']);
    // The DELETED event carries the last state that matched, at the resourceVersion of the
    // write that made it leave.
    assert.equal(events[0]?.object.metadata?.labels?.role, 'web');
    assert.equal(events[0]?.object.metadata?.resourceVersion, left.metadata?.resourceVersion);
    assert.equal(events[1]?.object.metadata?.labels?.role, 'web');
    assert.equal(events[1]?.object.metadata?.resourceVersion, back.metadata?.resourceVersion);
  });

  test('a watch by fieldSelector=metadata.name sees only that object', async () => {
    const ns = await target.namespace('lw-fieldwatch');
    await createCm(ns, 'x');
    await createCm(ns, 'y');
    const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
    assert.ok(rv);
    const w = await openWatch(cmPath(ns), {
      resourceVersion: rv,
      fieldSelector: 'metadata.name=x',
    });
    await mergePatchCm(ns, 'y', { data: { k: 'y2' } });
    await mergePatchCm(ns, 'x', { data: { k: 'x2' } });
    await core.deleteNamespacedConfigMap({ name: 'y', namespace: ns });
    await core.deleteNamespacedConfigMap({ name: 'x', namespace: ns });
    await createCm(ns, 'y'); // does not match either
    await createCm(ns, 'x');

    await eventually(() => w.events.length >= 3, 'three events about x');
    assert.deepEqual(eventNames(w.events), ['MODIFIED x', 'DELETED x', 'ADDED x']);
  });

  test(
    'a watch from a resourceVersion older than a compaction gets ERROR 410 Expired',
    { skip: target.sim ? false : "needs the emulator's store.compact()" },
    async () => {
      const ns = await target.namespace('lw-gone');
      const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
      assert.ok(rv);
      await createCm(ns, 'after');
      target.sim!.store.compact();

      const w = await openWatch(cmPath(ns), { resourceVersion: rv });
      const err = await w.done;
      assert.equal(err ?? null, null, 'the server ends the stream after the ERROR');
      assert.equal(w.events.length, 1, eventNames(w.events).join(','));
      const ev = w.events[0]!;
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.kind, 'Status');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      assert.match(ev.object.message ?? '', /too old resource version/);

      // A watch from the list after the compaction works.
      const fresh = (await core.listNamespacedConfigMap({ namespace: ns })).metadata
        ?.resourceVersion;
      const w2 = await openWatch(cmPath(ns), { resourceVersion: fresh! });
      await createCm(ns, 'later');
      await eventually(() => w2.events.length >= 1, 'an event after the compaction');
      assert.deepEqual(eventNames(w2.events), ['ADDED later']);
    },
  );
});
