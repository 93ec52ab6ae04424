// Shared builders and an in-memory IngressOps for the traffic unit tests.
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/kube-object.ts';
import type { CanaryStrategy, Rollout } from '../../../src/api/rollout.ts';
import type { RecordedEvent } from '../../../src/kube/event-recorder.ts';
import { KubeApiError } from '../../../src/kube/raw-client.ts';
import type { IngressOps } from '../../../src/traffic/router.ts';
import {
  checkAlbAction,
  checkAlbConditions,
  checkAlbIngress,
  type ServiceLookup,
} from '../../support/alb-check.ts';

export const STABLE = 'stable-svc';
export const CANARY = 'canary-svc';

type Alb = NonNullable<NonNullable<CanaryStrategy['trafficRouting']>['alb']>;

export function albRollout(
  opts: {
    alb?: Partial<Alb>;
    canary?: Partial<CanaryStrategy>;
    status?: Rollout['status'];
    name?: string;
  } = {},
): Rollout {
  const { trafficRouting, ...canaryRest } = opts.canary ?? {};
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: opts.name ?? 'rollout', namespace: 'default', uid: 'uid-rollout' },
    spec: {
      strategy: {
        canary: {
          stableService: STABLE,
          canaryService: CANARY,
          ...canaryRest,
          trafficRouting: {
            ...trafficRouting,
            alb: { ingress: 'ingress', servicePort: 443, ...opts.alb },
          },
        },
      },
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

export function albIngress(
  name: string,
  actionService: string,
  annotations?: Record<string, string>,
  opts: { legacy?: boolean; port?: string | number; extraPaths?: unknown[] } = {},
): KubeObject {
  const port = opts.port ?? 'use-annotation';
  const backend = opts.legacy
    ? { serviceName: actionService, servicePort: port }
    : {
        service: {
          name: actionService,
          port: typeof port === 'number' ? { number: port } : { name: port },
        },
      };
  return {
    apiVersion: opts.legacy ? 'extensions/v1beta1' : 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: 'default',
      resourceVersion: '7',
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      rules: [
        {
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend },
              ...((opts.extraPaths ?? []) as object[]),
            ],
          },
        },
      ],
    },
  };
}

/** Services for the alb-check lookup: every name given exposes port 443 and 80 (`http`). */
export function lookupOf(...names: string[]): ServiceLookup {
  return (name) =>
    names.includes(name)
      ? {
          ports: [
            { port: 443, name: 'https' },
            { port: 80, name: 'http' },
          ],
        }
      : undefined;
}

/** Every actions./conditions. annotation and the whole Ingress pass the LBC-rule checker. */
export function assertAlbValid(
  annotations: Record<string, string> | undefined,
  lookup: ServiceLookup,
  prefix = 'alb.ingress.kubernetes.io',
): void {
  for (const [k, v] of Object.entries(annotations ?? {})) {
    if (k.startsWith(`${prefix}/actions.`)) {
      assert.deepEqual(checkAlbAction(v, { lookup }), [], `${k}=${v}`);
    } else if (k.startsWith(`${prefix}/conditions.`)) {
      assert.deepEqual(checkAlbConditions(v), [], `${k}=${v}`);
    }
  }
}

export function assertAlbIngressValid(
  ing: KubeObject,
  lookup: ServiceLookup,
  prefix?: string,
): void {
  assert.deepEqual(checkAlbIngress(ing, { lookup, ...(prefix ? { prefix } : {}) }), []);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export interface Call {
  verb: 'get' | 'getLive' | 'create' | 'patch' | 'update' | 'delete';
  name: string;
  body?: unknown;
}

/** An in-memory Ingress store with resourceVersion preconditions, recording writes. */
export class FakeIngressOps implements IngressOps {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  private rv = 100;
  /** Inject a failure for the next call of this verb. */
  failNext: Partial<Record<Call['verb'], unknown>> = {};
  /** Pretend the cache does not have these (a create then races with the API). */
  hiddenFromCache = new Set<string>();

  /** Called with every object after a write (e.g. the ALB checker). */
  onWrite: ((obj: KubeObject) => void) | undefined;

  constructor(objs: KubeObject[] = [], onWrite?: (obj: KubeObject) => void) {
    for (const o of objs) this.objects.set(o.metadata.name ?? '', structuredClone(o));
    this.onWrite = onWrite;
  }

  private stored(name: string, obj: KubeObject): KubeObject {
    this.objects.set(name, obj);
    this.onWrite?.(structuredClone(obj));
    return structuredClone(obj);
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.verb !== 'get' && c.verb !== 'getLive');
  }

  private fail(verb: Call['verb']): void {
    if (verb in this.failNext) {
      const e = this.failNext[verb];
      delete this.failNext[verb];
      throw e;
    }
  }

  getIngress(_ns: string, name: string): Promise<KubeObject | undefined> {
    this.calls.push({ verb: 'get', name });
    this.fail('get');
    if (this.hiddenFromCache.has(name)) return Promise.resolve(undefined);
    const o = this.objects.get(name);
    return Promise.resolve(o ? structuredClone(o) : undefined);
  }

  getIngressLive(_ns: string, name: string): Promise<KubeObject | undefined> {
    this.calls.push({ verb: 'getLive', name });
    this.fail('getLive');
    const o = this.objects.get(name);
    return Promise.resolve(o ? structuredClone(o) : undefined);
  }

  createIngress(_ns: string, body: KubeObject): Promise<KubeObject> {
    const name = body.metadata.name ?? '';
    this.calls.push({ verb: 'create', name, body: structuredClone(body) });
    this.fail('create');
    if (this.objects.has(name)) {
      throw new KubeApiError(409, 'AlreadyExists', `ingresses "${name}" already exists`);
    }
    const created = structuredClone(body);
    created.metadata.resourceVersion = String(++this.rv);
    return Promise.resolve(this.stored(name, created));
  }

  patchIngress(_ns: string, name: string, patch: object): Promise<KubeObject> {
    this.calls.push({ verb: 'patch', name, body: structuredClone(patch) });
    this.fail('patch');
    const cur = this.objects.get(name);
    if (!cur) throw new KubeApiError(404, 'NotFound', `ingresses "${name}" not found`);
    const want = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (want !== undefined && want !== cur.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', 'the object has been modified');
    }
    const next = applyMergePatch(cur, patch) as KubeObject;
    next.metadata.resourceVersion = String(++this.rv);
    return Promise.resolve(this.stored(name, next));
  }

  updateIngress(ing: KubeObject): Promise<KubeObject> {
    const name = ing.metadata.name ?? '';
    this.calls.push({ verb: 'update', name, body: structuredClone(ing) });
    this.fail('update');
    const next = structuredClone(ing);
    next.metadata.resourceVersion = String(++this.rv);
    return Promise.resolve(this.stored(name, next));
  }

  deleteIngress(_ns: string, name: string): Promise<void> {
    this.calls.push({ verb: 'delete', name });
    this.fail('delete');
    this.objects.delete(name);
    return Promise.resolve();
  }
}

/** An Ingress store whose every written object must pass the LBC-rule checker. */
export function checkedAlbOps(
  objs: KubeObject[],
  lookup: ServiceLookup,
  prefix?: string,
): FakeIngressOps {
  return new FakeIngressOps(objs, (obj) => assertAlbIngressValid(obj, lookup, prefix));
}

export function eventSink(): { events: RecordedEvent[]; emit: (e: RecordedEvent) => void } {
  const events: RecordedEvent[] = [];
  return { events, emit: (e) => events.push(e) };
}
