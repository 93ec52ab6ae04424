// The verbs on stored objects, with the API server's semantics: resourceVersion
// preconditions, generation, status subresource separation, finalizers and ownerReference
// garbage collection. Used by the HTTP layer and, in-process, by the simulated controllers.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { applyJsonPatch, PatchError } from '../patch/json.ts';
import { applyMergePatch } from '../patch/merge.ts';
import { applyStrategicMergePatch } from '../patch/strategic.ts';
import { randomSuffix, validateDns1123Subdomain } from '../naming.ts';
import type { Registry } from '../registry/registry.ts';
import { groupVersion, type KubeObject, type ResourceType } from '../registry/types.ts';
import type { Store } from '../store/store.ts';
import { admit, type FieldValidation } from './admission.ts';
import { coreToEventsV1, eventsV1ToCore } from './event-conversion.ts';
import { ApiError, errors } from './status.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export type Subresource = 'status' | 'scale' | undefined;

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: Propagation;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export function nowTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Deep equality of JSON-shaped values, as isDeepStrictEqual decides it for them (own keys,
 * a key holding undefined differs from a missing one). isDeepStrictEqual's generic key checks
 * were ~6% of the server's CPU on the write path, for the no-op check on every update.
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa = Object.getPrototypeOf(a) as unknown;
  const pb = Object.getPrototypeOf(b) as unknown;
  if ((pa !== Object.prototype && pa !== null) || (pb !== Object.prototype && pb !== null)) {
    return isDeepStrictEqual(a, b);
  }
  if (pa !== pb) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  }
  return true;
}

/**
 * A deep copy of a JSON-shaped value. Several times faster than structuredClone for the
 * plain objects and arrays API objects are made of (it was the top sim/ entry in profiles
 * of the write path); anything else (Date, Map …) still goes through structuredClone.
 */
function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clone(v[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = clone((v as Record<string, unknown>)[k]);
    // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
    if (k === '__proto__') {
      Object.defineProperty(out, k, {
        value: x,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[k] = x;
  }
  return out as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Built-in kinds whose strategy maintains metadata.generation; the rest (ConfigMap, Secret,
// Service, Pod in 1.32 ...) never get one. Custom resources always do.
const GENERATION_KINDS = new Set([
  'ReplicaSet',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Ingress',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'CustomResourceDefinition',
]);

function tracksGeneration(rt: ResourceType): boolean {
  return !rt.builtin || GENERATION_KINDS.has(rt.kind);
}

/** Everything but metadata (and status, for kinds whose status is a subresource). */
function specPart(rt: ResourceType, obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status, apiVersion: _a, kind: _k, ...rest } = obj;
  return rt.subresources.status ? rest : { ...rest, status };
}

export class ObjectService {
  constructor(
    readonly store: Store,
    readonly registry: Registry,
    readonly clock: () => Date = () => new Date(),
  ) {}

  // ---- reading ----

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(rt.storage, rt.namespaced ? namespace : undefined, name);
    if (!obj) throw errors.notFound(rt, name);
    return this.present(rt, obj);
  }

  tryGet(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.store.get(rt.storage, rt.namespaced ? namespace : undefined, name);
    return obj ? this.present(rt, obj) : undefined;
  }

  list(rt: ResourceType, namespace: string | undefined): KubeObject[] {
    return this.store
      .list(rt.storage, rt.namespaced ? namespace : undefined)
      .map((o) => this.present(rt, o));
  }

  /** The object as served for this type's version (shared storage, version rewrite). */
  present(rt: ResourceType, obj: KubeObject): KubeObject {
    if (rt.storage === 'events') {
      return rt.group === 'events.k8s.io'
        ? coreToEventsV1(obj)
        : { ...obj, apiVersion: 'v1', kind: 'Event' };
    }
    const apiVersion = groupVersion(rt);
    if (obj.apiVersion === apiVersion && obj.kind === rt.kind) return obj;
    return { ...obj, apiVersion, kind: rt.kind };
  }

  private toStorage(rt: ResourceType, obj: KubeObject): KubeObject {
    return rt.storage === 'events' && rt.group === 'events.k8s.io' ? eventsV1ToCore(obj) : obj;
  }

  // ---- create ----

  create(
    rt: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions = {},
  ): WriteResult {
    const obj = this.decode(rt, body);
    const ns = this.resolveNamespace(rt, namespace, obj);
    const meta = obj.metadata;
    if (!meta.name) {
      if (meta.generateName) meta.name = `${meta.generateName}${randomSuffix(5)}`;
      else
        throw errors.invalid(rt, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
    }
    const nameErrors = validateDns1123Subdomain(meta.name);
    if (nameErrors.length && rt.kind !== 'Event') {
      throw errors.invalid(rt, meta.name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${meta.name}": ${nameErrors.join(', ')}`,
        },
      ]);
    }
    if (this.store.get(rt.storage, ns, meta.name)) throw errors.alreadyExists(rt, meta.name);
    if (rt.subresources.status && !rt.builtin) delete obj.status;
    const admitted = admit(rt, obj, true, opts.fieldValidation ?? 'Warn');
    const stored = admitted.object;
    const m = stored.metadata;
    if (ns) m.namespace = ns;
    else delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = nowTimestamp(this.clock());
    if (tracksGeneration(rt)) m.generation = 1;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    if (rt.kind === 'CustomResourceDefinition' && rt.group === 'apiextensions.k8s.io') {
      stored.status = crdStatus(stored, m.creationTimestamp);
    }
    if (opts.dryRun) return { object: this.present(rt, stored), warnings: admitted.warnings };
    m.resourceVersion = String(this.store.nextRv());
    const toStore = this.toStorage(rt, stored);
    this.store.put(rt.storage, toStore, 'ADDED');
    this.afterWrite(rt, toStore);
    return { object: this.present(rt, toStore), warnings: admitted.warnings };
  }

  // ---- update ----

  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    sub: Subresource,
    opts: WriteOptions = {},
  ): WriteResult {
    if (sub === 'scale') return this.updateScale(rt, namespace, name, body, opts);
    const incoming = this.decode(rt, body);
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const ns = rt.namespaced ? namespace : undefined;
    if (rt.namespaced && incoming.metadata.namespace && incoming.metadata.namespace !== ns) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const existingStored = this.store.get(rt.storage, ns, name);
    if (!existingStored) throw errors.notFound(rt, name);
    const existing = this.present(rt, existingStored);
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) throw errors.conflict(rt, name);
    return this.writeUpdate(rt, existing, incoming, sub, opts);
  }

  private writeUpdate(
    rt: ResourceType,
    existing: KubeObject,
    incoming: KubeObject,
    sub: Subresource,
    opts: WriteOptions,
  ): WriteResult {
    let next: KubeObject;
    if (sub === 'status') {
      next = { ...clone(existing), status: clone(incoming.status) };
      if (incoming.status === undefined) delete next.status;
    } else {
      next = clone(incoming);
      if (rt.subresources.status) {
        if (existing.status === undefined) delete next.status;
        else next.status = clone(existing.status);
      }
      const em = existing.metadata;
      next.metadata = {
        ...next.metadata,
        name: em.name,
        uid: em.uid,
        creationTimestamp: em.creationTimestamp,
        ...(em.generation !== undefined ? { generation: em.generation } : {}),
        ...(em.namespace ? { namespace: em.namespace } : {}),
        ...(em.deletionTimestamp
          ? {
              deletionTimestamp: em.deletionTimestamp,
              deletionGracePeriodSeconds: em.deletionGracePeriodSeconds,
            }
          : {}),
      };
      if (em.generation === undefined) delete next.metadata.generation;
      if (!em.deletionTimestamp) {
        delete next.metadata.deletionTimestamp;
        delete next.metadata.deletionGracePeriodSeconds;
      }
    }
    const admitted = admit(rt, next, false, opts.fieldValidation ?? 'Warn');
    next = admitted.object;
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (
      sub !== 'status' &&
      tracksGeneration(rt) &&
      !jsonEqual(specPart(rt, next), specPart(rt, existing))
    ) {
      next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    }
    if (
      rt.kind === 'CustomResourceDefinition' &&
      rt.group === 'apiextensions.k8s.io' &&
      sub !== 'status'
    ) {
      next.status = crdStatus(next, existing.metadata.creationTimestamp ?? '');
    }
    const warnings = admitted.warnings;
    // A no-op write does not bump the resourceVersion, as on a real server.
    if (jsonEqual(next, existing)) return { object: existing, warnings };
    if (opts.dryRun) return { object: next, warnings };
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      const removed = this.store.remove(
        rt.storage,
        next.metadata.namespace,
        next.metadata.name ?? '',
      );
      if (removed) this.afterRemove(rt, removed, 'Background');
      return { object: removed ? this.present(rt, removed) : next, warnings };
    }
    next.metadata.resourceVersion = String(this.store.nextRv());
    const toStore = this.toStorage(rt, next);
    this.store.put(rt.storage, toStore, 'MODIFIED');
    this.afterWrite(rt, toStore);
    return { object: this.present(rt, toStore), warnings };
  }

  // ---- patch ----

  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    sub: Subresource,
    opts: WriteOptions = {},
  ): WriteResult {
    const ns = rt.namespaced ? namespace : undefined;
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    if (type === PATCH_TYPES.apply) {
      throw errors.unsupportedMediaType(
        'server-side apply (application/apply-patch+yaml) is not supported by rollouts-sim; use client-side `kubectl apply` or a merge patch',
      );
    }
    if (type === PATCH_TYPES.strategic && !rt.builtin) {
      throw errors.unsupportedMediaType(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    if (type !== PATCH_TYPES.json && type !== PATCH_TYPES.merge && type !== PATCH_TYPES.strategic) {
      throw errors.unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${rt.builtin ? ', application/strategic-merge-patch+json' : ''}`,
      );
    }
    const existingStored = this.store.get(rt.storage, ns, name);
    if (!existingStored) throw errors.notFound(rt, name);
    const existing = this.present(rt, existingStored);
    const target: unknown = sub === 'scale' ? this.scaleOf(rt, existing) : existing;
    let patched: unknown;
    try {
      if (type === PATCH_TYPES.json) patched = applyJsonPatch(target, body);
      else if (type === PATCH_TYPES.merge) patched = applyMergePatch(target, body);
      else patched = applyStrategicMergePatch(target, body, rt.kind);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(422, 'Invalid', e.message);
      throw e;
    }
    if (!isObject(patched) || !isObject(patched.metadata)) {
      throw errors.badRequest('the patched object is not a valid object: metadata is missing');
    }
    const patchedObj = patched as KubeObject;
    const rv = patchedObj.metadata.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) throw errors.conflict(rt, name);
    if (sub === 'scale') return this.applyScale(rt, existing, patchedObj, opts);
    if (patchedObj.metadata.name !== name)
      throw errors.badRequest('metadata.name cannot be changed by a patch');
    return this.writeUpdate(rt, existing, patchedObj, sub, opts);
  }

  // ---- scale subresource ----

  scaleOf(rt: ResourceType, obj: KubeObject): KubeObject {
    const sc = rt.subresources.scale;
    if (!sc) throw errors.noRoute();
    const specReplicas = readPath(obj, sc.specReplicasPath);
    const statusReplicas = readPath(obj, sc.statusReplicasPath);
    const selector = sc.labelSelectorPath ? readPath(obj, sc.labelSelectorPath) : undefined;
    const m = obj.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: m.creationTimestamp,
      },
      spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
      status: {
        replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
        ...(typeof selector === 'string' ? { selector } : builtinSelector(rt, obj)),
      },
    };
  }

  private updateScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): WriteResult {
    if (!isObject(body) || !isObject(body.metadata))
      throw errors.badRequest('a Scale object is required');
    const existing = this.get(rt, namespace, name);
    const scale = body as KubeObject;
    const rv = scale.metadata.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) throw errors.conflict(rt, name);
    return this.applyScale(rt, existing, scale, opts);
  }

  private applyScale(
    rt: ResourceType,
    existing: KubeObject,
    scale: KubeObject,
    opts: WriteOptions,
  ): WriteResult {
    const sc = rt.subresources.scale;
    if (!sc) throw errors.noRoute();
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, existing.metadata.name ?? '', [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next = clone(existing);
    writePath(next, sc.specReplicasPath, replicas);
    const res = this.writeUpdate(rt, existing, next, undefined, opts);
    return { object: this.scaleOf(rt, res.object), warnings: res.warnings };
  }

  // ---- delete ----

  delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject {
    const ns = rt.namespaced ? namespace : undefined;
    const stored = this.store.get(rt.storage, ns, name);
    if (!stored) throw errors.notFound(rt, name);
    const existing = this.present(rt, stored);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid) {
      throw preconditionFailed(
        rt,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${existing.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw preconditionFailed(
        rt,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${existing.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    if (opts.dryRun) return existing;
    const propagation = opts.propagationPolicy ?? 'Background';
    const finalizers = [...(existing.metadata.finalizers ?? [])];
    const hasDependents = this.store.dependentsOf(existing.metadata.uid ?? '').length > 0;
    if (
      propagation === 'Foreground' &&
      hasDependents &&
      !finalizers.includes('foregroundDeletion')
    ) {
      finalizers.push('foregroundDeletion');
    }
    if (propagation === 'Orphan') this.orphanDependents(existing);
    if (finalizers.length) {
      if (
        existing.metadata.deletionTimestamp &&
        isDeepStrictEqual(finalizers, existing.metadata.finalizers)
      ) {
        return existing;
      }
      const next = clone(existing);
      next.metadata.finalizers = finalizers;
      next.metadata.deletionTimestamp ??= nowTimestamp(this.clock());
      next.metadata.deletionGracePeriodSeconds ??= 0;
      next.metadata.resourceVersion = String(this.store.nextRv());
      const toStore = this.toStorage(rt, next);
      this.store.put(rt.storage, toStore, 'MODIFIED');
      if (propagation === 'Foreground')
        this.deleteDependents(existing.metadata.uid ?? '', 'Foreground');
      return this.present(rt, toStore);
    }
    const removed = this.store.remove(rt.storage, ns, name);
    if (!removed) throw errors.notFound(rt, name);
    this.afterRemove(rt, removed, propagation);
    return this.present(rt, removed);
  }

  // ---- side effects of writes ----

  private afterWrite(rt: ResourceType, obj: KubeObject): void {
    if (rt.kind === 'CustomResourceDefinition' && rt.group === 'apiextensions.k8s.io') {
      this.registry.setCrd(obj);
    }
    if (rt.kind === 'Namespace' && rt.group === '' && obj.metadata.deletionTimestamp) {
      this.purgeNamespace(obj.metadata.name ?? '');
    }
  }

  private afterRemove(rt: ResourceType, removed: KubeObject, propagation: Propagation): void {
    if (rt.kind === 'CustomResourceDefinition' && rt.group === 'apiextensions.k8s.io') {
      const storage = `${(removed.spec as { group?: string }).group}/${(removed.spec as { names?: { plural?: string } }).names?.plural}`;
      for (const o of this.store.list(storage))
        this.store.remove(storage, o.metadata.namespace, o.metadata.name ?? '');
      this.registry.removeCrd(removed.metadata.name ?? '');
    }
    if (rt.kind === 'Namespace' && rt.group === '')
      this.purgeNamespace(removed.metadata.name ?? '');
    if (propagation !== 'Orphan') this.deleteDependents(removed.metadata.uid ?? '', propagation);
    this.releaseForegroundOwners(removed);
  }

  /** Deleting a namespace deletes everything in it. */
  private purgeNamespace(ns: string): void {
    for (const storage of this.store.storages()) {
      if (storage === '/namespaces') continue;
      for (const o of this.store.list(storage, ns)) {
        if (o.metadata.namespace === ns) this.store.remove(storage, ns, o.metadata.name ?? '');
      }
    }
  }

  /**
   * Garbage collection of dependents. The real collector is asynchronous; doing it
   * synchronously here keeps tests deterministic and is observably the same to watchers.
   */
  private deleteDependents(ownerUid: string, propagation: Propagation): void {
    if (!ownerUid) return;
    for (const { storage, object } of this.store.dependentsOf(ownerUid)) {
      const others = (object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== ownerUid && this.store.getByUid(r.uid),
      );
      const rt = this.typeForStorage(storage, object);
      if (!rt) continue;
      if (others.length) {
        const next = clone(object);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== ownerUid,
        );
        next.metadata.resourceVersion = String(this.store.nextRv());
        this.store.put(storage, next, 'MODIFIED');
        continue;
      }
      try {
        this.delete(rt, object.metadata.namespace, object.metadata.name ?? '', {
          propagationPolicy: propagation,
        });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }

  private orphanDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid ?? '';
    for (const { storage, object } of this.store.dependentsOf(uid)) {
      const next = clone(object);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== uid,
      );
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      next.metadata.resourceVersion = String(this.store.nextRv());
      this.store.put(storage, next, 'MODIFIED');
    }
  }

  /** An owner waiting in foreground deletion goes once its last dependent is gone. */
  private releaseForegroundOwners(removed: KubeObject): void {
    for (const ref of removed.metadata.ownerReferences ?? []) {
      const owner = this.store.getByUid(ref.uid);
      if (!owner?.metadata.deletionTimestamp) continue;
      if (!owner.metadata.finalizers?.includes('foregroundDeletion')) continue;
      if (this.store.dependentsOf(ref.uid).length) continue;
      const rt = this.registry.findKind(owner.apiVersion ?? ref.apiVersion, owner.kind ?? ref.kind);
      if (!rt) continue;
      const next = clone(owner);
      next.metadata.finalizers = (next.metadata.finalizers ?? []).filter(
        (f) => f !== 'foregroundDeletion',
      );
      this.writeUpdate(rt, this.present(rt, owner), next, undefined, {});
    }
  }

  private typeForStorage(storage: string, obj: KubeObject): ResourceType | undefined {
    if (obj.apiVersion && obj.kind) {
      const rt = this.registry.findKind(obj.apiVersion, obj.kind);
      if (rt?.storage === storage) return rt;
    }
    return this.registry.types().find((t) => t.storage === storage);
  }

  // ---- decoding ----

  private decode(rt: ResourceType, body: unknown): KubeObject {
    if (!isObject(body))
      throw errors.badRequest(
        `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the body is not a JSON object`,
      );
    const obj = clone(body) as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = {};
    const expected = groupVersion(rt);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw errors.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw errors.badRequest(
        `the kind in the data (${String(obj.kind)}) does not match the expected kind (${rt.kind})`,
      );
    }
    obj.apiVersion = expected;
    obj.kind = rt.kind;
    return obj;
  }

  private resolveNamespace(
    rt: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
  ): string | undefined {
    if (!rt.namespaced) return undefined;
    const ns = namespace ?? obj.metadata.namespace ?? 'default';
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const nsObj = this.store.get('/namespaces', undefined, ns);
    if (!nsObj) throw errors.namespaceNotFound(ns);
    if (nsObj.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${rt.resource} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
    return ns;
  }
}

/**
 * A failed delete precondition as rest.BeforeDelete reports it: a Conflict on the group and
 * *kind* (not the resource), e.g. `Operation cannot be fulfilled on ConfigMap "x": ...`.
 */
function preconditionFailed(rt: ResourceType, name: string, detail: string): ApiError {
  const qualified = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": ${detail}`,
    {
      name,
      group: rt.group,
      kind: rt.kind,
    },
  );
}

function crdStatus(crd: KubeObject, ts: string): Record<string, unknown> {
  const names = (crd.spec as { names?: Record<string, unknown> } | undefined)?.names ?? {};
  const versions = (
    (crd.spec as { versions?: { name: string; storage?: boolean }[] }).versions ?? []
  )
    .filter((v) => v.storage)
    .map((v) => v.name);
  const cond = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: ts,
    reason,
    message,
  });
  return {
    acceptedNames: names,
    storedVersions: versions,
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
  };
}

function builtinSelector(rt: ResourceType, obj: KubeObject): Record<string, string> {
  if (!rt.builtin) return {};
  const ml = (obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector?.matchLabels;
  if (!ml) return {};
  return {
    selector: Object.keys(ml)
      .sort()
      .map((k) => `${k}=${ml[k]}`)
      .join(','),
  };
}

/** Reads a simple `.a.b.c` path, as used by CRD scale subresource paths. */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur: Record<string, unknown> = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}
