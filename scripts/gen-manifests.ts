// Assembles manifests/install.yaml and manifests/namespace-install.yaml (cli-dashboard-ops.md
// §4.5) from manifests/base/*.yaml and crds/*.yaml. Run it after changing either:
//
//   node --import tsx scripts/gen-manifests.ts           # rewrite both files
//   node --import tsx scripts/gen-manifests.ts --check   # exit 1 when they are out of date
//
// test/unit/manifests/manifests.test.ts fails when the committed files differ from its output.
//
// install.yaml: the Namespace, every CRD of crds/ (file-name order), then the other base objects
// in file-name order, namespaced ones pinned to the argo-rollouts namespace (the
// ClusterRoleBinding names the ServiceAccount there).
// namespace-install.yaml (Argo's variant): no Namespace and no CRDs; the ClusterRole
// `argo-rollouts` becomes a Role without cluster-scoped resources, the ClusterRoleBinding a
// RoleBinding, the controller gets `--namespaced`, and namespaced objects carry no namespace, so
// `kubectl apply -n <ns>` puts them anywhere. The aggregated user ClusterRoles stay.
//
// Objects are parsed and re-emitted, then formatted with the repository's Prettier settings, so
// comments in the sources do not reach the output (the file headers below stand in for them).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import * as prettier from 'prettier';

export const CONTROLLER_NAMESPACE = 'argo-rollouts';
export const CONTROLLER_NAME = 'argo-rollouts';
export const MANIFEST_FILES = ['install.yaml', 'namespace-install.yaml'] as const;
export type ManifestFile = (typeof MANIFEST_FILES)[number];

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  [key: string]: unknown;
}

/** Kinds the base may hold, and whether they are namespaced. Anything else is an error. */
const NAMESPACED: Record<string, boolean> = {
  Namespace: false,
  CustomResourceDefinition: false,
  ClusterRole: false,
  ClusterRoleBinding: false,
  ServiceAccount: true,
  Role: true,
  RoleBinding: true,
  ConfigMap: true,
  Secret: true,
  Service: true,
  Deployment: true,
};

/** Cluster-scoped resources a Role cannot grant; dropped from the namespaced Role. */
const CLUSTER_SCOPED_RESOURCES = new Set(['clusteranalysistemplates']);

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const REGENERATE = 'node --import tsx scripts/gen-manifests.ts';
const IMAGE_NOTE = [
  'The controller image is ghcr.io/argo-rollouts-ts/rollouts-controller:latest (built from the',
  'Dockerfile at the repository root). Override it with kustomize',
  '  images: [{ name: ghcr.io/argo-rollouts-ts/rollouts-controller, newName: <repo>, newTag: <tag> }]',
  'or, once installed: kubectl -n <namespace> set image deployment/argo-rollouts argo-rollouts=<image>',
];

const HEADERS: Record<ManifestFile, string[]> = {
  'install.yaml': [
    'argo-rollouts-ts: cluster-wide install (cli-dashboard-ops.md §4.5). The namespace',
    'argo-rollouts, the CRDs, the controller ServiceAccount with its least-privilege ClusterRole',
    'and ClusterRoleBinding, the ClusterRoles aggregated into admin/edit/view, the controller',
    'ConfigMap and notification Secret, the metrics Service and the controller Deployment.',
    '',
    'Install (server-side apply works too):',
    '  kubectl apply -f install.yaml',
    'Every object, CRDs included, fits in the 256 KiB that client-side apply stores in its',
    'last-applied-configuration annotation; test/unit/manifests/manifests.test.ts checks that.',
    '',
    ...IMAGE_NOTE,
  ],
  'namespace-install.yaml': [
    'argo-rollouts-ts: namespaced install (cli-dashboard-ops.md §4.5). The controller runs with',
    '--namespaced and manages Rollouts of its own namespace only, with a Role and RoleBinding',
    'there instead of cluster RBAC; the ClusterRoles aggregated into admin/edit/view are kept.',
    'The CRDs are cluster-scoped and not included: install them once per cluster, e.g.',
    '  kubectl apply -f crds/',
    'then',
    '  kubectl apply -n <namespace> -f namespace-install.yaml',
    '',
    ...IMAGE_NOTE,
  ],
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

function loadManifests(file: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of yaml.loadAll(readFileSync(file, 'utf8'))) {
    if (doc === null || doc === undefined) continue;
    const m = doc as Manifest;
    if (typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') {
      throw new Error(`${file}: a document without kind or metadata.name`);
    }
    if (!(m.kind in NAMESPACED)) {
      throw new Error(
        `${file}: kind ${m.kind} is not known to gen-manifests.ts (add it to NAMESPACED)`,
      );
    }
    if (m.metadata.namespace !== undefined) {
      throw new Error(`${file}: ${m.kind}/${m.metadata.name} sets a namespace; the generator does`);
    }
    out.push(m);
  }
  return out;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function withNamespace(m: Manifest, namespace: string | undefined): Manifest {
  if (!NAMESPACED[m.kind] || namespace === undefined) return m;
  // metadata.namespace goes right after the name, where kubectl and kustomize put it.
  const { name, ...rest } = m.metadata;
  return { ...m, metadata: { name, namespace, ...rest } };
}

const isController = (m: Manifest, kind: string) =>
  m.kind === kind && m.metadata.name === CONTROLLER_NAME;

/** The namespaced variant's Role: the ClusterRole's rules, minus cluster-scoped resources. */
function toRole(clusterRole: Manifest): Manifest {
  const rules = (clusterRole.rules as PolicyRule[]).flatMap((rule) => {
    const resources = (rule.resources ?? []).filter((r) => !CLUSTER_SCOPED_RESOURCES.has(r));
    return resources.length ? [{ ...clone(rule), resources }] : [];
  });
  return { ...clone(clusterRole), kind: 'Role', rules };
}

/** The namespaced variant's RoleBinding: a ServiceAccount subject without a namespace is the
 * RoleBinding's own namespace, wherever the file is applied. */
function toRoleBinding(binding: Manifest): Manifest {
  const subjects = (binding.subjects as Record<string, unknown>[]).map((s) => {
    const { namespace: _ns, ...rest } = s;
    return rest;
  });
  const roleRef = { ...(binding.roleRef as Record<string, unknown>), kind: 'Role' };
  return { ...clone(binding), kind: 'RoleBinding', roleRef, subjects };
}

interface Container {
  name: string;
  args?: string[];
  [key: string]: unknown;
}

function withNamespacedFlag(deployment: Manifest): Manifest {
  const d = clone(deployment);
  const spec = d.spec as { template: { spec: { containers: Container[] } } };
  const container = spec.template.spec.containers.find((c) => c.name === CONTROLLER_NAME);
  if (!container) throw new Error(`Deployment ${CONTROLLER_NAME} has no container of that name`);
  container.args = [...(container.args ?? []), '--namespaced'];
  return d;
}

/** The objects of each file, in order. */
export function buildManifests(root = ROOT): Record<ManifestFile, Manifest[]> {
  const base = yamlFiles(join(root, 'manifests', 'base')).flatMap(loadManifests);
  const crds = yamlFiles(join(root, 'crds')).flatMap(loadManifests);
  for (const c of crds) {
    if (c.kind !== 'CustomResourceDefinition') throw new Error(`crds/ holds a ${c.kind}`);
  }
  const namespaces = base.filter((m) => m.kind === 'Namespace');
  const rest = base.filter((m) => m.kind !== 'Namespace');
  for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment']) {
    if (!rest.some((m) => isController(m, kind))) {
      throw new Error(`manifests/base has no ${kind} ${CONTROLLER_NAME}`);
    }
  }

  const install = [...namespaces, ...crds, ...rest].map((m) =>
    withNamespace(m, CONTROLLER_NAMESPACE),
  );
  const namespaceInstall = rest.map((m) => {
    if (isController(m, 'ClusterRole')) return toRole(m);
    if (isController(m, 'ClusterRoleBinding')) return toRoleBinding(m);
    if (isController(m, 'Deployment')) return withNamespacedFlag(m);
    return m;
  });
  return { 'install.yaml': install, 'namespace-install.yaml': namespaceInstall };
}

/** The text of each file, as committed. */
export async function generateManifests(root = ROOT): Promise<Record<ManifestFile, string>> {
  const objects = buildManifests(root);
  const out = {} as Record<ManifestFile, string>;
  for (const file of MANIFEST_FILES) {
    const header = [
      `Generated by scripts/gen-manifests.ts from manifests/base/*.yaml and crds/*.yaml; do not`,
      `edit. Change those and run: ${REGENERATE}`,
      '',
      ...HEADERS[file],
    ]
      .map((l) => (l ? `# ${l}` : '#'))
      .join('\n');
    const body = objects[file]
      .map((m) => yaml.dump(m, { lineWidth: -1, noRefs: true, quotingType: "'" }))
      .join('---\n');
    const filepath = join(root, 'manifests', file);
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    out[file] = await prettier.format(`${header}\n${body}`, { ...options, filepath });
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const generated = await generateManifests();
  let stale = 0;
  for (const file of MANIFEST_FILES) {
    const path = join(ROOT, 'manifests', file);
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === generated[file]) continue;
    if (check) {
      console.error(`manifests/${file} is out of date: run ${REGENERATE}`);
      stale++;
    } else {
      writeFileSync(path, generated[file]);
      console.log(`wrote manifests/${file}`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
