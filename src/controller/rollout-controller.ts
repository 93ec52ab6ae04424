// The Rollout controller loop: list-watch caches of Rollouts and the objects they own or
// reference, a work queue keyed by namespace/name, and one reconcile per key at a time.
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../api/kube-object.ts';
import { EventRecorder } from '../kube/event-recorder.ts';
import { ListWatcher } from '../kube/list-watcher.ts';
import { isConflict, isNotFound, resourcePath, type RawClient } from '../kube/raw-client.ts';
import { INSTANCE_ID_LABEL, POD_TEMPLATE_HASH_LABEL } from '../rollout/labels.ts';
import type { TemplateLike } from '../rollout/analysis-run-builder.ts';
import { reconcileRollout } from '../rollout/reconciler.ts';
import { releasePatch } from '../rollout/service-selector.ts';
import {
  albResetForDeletedRollouts,
  MANAGED_ALB_ANNOTATIONS,
  parseManagedAlbAnnotations,
} from '../traffic/alb-annotations.ts';
import { canaryIngressName } from '../traffic/nginx-ingress.ts';
import { fromLabelSelectorObject, matchesLabels } from '../../sim/selectors/labels.ts';
import { clusterOps, eventWriter } from './cluster-ops.ts';
import type { Logger } from './logger.ts';
import { WorkQueue } from './work-queue.ts';

export interface RolloutControllerOptions {
  kc: KubeConfig;
  client: RawClient;
  logger: Logger;
  /** Watch only this namespace (--namespaced). */
  namespace?: string;
  instanceId?: string;
  concurrency?: number;
  resyncMs?: number;
  clock?: () => Date;
  /** Observes reconcile outcomes (metrics). */
  onReconcile?: (ro: KubeObject, seconds: number, error: unknown) => void;
}

type Key = string;

function keyOf(obj: KubeObject): Key {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

function controllerRef(obj: KubeObject) {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

export class RolloutController {
  readonly rollouts: ListWatcher;
  readonly replicaSets: ListWatcher;
  readonly services: ListWatcher;
  /** Ingresses (networking.k8s.io/v1) for the ALB and NGINX routers. */
  readonly ingresses: ListWatcher;
  readonly deployments: ListWatcher;
  readonly pods: ListWatcher;
  readonly analysisRuns: ListWatcher;
  readonly analysisTemplates: ListWatcher;
  /** Absent with --namespaced: a namespaced install cannot read cluster-scoped templates. */
  readonly clusterAnalysisTemplates: ListWatcher | undefined;
  readonly queue: WorkQueue;
  readonly events: EventRecorder;
  private running: Promise<void> | undefined;
  /** API writes; what they return goes into the caches at once (fewer 409s on the next pass). */
  private readonly ops: ReturnType<typeof clusterOps>;
  private readonly clock: () => Date;

  constructor(private readonly o: RolloutControllerOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.ops = clusterOps(
      o.client,
      (kind, obj) => {
        if (kind === 'ReplicaSet') this.replicaSets.observe(obj);
        else if (kind === 'Rollout') this.rollouts.observe(obj);
        else if (kind === 'AnalysisRun') this.analysisRuns.observe(obj);
        else if (kind === 'Ingress') this.ingresses.observe(obj);
        else this.services.observe(obj);
      },
      (namespace, name) => this.ingresses.get(namespace, name),
    );
    const ns = o.namespace;
    const path = (group: string, version: string, resource: string) =>
      resourcePath({ group, version, resource, ...(ns ? { namespace: ns } : {}) });
    const common = {
      kc: o.kc,
      client: o.client,
      logger: o.logger,
      resyncMs: o.resyncMs ?? 15 * 60_000,
    };
    // Without an instance id we manage only Rollouts without the label; with one, only its own.
    const labelSelector = o.instanceId
      ? `${INSTANCE_ID_LABEL}=${o.instanceId}`
      : `!${INSTANCE_ID_LABEL}`;
    this.rollouts = new ListWatcher({
      ...common,
      path: path('argoproj.io', 'v1alpha1', 'rollouts'),
      labelSelector,
    });
    this.replicaSets = new ListWatcher({ ...common, path: path('apps', 'v1', 'replicasets') });
    this.services = new ListWatcher({ ...common, path: path('', 'v1', 'services') });
    this.ingresses = new ListWatcher({
      ...common,
      path: path('networking.k8s.io', 'v1', 'ingresses'),
    });
    this.deployments = new ListWatcher({ ...common, path: path('apps', 'v1', 'deployments') });
    // Pods are only read for restarts; they reach a Rollout through their ReplicaSet's status.
    this.pods = new ListWatcher({
      ...common,
      path: path('', 'v1', 'pods'),
      // Only pods of ReplicaSets a Rollout made carry the hash label; watching every pod in
      // the cluster would cost memory for nothing.
      labelSelector: POD_TEMPLATE_HASH_LABEL,
      resyncMs: 0,
    });
    this.analysisRuns = new ListWatcher({
      ...common,
      path: path('argoproj.io', 'v1alpha1', 'analysisruns'),
      labelSelector,
    });
    this.analysisTemplates = new ListWatcher({
      ...common,
      path: path('argoproj.io', 'v1alpha1', 'analysistemplates'),
    });
    this.clusterAnalysisTemplates = ns
      ? undefined
      : new ListWatcher({
          ...common,
          path: resourcePath({
            group: 'argoproj.io',
            version: 'v1alpha1',
            resource: 'clusteranalysistemplates',
          }),
        });
    this.queue = new WorkQueue({
      name: 'Rollouts',
      concurrency: o.concurrency ?? 10,
      onError: (key, e) =>
        o.logger.warn('reconcile failed; will retry', { key, error: errorText(e) }),
    });
    this.events = new EventRecorder(
      eventWriter(o.client),
      'rollouts-controller',
      hostname(),
      this.clock,
      (e) => o.logger.warn('could not write event', { error: errorText(e) }),
    );

    this.rollouts.onAdd((ro) => this.queue.add(keyOf(ro)));
    this.rollouts.onUpdate((_, ro) => this.queue.add(keyOf(ro)));
    this.rollouts.onDelete((ro) => this.queue.add(keyOf(ro)));
    const rsChanged = (rs: KubeObject) => {
      const ref = controllerRef(rs);
      if (ref?.kind === 'Rollout') this.queue.add(`${rs.metadata.namespace}/${ref.name}`);
      else if (!ref && rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL]) this.enqueueMatching(rs);
    };
    this.replicaSets.onAdd(rsChanged);
    this.replicaSets.onUpdate((_, rs) => rsChanged(rs));
    this.replicaSets.onDelete(rsChanged);
    const svcChanged = (svc: KubeObject) => this.enqueueReferencing(svc, 'service');
    this.services.onAdd(svcChanged);
    this.services.onUpdate((_, s) => svcChanged(s));
    this.services.onDelete(svcChanged);
    // A changed stable/ALB Ingress (or our canary Ingress) brings its Rollouts back in sync, and
    // one still carrying ALB bookkeeping of a Rollout that is gone gets released.
    const ingressChanged = (ing: KubeObject) => {
      this.enqueueReferencingIngress(ing);
      this.enqueueGoneAlbOwners(ing);
    };
    this.ingresses.onAdd(ingressChanged);
    this.ingresses.onUpdate((_, i) => ingressChanged(i));
    this.ingresses.onDelete(ingressChanged);
    const deployChanged = (d: KubeObject) => this.enqueueReferencing(d, 'workload');
    this.deployments.onAdd(deployChanged);
    this.deployments.onUpdate((_, d) => deployChanged(d));
    // A run's phase drives its Rollout (analysis.md §7.6).
    const runChanged = (run: KubeObject) => {
      const ref = controllerRef(run);
      if (ref?.kind === 'Rollout') this.queue.add(`${run.metadata.namespace}/${ref.name}`);
    };
    this.analysisRuns.onAdd(runChanged);
    this.analysisRuns.onUpdate((_, r) => runChanged(r));
    this.analysisRuns.onDelete(runChanged);
    // A Rollout applied together with its templates may be seen first and found invalid
    // ("AnalysisTemplate not found"): look again when templates appear or change.
    const templateChanged = (t: KubeObject) => {
      for (const ro of this.rollouts.list(t.metadata.namespace)) this.queue.add(keyOf(ro));
    };
    this.analysisTemplates.onAdd(templateChanged);
    this.analysisTemplates.onUpdate((_, t) => templateChanged(t));
    this.clusterAnalysisTemplates?.onAdd(templateChanged);
    this.clusterAnalysisTemplates?.onUpdate((_, t) => templateChanged(t));
  }

  async start(signal?: AbortSignal): Promise<void> {
    // Every cache, pods included: restarts (§6.10) read the pods of each ReplicaSet, and an
    // unstarted pod cache reads as "no pod is older than restartAt" (restart done at once).
    for (const lw of this.watchers()) lw.start();
    await Promise.all(this.watchers().map((lw) => lw.synced));
    this.o.logger.info('caches synced; reconciling', { rollouts: this.rollouts.size });
    this.running = this.queue.run((key) => this.reconcile(key));
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  async stop(): Promise<void> {
    await this.queue.shutDown({ drain: true });
    await Promise.all(this.watchers().map((lw) => lw.stop()));
    await this.events.flush();
    await this.running;
  }

  private watchers(): ListWatcher[] {
    return [
      this.rollouts,
      this.replicaSets,
      this.services,
      this.ingresses,
      this.deployments,
      this.pods,
      this.analysisRuns,
      this.analysisTemplates,
      ...(this.clusterAnalysisTemplates ? [this.clusterAnalysisTemplates] : []),
    ];
  }

  private enqueueMatching(rs: KubeObject): void {
    for (const ro of this.rollouts.list(rs.metadata.namespace)) {
      const sel = (
        ro.spec as { selector?: Parameters<typeof fromLabelSelectorObject>[0] } | undefined
      )?.selector;
      if (sel && matchesLabels(fromLabelSelectorObject(sel), rs.metadata.labels))
        this.queue.add(keyOf(ro));
    }
  }

  private enqueueReferencingIngress(ing: KubeObject): void {
    const name = ing.metadata.name ?? '';
    for (const ro of this.rollouts.list(ing.metadata.namespace)) {
      if (ingressNamesOf(ro).includes(name)) this.queue.add(keyOf(ro));
    }
  }

  /**
   * Rollouts named in an Ingress's ALB bookkeeping that the cache does not have. Their key's
   * reconcile releases what they left behind (traffic-routing §3.11: the reset happens on the
   * next event of the Ingress), which also covers a Rollout deleted while no controller ran.
   */
  private enqueueGoneAlbOwners(ing: KubeObject): void {
    const ns = ing.metadata.namespace ?? '';
    let managed: Record<string, unknown>;
    try {
      managed = parseManagedAlbAnnotations(ing.metadata.annotations?.[MANAGED_ALB_ANNOTATIONS]);
    } catch {
      return; // not ours to repair (§3.11: a value that does not parse means do nothing)
    }
    for (const name of Object.keys(managed)) {
      if (!this.rollouts.get(ns, name)) this.queue.add(`${ns}/${name}`);
    }
  }

  /**
   * Whether the Rollout exists on the server. The cache only holds this controller's Rollouts
   * (instance-id label), so "not cached" alone would release the Services and Ingress entries
   * of a live Rollout that another controller instance manages.
   */
  private async existsLive(ns: string, name: string): Promise<boolean> {
    const path = resourcePath({
      group: 'argoproj.io',
      version: 'v1alpha1',
      resource: 'rollouts',
      namespace: ns,
      name,
    });
    try {
      await this.o.client.get(path);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  private enqueueReferencing(obj: KubeObject, what: 'service' | 'workload'): void {
    const name = obj.metadata.name;
    for (const ro of this.rollouts.list(obj.metadata.namespace)) {
      const spec = (ro.spec ?? {}) as {
        workloadRef?: { name?: string };
        strategy?: {
          canary?: { canaryService?: string; stableService?: string };
          blueGreen?: { activeService?: string; previewService?: string };
        };
      };
      const refs =
        what === 'workload'
          ? [spec.workloadRef?.name]
          : [
              spec.strategy?.canary?.canaryService,
              spec.strategy?.canary?.stableService,
              spec.strategy?.blueGreen?.activeService,
              spec.strategy?.blueGreen?.previewService,
            ];
      if (refs.includes(name)) this.queue.add(keyOf(ro));
    }
  }

  private async reconcile(key: Key): Promise<void | { requeueAfterMs: number }> {
    const [ns, name] = key.split('/') as [string, string];
    const raw = this.rollouts.get(ns, name);
    const log = this.o.logger.child({ namespace: ns, rollout: name });
    if (!raw) {
      if (await this.existsLive(ns, name)) return;
      await this.releaseServices(ns, name);
      await this.releaseIngresses(ns, name);
      return;
    }
    const started = process.hrtime.bigint();
    let error: unknown;
    try {
      const inNamespace = this.replicaSets.list(ns);
      if (await this.adoptOrphans(raw, inNamespace)) return { requeueAfterMs: 0 };
      const uid = raw.metadata.uid;
      const replicaSets = inNamespace.filter(
        (rs) => controllerRef(rs)?.uid === uid && !rs.metadata.deletionTimestamp,
      );
      const workloadRef = (
        raw.spec as { workloadRef?: { kind?: string; name?: string } } | undefined
      )?.workloadRef;
      const result = await reconcileRollout({
        raw,
        replicaSets,
        service: (n) => this.services.get(ns, n),
        ingress: (n) => this.ingresses.get(ns, n),
        podsOf: (rsUid) => this.pods.list(ns).filter((p) => controllerRef(p)?.uid === rsUid),
        workload: workloadRef?.name ? this.deployments.get(ns, workloadRef.name) : undefined,
        analysisRuns: this.analysisRuns.list(ns).filter((r) => controllerRef(r)?.uid === uid),
        templates: {
          template: (n) => this.analysisTemplates.get(ns, n) as TemplateLike | undefined,
          clusterTemplate: (n) =>
            this.clusterAnalysisTemplates?.get(undefined, n) as TemplateLike | undefined,
        },
        ops: this.ops,
        events: this.events,
        log,
        now: this.clock(),
      });
      return result.requeueAfterMs !== undefined
        ? { requeueAfterMs: result.requeueAfterMs }
        : undefined;
    } catch (e) {
      error = e;
      if (isConflict(e) || isNotFound(e)) {
        // Our view was stale; the watch brings the new state and we try again.
        log.debug('stale cache; retrying', { error: errorText(e) });
        return { requeueAfterMs: 50 };
      }
      throw e;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.o.onReconcile?.(raw, seconds, error);
    }
  }

  /** An orphan ReplicaSet matching the selector becomes ours (ControllerRefManager). */
  /** Adopts orphans matching the selector; true when it wrote (the next pass sees them as owned). */
  private async adoptOrphans(ro: KubeObject, replicaSets: KubeObject[]): Promise<boolean> {
    const sel = (
      ro.spec as { selector?: Parameters<typeof fromLabelSelectorObject>[0] } | undefined
    )?.selector;
    if (!sel) return false;
    const selector = fromLabelSelectorObject(sel);
    let adopted = false;
    for (const rs of replicaSets) {
      if (controllerRef(rs) || rs.metadata.deletionTimestamp) continue;
      const labels = rs.metadata.labels;
      if (!labels?.[POD_TEMPLATE_HASH_LABEL] || !matchesLabels(selector, labels)) continue;
      const next = structuredClone(rs);
      next.metadata.ownerReferences = [
        ...(next.metadata.ownerReferences ?? []),
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: ro.metadata.name ?? '',
          uid: ro.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ];
      await this.ops.updateReplicaSet(next);
      adopted = true;
    }
    return adopted;
  }

  /**
   * The Rollout is gone (traffic-routing §3.7, §3.11, §4.2): the ALB actions it managed go back
   * to 100% on their Service, and the NGINX canary Ingresses it owned are deleted (garbage
   * collection would do it on a real cluster; doing it here does not depend on that).
   */
  private async releaseIngresses(ns: string, name: string): Promise<void> {
    for (const ing of this.ingresses.list(ns)) {
      const ingName = ing.metadata.name ?? '';
      const owner = controllerRef(ing);
      if (owner?.kind === 'Rollout' && owner.name === name) {
        await this.ops.deleteIngress(ns, ingName, {
          ...(ing.metadata.uid !== undefined ? { uid: ing.metadata.uid } : {}),
        });
        continue;
      }
      const reset = albResetForDeletedRollouts(
        ing,
        (ro) => ro !== name || this.rollouts.get(ns, ro) !== undefined,
      );
      if (reset.patch) await this.ops.patchIngress(ns, ingName, reset.patch);
    }
  }

  /** The Rollout is gone: Services it managed get their selectors back (traffic-routing §1.5). */
  private async releaseServices(ns: string, name: string): Promise<void> {
    for (const svc of this.services.list(ns)) {
      if (svc.metadata.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts'] !== name)
        continue;
      const patch = releasePatch(svc);
      if (patch) await this.ops.patchService(ns, svc.metadata.name ?? '', patch);
    }
  }
}

/** Ingresses a Rollout's traffic routing names: ALB ones, NGINX stable ones and their canaries. */
function ingressNamesOf(ro: KubeObject): string[] {
  const tr = (
    ro.spec as
      | {
          strategy?: {
            canary?: {
              trafficRouting?: {
                alb?: { ingress?: string; ingresses?: string[] };
                nginx?: { stableIngress?: string; stableIngresses?: string[] };
              };
            };
          };
        }
      | undefined
  )?.strategy?.canary?.trafficRouting;
  const names: string[] = [];
  if (tr?.alb) {
    if (tr.alb.ingress) names.push(tr.alb.ingress);
    names.push(...(tr.alb.ingresses ?? []));
  }
  if (tr?.nginx) {
    const stable = [
      ...(tr.nginx.stableIngress ? [tr.nginx.stableIngress] : []),
      ...(tr.nginx.stableIngresses ?? []),
    ];
    for (const s of stable) names.push(s, canaryIngressName(ro.metadata.name ?? '', s));
  }
  return names;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
