// In-memory object storage with one global resourceVersion counter and an event log that
// watches replay from, like etcd under kube-apiserver. Stored objects are never mutated:
// every write stores a fresh object, so readers may hold references without copying.
import type { KubeObject } from '../registry/types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  storage: string;
  object: KubeObject;
  rv: number;
  /** The object before a MODIFIED write, so watches with selectors can tell enter from leave. */
  prev?: KubeObject;
}

export interface StoreWatcher {
  storage: string;
  namespace?: string;
  onEvent(ev: StoreEvent): void;
}

export interface Snapshot {
  resourceVersion: number;
  objects: { storage: string; object: KubeObject }[];
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Store {
  private rv: number;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly uidIndex = new Map<string, { storage: string; key: string }>();
  /** ownerReference uid → "storage\0key" of its dependents, for garbage collection. */
  private readonly ownerIndex = new Map<string, Set<string>>();
  private log: StoreEvent[] = [];
  /** Watches from a resourceVersion older than this are answered 410 Gone. */
  private compactedRv = 0;
  private readonly watchers = new Set<StoreWatcher>();
  private readonly writeListeners = new Set<(ev: StoreEvent) => void>();

  constructor(
    private readonly logCapacity = 200_000,
    initialRv = 1000,
  ) {
    this.rv = initialRv;
    this.compactedRv = initialRv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestWatchableRv(): number {
    return this.compactedRv;
  }

  /** Assigns the next resourceVersion; the caller stores it in the object it writes. */
  nextRv(): number {
    return ++this.rv;
  }

  get(storage: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(storage)?.get(objectKey(namespace, name));
  }

  getByUid(uid: string): KubeObject | undefined {
    const ref = this.uidIndex.get(uid);
    return ref ? this.buckets.get(ref.storage)?.get(ref.key) : undefined;
  }

  /** Objects of one storage, optionally of one namespace, sorted by key as etcd returns them. */
  list(storage: string, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(storage);
    if (!bucket) return [];
    const entries: [string, KubeObject][] = [];
    const prefix = namespace ? `${namespace}/` : undefined;
    for (const entry of bucket) {
      if (!prefix || entry[0].startsWith(prefix)) entries.push(entry);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return entries.map((e) => e[1]);
  }

  storages(): string[] {
    return [...this.buckets.keys()];
  }

  /** Writes an object whose metadata.resourceVersion the caller set from nextRv(). */
  put(storage: string, object: KubeObject, type: 'ADDED' | 'MODIFIED'): void {
    const name = object.metadata.name ?? '';
    const key = objectKey(object.metadata.namespace, name);
    let bucket = this.buckets.get(storage);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(storage, bucket);
    }
    const previous = bucket.get(key);
    if (previous) this.unindexOwners(storage, key, previous);
    bucket.set(key, object);
    this.indexOwners(storage, key, object);
    if (object.metadata.uid) this.uidIndex.set(object.metadata.uid, { storage, key });
    this.emit({
      type,
      storage,
      object,
      rv: Number(object.metadata.resourceVersion),
      ...(previous ? { prev: previous } : {}),
    });
  }

  /** Removes an object; the DELETED event carries the object with the deletion's resourceVersion. */
  remove(storage: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.buckets.get(storage);
    const key = objectKey(namespace, name);
    const existing = bucket?.get(key);
    if (!bucket || !existing) return undefined;
    bucket.delete(key);
    this.unindexOwners(storage, key, existing);
    if (existing.metadata.uid) this.uidIndex.delete(existing.metadata.uid);
    const rv = this.nextRv();
    const object = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', storage, object, rv });
    return object;
  }

  /** Events after `rv` for one storage, or undefined when `rv` is older than the log holds. */
  eventsSince(storage: string, rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: StoreEvent[] = [];
    for (let i = lo; i < this.log.length; i++) {
      const ev = this.log[i]!;
      if (ev.storage === storage) out.push(ev);
    }
    return out;
  }

  /** Forgets the event log, so any watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.log = [];
    this.compactedRv = this.rv;
  }

  watch(w: StoreWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** In-process observers (the simulated controllers) see every write. */
  onWrite(fn: (ev: StoreEvent) => void): () => void {
    this.writeListeners.add(fn);
    return () => this.writeListeners.delete(fn);
  }

  snapshot(): Snapshot {
    const objects: Snapshot['objects'] = [];
    for (const [storage, bucket] of this.buckets) {
      for (const object of bucket.values()) objects.push({ storage, object });
    }
    return { resourceVersion: this.rv, objects };
  }

  restore(s: Snapshot): void {
    for (const { storage, object } of s.objects) {
      let bucket = this.buckets.get(storage);
      if (!bucket) {
        bucket = new Map();
        this.buckets.set(storage, bucket);
      }
      const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
      bucket.set(key, object);
      this.indexOwners(storage, key, object);
      if (object.metadata.uid) this.uidIndex.set(object.metadata.uid, { storage, key });
    }
    this.rv = Math.max(this.rv, s.resourceVersion);
    // A restarted server has no history: clients must relist, as after an etcd compaction.
    this.compactedRv = this.rv;
    this.log = [];
  }

  dependentsOf(ownerUid: string): { storage: string; object: KubeObject }[] {
    const refs = this.ownerIndex.get(ownerUid);
    if (!refs) return [];
    const out: { storage: string; object: KubeObject }[] = [];
    for (const ref of refs) {
      const [storage, key] = ref.split('\0') as [string, string];
      const object = this.buckets.get(storage)?.get(key);
      if (object) out.push({ storage, object });
    }
    return out;
  }

  private indexOwners(storage: string, key: string, obj: KubeObject): void {
    for (const r of obj.metadata.ownerReferences ?? []) {
      let set = this.ownerIndex.get(r.uid);
      if (!set) {
        set = new Set();
        this.ownerIndex.set(r.uid, set);
      }
      set.add(`${storage}\0${key}`);
    }
  }

  private unindexOwners(storage: string, key: string, obj: KubeObject): void {
    for (const r of obj.metadata.ownerReferences ?? []) {
      const set = this.ownerIndex.get(r.uid);
      set?.delete(`${storage}\0${key}`);
      if (set?.size === 0) this.ownerIndex.delete(r.uid);
    }
  }

  private emit(ev: StoreEvent): void {
    this.log.push(ev);
    if (this.log.length > this.logCapacity) {
      const drop = this.log.length - Math.floor(this.logCapacity / 2);
      this.compactedRv = this.log[drop - 1]!.rv;
      this.log = this.log.slice(drop);
    }
    for (const w of this.watchers) {
      if (w.storage !== ev.storage) continue;
      if (w.namespace && w.namespace !== ev.object.metadata.namespace) continue;
      w.onEvent(ev);
    }
    for (const fn of this.writeListeners) fn(ev);
  }
}
