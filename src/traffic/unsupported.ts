// Reporting of configured traffic routers that have no implementation here (Istio, SMI, …;
// routers.ts lists them). The canary pass runs on every change of the Rollout, its ReplicaSets
// and Ingresses, so reporting each time would repeat the same Warning event and log line
// hundreds of times per rollout. They are reported once per change of what is unsupported: the
// Warning event and a warn log line when the set changes, a debug line on every other pass.
//
// The memory of what was reported is kept in the process, not in the Rollout: Argo has no status
// field for it, the notice is advisory (nothing waits on it), and a restarted controller
// reporting it once more is harmless.

/** Event reason of the notice (ours; Argo implements every router, so it has none). */
export const UNSUPPORTED_ROUTER_REASON = 'TrafficRouterNotSupported';

/** The notice text for these unsupported routers, or undefined when there are none. */
export function unsupportedRoutersNotice(unsupported: readonly string[]): string | undefined {
  if (unsupported.length === 0) return undefined;
  const list = [...unsupported].join(', ');
  return (
    `Traffic routing via ${list} is not supported by this controller: ` +
    (unsupported.length === 1
      ? 'it is left untouched and gets no weight'
      : 'they are left untouched and get no weight')
  );
}

/**
 * The last value reported per key (a Rollout's uid). `changed` answers whether a value differs
 * from the one last reported, and records it. Bounded: past `limit` keys the oldest is
 * forgotten (it is then reported once more if it comes back), so Rollouts deleted long ago do
 * not pile up. An undefined value (nothing to report) forgets the key.
 */
export class ChangeMemo {
  private readonly last = new Map<string, string>();

  constructor(private readonly limit = 10_000) {}

  changed(key: string, value: string | undefined): boolean {
    const prev = this.last.get(key);
    if (value === undefined) {
      this.last.delete(key);
      return prev !== undefined;
    }
    if (prev === value) return false;
    // Re-inserted so that Map order is "least recently changed first".
    this.last.delete(key);
    this.last.set(key, value);
    while (this.last.size > this.limit) {
      const oldest = this.last.keys().next().value;
      if (oldest === undefined) break;
      this.last.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.last.size;
  }
}

/** What this process has reported about unsupported routers, per Rollout uid. */
export const unsupportedRouterNotices = new ChangeMemo();
