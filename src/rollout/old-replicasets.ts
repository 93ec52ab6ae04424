// Canary scale-down of "other" ReplicaSets (neither new nor stable) as a pure decision
// (../shared/spec/rollout-semantics.md §6.8 step 4, §10 scaleDownDelaySeconds: 0 quirk).
// Mirrors Go `scaleDownOldReplicaSetsForCanary` + `cleanupUnhealthyReplicas` +
// `scaleDownDelayHelper`.

/** The `scale-down-deadline` annotation key. */
export const SCALE_DOWN_DEADLINE_ANNOTATION = 'scale-down-deadline';
/** Default scaleDownDelaySeconds for a traffic-routed canary (and blue-green). */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

export interface OwnedReplicaSet {
  name: string;
  /** `rollouts-pod-template-hash` label; absent/"" ⇒ never counts as referenced. */
  podTemplateHash?: string | undefined;
  /** `rollout.argoproj.io/revision`. */
  revision: number;
  specReplicas: number;
  availableReplicas: number;
  /** Value of the `scale-down-deadline` annotation; present (even "") ⇔ annotation present. */
  scaleDownDeadline?: string | undefined;
  /** metadata.creationTimestamp (RFC3339); orders the unhealthy cleanup and revision ties. */
  creationTimestamp?: string | undefined;
}

export interface OtherReplicaSetsInput {
  /** R = spec.replicas. */
  replicas: number;
  /** Resolved maxUnavailable (§6.4.1). */
  maxUnavailable: number;
  /** Every owned ReplicaSet, including the new and stable ones. */
  replicaSets: readonly OwnedReplicaSet[];
  /** Name of the new RS, if any. */
  newRSName?: string | undefined;
  /** Name of the stable RS, if any. */
  stableRSName?: string | undefined;
  /** true ⇔ spec.strategy.canary.trafficRouting is set. */
  trafficRouted: boolean;
  /**
   * Pod hashes still referenced (traffic-routed only): status.stableRS, status.currentPodHash,
   * blue-green selectors, recorded weight hashes, the canary/stable Service selectors, Istio
   * DestinationRule subsets. (A Service lookup error also counts as referenced in Go: the caller
   * should then pass the RS's hash.)
   */
  referencedHashes: Iterable<string>;
  /** status.stableRS == status.currentPodHash. */
  fullyPromoted: boolean;
  dynamicStableScale?: boolean | undefined;
  /** spec value; undefined ⇒ 30 s when traffic-routed. An explicit 0 never annotates (§10). */
  scaleDownDelaySeconds?: number | undefined;
  /** spec value; undefined ⇒ unlimited. */
  scaleDownDelayRevisionLimit?: number | undefined;
  /**
   * The §6.8 step 3 abort delay is in force (aborted traffic-routed canary with a stable RS and
   * a non-zero abort delay …). Go then does not strip `scale-down-deadline` when scaling to 0.
   */
  abortDelayActive?: boolean | undefined;
  now: Date;
}

export interface OtherReplicaSetAction {
  rs: string;
  /** New spec.replicas (the caller also writes `desired-replicas` = R with it). */
  replicas?: number;
  /** Add `scale-down-deadline` with this RFC3339 value. */
  setDeadline?: string;
  /** Remove `scale-down-deadline` (done together with a scale to 0). */
  removeDeadline?: boolean;
}

export interface OtherReplicaSetsDecision {
  /** In execution order. One RS may get two scale actions (unhealthy cleanup, then budget). */
  actions: OtherReplicaSetAction[];
  /** Earliest scale-down deadline still pending (requeue then). */
  requeueAt?: Date;
  /**
   * Go's `totalScaledDown` (the caller's "did any scaling happen" for this step). It is 0 when
   * the cleanup hit an RS with available > spec: Go then stops with an error after the cleanups
   * already issued, and reports nothing scaled.
   */
  scaledDown: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Go `time.Parse(time.RFC3339, s)`, with ms precision; undefined if invalid (field ranges are
 * checked like Go, which rejects e.g. Feb 30 or hour 24 that `Date.parse` would roll over).
 */
export function parseRFC3339(s: string): Date | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** Go `t.UTC().Format(time.RFC3339)`: whole seconds (truncated), `Z`. */
export function formatRFC3339(d: Date): string {
  const ms = d.getTime();
  return new Date(ms - (((ms % 1000) + 1000) % 1000)).toISOString().replace('.000Z', 'Z');
}

function creationMs(rs: OwnedReplicaSet): number {
  const t = rs.creationTimestamp === undefined ? undefined : parseRFC3339(rs.creationTimestamp);
  return t === undefined ? 0 : t.getTime();
}

/** Go ReplicaSetsByCreationTimestamp: older first, then by name. */
function byCreation(a: OwnedReplicaSet, b: OwnedReplicaSet): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** sort.Reverse(ReplicaSetsByRevisionNumber): newest revision first, ties newest-created first. */
function byRevisionDesc(a: OwnedReplicaSet, b: OwnedReplicaSet): number {
  if (a.revision !== b.revision) return b.revision - a.revision;
  return byCreation(b, a);
}

/**
 * §6.8 step 4 for the canary strategy. Visits the other RSs with spec > 0:
 * 1. unhealthy cleanup (oldest first): each RS with spec ≠ available is scaled to its available
 *    count; an RS with available > spec stops everything (Go error path);
 * 2. maxScaleDown = Σavailable(all RSs) − (R − maxUnavailable); ≤ 0 ⇒ stop;
 * 3. newest revision first: (traffic-routed) skip referenced RSs; stop when the budget is
 *    spent; skip spec 0; basic ⇒ spec − budget (floor 0); traffic-routed ⇒ fully promoted or
 *    already delayed: dynamicStableScale ⇒ 0, else the delay helper; otherwise
 *    (abandoned intermediate revision) ⇒ 0.
 * Scaling to 0 strips the deadline unless `abortDelayActive`.
 */
export function decideOtherReplicaSets(input: OtherReplicaSetsInput): OtherReplicaSetsDecision {
  const { replicas, now } = input;
  const actions: OtherReplicaSetAction[] = [];
  let requeueAt: Date | undefined;
  const noteRequeue = (t: Date): void => {
    if (requeueAt === undefined || t.getTime() < requeueAt.getTime()) requeueAt = t;
  };
  const decision = (scaledDown: number): OtherReplicaSetsDecision =>
    requeueAt === undefined ? { actions, scaledDown } : { actions, requeueAt, scaledDown };

  // Working copies so later steps see the cleaned-up spec.
  const others = input.replicaSets
    .filter((rs) => rs.name !== input.newRSName && rs.name !== input.stableRSName)
    .filter((rs) => rs.specReplicas > 0)
    .map((rs) => ({ ...rs }));
  if (others.length === 0) return decision(0);

  const scaleTo = (rs: OwnedReplicaSet, n: number): void => {
    const action: OtherReplicaSetAction = { rs: rs.name, replicas: n };
    if (n === 0 && rs.scaleDownDeadline !== undefined && !input.abortDelayActive) {
      action.removeDeadline = true;
      rs.scaleDownDeadline = undefined;
    }
    rs.specReplicas = n;
    actions.push(action);
  };

  // 1. Unhealthy cleanup.
  let scaledDown = 0;
  for (const rs of [...others].sort(byCreation)) {
    if (rs.specReplicas === rs.availableReplicas) continue;
    if (rs.availableReplicas > rs.specReplicas) return decision(0);
    scaledDown += rs.specReplicas - rs.availableReplicas;
    scaleTo(rs, rs.availableReplicas);
  }

  // 2. Budget.
  const available = input.replicaSets.reduce((n, rs) => n + rs.availableReplicas, 0);
  let maxScaleDown = available - (replicas - input.maxUnavailable);
  if (maxScaleDown <= 0) return decision(scaledDown);

  // 3. Newest first.
  const referenced = new Set(input.referencedHashes);
  const delaySeconds = input.trafficRouted
    ? (input.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS)
    : 0;
  const revisionLimit = input.scaleDownDelayRevisionLimit ?? Number.POSITIVE_INFINITY;
  let annotated = 0;

  /** Go `scaleDownDelayHelper`, keeping the RS at its own size while delayed. */
  const delayHelper = (rs: OwnedReplicaSet): number => {
    if (rs.scaleDownDeadline === undefined) {
      // spec > 0 here.
      if (annotated >= revisionLimit) return 0;
      annotated++;
      if (delaySeconds !== 0) {
        const deadline = formatRFC3339(new Date(now.getTime() + delaySeconds * 1000));
        actions.push({ rs: rs.name, setDeadline: deadline });
        rs.scaleDownDeadline = deadline;
        noteRequeue(parseRFC3339(deadline) ?? now);
      }
      return rs.specReplicas;
    }
    annotated++;
    if (annotated > revisionLimit) return 0;
    const deadline = parseRFC3339(rs.scaleDownDeadline);
    if (deadline === undefined) return 0; // unreadable annotation: Go logs and scales down
    if (deadline.getTime() > now.getTime()) {
      noteRequeue(deadline);
      return rs.specReplicas;
    }
    return 0;
  };

  for (const rs of [...others].sort(byRevisionDesc)) {
    if (
      input.trafficRouted &&
      rs.podTemplateHash !== undefined &&
      rs.podTemplateHash !== '' &&
      referenced.has(rs.podTemplateHash)
    ) {
      continue;
    }
    if (maxScaleDown <= 0) break;
    if (rs.specReplicas === 0) continue;
    let desired = 0;
    if (!input.trafficRouted) {
      if (rs.specReplicas > maxScaleDown) desired = rs.specReplicas - maxScaleDown;
    } else if (input.fullyPromoted || rs.scaleDownDeadline !== undefined) {
      desired = input.dynamicStableScale ? 0 : delayHelper(rs);
    }
    if (rs.specReplicas === desired) continue;
    const n = rs.specReplicas - desired;
    scaleTo(rs, desired);
    maxScaleDown -= n;
    scaledDown += n;
  }
  return decision(scaledDown);
}
