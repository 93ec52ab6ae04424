// Fault injection for tests: what a flaky or overloaded API server does to its clients.

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ErrorRule {
  /** Verbs the rule applies to; all when absent. */
  verbs?: Verb[];
  /** Plural resource names (e.g. "rollouts"); all when absent. */
  resources?: string[];
  /** Probability in [0, 1] that a matching request fails. */
  rate: number;
  /** HTTP status to answer: 500 (default), 429, 503, 403 … */
  code?: number;
  /** Stop after this many injected failures. */
  count?: number;
}

export interface FaultConfig {
  latencyMs?: number;
  errors?: ErrorRule[];
  /** The next N updates/patches (optionally of some resources) answer 409 Conflict. */
  conflicts?: { count: number; resources?: string[] };
  /** Open and new watches send nothing (a half-open connection). */
  hangWatches?: boolean;
}

export class Faults {
  latencyMs = 0;
  hangWatches = false;
  private rules: (ErrorRule & { used: number })[] = [];
  private conflicts: { count: number; resources?: string[] } | undefined;
  private readonly watchClosers = new Set<() => void>();
  /** Counts of injected faults, for tests to assert that a fault really happened. */
  readonly injected = { errors: 0, conflicts: 0, droppedWatches: 0 };

  constructor(private readonly random: () => number = Math.random) {}

  configure(c: FaultConfig): void {
    if (c.latencyMs !== undefined) this.latencyMs = c.latencyMs;
    if (c.errors !== undefined) this.rules = c.errors.map((r) => ({ ...r, used: 0 }));
    if (c.conflicts !== undefined) this.conflicts = { ...c.conflicts };
    if (c.hangWatches !== undefined) this.hangWatches = c.hangWatches;
  }

  reset(): void {
    this.latencyMs = 0;
    this.hangWatches = false;
    this.rules = [];
    this.conflicts = undefined;
  }

  /** The HTTP status to fail this request with, if a rule fires. */
  errorFor(verb: Verb, resource: string): number | undefined {
    for (const r of this.rules) {
      if (r.verbs && !r.verbs.includes(verb)) continue;
      if (r.resources && !r.resources.includes(resource)) continue;
      if (r.count !== undefined && r.used >= r.count) continue;
      if (this.random() >= r.rate) continue;
      r.used++;
      this.injected.errors++;
      return r.code ?? 500;
    }
    return undefined;
  }

  conflictFor(verb: Verb, resource: string): boolean {
    const c = this.conflicts;
    if (!c || c.count <= 0 || (verb !== 'update' && verb !== 'patch')) return false;
    if (c.resources && !c.resources.includes(resource)) return false;
    c.count--;
    this.injected.conflicts++;
    return true;
  }

  registerWatch(close: () => void): () => void {
    this.watchClosers.add(close);
    return () => this.watchClosers.delete(close);
  }

  /** Cuts every open watch connection without a clean end, like a dropped TCP connection. */
  dropWatches(): number {
    const n = this.watchClosers.size;
    // Forget them now: their sockets' close events (which unregister them) come later, and a
    // second drop before then must not count them again.
    for (const close of [...this.watchClosers]) {
      this.watchClosers.delete(close);
      close();
    }
    this.injected.droppedWatches += n;
    return n;
  }
}
