// AWS Load Balancer Controller router (traffic-routing §3): writes the forward action and header
// routes onto every Ingress listed in `alb.ingress` / `alb.ingresses`. The values come from
// alb-annotations.ts; this class only reads, applies the merge patches and emits events.
import type { KubeObject } from '../api/kube-object.ts';
import type { Rollout } from '../api/rollout.ts';
import {
  albConfig,
  albHeaderRoutePatch,
  albRemoveManagedRoutesPatch,
  albWeightPatch,
  type AlbConfig,
} from './alb-annotations.ts';
import {
  ingressNotFoundMessage,
  TrafficRoutingError,
  type HeaderRoute,
  type RouterDeps,
  type TrafficRouter,
  type WeightDestination,
} from './router.ts';

export const ALB_ROUTER_TYPE = 'ALB';

/** Weight verification against the live ALB (needs AWS; `--aws-verify-target-group`). */
export interface AlbWeightVerifier {
  /** true/false, or undefined when verification does not apply this pass. */
  verify(input: {
    rollout: Rollout;
    config: AlbConfig;
    ingresses: KubeObject[];
    desiredWeight: number;
    additionalDestinations: readonly WeightDestination[];
  }): Promise<boolean | undefined>;
}

export interface AlbRouterDeps extends RouterDeps {
  /** Absent ⇒ verification is off: verifyWeight answers undefined (weights.verified left out). */
  verifier?: AlbWeightVerifier;
}

export class AlbRouter implements TrafficRouter {
  private readonly cfg: AlbConfig;

  constructor(
    private readonly rollout: Rollout,
    private readonly deps: AlbRouterDeps,
  ) {
    this.cfg = albConfig(rollout);
  }

  type(): string {
    return ALB_ROUTER_TYPE;
  }

  /** The resolved configuration (action key Service, ping-pong sides, Ingress list). */
  config(): AlbConfig {
    return this.cfg;
  }

  updateHash(_canaryHash: string, _stableHash: string): Promise<void> {
    return Promise.resolve();
  }

  setMirrorRoute(_route: { name: string }): Promise<void> {
    return Promise.resolve();
  }

  async setWeight(
    desiredWeight: number,
    additionalDestinations: readonly WeightDestination[] = [],
  ): Promise<void> {
    await this.eachIngress(
      (ing) => albWeightPatch(this.cfg, ing, desiredWeight, additionalDestinations),
      (name) => `Updating Ingress \`${name}\` to desiredWeight '${desiredWeight}'`,
    );
  }

  async setHeaderRoute(route: HeaderRoute): Promise<void> {
    await this.eachIngress(
      (ing) => albHeaderRoutePatch(this.cfg, ing, route),
      (name) => `Updating Ingress \`${name}\` to headerRoute '${route.name}'`,
    );
  }

  async removeManagedRoutes(): Promise<void> {
    if (this.cfg.managedRoutes.length === 0) return;
    await this.eachIngress(
      (ing) => albRemoveManagedRoutesPatch(this.cfg, ing),
      (name) => `Updating Ingress \`${name}\` removing managed routes`,
    );
  }

  async verifyWeight(
    desiredWeight: number,
    additionalDestinations: readonly WeightDestination[] = [],
  ): Promise<boolean | undefined> {
    const verifier = this.deps.verifier;
    if (!verifier) return undefined;
    const ingresses: KubeObject[] = [];
    for (const { name } of this.cfg.ingresses) {
      ingresses.push(await this.read(name));
    }
    return verifier.verify({
      rollout: this.rollout,
      config: this.cfg,
      ingresses,
      desiredWeight,
      additionalDestinations,
    });
  }

  private async read(name: string): Promise<KubeObject> {
    const ing = await this.deps.ops.getIngress(this.cfg.namespace, name);
    if (ing === undefined) throw new TrafficRoutingError(ingressNotFoundMessage(name));
    return ing;
  }

  /**
   * Every listed Ingress in order. An error (not found, missing rule, failed patch) ends the
   * pass and is returned, as upstream. Q1 fixed on purpose: upstream returns early at the first
   * Ingress that needs no change and never looks at the ones after it; here every Ingress is
   * brought up to date in the same pass.
   */
  private async eachIngress(
    desiredPatch: (ing: KubeObject) => object | undefined,
    message: (name: string) => string,
  ): Promise<void> {
    for (const { name } of this.cfg.ingresses) {
      const ing = await this.read(name);
      const patch = desiredPatch(ing);
      if (patch === undefined) continue;
      this.deps.emit?.({ type: 'Normal', reason: 'PatchingALBIngress', message: message(name) });
      try {
        await this.deps.ops.patchIngress(this.cfg.namespace, name, patch);
      } catch (e) {
        throw new TrafficRoutingError(
          `error patching alb ingress \`${name}\`: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        );
      }
    }
  }
}
