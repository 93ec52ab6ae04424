// The original's "view controller" for `get rollout -w` and `status`: list-watches over the
// namespace keep the RolloutInfo current; a rebuilt info equal to the previous one is not reported.
import { isDeepStrictEqual } from 'node:util';
import { KubeApiError, type KubeObject } from '../../src/kube/raw-client.ts';
import { ListWatcher } from '../../src/kube/list-watcher.ts';
import type { RolloutInfo } from '../info/types.ts';
import {
  ANALYSIS_RUNS,
  DEPLOYMENTS,
  EXPERIMENTS,
  pathOf,
  PODS,
  REPLICA_SETS,
  ROLLOUTS,
  type Gvr,
  type Kube,
} from '../kube.ts';
import { fetchView, infoOf, workloadName, type ViewData } from './rollout-data.ts';
import { concernsView, type ViewKind } from './view-relevance.ts';

export interface ViewWatchOptions {
  kube: Kube;
  name: string;
  /** A new (different) info; called with the first one too. */
  onInfo(info: RolloutInfo): void;
  /** The Rollout disappeared (the last info stays). */
  onDeleted?(): void;
  now?: () => Date;
}

/**
 * Keeps the RolloutInfo current with list-watches over the namespace. start() fails like
 * fetchView when the Rollout is missing or the server unreachable.
 */
export class RolloutViewWatch {
  private readonly watchers: ListWatcher[] = [];
  private rollouts: ListWatcher | undefined;
  private replicaSets: ListWatcher | undefined;
  private pods: ListWatcher | undefined;
  private analysisRuns: ListWatcher | undefined;
  private experiments: ListWatcher | undefined;
  private deployments: ListWatcher | undefined;
  private last: RolloutInfo | undefined;
  private pending = false;
  private stopped = false;
  private deletedReported = false;
  latest: RolloutInfo | undefined;

  constructor(private readonly o: ViewWatchOptions) {}

  async start(): Promise<RolloutInfo> {
    const { kube, name } = this.o;
    // A first plain read reports a missing Rollout or a dead server at once (informers would
    // retry forever), and tells which optional CRDs exist.
    const data = await fetchView(kube, name);
    const now = this.o.now ?? (() => new Date());
    this.last = infoOf(data, now());
    this.latest = this.last;

    // Kinds whose CRD is missing are left out (their lists answered 404 above: empty).
    const withRuns = await this.exists(ANALYSIS_RUNS);
    const withExperiments = await this.exists(EXPERIMENTS);
    if (this.stopped) return this.last;

    const { client, namespace, kc } = kube;
    const mk = (gvr: Gvr, kind: ViewKind): ListWatcher => {
      const w = new ListWatcher({
        kc,
        client,
        path: pathOf(gvr, namespace),
        backoff: { minMs: 200, maxMs: 5_000 },
      });
      const kick = (...objs: KubeObject[]): void => {
        if (objs.some((o) => this.concerns(kind, o))) this.schedule();
      };
      w.onAdd((o) => kick(o));
      w.onUpdate((old, o) => kick(old, o));
      w.onDelete((o) => kick(o));
      this.watchers.push(w);
      return w;
    };
    this.rollouts = mk(ROLLOUTS, 'Rollout');
    this.replicaSets = mk(REPLICA_SETS, 'ReplicaSet');
    this.pods = mk(PODS, 'Pod');
    if (withRuns) this.analysisRuns = mk(ANALYSIS_RUNS, 'AnalysisRun');
    if (withExperiments) this.experiments = mk(EXPERIMENTS, 'Experiment');
    this.deployments = mk(DEPLOYMENTS, 'Deployment');
    for (const w of this.watchers) w.start();
    await Promise.all(this.watchers.map((w) => w.synced));
    this.rebuild();
    return this.latest ?? this.last;
  }

  private async exists(gvr: Gvr): Promise<boolean> {
    try {
      await this.o.kube.client.list(pathOf(gvr, this.o.kube.namespace), { limit: 1 });
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return false;
      throw e;
    }
  }

  /** Whether an event on `obj` can change this view (before the first sync: always). */
  private concerns(kind: ViewKind, obj: KubeObject): boolean {
    if (!this.watchers.every((w) => w.hasSynced())) return true;
    const { namespace } = this.o.kube;
    const rollout = this.rollouts?.get(namespace, this.o.name);
    const uid = rollout?.metadata.uid;
    const experimentUids = new Set<string>();
    if (uid !== undefined) {
      for (const e of this.experiments?.list(namespace) ?? []) {
        if (e.metadata.uid && e.metadata.ownerReferences?.some((r) => r.uid === uid)) {
          experimentUids.add(e.metadata.uid);
        }
      }
    }
    return concernsView(kind, obj, {
      name: this.o.name,
      rollout,
      experimentUids,
      replicaSet: (name) => this.replicaSets?.get(namespace, name),
      workload: rollout ? workloadName(rollout) : undefined,
    });
  }

  private schedule(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (!this.stopped) this.rebuild();
    });
  }

  private rebuild(): void {
    if (!this.watchers.every((w) => w.hasSynced())) return;
    const { namespace } = this.o.kube;
    const rollout = this.rollouts?.get(namespace, this.o.name);
    if (!rollout) {
      if (!this.deletedReported) {
        this.deletedReported = true;
        this.o.onDeleted?.();
      }
      return;
    }
    this.deletedReported = false;
    const data: ViewData = {
      rollout,
      replicaSets: this.replicaSets?.list(namespace) ?? [],
      pods: this.pods?.list(namespace) ?? [],
      analysisRuns: this.analysisRuns?.list(namespace) ?? [],
      experiments: this.experiments?.list(namespace) ?? [],
    };
    const wl = workloadName(rollout);
    if (wl) {
      const d = this.deployments?.get(namespace, wl);
      if (!d) return;
      data.workload = d;
    }
    const info = infoOf(data, (this.o.now ?? (() => new Date()))());
    this.latest = info;
    if (this.last !== undefined && isDeepStrictEqual(this.last, info)) return;
    this.last = info;
    this.o.onInfo(info);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.watchers.map((w) => w.stop()));
  }
}
