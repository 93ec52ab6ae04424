// ListWatcher: an informer for one collection path, replacing client-node's ListWatch, whose
// gotchas (dependencies.md §1.2) are: it stops for good on non-410 errors, re-watches in a
// tight loop, has no client-side timeout, no bookmarks and no resync. This one:
//  - lists (raw JSON, paginated) and then watches from the list's resourceVersion through
//    client-node's Watch with allowWatchBookmarks=true and a jittered timeoutSeconds;
//  - aborts and re-watches when nothing (not even a bookmark) arrives for idleTimeoutMs;
//  - retries failures with exponential backoff (p-retry), forever, until stop();
//  - relists on 410 Gone (HTTP status or ERROR event) and diffs the cache: add for new
//    objects, update for changed ones (the RV may be OLDER than what was seen), delete for
//    vanished ones;
//  - keeps a cache (get/list), exposes `synced`, and re-emits update(obj, obj) for every
//    cached object every resyncMs.
// Handlers must be idempotent. Cached objects are shared with handlers: do not mutate them.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { RawClient, KubeApiError, type KubeObject, type Query } from './raw-client.ts';

export type { KubeObject } from './raw-client.ts';

export interface ListWatcherLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
}

export interface ListWatcherOptions {
  /** Used for the watch (client-node Watch); defaults to `client.kc`. */
  kc?: KubeConfig;
  /** Shared raw client (rate limiting and request metrics) for lists. Default: a new one on kc. */
  client?: RawClient;
  /** Collection path, e.g. /apis/argoproj.io/v1alpha1/namespaces/ns/rollouts or /api/v1/pods. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Re-emit update(obj, obj) for every cached object this often; 0 (default) disables. */
  resyncMs?: number;
  /** Watch timeoutSeconds is drawn uniformly from [min, max]. Default 300–600. */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Abort and re-watch when no event or bookmark arrives for this long. Default 180 s. */
  idleTimeoutMs?: number;
  /** Backoff between failed attempts. Default 100 ms doubling to 30 s, randomized. */
  backoff?: { minMs?: number; maxMs?: number; factor?: number };
  /** Page size of the list. Default 500. */
  pageSize?: number;
  /** A watch that ends cleanly is "healthy" (no backoff) if it got an event or lasted this long. Default 1 s. */
  minHealthyWatchMs?: number;
  logger?: ListWatcherLogger;
  random?: () => number;
}

export type AddHandler<T> = (obj: T) => void;
export type UpdateHandler<T> = (oldObj: T, newObj: T) => void;
export type DeleteHandler<T> = (obj: T) => void;

export interface ListWatcherStats {
  lists: number;
  listErrors: number;
  watches: number;
  /** Watches whose response arrived (the server has registered them). */
  watchesConnected: number;
  watchErrors: number;
  /** Relists caused by 410 Gone. */
  relists: number;
  idleTimeouts: number;
  bookmarks: number;
  resyncs: number;
}

type WatchOutcome =
  | { kind: 'closed'; healthy: boolean }
  | { kind: 'gone' }
  | { kind: 'idle' }
  | { kind: 'stopped' }
  | { kind: 'error'; error: Error };

class RetryableError extends Error {}

export function cacheKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function keyOf(obj: KubeObject): string {
  return cacheKey(obj.metadata.namespace, obj.metadata.name ?? '');
}

export class ListWatcher<T extends KubeObject = KubeObject> {
  readonly path: string;
  readonly stats: ListWatcherStats = {
    lists: 0,
    listErrors: 0,
    watches: 0,
    watchesConnected: 0,
    watchErrors: 0,
    relists: 0,
    idleTimeouts: 0,
    bookmarks: 0,
    resyncs: 0,
  };
  /** Resolves after the first successful list has filled the cache and add handlers ran. */
  readonly synced: Promise<void>;

  private readonly opts: ListWatcherOptions;
  private readonly client: RawClient;
  private readonly kc: KubeConfig;
  private readonly cache = new Map<string, T>();
  /** The same objects by namespace: a reconcile lists one namespace, not the whole cluster. */
  private readonly byNamespace = new Map<string, Map<string, T>>();
  /** Objects our own writes returned that are newer than the cache (see observe()). */
  private readonly written = new Map<string, T>();
  private readonly addHandlers = new Set<AddHandler<T>>();
  private readonly updateHandlers = new Set<UpdateHandler<T>>();
  private readonly deleteHandlers = new Set<DeleteHandler<T>>();
  private readonly stopController = new AbortController();
  private resolveSynced!: () => void;
  private rejectSynced!: (e: Error) => void;
  private isSynced = false;
  private resourceVersion: string | undefined;
  private running: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;
  private connected = false;

  constructor(opts: ListWatcherOptions) {
    this.opts = opts;
    this.path = opts.path;
    const kc = opts.kc ?? opts.client?.kc;
    if (!kc) throw new Error('ListWatcher needs a KubeConfig (kc) or a RawClient (client)');
    this.kc = kc;
    this.client = opts.client ?? new RawClient(kc);
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    // stop() before sync rejects `synced`; do not make that an unhandled rejection.
    this.synced.catch(() => undefined);
  }

  onAdd(fn: AddHandler<T>): () => void {
    this.addHandlers.add(fn);
    return () => this.addHandlers.delete(fn);
  }

  onUpdate(fn: UpdateHandler<T>): () => void {
    this.updateHandlers.add(fn);
    return () => this.updateHandlers.delete(fn);
  }

  onDelete(fn: DeleteHandler<T>): () => void {
    this.deleteHandlers.add(fn);
    return () => this.deleteHandlers.delete(fn);
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /** The cached object; `namespace` is ignored (pass undefined) for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string): T | undefined {
    const key = cacheKey(namespace, name);
    return this.fresher(key, this.cache.get(key));
  }

  /** Cached objects, of one namespace when given, in key order. */
  list(namespace?: string): T[] {
    const source =
      namespace === undefined
        ? this.cache
        : (this.byNamespace.get(namespace) ?? new Map<string, T>());
    const keys = [...source.keys()].sort();
    return keys.map((k) => this.fresher(k, source.get(k)!)!);
  }

  /**
   * Records an object our own write returned, so reads see it before its watch event arrives
   * (client-go's mutation cache). It shadows the cached copy only while it is newer; handlers
   * still fire when the watch event comes, so the write is reacted to as usual.
   */
  observe(obj: T): void {
    const key = keyOf(obj);
    const cached = this.cache.get(key);
    if (cached && rvNumber(cached) >= rvNumber(obj)) return;
    this.written.set(key, obj);
    if (this.written.size > 10_000) this.written.delete(this.written.keys().next().value!);
  }

  private fresher(key: string, cached: T | undefined): T | undefined {
    const w = this.written.get(key);
    if (!w) return cached;
    if (cached && rvNumber(cached) >= rvNumber(w)) {
      this.written.delete(key);
      return cached;
    }
    return cached ? w : cached;
  }

  private cacheSet(key: string, obj: T): void {
    this.cache.set(key, obj);
    const ns = obj.metadata.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) {
      m = new Map();
      this.byNamespace.set(ns, m);
    }
    m.set(key, obj);
  }

  private cacheDelete(key: string): void {
    const old = this.cache.get(key);
    this.cache.delete(key);
    this.written.delete(key);
    if (old) this.byNamespace.get(old.metadata.namespace ?? '')?.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }

  /** True while a watch connection is established (its response has arrived). */
  get watching(): boolean {
    return this.connected;
  }

  /** The resourceVersion the next watch starts from (the last one seen). */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  /** Starts listing and watching (idempotent). */
  start(): this {
    if (this.running || this.stopController.signal.aborted) return this;
    this.running = this.run();
    const resyncMs = this.opts.resyncMs ?? 0;
    if (resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), resyncMs);
      this.resyncTimer.unref();
    }
    return this;
  }

  /** Stops watching; no handler is called afterwards. Resolves when the loop has exited. */
  async stop(): Promise<void> {
    if (!this.stopController.signal.aborted) {
      this.stopController.abort(new Error('ListWatcher stopped'));
      if (this.resyncTimer) clearInterval(this.resyncTimer);
      this.stopWatch?.();
      if (!this.isSynced)
        this.rejectSynced(new Error(`ListWatcher ${this.path} stopped before it synced`));
    }
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const b = this.opts.backoff ?? {};
    while (!this.stopped) {
      try {
        // p-retry does not retry TypeErrors: wrap everything so that a surprise cannot turn
        // into a hot loop or a dead watcher.
        const attempt = async (): Promise<void> => {
          try {
            await this.session();
          } catch (e) {
            if (e instanceof RetryableError) throw e;
            throw new RetryableError(e instanceof Error ? e.message : String(e), { cause: e });
          }
        };
        await pRetry(attempt, {
          retries: Infinity,
          minTimeout: b.minMs ?? 100,
          maxTimeout: b.maxMs ?? 30_000,
          factor: b.factor ?? 2,
          randomize: true,
          signal: this.stopController.signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            this.opts.logger?.warn('list/watch failed; backing off', {
              path: this.path,
              attempt: attemptNumber,
              error: error.message,
            });
          },
        });
      } catch (e) {
        if (this.stopped) return;
        // pRetry only gives up on an AbortError from our stop signal; anything else is a bug.
        this.opts.logger?.warn('list/watch loop error', { path: this.path, error: String(e) });
      }
    }
  }

  /** One list (if needed) and one watch. Throws to back off; returns to re-watch at once. */
  private async session(): Promise<void> {
    if (this.stopped) return;
    if (this.resourceVersion === undefined) {
      try {
        await this.relist();
      } catch (e) {
        if (this.stopped) return;
        this.stats.listErrors++;
        throw new RetryableError(
          `list ${this.path}: ${e instanceof Error ? e.message : String(e)}`,
          {
            cause: e,
          },
        );
      }
    }
    const outcome = await this.watchOnce();
    switch (outcome.kind) {
      case 'stopped':
        return;
      case 'gone':
        this.stats.relists++;
        this.opts.logger?.debug('watch expired (410); relisting', { path: this.path });
        this.resourceVersion = undefined;
        return;
      case 'idle':
        this.stats.idleTimeouts++;
        this.opts.logger?.warn('watch idle; re-watching', { path: this.path });
        return;
      case 'closed':
        if (!outcome.healthy) throw new RetryableError(`watch ${this.path} closed immediately`);
        return;
      case 'error':
        this.stats.watchErrors++;
        throw new RetryableError(`watch ${this.path}: ${outcome.error.message}`, {
          cause: outcome.error,
        });
    }
  }

  private async listAll(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const query: Query = {
        limit: this.opts.pageSize ?? 500,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        continue: cont,
      };
      const page = await this.client.list<KubeObject>(this.path, query, this.stopController.signal);
      // Items of built-in lists carry no kind/apiVersion; watch events do. Make them uniform.
      const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
      for (const item of page.items ?? []) {
        items.push(item.kind || !kind ? item : { apiVersion: page.apiVersion, kind, ...item });
      }
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  private async relist(): Promise<void> {
    this.stats.lists++;
    const { items, resourceVersion } = await this.listAll();
    if (this.stopped) return;
    const seen = new Set<string>();
    const events: (() => void)[] = [];
    for (const item of items as T[]) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.cache.get(key);
      this.cacheSet(key, item);
      if (!old) events.push(() => this.emitAdd(item));
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion)
        events.push(() => this.emitUpdate(old, item));
    }
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cacheDelete(key);
        events.push(() => this.emitDelete(old));
      }
    }
    this.resourceVersion = resourceVersion;
    for (const e of events) e();
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  private watchTimeoutSeconds(): number {
    const { min, max } = this.opts.watchTimeoutSeconds ?? { min: 300, max: 600 };
    const r = (this.opts.random ?? Math.random)();
    return Math.max(1, Math.round(min + r * Math.max(0, max - min)));
  }

  private async watchOnce(): Promise<WatchOutcome> {
    await this.client.throttle(this.stopController.signal).catch(() => undefined);
    if (this.stopped) return { kind: 'stopped' };
    this.stats.watches++;
    const started = Date.now();
    const idleMs = this.opts.idleTimeoutMs ?? 180_000;
    const minHealthyMs = this.opts.minHealthyWatchMs ?? 1000;
    const query: Query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.watchTimeoutSeconds(),
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    };
    const watchQuery = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));

    return new Promise<WatchOutcome>((resolve) => {
      let settled = false;
      let received = false;
      let recorded = false;
      let controller: AbortController | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      const record = (status: number): void => {
        if (recorded) return;
        recorded = true;
        this.client.record('GET', this.path, { ...watchQuery, watch: true }, status);
      };
      const finish = (outcome: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        if (idleTimer) clearTimeout(idleTimer);
        this.stopWatch = undefined;
        this.connected = false;
        controller?.abort();
        resolve(outcome);
      };
      const armIdle = (): void => {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(() => finish({ kind: 'idle' }), idleMs);
        idleTimer.unref();
      };
      this.stopWatch = () => finish({ kind: 'stopped' });
      armIdle();

      const onEvent = (type: string, obj: unknown): void => {
        if (settled) return;
        received = true;
        armIdle();
        const o = obj as KubeObject & KubeStatusLike;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
            this.upsert(o as T);
            break;
          case 'DELETED':
            this.remove(o as T);
            break;
          case 'BOOKMARK':
            this.stats.bookmarks++;
            if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
            break;
          case 'ERROR':
            if (o.code === 410) finish({ kind: 'gone' });
            else
              finish({
                kind: 'error',
                error: new KubeApiError(
                  o.code ?? 0,
                  o.reason ?? 'Unknown',
                  o.message ?? 'watch ERROR event',
                ),
              });
            break;
          default:
            this.opts.logger?.debug('unknown watch event type', { path: this.path, type });
        }
      };
      const onDone = (err: unknown): void => {
        const statusCode = (err as { statusCode?: number } | null)?.statusCode;
        record(statusCode ?? (err ? 0 : 200));
        if (settled) return;
        if (statusCode === 410) finish({ kind: 'gone' });
        else if (err)
          finish({
            kind: 'error',
            error: err instanceof Error ? err : new Error(JSON.stringify(err)),
          });
        else finish({ kind: 'closed', healthy: received || Date.now() - started >= minHealthyMs });
      };

      new Watch(this.kc).watch(this.path, watchQuery, onEvent, onDone).then(
        (c) => {
          controller = c;
          record(200);
          if (settled) {
            c.abort();
          } else {
            this.connected = true;
            this.stats.watchesConnected++;
          }
        },
        (e: unknown) => onDone(e ?? new Error('watch failed')),
      );
    });
  }

  private upsert(obj: T): void {
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    this.cacheSet(key, obj);
    if (!old) this.emitAdd(obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
      this.emitUpdate(old, obj);
  }

  private remove(obj: T): void {
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    const key = keyOf(obj);
    const old = this.cache.get(key);
    if (!old) return;
    this.cacheDelete(key);
    this.emitDelete(obj);
  }

  private resync(): void {
    if (!this.isSynced || this.stopped) return;
    this.stats.resyncs++;
    for (const obj of [...this.cache.values()]) this.emitUpdate(obj, obj);
  }

  private emitAdd(obj: T): void {
    for (const fn of this.addHandlers) this.call(() => fn(obj));
  }

  private emitUpdate(old: T, obj: T): void {
    for (const fn of this.updateHandlers) this.call(() => fn(old, obj));
  }

  private emitDelete(obj: T): void {
    for (const fn of this.deleteHandlers) this.call(() => fn(obj));
  }

  private call(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      this.opts.logger?.warn('ListWatcher handler threw', { path: this.path, error: String(e) });
    }
  }
}

interface KubeStatusLike {
  code?: number;
  reason?: string;
  message?: string;
}

/** resourceVersions are etcd revisions in practice; compare them as numbers (as client-go's mutation cache does). */
function rvNumber(obj: KubeObject): number {
  const n = Number(obj.metadata.resourceVersion);
  return Number.isFinite(n) ? n : -1;
}
