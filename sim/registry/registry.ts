// The set of served resource types: the built-ins plus whatever the stored CRDs define.
// A CRD is served the moment it is stored and disappears with it, as on a real server.
import { BUILTIN_TYPES } from './builtins.ts';
import type { JSONSchemaProps, KubeObject, PrinterColumn, ResourceType } from './types.ts';

const CR_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: {
    status?: object;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

/** The served types a CRD object defines, one per served version (stored versions first). */
export function typesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec as CrdSpec | undefined;
  if (!spec?.names?.plural || !Array.isArray(spec.versions)) return [];
  const versions = [...spec.versions]
    .filter((v) => v.served !== false)
    .sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  return versions.map((v) => ({
    group: spec.group,
    version: v.name,
    resource: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    namespaced: spec.scope !== 'Cluster',
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: CR_VERBS,
    subresources: {
      status: v.subresources?.status !== undefined,
      ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
    },
    builtin: false,
    ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
    printerColumns: v.additionalPrinterColumns ?? [],
    storage: `${spec.group}/${spec.names.plural}`,
  }));
}

export class Registry {
  private crdTypes = new Map<string, ResourceType[]>(); // CRD name → its types
  private all: ResourceType[] = [...BUILTIN_TYPES];
  private generation = 0;

  /** Bumps whenever the set of types changes; discovery and OpenAPI caches key off it. */
  get version(): number {
    return this.generation;
  }

  types(): ResourceType[] {
    return this.all;
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all.find(
      (t) => t.group === group && t.version === version && t.resource === resource,
    );
  }

  /** The preferred (first listed) version of a kind, for ownerReference lookups. */
  findKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return (
      this.all.find((t) => t.group === group && t.version === version && t.kind === kind) ??
      this.all.find((t) => t.group === group && t.kind === kind)
    );
  }

  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.all) {
      const vs = groups.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      groups.set(t.group, vs);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }

  setCrd(crd: KubeObject): void {
    this.crdTypes.set(crd.metadata.name ?? '', typesFromCrd(crd));
    this.rebuild();
  }

  removeCrd(name: string): void {
    if (this.crdTypes.delete(name)) this.rebuild();
  }

  private rebuild(): void {
    this.all = [...BUILTIN_TYPES, ...[...this.crdTypes.values()].flat()];
    this.generation++;
  }
}
