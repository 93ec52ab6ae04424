// Puts the demo into the emulator: on first start the CRDs (crds/) and the demo application
// (manifests/: Services, the ALB Ingress, the Rollout); a data dir that has been set up before
// (marker file) keeps whatever state it holds. The AnalysisTemplate is the demo's wiring to this
// run's metrics endpoint or Prometheus, so it is written on every start (created, or replaced when
// the provider or a port changed), and AnalysisRuns created from then on use it.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../src/api/kube-object.ts';
import { isAlreadyExists, isNotFound, RawClient, resourcePath } from '../src/kube/raw-client.ts';

export const NAMESPACE = 'default';
export const ROLLOUT = 'rollouts-demo';
export const INGRESS = 'rollouts-demo-ingress';
export const ROOT_SERVICE = 'rollouts-demo-root';
export const TEMPLATE = 'success-rate';
const MARKER = 'demo-installed.json';

export function loadYaml(file: string): KubeObject[] {
  return yaml
    .loadAll(readFileSync(file, 'utf8'), undefined, { schema: yaml.CORE_SCHEMA })
    .filter((d): d is KubeObject => typeof d === 'object' && d !== null);
}

const PATHS: Record<
  string,
  { group: string; version: string; resource: string; namespaced: boolean }
> = {
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    namespaced: false,
  },
  Service: { group: '', version: 'v1', resource: 'services', namespaced: true },
  Ingress: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', namespaced: true },
  AnalysisTemplate: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    resource: 'analysistemplates',
    namespaced: true,
  },
};

function pathOf(kind: string, name?: string): string {
  const p = PATHS[kind];
  if (!p) throw new Error(`demo: no API path known for kind ${kind}`);
  return resourcePath({
    group: p.group,
    version: p.version,
    resource: p.resource,
    ...(p.namespaced ? { namespace: NAMESPACE } : {}),
    ...(name !== undefined ? { name } : {}),
  });
}

/** Creates the object unless one of that name exists; true when it was created. */
async function createIfAbsent(client: RawClient, obj: KubeObject): Promise<boolean> {
  try {
    await client.create(pathOf(obj.kind ?? ''), obj);
    return true;
  } catch (e) {
    if (isAlreadyExists(e)) return false;
    throw e;
  }
}

export function isInstalled(dataDir: string): boolean {
  return existsSync(join(dataDir, MARKER));
}

/** First start: CRDs, then the application. Idempotent, so an interrupted first start is fine. */
export async function installDemo(
  client: RawClient,
  dirs: { crds: string; manifests: string; dataDir: string },
): Promise<string[]> {
  const created: string[] = [];
  for (const f of readdirSync(dirs.crds)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const crd of loadYaml(join(dirs.crds, f))) {
      if (await createIfAbsent(client, crd)) created.push(`crd/${crd.metadata.name ?? ''}`);
    }
  }
  for (const f of ['services.yaml', 'ingress.yaml', 'rollout.yaml']) {
    for (const obj of loadYaml(join(dirs.manifests, f))) {
      if (await createIfAbsent(client, obj))
        created.push(`${(obj.kind ?? '').toLowerCase()}/${obj.metadata.name ?? ''}`);
    }
  }
  writeFileSync(
    join(dirs.dataDir, MARKER),
    JSON.stringify({ installedAt: new Date().toISOString(), objects: created }, null, 2) + '\n',
  );
  return created;
}

export type AnalysisWiring =
  { provider: 'web'; appUrl: string } | { provider: 'prometheus'; prometheusUrl: string };

/** The AnalysisTemplate for this run, from analysis-web.yaml or analysis-prometheus.yaml. */
export function analysisTemplate(manifests: string, wiring: AnalysisWiring): KubeObject {
  const file = join(manifests, `analysis-${wiring.provider}.yaml`);
  const text = readFileSync(file, 'utf8')
    .replaceAll('__APP_URL__', wiring.provider === 'web' ? wiring.appUrl : '')
    .replaceAll('__PROMETHEUS_URL__', wiring.provider === 'prometheus' ? wiring.prometheusUrl : '');
  const [doc] = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }) as KubeObject[];
  if (!doc) throw new Error(`demo: ${file} holds no object`);
  return doc;
}

/** Creates the template, or replaces its spec when it differs; returns what happened. */
export async function ensureAnalysisTemplate(
  client: RawClient,
  template: KubeObject,
): Promise<'created' | 'updated' | 'unchanged'> {
  const name = template.metadata.name ?? TEMPLATE;
  let current: KubeObject;
  try {
    current = await client.get(pathOf('AnalysisTemplate', name));
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await client.create(pathOf('AnalysisTemplate'), template);
    return 'created';
  }
  if (JSON.stringify(current.spec) === JSON.stringify(template.spec)) return 'unchanged';
  await client.update(pathOf('AnalysisTemplate', name), { ...current, spec: template.spec });
  return 'updated';
}

export interface RolloutSummary {
  phase: string;
  revision: string;
  image: string;
  message: string;
}

export async function rolloutSummary(client: RawClient): Promise<RolloutSummary | undefined> {
  try {
    const ro = await client.get(pathOf('Rollout', ROLLOUT));
    const status = (ro.status ?? {}) as { phase?: string; message?: string };
    const spec = ro.spec as { template?: { spec?: { containers?: { image?: string }[] } } };
    return {
      phase: status.phase ?? '',
      message: status.message ?? '',
      revision: ro.metadata.annotations?.['rollout.argoproj.io/revision'] ?? '',
      image: spec.template?.spec?.containers?.[0]?.image ?? '',
    };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
