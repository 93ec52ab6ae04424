// The contract between the canary reconcile and one traffic router (traffic-routing §3.6,
// rollout-semantics §2.4). One implementation per file (alb.ts, nginx.ts). A router is built
// for one reconcile from the Rollout as read, so it sees that pass's status (ping-pong side,
// recorded weights) and never caches anything across passes.
//
// Every router writes through an injected IngressOps. The objects it writes are computed by the
// pure functions next to it (alb-annotations.ts, nginx-ingress.ts); the router only reads,
// calls those, and applies the resulting JSON merge patch (carrying the resourceVersion that was
// read, so a stale cache ends in 409 and a requeue instead of an overwrite).
import type { KubeObject } from '../api/kube-object.ts';
import type { CanaryStep } from '../api/rollout.ts';
import type { RecordedEvent } from '../kube/event-recorder.ts';

/** An extra backend (a running experiment's template that sets `weight`). */
export interface WeightDestination {
  serviceName: string;
  podTemplateHash?: string;
  weight: number;
}

/** The `setHeaderRoute` step value. No `match` (or an empty one) removes the route. */
export type HeaderRoute = NonNullable<CanaryStep['setHeaderRoute']>;

export interface TrafficRouter {
  /** Upstream reconciler type name ("ALB", "Nginx"); used in logs. */
  type(): string;
  /** Tells the router the hashes in force (SMI/Istio subsets use it; a no-op for Ingresses). */
  updateHash(
    canaryHash: string,
    stableHash: string,
    additionalDestinations?: readonly WeightDestination[],
  ): Promise<void>;
  /** Sends `desiredWeight` to the canary, each destination its weight, the rest to stable. */
  setWeight(
    desiredWeight: number,
    additionalDestinations?: readonly WeightDestination[],
  ): Promise<void>;
  /** Adds (match present) or removes (match absent/empty) a header-based route. */
  setHeaderRoute(route: HeaderRoute): Promise<void>;
  /** `setMirrorRoute`: unsupported by the Ingress routers, a no-op there. */
  setMirrorRoute(route: NonNullable<CanaryStep['setMirrorRoute']>): Promise<void>;
  /**
   * Whether the data plane really carries the weight: true/false, or undefined when this
   * router does not verify (then `status.canary.weights.verified` is left out).
   */
  verifyWeight(
    desiredWeight: number,
    additionalDestinations?: readonly WeightDestination[],
  ): Promise<boolean | undefined>;
  /** Removes every header/mirror route listed in `trafficRouting.managedRoutes`. */
  removeManagedRoutes(): Promise<void>;
}

/**
 * The Ingress API calls a router may make, in the Rollout's namespace. Implementations pick the
 * API group/version (networking.k8s.io/v1, or extensions/v1beta1 on old servers).
 */
export interface IngressOps {
  /** The Ingress as last seen (informer cache or a GET); undefined when it does not exist. */
  getIngress(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** A GET that bypasses any cache (used after a create answered AlreadyExists). Defaults to getIngress. */
  getIngressLive?(namespace: string, name: string): Promise<KubeObject | undefined>;
  createIngress(namespace: string, body: KubeObject): Promise<KubeObject>;
  /** JSON merge patch (application/merge-patch+json). */
  patchIngress(namespace: string, name: string, patch: object): Promise<KubeObject>;
  /** Full PUT; the body's resourceVersion is the precondition. */
  updateIngress(ingress: KubeObject): Promise<KubeObject>;
  /** Delete with optional preconditions (uid / resourceVersion). */
  deleteIngress(
    namespace: string,
    name: string,
    preconditions?: { uid?: string; resourceVersion?: string },
  ): Promise<void>;
}

/** What every Ingress-based router is given. */
export interface RouterDeps {
  ops: IngressOps;
  /** Events about the Rollout (PatchingALBIngress, CreatingCanaryIngress, …). */
  emit?: (e: RecordedEvent) => void;
  /** Classifies a create error as AlreadyExists. Defaults to the raw client's classifier. */
  isAlreadyExists?: (e: unknown) => boolean;
}

/**
 * A SetWeight/SetHeaderRoute failure whose message is the user-facing text (it becomes the
 * `TrafficRoutingError` Warning event and the reconcile error).
 */
export class TrafficRoutingError extends Error {
  override readonly name = 'TrafficRoutingError';
}

/** The k8s NotFound text the informer lister gives for a missing Ingress. */
export function ingressNotFoundMessage(name: string): string {
  return `ingress.networking.k8s.io ${JSON.stringify(name)} not found`;
}
