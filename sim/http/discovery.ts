// API discovery documents: the aggregated v2 form kubectl 1.32 asks for first, and the
// legacy per-group-version lists kubectl 1.20 (and client-node's KubernetesObjectApi) use.
import type { Registry } from '../registry/registry.ts';
import { groupVersion, type ResourceType } from '../registry/types.ts';

export const AGGREGATED_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && /as=APIGroupDiscoveryList/.test(accept) && /v=v2(;|,|$)/.test(accept);
}

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.2',
  gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean',
  buildDate: '2025-02-12T21:19:47Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function subresourcesOf(
  rt: ResourceType,
): { name: string; kind: string; group?: string; version?: string }[] {
  const out: { name: string; kind: string; group?: string; version?: string }[] = [];
  if (rt.subresources.status) out.push({ name: 'status', kind: rt.kind });
  if (rt.subresources.scale)
    out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1' });
  return out;
}

export function aggregatedDiscovery(registry: Registry, core: boolean): object {
  const groups = registry.groupVersions().filter((g) => (g.group === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => ({
      metadata: core ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: registry
          .types()
          .filter((t) => t.group === g.group && t.version === version)
          .map((t) => ({
            resource: t.resource,
            singularResource: t.singular,
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            responseKind: { group: t.group, version: t.version, kind: t.kind },
            verbs: t.verbs,
            ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
            ...(t.categories.length ? { categories: t.categories } : {}),
            subresources: subresourcesOf(t).map((s) => ({
              subresource: s.name,
              responseKind: {
                group: s.group ?? t.group,
                version: s.version ?? t.version,
                kind: s.kind,
              },
              verbs: ['get', 'patch', 'update'],
            })),
          })),
      })),
    })),
  };
}

export function legacyApiVersions(): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  };
}

function apiGroup(group: string, versions: string[]): object {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

export function legacyApiGroupList(registry: Registry): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

export function legacyApiGroup(registry: Registry, group: string): object | undefined {
  const g = registry.groupVersions().find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) } : undefined;
}

export function apiResourceList(
  registry: Registry,
  group: string,
  version: string,
): object | undefined {
  const types = registry.types().filter((t) => t.group === group && t.version === version);
  if (!types.length) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    });
    for (const s of subresourcesOf(t)) {
      resources.push({
        name: `${t.resource}/${s.name}`,
        singularName: '',
        namespaced: t.namespaced,
        ...(s.group ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources,
  };
}
