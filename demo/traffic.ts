// Simulated user traffic through the ALB Ingress, as the AWS Load Balancer Controller would route
// it: the forward action the Rollout controller writes on the Ingress
// (`alb.ingress.kubernetes.io/actions.<rootService>`) splits requests between the canary and
// stable Services by weight; each Service sends its share to the ready pods its selector picks
// (the Rollout controller points the selectors at ReplicaSets); each pod answers as its image's
// version does (versions.ts). Without the action (before the first rollout is stable) everything
// goes to the root Service. splitTraffic is the pure part; TrafficGenerator polls the cluster.
import type { KubeObject } from '../src/api/kube-object.ts';
import { RawClient, resourcePath } from '../src/kube/raw-client.ts';
import { ErrorPattern } from './versions.ts';

export interface TargetGroup {
  service: string;
  weight: number;
}

export interface ClusterView {
  ingress: KubeObject | undefined;
  services: readonly KubeObject[];
  pods: readonly KubeObject[];
}

export interface RouteConfig {
  rootService: string;
  annotationPrefix?: string;
}

/** The target groups of the forward action on the Ingress, or the root Service alone. */
export function targetGroups(ingress: KubeObject | undefined, route: RouteConfig): TargetGroup[] {
  const key = `${route.annotationPrefix ?? 'alb.ingress.kubernetes.io'}/actions.${route.rootService}`;
  const raw = ingress?.metadata.annotations?.[key];
  if (raw) {
    try {
      const action = JSON.parse(raw) as {
        ForwardConfig?: { TargetGroups?: { ServiceName?: string; Weight?: number }[] };
      };
      const groups = (action.ForwardConfig?.TargetGroups ?? [])
        .filter((g) => typeof g.ServiceName === 'string')
        .map((g) => ({ service: g.ServiceName!, weight: Number(g.Weight ?? 0) }));
      if (groups.length > 0) return groups;
    } catch {
      // an unreadable action: the LBC would refuse it; route to the root Service
    }
  }
  return [{ service: route.rootService, weight: 100 }];
}

function podReady(p: KubeObject): boolean {
  if (p.metadata.deletionTimestamp) return false;
  const conds =
    (p.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ??
    [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function selects(selector: Record<string, string> | undefined, pod: KubeObject): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podImage(p: KubeObject): string {
  return (
    (p.spec as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image ?? ''
  );
}

/**
 * How many of `total` requests each image receives: weights split `total` between the target
 * groups (largest remainder, so the parts add up), each group's part is spread evenly over the
 * ready pods its Service selects. A group with no ready pod loses its requests (the load balancer
 * answers 503; they reach no version, so they are not counted).
 */
export function splitTraffic(
  view: ClusterView,
  route: RouteConfig,
  total: number,
): Map<string, number> {
  const groups = targetGroups(view.ingress, route);
  const out = new Map<string, number>();
  for (const [i, n] of apportion(
    total,
    groups.map((g) => g.weight),
  ).entries()) {
    const group = groups[i]!;
    if (n === 0) continue;
    const svc = view.services.find((s) => s.metadata.name === group.service);
    const selector = (svc?.spec as { selector?: Record<string, string> } | undefined)?.selector;
    const pods = view.pods.filter((p) => podReady(p) && selects(selector, p));
    if (pods.length === 0) continue;
    for (const [j, m] of apportion(
      n,
      pods.map(() => 1),
    ).entries()) {
      if (m === 0) continue;
      const image = podImage(pods[j]!);
      out.set(image, (out.get(image) ?? 0) + m);
    }
  }
  return out;
}

/** Splits the integer `total` in proportion to `weights` (largest remainder method). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + Math.max(0, w), 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (Math.max(0, w) / sum) * total);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}

export interface TickResult {
  /** Requests and errors by image in this tick. */
  byImage: Map<string, { requests: number; errors: number }>;
  groups: TargetGroup[];
}

export interface TrafficGeneratorOptions {
  client: RawClient;
  namespace: string;
  ingress: string;
  route: RouteConfig;
  requestsPerTick: number;
  tickMs: number;
  onTick: (t: TickResult) => void;
  onError: (e: unknown) => void;
}

/** Every tickMs: read the Ingress, Services and pods, send requestsPerTick simulated requests. */
export class TrafficGenerator {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly errors = new ErrorPattern();

  constructor(private readonly o: TrafficGeneratorOptions) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => this.schedule(this.o.tickMs));
    }, delay);
  }

  private async tick(): Promise<void> {
    const { client, namespace } = this.o;
    let view: ClusterView;
    try {
      const [ingresses, services, pods] = await Promise.all([
        client.list(
          resourcePath({
            group: 'networking.k8s.io',
            version: 'v1',
            resource: 'ingresses',
            namespace,
          }),
        ),
        client.list(resourcePath({ version: 'v1', resource: 'services', namespace })),
        client.list(resourcePath({ version: 'v1', resource: 'pods', namespace })),
      ]);
      view = {
        ingress: ingresses.items.find((i) => i.metadata.name === this.o.ingress),
        services: services.items,
        pods: pods.items,
      };
    } catch (e) {
      if (this.running) this.o.onError(e);
      return;
    }
    const split = splitTraffic(view, this.o.route, this.o.requestsPerTick);
    const byImage = new Map<string, { requests: number; errors: number }>();
    for (const [image, requests] of split) {
      byImage.set(image, { requests, errors: this.errors.errors(image, requests) });
    }
    this.o.onTick({ byImage, groups: targetGroups(view.ingress, this.o.route) });
  }
}
