// ingress-nginx router (traffic-routing §4): keeps one canary Ingress per stable Ingress in
// sync (created when missing, merge-patched when it differs). No verification, no header or
// mirror routes, no managed routes. The objects come from nginx-ingress.ts.
import type { KubeObject } from '../api/kube-object.ts';
import type { Rollout } from '../api/rollout.ts';
import { isAlreadyExists } from '../kube/raw-client.ts';
import {
  canaryIngressName,
  canaryIngressPatch,
  desiredCanaryIngress,
  isControlledBy,
  nginxConfig,
  orphanedCanaryIngresses,
  type NginxConfig,
} from './nginx-ingress.ts';
import {
  ingressNotFoundMessage,
  TrafficRoutingError,
  type HeaderRoute,
  type RouterDeps,
  type TrafficRouter,
} from './router.ts';

export const NGINX_ROUTER_TYPE = 'Nginx';

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class NginxRouter implements TrafficRouter {
  private readonly cfg: NginxConfig;

  constructor(
    private readonly rollout: Rollout,
    private readonly deps: RouterDeps,
  ) {
    this.cfg = nginxConfig(rollout);
  }

  type(): string {
    return NGINX_ROUTER_TYPE;
  }

  config(): NginxConfig {
    return this.cfg;
  }

  updateHash(_canaryHash: string, _stableHash: string): Promise<void> {
    return Promise.resolve();
  }

  setHeaderRoute(_route: HeaderRoute): Promise<void> {
    return Promise.resolve();
  }

  setMirrorRoute(_route: { name: string }): Promise<void> {
    return Promise.resolve();
  }

  verifyWeight(_desiredWeight: number): Promise<boolean | undefined> {
    return Promise.resolve(undefined);
  }

  removeManagedRoutes(): Promise<void> {
    return Promise.resolve();
  }

  /** Additional destinations are ignored: ingress-nginx has one canary backend per rule. */
  async setWeight(desiredWeight: number): Promise<void> {
    const ns = this.cfg.namespace;
    const ops = this.deps.ops;
    for (const { name: stableName } of this.cfg.stableIngresses) {
      const canaryName = canaryIngressName(this.cfg.rolloutName, stableName);
      let stable: KubeObject | undefined;
      try {
        stable = await ops.getIngress(ns, stableName);
      } catch (e) {
        throw new TrafficRoutingError(
          `error retrieving stableIngress \`${stableName}\` from cache: ${errText(e)}`,
          { cause: e },
        );
      }
      if (stable === undefined) {
        throw new TrafficRoutingError(
          `error retrieving stableIngress \`${stableName}\` from cache: ${ingressNotFoundMessage(stableName)}`,
        );
      }
      let canary: KubeObject | undefined;
      try {
        canary = await ops.getIngress(ns, canaryName);
      } catch (e) {
        throw new TrafficRoutingError(
          `error retrieving canary ingress \`${canaryName}\` from cache: ${errText(e)}`,
          { cause: e },
        );
      }
      const desired = desiredCanaryIngress(this.cfg, this.rollout, stable, desiredWeight);

      if (canary === undefined) {
        this.deps.emit?.({
          type: 'Normal',
          reason: 'CreatingCanaryIngress',
          message: `Creating canary ingress \`${canaryName}\` with weight \`${desiredWeight}\``,
        });
        try {
          await ops.createIngress(ns, desired);
          continue;
        } catch (e) {
          if (!(this.deps.isAlreadyExists ?? isAlreadyExists)(e)) {
            throw new TrafficRoutingError(
              `error creating canary ingress \`${canaryName}\`: ${errText(e)}`,
              { cause: e },
            );
          }
        }
        // Created by a concurrent pass: read it from the API and patch it like an existing one.
        try {
          canary = await (ops.getIngressLive ?? ops.getIngress).call(ops, ns, canaryName);
        } catch (e) {
          throw new TrafficRoutingError(
            `error retrieving canary ingress \`${canaryName}\` from api: ${errText(e)}`,
            { cause: e },
          );
        }
        if (canary === undefined) {
          throw new TrafficRoutingError(
            `error retrieving canary ingress \`${canaryName}\` from api: ${ingressNotFoundMessage(canaryName)}`,
          );
        }
      }

      if (!isControlledBy(canary, this.cfg.rolloutUid)) {
        throw new TrafficRoutingError(
          `canary ingress \`${canaryName}\` controlled by different object`,
        );
      }
      const patch = canaryIngressPatch(canary, desired);
      if (patch === undefined) continue;
      this.deps.emit?.({
        type: 'Normal',
        reason: 'PatchingCanaryIngress',
        message: `Updating Ingress \`${canaryName}\` to desiredWeight '${desiredWeight}'`,
      });
      try {
        await ops.patchIngress(ns, canaryName, patch);
      } catch (e) {
        throw new TrafficRoutingError(
          `error patching canary ingress \`${canaryName}\`: ${errText(e)}`,
          { cause: e },
        );
      }
    }
  }

  /**
   * Deletes canary Ingresses this Rollout owns but no longer references (see
   * orphanedCanaryIngresses; upstream leaves them until the Rollout is deleted). Optional:
   * call it only if that deviation is wanted. Returns the deleted names.
   */
  async deleteOrphans(inNamespace: KubeObject[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const ing of orphanedCanaryIngresses(this.rollout, inNamespace)) {
      const name = ing.metadata.name ?? '';
      await this.deps.ops.deleteIngress(this.cfg.namespace, name, {
        ...(ing.metadata.uid !== undefined ? { uid: ing.metadata.uid } : {}),
      });
      deleted.push(name);
    }
    return deleted;
  }
}
