// Reads ALB annotations the way the AWS Load Balancer Controller does (traffic-routing §3.4,
// §3.12; LBC pkg/ingress/config_types.go and enhanced_backend_builder.go) and lists what the LBC
// would reject or mis-route. Go's encoding/json rules apply: field names match without regard
// to case (the last matching key wins), unknown fields are ignored, a wrongly typed value is a
// decode error, `null` leaves a field unset. Then `Action.validate()`, the servicePort
// normalisation (`intstr.Parse`: "80" → 80) and the Service/port lookup, plus the Argo
// contract: integer weights 0..999 that add up to 100.
import type { KubeObject } from '../../src/api/kube-object.ts';

export interface ServicePortLike {
  port: number;
  name?: string;
}

/** Service by name in the Ingress's namespace; undefined when it does not exist. */
export type ServiceLookup = (name: string) => { ports: ServicePortLike[] } | undefined;

export interface AlbCheckOptions {
  /** Check that each named Service exists and exposes the port. Omit to skip. */
  lookup?: ServiceLookup;
  /** The weights must add up to this. Default 100; null skips the check. */
  expectTotal?: number | null;
}

/** A lookup over Service objects (spec.ports[].port / name). */
export function servicesLookup(services: readonly KubeObject[]): ServiceLookup {
  return (name) => {
    const svc = services.find((s) => s.metadata.name === name);
    if (!svc) return undefined;
    const ports = (svc.spec as { ports?: ServicePortLike[] } | undefined)?.ports ?? [];
    return { ports };
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go: each key goes to the field whose name matches case-insensitively; the last one wins. */
function goField(o: Obj, name: string): unknown {
  let found: unknown;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === want) found = v;
  return found;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

class Decoder {
  readonly problems: string[] = [];

  /** *string / string: JSON string, or null/absent (unset). */
  str(o: Obj, name: string, where: string): string | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.problems.push(`${where}.${name}: cannot unmarshal ${kind(v)} into string`);
      return undefined;
    }
    return v;
  }

  /** *int64 / *int32: a JSON integer. */
  int(o: Obj, name: string, where: string, bits: 32 | 64): number | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.problems.push(
        `${where}.${name}: cannot unmarshal ${kind(v)} ${JSON.stringify(v)} into int${bits}`,
      );
      return undefined;
    }
    const limit = bits === 32 ? 2 ** 31 : 2 ** 63;
    if (v < -limit || v >= limit) {
      this.problems.push(`${where}.${name}: ${v} overflows int${bits}`);
      return undefined;
    }
    return v;
  }

  bool(o: Obj, name: string, where: string): boolean | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problems.push(`${where}.${name}: cannot unmarshal ${kind(v)} into bool`);
      return undefined;
    }
    return v;
  }

  obj(o: Obj, name: string, where: string): Obj | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) {
      this.problems.push(`${where}.${name}: cannot unmarshal ${kind(v)} into object`);
      return undefined;
    }
    return v;
  }

  arr(o: Obj, name: string, where: string): unknown[] | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.problems.push(`${where}.${name}: cannot unmarshal ${kind(v)} into array`);
      return undefined;
    }
    return v as unknown[];
  }

  /** *intstr.IntOrString: a JSON string or an int32. */
  intOrString(o: Obj, name: string, where: string): string | number | undefined {
    const v = goField(o, name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    return this.int(o, name, where, 32);
  }
}

/** intstr.Parse: strconv.Atoi succeeds ⇒ an int, else the string. */
function intstrParse(s: string): string | number {
  return /^[+-]?\d+$/.test(s) && Math.abs(Number(s)) < 2 ** 63 ? Number(s) : s;
}

export interface AlbTargetGroupView {
  targetGroupARN?: string;
  serviceName?: string;
  /** After the LBC's normalisation: a number when the string was numeric. */
  servicePort?: string | number;
  weight?: number;
}

export interface AlbActionView {
  type: string;
  targetGroupARN?: string;
  targetGroups?: AlbTargetGroupView[];
  stickiness?: { enabled?: boolean; durationSeconds?: number };
}

/** Decodes an action annotation as the LBC does; problems are decode errors. */
export function decodeAlbAction(value: string): { action?: AlbActionView; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (e) {
    return { problems: [`not JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  if (raw === null) return { action: { type: '' }, problems: [] };
  if (!isObj(raw))
    return { problems: [`cannot unmarshal ${kind(raw)} into Go value of type Action`] };
  const d = new Decoder();
  const action: AlbActionView = { type: d.str(raw, 'type', 'action') ?? '' };
  const arn = d.str(raw, 'targetGroupARN', 'action');
  if (arn !== undefined) action.targetGroupARN = arn;
  const fc = d.obj(raw, 'forwardConfig', 'action');
  if (fc) {
    const tgs = d.arr(fc, 'targetGroups', 'forwardConfig') ?? [];
    action.targetGroups = tgs.map((tg, i) => {
      const where = `targetGroups[${i}]`;
      if (!isObj(tg)) {
        if (tg !== null)
          d.problems.push(`${where}: cannot unmarshal ${kind(tg)} into TargetGroupTuple`);
        return {};
      }
      const view: AlbTargetGroupView = {};
      const tArn = d.str(tg, 'targetGroupARN', where);
      if (tArn !== undefined) view.targetGroupARN = tArn;
      const svc = d.str(tg, 'serviceName', where);
      if (svc !== undefined) view.serviceName = svc;
      const port = d.intOrString(tg, 'servicePort', where);
      if (port !== undefined)
        view.servicePort = typeof port === 'string' ? intstrParse(port) : port;
      const weight = d.int(tg, 'weight', where, 64);
      if (weight !== undefined) view.weight = weight;
      return view;
    });
    const sticky = d.obj(fc, 'targetGroupStickinessConfig', 'forwardConfig');
    if (sticky) {
      action.stickiness = {};
      const enabled = d.bool(sticky, 'enabled', 'targetGroupStickinessConfig');
      if (enabled !== undefined) action.stickiness.enabled = enabled;
      const dur = d.int(sticky, 'durationSeconds', 'targetGroupStickinessConfig', 64);
      if (dur !== undefined) action.stickiness.durationSeconds = dur;
    }
  }
  return { action, problems: d.problems };
}

/**
 * Every problem the LBC (or AWS) would have with an `actions.<name>` annotation value, plus the
 * Argo contract checks. Empty means: accepted, and the split is the one intended.
 */
export function checkAlbAction(value: string, opts: AlbCheckOptions = {}): string[] {
  const { action, problems } = decodeAlbAction(value);
  if (!action) return problems;
  const out = [...problems];
  // Action.validate()
  if (action.type !== 'forward') {
    out.push(
      ['fixed-response', 'redirect'].includes(action.type)
        ? `action type ${action.type} is not a forward action`
        : `unknown action type: ${action.type}`,
    );
    return out;
  }
  if ((action.targetGroupARN !== undefined) === (action.targetGroups !== undefined)) {
    out.push('precisely one of TargetGroupArn and ForwardConfig can be specified');
    return out;
  }
  const tgs = action.targetGroups ?? [];
  tgs.forEach((tg, i) => {
    if ((tg.targetGroupARN !== undefined) === (tg.serviceName !== undefined)) {
      out.push(
        `targetGroups[${i}]: precisely one of targetGroupARN and serviceName can be specified`,
      );
    } else if (tg.serviceName !== undefined && tg.servicePort === undefined) {
      out.push(`targetGroups[${i}]: missing servicePort`);
    }
  });
  if (tgs.length > 1 && tgs.some((tg) => tg.weight === undefined)) {
    out.push('weight must be set when route to multiple target groups');
  }
  // AWS and Argo contract.
  if (action.targetGroupARN === undefined && tgs.length === 0)
    out.push('forward action has no target groups');
  tgs.forEach((tg, i) => {
    if (tg.weight !== undefined && (tg.weight < 0 || tg.weight > 999)) {
      out.push(`targetGroups[${i}]: weight ${tg.weight} outside 0..999`);
    }
  });
  const expectTotal = opts.expectTotal === undefined ? 100 : opts.expectTotal;
  if (expectTotal !== null && tgs.length > 0) {
    const total = tgs.reduce((s, tg) => s + (tg.weight ?? (tgs.length === 1 ? expectTotal : 0)), 0);
    if (total !== expectTotal) out.push(`weights add up to ${total}, not ${expectTotal}`);
  }
  if (action.stickiness?.enabled === true) {
    const d = action.stickiness.durationSeconds;
    if (d === undefined || d < 1 || d > 604800) {
      out.push(`stickiness durationSeconds ${String(d)} outside 1..604800`);
    }
  }
  if (opts.lookup) {
    tgs.forEach((tg, i) => {
      if (tg.serviceName === undefined || tg.servicePort === undefined) return;
      const svc = opts.lookup!(tg.serviceName);
      if (!svc) {
        out.push(`targetGroups[${i}]: service ${tg.serviceName} does not exist`);
        return;
      }
      const port = tg.servicePort;
      const found = svc.ports.some((p) =>
        typeof port === 'number' ? p.port === port : p.name === port,
      );
      if (!found)
        out.push(`targetGroups[${i}]: service ${tg.serviceName} has no port ${String(port)}`);
    });
  }
  return out;
}

/** Problems with a `conditions.<name>` value (a list of LBC RuleConditions). */
export function checkAlbConditions(value: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (e) {
    return [`not JSON: ${e instanceof Error ? e.message : String(e)}`];
  }
  if (raw === null) return ['conditions are null: the route would match every request'];
  if (!Array.isArray(raw)) return [`cannot unmarshal ${kind(raw)} into []RuleCondition`];
  if (raw.length === 0) return ['no conditions: the route would match every request'];
  const d = new Decoder();
  raw.forEach((c, i) => {
    const where = `conditions[${i}]`;
    if (!isObj(c)) {
      d.problems.push(`${where}: cannot unmarshal ${kind(c)} into RuleCondition`);
      return;
    }
    const field = d.str(c, 'field', where) ?? '';
    if (field !== 'http-header') {
      d.problems.push(`${where}: field ${JSON.stringify(field)} is not http-header`);
      return;
    }
    const cfg = d.obj(c, 'httpHeaderConfig', where);
    if (!cfg) {
      d.problems.push(`${where}: missing httpHeaderConfig`);
      return;
    }
    if ((d.str(cfg, 'httpHeaderName', where) ?? '') === '') {
      d.problems.push(`${where}: empty httpHeaderName`);
    }
    const values = d.arr(cfg, 'values', where) ?? [];
    if (values.length === 0)
      d.problems.push(`${where}: invalid httpHeaderConfig: values cannot be empty`);
    values.forEach((v, j) => {
      if (typeof v !== 'string')
        d.problems.push(`${where}.values[${j}]: cannot unmarshal ${kind(v)} into string`);
    });
  });
  return d.problems;
}

/** A path that matches every request: `/` Prefix, or `/*` (the LBC's wildcard form). */
function isCatchAll(p: { path?: string; pathType?: string }): boolean {
  return (p.path === '/' && p.pathType === 'Prefix') || p.path === '/*' || p.path === undefined;
}

/**
 * Checks a whole Ingress as the LBC builds it: every path with port `use-annotation` must have
 * its `<prefix>/actions.<svc>` (else 503 or a reconcile error), each action and condition must
 * pass the checks above, and the managed-alb-annotations bookkeeping must parse and name keys
 * that exist. Every other `<prefix>/actions.*` and `<prefix>/conditions.*` key is decoded too
 * (the LBC parses an action only when a path uses it, but a bad one left behind breaks the
 * Ingress the moment a path does). A path with conditions placed after a catch-all path of the
 * same rule is reported: the LBC gives rules the path order as priority, so the catch-all would
 * take every request first and the header route would never match. Problems are prefixed with
 * the annotation key.
 */
export function checkAlbIngress(
  ingress: KubeObject,
  opts: AlbCheckOptions & { prefix?: string } = {},
): string[] {
  const prefix = opts.prefix ?? 'alb.ingress.kubernetes.io';
  const annotations = ingress.metadata.annotations ?? {};
  const out: string[] = [];
  const spec = (ingress.spec ?? {}) as {
    rules?: { http?: { paths?: { path?: string; pathType?: string; backend?: Obj }[] } }[];
  };
  const checked = new Set<string>();
  for (const rule of spec.rules ?? []) {
    let catchAll: string | undefined;
    for (const p of rule.http?.paths ?? []) {
      const b = p.backend ?? {};
      const svc = isObj(b.service) ? b.service : undefined;
      const name = svc ? (svc.name as string | undefined) : (b.serviceName as string | undefined);
      const port = svc ? (isObj(svc.port) ? svc.port.name : undefined) : b.servicePort;
      const conditioned =
        port === 'use-annotation' &&
        name !== undefined &&
        annotations[`${prefix}/conditions.${name}`] !== undefined;
      if (conditioned && catchAll !== undefined) {
        out.push(
          `${prefix}/conditions.${name}: path ${JSON.stringify(p.path ?? '')} comes after the catch-all path of ${catchAll}, which takes every request first`,
        );
      }
      if (!conditioned && isCatchAll(p) && catchAll === undefined) catchAll = name ?? '?';
      if (port !== 'use-annotation' || name === undefined || checked.has(name)) continue;
      checked.add(name);
      const actionKey = `${prefix}/actions.${name}`;
      const action = annotations[actionKey];
      if (action === undefined) {
        out.push(`${actionKey}: missing (the LBC answers 503 for this path)`);
        continue;
      }
      for (const problem of checkAlbAction(action, opts)) out.push(`${actionKey}: ${problem}`);
      const condKey = `${prefix}/conditions.${name}`;
      const cond = annotations[condKey];
      if (cond !== undefined)
        for (const problem of checkAlbConditions(cond)) out.push(`${condKey}: ${problem}`);
    }
  }
  for (const [key, value] of Object.entries(annotations)) {
    for (const [kindPrefix, check] of [
      [`${prefix}/actions.`, (v: string) => checkAlbAction(v, opts)],
      [`${prefix}/conditions.`, checkAlbConditions],
    ] as const) {
      if (!key.startsWith(kindPrefix)) continue;
      const name = key.slice(kindPrefix.length);
      if (checked.has(name)) continue;
      for (const problem of check(value)) out.push(`${key}: ${problem}`);
      if (
        kindPrefix.endsWith('conditions.') &&
        annotations[`${prefix}/actions.${name}`] === undefined
      )
        out.push(`${key}: no ${prefix}/actions.${name} to go with it`);
    }
  }
  const managedKey = 'rollouts.argoproj.io/managed-alb-annotations';
  const managed = annotations[managedKey];
  if (managed !== undefined && managed !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(managed);
    } catch (e) {
      out.push(`${managedKey}: not JSON: ${e instanceof Error ? e.message : String(e)}`);
      return out;
    }
    if (!isObj(parsed)) {
      out.push(`${managedKey}: not an object`);
      return out;
    }
    for (const [rollout, keys] of Object.entries(parsed)) {
      if (keys === null) continue;
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
        out.push(`${managedKey}: entry ${rollout} is not a list of strings`);
        continue;
      }
      for (const k of keys as string[]) {
        if (annotations[k] === undefined)
          out.push(`${managedKey}: ${rollout} lists ${k}, which is not set`);
      }
      if (new Set(keys).size !== keys.length)
        out.push(`${managedKey}: entry ${rollout} has duplicates`);
    }
  }
  return out;
}
