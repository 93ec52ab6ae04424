// list and watch of a collection: selectors, pagination, Table output, and the watch stream
// with resourceVersion replay, synthetic ADDED events, bookmarks, timeouts and 410 Gone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ObjectService } from '../api/objects.ts';
import { errors } from '../api/status.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { renderTable, renderTableForWatchEvent } from '../render/table.ts';
import {
  fieldsOf,
  matchesFields,
  parseFieldSelector,
  validateFieldSelector,
} from '../selectors/fields.ts';
import { matchesLabels, parseLabelSelector, SelectorError } from '../selectors/labels.ts';
import { objectKey, type StoreEvent } from '../store/store.ts';
import type { Faults } from './faults.ts';

export interface Filter {
  matches(obj: KubeObject): boolean;
}

export function buildFilter(
  rt: ResourceType,
  q: URLSearchParams,
  svcPresent: (o: KubeObject) => KubeObject,
): Filter {
  try {
    const labels = parseLabelSelector(q.get('labelSelector') ?? '');
    // Validation also maps legacy aliases (pods' spec.host → spec.nodeName).
    const fields = validateFieldSelector(
      rt.resource,
      rt.group,
      parseFieldSelector(q.get('fieldSelector') ?? ''),
      rt,
    );
    return {
      matches: (obj) =>
        matchesLabels(labels, obj.metadata.labels) &&
        matchesFields(fields, fieldsOf(rt.resource, rt.group, svcPresent(obj), rt)),
    };
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=Table');
}

/** List items of built-in kinds carry no apiVersion/kind on a real server; CR items do. */
function listItem(rt: ResourceType, obj: KubeObject): KubeObject {
  if (!rt.builtin) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

interface ContinueToken {
  k: string;
  rv: string;
}

export function listCollection(
  svc: ObjectService,
  rt: ResourceType,
  namespace: string | undefined,
  q: URLSearchParams,
  accept: string | undefined,
  now: Date,
): object {
  const filter = buildFilter(rt, q, (o) => o);
  const rv = String(svc.store.resourceVersion);
  let items = svc.list(rt, namespace).filter((o) => filter.matches(o));
  const cont = q.get('continue');
  if (cont) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as ContinueToken;
    } catch {
      throw errors.badRequest('continue key is not valid: illegal base64 data');
    }
    items = items.filter((o) => objectKey(o.metadata.namespace, o.metadata.name ?? '') > token.k);
  }
  const limit = Number(q.get('limit') ?? '0');
  const metadata: Record<string, unknown> = { resourceVersion: rv };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1]!;
    const token: ContinueToken = {
      k: objectKey(last.metadata.namespace, last.metadata.name ?? ''),
      rv,
    };
    metadata.continue = Buffer.from(JSON.stringify(token)).toString('base64url');
    // etcd3 store: the count is only known for an unfiltered list, so with selectors it is unset.
    const filtered = !!q.get('labelSelector')?.trim() || !!q.get('fieldSelector')?.trim();
    if (!filtered) metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsTable(accept)) {
    const table = renderTable(rt, items, now, rv, includeObject(q)) as Record<string, unknown>;
    return { ...table, metadata: { ...(table.metadata as object), ...metadata } };
  }
  return {
    kind: rt.listKind,
    apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
    metadata,
    items: items.map((o) => listItem(rt, o)),
  };
}

function includeObject(q: URLSearchParams): { includeObject?: 'None' | 'Metadata' | 'Object' } {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Metadata' || v === 'Object' ? { includeObject: v } : {};
}

/** The object before a write, at that write's resourceVersion. */
function leftAt(ev: StoreEvent): KubeObject {
  const prev = ev.prev ?? ev.object;
  const resourceVersion = ev.object.metadata.resourceVersion;
  return { ...prev, metadata: { ...prev.metadata, resourceVersion } };
}

export interface WatchOptions {
  bookmarkIntervalMs: number;
}

/**
 * The last watch line serialised. Every watcher of a storage is handed the same stored
 * (immutable) object for an event, one after another, so N watchers serialise it once rather
 * than N times. One entry only: nothing is retained beyond the latest event.
 */
let lastLine: { obj: KubeObject; key: string; line: string } | undefined;

function sharedLine(rt: ResourceType, type: string, obj: KubeObject, render: () => unknown) {
  const key = `${type} ${rt.group}/${rt.version}/${rt.resource}`;
  if (lastLine?.obj === obj && lastLine.key === key) return lastLine.line;
  const line = `${JSON.stringify({ type, object: render() })}\n`;
  lastLine = { obj, key, line };
  return line;
}

export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  svc: ObjectService,
  rt: ResourceType,
  namespace: string | undefined,
  q: URLSearchParams,
  faults: Faults,
  opts: WatchOptions,
): void {
  const filter = buildFilter(rt, q, (o) => svc.present(rt, o));
  const asTable = wantsTable(req.headers.accept);
  const ns = rt.namespaced ? namespace : undefined;
  const rvParam = q.get('resourceVersion');
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0');

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  // A watch that swallowed an event stays silent for good, like a half-open connection: it
  // must never resume after a gap, or the client would skip events without knowing it.
  let hung = false;
  // Events of one event-loop turn go out in one socket write per watcher, not one each:
  // with many watchers the write syscalls, not serialisation, dominated the fan-out.
  let corked: Socket | undefined;
  const writeLine = (line: string): void => {
    if (faults.hangWatches) hung = true;
    if (hung || res.writableEnded) return;
    if (!corked && res.socket) {
      const socket = (corked = res.socket);
      socket.cork();
      setImmediate(() => {
        corked = undefined;
        socket.uncork();
      });
    }
    res.write(line);
  };
  const write = (type: string, object: unknown): void =>
    writeLine(`${JSON.stringify({ type, object })}\n`);
  const render = (obj: KubeObject): unknown => {
    const presented = svc.present(rt, obj);
    return asTable ? renderTableForWatchEvent(rt, presented, new Date()) : presented;
  };
  const onEvent = (ev: StoreEvent): void => {
    const now = filter.matches(ev.object);
    const before = ev.prev ? filter.matches(ev.prev) : false;
    // Leaving the selector: cacheWatcher sends the previous object at the event's resourceVersion.
    if (ev.type === 'MODIFIED' && !now && before) write('DELETED', render(leftAt(ev)));
    else if (ev.type === 'MODIFIED' && now && !before && ev.prev) write('ADDED', render(ev.object));
    else if (now && asTable) write(ev.type, render(ev.object));
    else if (now) writeLine(sharedLine(rt, ev.type, ev.object, () => render(ev.object)));
  };

  let unsubscribe = (): void => {};
  let unregister = (): void => {};
  const timers: NodeJS.Timeout[] = [];
  const cleanup = (): void => {
    unsubscribe();
    unregister();
    for (const t of timers) clearTimeout(t);
  };
  req.on('close', cleanup);
  res.on('close', cleanup);

  const bookmark = (): void =>
    write('BOOKMARK', {
      kind: rt.kind,
      apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
      metadata: { resourceVersion: String(svc.store.resourceVersion) },
    });

  if (!rvParam || rvParam === '0') {
    for (const obj of svc.store.list(rt.storage, ns)) {
      if (filter.matches(obj)) write('ADDED', render(obj));
    }
  } else {
    const since = Number(rvParam);
    const replay = Number.isFinite(since) ? svc.store.eventsSince(rt.storage, since) : undefined;
    if (!replay) {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${rvParam} (${svc.store.oldestWatchableRv})`,
        reason: 'Expired',
        code: 410,
      });
      res.end();
      return;
    }
    for (const ev of replay) {
      if (!ns || ev.object.metadata.namespace === ns) onEvent(ev);
    }
  }
  unsubscribe = svc.store.watch({ storage: rt.storage, ...(ns ? { namespace: ns } : {}), onEvent });
  unregister = faults.registerWatch(() => res.destroy());
  if (bookmarks) {
    const tick = (): void => {
      bookmark();
      timers.push(setTimeout(tick, opts.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, opts.bookmarkIntervalMs));
  }
  if (timeoutSeconds > 0) {
    timers.push(
      setTimeout(() => {
        if (bookmarks) bookmark();
        res.end();
      }, timeoutSeconds * 1000),
    );
  }
}
