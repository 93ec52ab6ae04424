// `undo NAME [--to-revision N]` (§1.4.3): the chosen ReplicaSet's pod template (without the
// rollouts-pod-template-hash label) back into the Rollout, or into its workloadRef target, as a
// JSON patch replacing /spec/template.
import type { Command } from 'commander';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import {
  DEPLOYMENTS,
  errorMessage,
  pathOf,
  POD_TEMPLATES,
  REPLICA_SETS,
  ROLLOUTS,
  type Gvr,
  type Kube,
} from '../kube.ts';
import { ctxOf, exactArgs, intFlag, isObj, newCommand, str, type Obj } from './common.ts';

const HASH_LABEL = 'rollouts-pod-template-hash';
const REVISION = 'rollout.argoproj.io/revision';

/** A LabelSelector as the query-string form (metav1.FormatLabelSelector). */
export function formatLabelSelector(sel: unknown): string {
  if (!isObj(sel)) return '';
  const parts: string[] = [];
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  for (const k of Object.keys(ml).sort()) parts.push(`${k}=${String(ml[k])}`);
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  for (const e of exprs) {
    if (!isObj(e)) continue;
    const key = String(e.key);
    const values = (Array.isArray(e.values) ? e.values : []).map(String).sort();
    switch (e.operator) {
      case 'In':
        parts.push(`${key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        break;
    }
  }
  return parts.join(',');
}

/**
 * equality.Semantic.DeepDerivative(a, b): true when every field set in `a` equals the one in
 * `b` (unset fields, empty strings, empty maps and slices in `a` are ignored).
 */
export function deepDerivative(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) return true;
  if (Array.isArray(a)) {
    if (a.length === 0) return true;
    if (!Array.isArray(b) || a.length > b.length) return false;
    return a.every((x, i) => deepDerivative(x, b[i]));
  }
  if (isObj(a)) {
    const keys = Object.keys(a);
    if (keys.length === 0) return true;
    if (!isObj(b)) return false;
    return keys.every((k) => deepDerivative(a[k], b[k]));
  }
  if (a === '') return true;
  return a === b;
}

function withoutHashLabel(template: unknown): Obj {
  const t = structuredClone(isObj(template) ? template : {});
  const meta = isObj(t.metadata) ? t.metadata : undefined;
  const labels = meta && isObj(meta.labels) ? meta.labels : undefined;
  if (labels && meta) {
    delete labels[HASH_LABEL];
    if (Object.keys(labels).length === 0) delete meta.labels;
  }
  return t;
}

function revisionOf(rs: KubeObject): number | undefined {
  const v = rs.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  if (!/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The ReplicaSet to roll back to (kubectl's rollback revision choice). */
export function chooseReplicaSet(
  name: string,
  replicaSets: KubeObject[],
  toRevision: number,
): KubeObject {
  let latest = -1;
  let previous = -1;
  let latestRs: KubeObject | undefined;
  let previousRs: KubeObject | undefined;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (toRevision === 0) {
      if (latest < v) {
        previous = latest;
        previousRs = latestRs;
        latest = v;
        latestRs = rs;
      } else if (previous < v) {
        previous = v;
        previousRs = rs;
      }
    } else if (v === toRevision) {
      return rs;
    }
  }
  if (toRevision > 0) throw new Error(`unable to find specified revision ${toRevision} in history`);
  if (!previousRs) throw new Error(`no revision found for rollout "${name}"`);
  return previousRs;
}

const WORKLOAD_KINDS: Record<string, Gvr> = {
  Deployment: DEPLOYMENTS,
  ReplicaSet: REPLICA_SETS,
  PodTemplate: POD_TEMPLATES,
};

export interface UndoResult {
  /** True when the current template already matched the chosen revision (nothing was sent). */
  skipped: boolean;
  /** The object the JSON patch returned (the Rollout, or its workloadRef target). */
  patched?: KubeObject;
}

/**
 * `undo --to-revision N` for one Rollout (the command and the dashboard's undo endpoint):
 * chooses the ReplicaSet and patches its template back into the Rollout or its workloadRef target.
 */
export async function undoRollout(
  kube: Pick<Kube, 'client' | 'kc'>,
  namespace: string,
  name: string,
  toRevision: number,
): Promise<UndoResult> {
  const { client } = kube;
  const ro = await client.get(pathOf(ROLLOUTS, namespace, name));
  const spec = (ro.spec ?? {}) as Obj;
  const selector = formatLabelSelector(spec.selector);
  const list = await client.list(
    pathOf(REPLICA_SETS, namespace),
    selector ? { labelSelector: selector } : undefined,
  );
  const owned = list.items.filter((rs) =>
    rs.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === ro.metadata.uid),
  );
  const rs = chooseReplicaSet(name, owned, toRevision);
  const rsTemplate = withoutHashLabel((rs.spec as Obj | undefined)?.template);
  let target = pathOf(ROLLOUTS, namespace, name);
  let current: unknown = spec.template;
  const ref = spec.workloadRef;
  if (isObj(ref)) {
    const kind = str(ref.kind);
    const gvr = WORKLOAD_KINDS[kind];
    if (!gvr) throw new Error(`workload of type ${kind} is not supported`);
    target = pathOf(gvr, namespace, str(ref.name));
    // The Rollout carries no template of its own: compare with the referenced one.
    const workload: Obj = await client.get(target);
    current = kind === 'PodTemplate' ? workload.template : (workload.spec as Obj)?.template;
  }
  if (deepDerivative(withoutHashLabel(current), rsTemplate)) return { skipped: true };
  try {
    const patched = await client.patch(
      target,
      [{ op: 'replace', path: '/spec/template', value: rsTemplate }],
      'json',
    );
    return { skipped: false, patched };
  } catch (e) {
    let server: string | undefined;
    try {
      server = kube.kc.getCurrentCluster()?.server;
    } catch {
      server = undefined;
    }
    throw new Error(`failed restoring revision ${toRevision}: ${errorMessage(e, server)}`, {
      cause: e,
    });
  }
}

export function undoCommand(): Command {
  return newCommand('undo', {
    usage: 'ROLLOUT_NAME [flags]',
    short: 'Undo a rollout',
    long: 'Rollback to the previous rollout.',
    example: `
  # Undo a rollout
  kubectl argo rollouts undo guestbook

  # Undo a rollout to revision 3
  kubectl argo rollouts undo guestbook --to-revision=3`,
  })
    .argument('[names...]')
    .option(
      '--to-revision <int64>',
      'The revision to rollback to. Default to 0 (last revision).',
      intFlag('--to-revision'),
      0,
    )
    .action(async (names: string[], opts: { toRevision: number }, cmd: Command) => {
      exactArgs(cmd, names, 1);
      const name = names[0]!;
      const ctx = ctxOf(cmd);
      const kube = await ctx.kube();
      const result = await undoRollout(kube, kube.namespace, name, opts.toRevision);
      if (result.skipped) {
        ctx.out(`skipped rollback (current template already matches revision ${opts.toRevision})`);
        return;
      }
      ctx.out(`rollout '${name}' undo\n`);
    });
}
