// The routers of one Rollout, in upstream order (Istio, NGINX, ALB, SMI, Ambassador, AppMesh,
// Traefik, Apisix, plugins). Every router gets the same weight and destinations in a pass.
import type { Rollout } from '../api/rollout.ts';
import { AlbRouter, type AlbRouterDeps } from './alb.ts';
import { NginxRouter } from './nginx.ts';
import type { TrafficRouter } from './router.ts';

export interface TrafficRouters {
  routers: TrafficRouter[];
  /** Configured providers without an implementation here (the caller decides how to report). */
  unsupported: string[];
}

const OTHER_PROVIDERS = ['smi', 'ambassador', 'appMesh', 'traefik', 'apisix', 'plugins'] as const;

export function newTrafficRouters(rollout: Rollout, deps: AlbRouterDeps): TrafficRouters {
  const tr = rollout.spec.strategy?.canary?.trafficRouting;
  const routers: TrafficRouter[] = [];
  const unsupported: string[] = [];
  if (!tr) return { routers, unsupported };
  if (tr.istio) unsupported.push('istio');
  if (tr.nginx) routers.push(new NginxRouter(rollout, deps));
  if (tr.alb) routers.push(new AlbRouter(rollout, deps));
  for (const p of OTHER_PROVIDERS) if (tr[p]) unsupported.push(p);
  return { routers, unsupported };
}
