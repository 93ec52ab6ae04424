// Reading manifests for `create` and `lint` the way the original decodes them: JSON when the
// first non-space byte is `{`, else YAML; strict, so a field the type does not know is an error
// worded as sigs.k8s.io/yaml + encoding/json word it:
//   error unmarshaling JSON: while decoding JSON: json: unknown field "<f>"
// The known fields come from our CRDs' structural schemas (crds/*.yaml, the Go types' shape);
// ObjectMeta, which the CRDs leave open, from its own field list.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { isObj, type Obj } from './common.ts';

/** The package root (the directory holding crds/), from src or dist. */
function packageRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'crds', 'rollout-crd.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the crds/ directory of argo-rollouts-ts');
}

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

const CRD_FILES: Record<string, string> = {
  Rollout: 'rollout-crd.yaml',
  AnalysisRun: 'analysis-run-crd.yaml',
  AnalysisTemplate: 'analysis-template-crd.yaml',
  ClusterAnalysisTemplate: 'cluster-analysis-template-crd.yaml',
};

const schemas = new Map<string, Schema | undefined>();

/** The openAPIV3Schema of one of our CRDs by kind, or undefined (no CRD of ours). */
export function crdSchema(kind: string): Schema | undefined {
  if (schemas.has(kind)) return schemas.get(kind);
  const file = CRD_FILES[kind];
  let schema: Schema | undefined;
  if (file) {
    const crd = yaml.load(readFileSync(join(packageRoot(), 'crds', file), 'utf8'), {
      schema: yaml.CORE_SCHEMA,
    }) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  }
  schemas.set(kind, schema);
  return schema;
}

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export class DecodeError extends Error {}

const unknownField = (f: string): DecodeError =>
  new DecodeError(`error unmarshaling JSON: while decoding JSON: json: unknown field "${f}"`);

/** The first unknown field, depth first in document order (as encoding/json meets it). */
function checkNode(value: unknown, schema: Schema | undefined): void {
  if (schema === undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    for (const v of value) checkNode(v, schema.items);
    return;
  }
  if (!isObj(value)) return;
  if (schema.properties) {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties[k];
      if (sub === undefined) throw unknownField(k);
      checkNode(v, sub);
    }
  } else if (isObj(schema.additionalProperties)) {
    for (const v of Object.values(value)) checkNode(v, schema.additionalProperties);
  }
}

/** Strict decoding of an object of one of our kinds; other kinds pass. */
export function strictCheck(obj: Obj): void {
  const schema = crdSchema(typeof obj.kind === 'string' ? obj.kind : '');
  if (!schema) return;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata') {
      if (isObj(v)) {
        for (const mk of Object.keys(v)) if (!OBJECT_META_FIELDS.has(mk)) throw unknownField(mk);
      }
      continue;
    }
    const sub = schema.properties?.[k];
    if (sub === undefined) throw unknownField(k);
    checkNode(v, sub);
  }
}

function yamlError(e: unknown): DecodeError {
  if (e instanceof yaml.YAMLException) {
    const line = e.mark ? e.mark.line + 1 : 0;
    return new DecodeError(`error converting YAML to JSON: yaml: line ${line}: ${e.reason}`);
  }
  return new DecodeError(e instanceof Error ? e.message : String(e));
}

/** Every document of a file (empty ones dropped). */
export function decodeDocuments(text: string): unknown[] {
  if (text.trimStart().startsWith('{')) {
    try {
      return [JSON.parse(text) as unknown];
    } catch (e) {
      throw new DecodeError(
        `error unmarshaling JSON: while decoding JSON: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  try {
    return yaml
      .loadAll(text, undefined, { schema: yaml.CORE_SCHEMA })
      .filter((d) => d !== null && d !== undefined);
  } catch (e) {
    throw yamlError(e);
  }
}

/** Reads a file; `open <f>: no such file or directory` as Go words it. */
export function readManifest(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      throw new Error(`open ${file}: no such file or directory`, { cause: e });
    }
    if (err.code === 'EISDIR') throw new Error(`read ${file}: is a directory`, { cause: e });
    throw new Error(err.message, { cause: e });
  }
}
