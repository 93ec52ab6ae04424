// Pruning of unknown fields, as kube-apiserver does it to a custom resource on create and update
// (apiextensions-apiserver pkg/apiserver/schema/pruning). The walk, the order of its decisions and
// the form of the reported paths follow that algorithm, so that the warnings a client sees
// ("unknown field \"spec.foo\"") read the same as against a real cluster.

import type { JSONSchemaProps } from '../registry/types.ts';
import { getOwn, hasOwn, isPlainObject } from '../patch/merge.ts';

export interface PruneResult {
  /** A pruned deep copy; the input is left untouched. */
  value: unknown;
  /** Dotted paths of the dropped fields, sorted: `spec.foo`, `spec.containers[0].bar`. */
  unknownFields: string[];
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Drops every field `schema` does not specify; see PruneResult. */
export function pruneUnknownFields(obj: unknown, schema: JSONSchemaProps): PruneResult {
  const value = structuredClone(obj);
  // The resource root is always treated as an embedded resource: its apiVersion, kind and
  // metadata belong to the server, whatever the CRD's schema says about them.
  const root: JSONSchemaProps = schema['x-kubernetes-embedded-resource']
    ? schema
    : { ...schema, 'x-kubernetes-embedded-resource': true };
  const walker = new Walker();
  walker.prune(value, root);
  // Byte order like Go's sort.Strings, not localeCompare.
  walker.unknown.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { value, unknownFields: walker.unknown };
}

/** The schema values of an object's unspecified keys: a schema, or undefined for "no schema". */
function additionalSchema(s: JSONSchemaProps): { present: boolean; schema?: JSONSchemaProps } {
  const ap = s.additionalProperties;
  if (ap === undefined) return { present: false };
  // `additionalProperties: true` keeps the keys but, like the apiserver's structural schema (a
  // StructuralOrBool with no schema), gives their values nothing to keep inside them.
  return { present: true, schema: typeof ap === 'object' && ap !== null ? ap : undefined };
}

function propertySchema(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  const props = s.properties;
  if (props === undefined || !hasOwn(props, key)) return undefined;
  return getOwn(props, key) as JSONSchemaProps;
}

class Walker {
  readonly unknown: string[] = [];
  private path: string[] = [];

  prune(x: unknown, s: JSONSchemaProps | undefined): void {
    if (s?.['x-kubernetes-preserve-unknown-fields'] === true) {
      this.skipPrune(x, s);
      return;
    }
    const depth = this.path.length;
    if (isPlainObject(x)) {
      if (s === undefined) {
        for (const k of Object.keys(x)) {
          this.record(k);
          delete x[k];
        }
        return;
      }
      const embedded = s['x-kubernetes-embedded-resource'] === true;
      const ap = additionalSchema(s);
      for (const k of Object.keys(x)) {
        if (embedded && META_FIELDS.has(k)) continue;
        const prop = propertySchema(s, k);
        if (prop !== undefined) {
          this.appendKey(k);
          this.prune(x[k], prop);
          this.path.length = depth;
        } else if (ap.present) {
          this.appendKey(k);
          this.prune(x[k], ap.schema);
          this.path.length = depth;
        } else {
          if (!META_FIELDS.has(k) || depth > 0) this.record(k);
          delete x[k];
        }
      }
    } else if (Array.isArray(x)) {
      x.forEach((v, i) => {
        this.appendIndex(i);
        this.prune(v, s?.items);
        this.path.length = depth;
      });
    }
  }

  /** Under x-kubernetes-preserve-unknown-fields: keep unknown keys, still prune specified ones. */
  private skipPrune(x: unknown, s: JSONSchemaProps | undefined): void {
    if (s === undefined) return;
    const depth = this.path.length;
    if (isPlainObject(x)) {
      const embedded = s['x-kubernetes-embedded-resource'] === true;
      const ap = additionalSchema(s);
      for (const k of Object.keys(x)) {
        if (embedded && META_FIELDS.has(k)) continue;
        const prop = propertySchema(s, k);
        if (prop !== undefined) {
          this.appendKey(k);
          this.prune(x[k], prop);
          this.path.length = depth;
        } else if (ap.present) {
          this.appendKey(k);
          this.prune(x[k], ap.schema);
          this.path.length = depth;
        }
      }
    } else if (Array.isArray(x)) {
      x.forEach((v, i) => {
        this.appendIndex(i);
        this.skipPrune(v, s.items);
        this.path.length = depth;
      });
    }
  }

  private appendKey(key: string): void {
    if (this.path.length > 0) this.path.push('.');
    this.path.push(key);
  }

  private appendIndex(index: number): void {
    this.path.push('[', String(index), ']');
  }

  private record(key: string): void {
    const depth = this.path.length;
    this.appendKey(key);
    this.unknown.push(this.path.join(''));
    this.path.length = depth;
  }
}
