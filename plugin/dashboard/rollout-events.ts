// Our addition `GET /api/v1/rollouts/{namespace}/{name}/events`: the core/v1 Events about the
// Rollout itself (involvedObject.uid, so a deleted and re-created Rollout of the same name
// does not inherit its predecessor's history), newest first, in the small shape the rollout
// page shows. Events about its ReplicaSets, pods or AnalysisRuns are left out on purpose: the
// controller reports what matters for the Rollout on the Rollout (Argo's reasons, which
// notifications key off).
import { KubeApiError, type KubeObject } from '../../src/kube/raw-client.ts';
import { listerNotFound, pathOf, ROLLOUTS, type Gvr, type Kube } from '../kube.ts';

const EVENTS: Gvr = {
  group: '',
  version: 'v1',
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  namespaced: true,
};

export interface RolloutEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

/**
 * One Event in the page's shape. Reporters on the newer events API fill `eventTime` and
 * `series` instead of the timestamps and `count`, so those stand in for them. Empty fields are
 * left out, as everywhere in this API (§3.3).
 */
export function toRolloutEvent(e: KubeObject): RolloutEvent {
  const series = rec(e.series);
  const first = str(e.firstTimestamp) ?? str(e.eventTime);
  const last = str(e.lastTimestamp) ?? str(series.lastObservedTime) ?? str(e.eventTime) ?? first;
  const count =
    typeof e.count === 'number' && e.count > 0
      ? e.count
      : typeof series.count === 'number' && series.count > 0
        ? series.count
        : undefined;
  const out: RolloutEvent = {};
  const type = str(e.type);
  const reason = str(e.reason);
  const message = str(e.message);
  if (type) out.type = type;
  if (reason) out.reason = reason;
  if (message) out.message = message;
  if (count !== undefined) out.count = count;
  if (first) out.firstTimestamp = first;
  if (last) out.lastTimestamp = last;
  return out;
}

function lastSeenMs(e: KubeObject): number {
  const t = Date.parse(toRolloutEvent(e).lastTimestamp ?? '');
  return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

/**
 * resourceVersions are opaque in principle; in practice (etcd, and the emulator) they are
 * increasing integers, and they are only used to order events that share a whole second.
 */
function rvNumber(e: KubeObject): number {
  const n = Number(e.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

/** The events whose involvedObject is the object with `uid`, newest first (pure). */
export function eventsAbout(events: readonly KubeObject[], uid: string): RolloutEvent[] {
  return events
    .filter((e) => rec(e.involvedObject).uid === uid)
    .sort((a, b) => lastSeenMs(b) - lastSeenMs(a) || rvNumber(b) - rvNumber(a))
    .map(toRolloutEvent);
}

export async function rolloutEvents(
  kube: Pick<Kube, 'client'>,
  namespace: string,
  name: string,
): Promise<RolloutEvent[]> {
  let rollout: KubeObject;
  try {
    rollout = await kube.client.get(pathOf(ROLLOUTS, namespace, name));
  } catch (e) {
    // Worded like the info endpoint's missing Rollout.
    if (e instanceof KubeApiError && e.code === 404) throw listerNotFound(ROLLOUTS, name);
    throw e;
  }
  const uid = rollout.metadata.uid ?? '';
  // The server narrows the list; the filter in eventsAbout keeps the answer right anyway.
  const list = await kube.client.list(pathOf(EVENTS, namespace), {
    fieldSelector: `involvedObject.uid=${uid}`,
  });
  return eventsAbout(list.items, uid);
}
