// Defaulting of a custom resource from its CRD's structural schema, as kube-apiserver's decoder
// does it on every request and every read (apiextensions-apiserver
// pkg/apiserver/schema/defaulting: PruneNonNullableNullsWithoutDefaults, then Default).

import type { JSONSchemaProps } from '../registry/types.ts';
import { getOwn, hasOwn, isPlainObject, setOwn } from '../patch/merge.ts';

/**
 * Returns a defaulted deep copy of `obj`: every absent property that has a `default` gets a deep
 * copy of it, then present properties, array items and additionalProperties values are defaulted
 * in turn. As in the apiserver, a `null` where the schema is not `nullable` counts as absent: it
 * is replaced by the default when there is one and dropped when there is none (a map key is
 * dropped, an array item is left alone), so that a client sending `field: null` gets the same
 * stored object as one leaving the field out.
 */
export function applyDefaults(obj: unknown, schema: JSONSchemaProps): unknown {
  const value = structuredClone(obj);
  pruneNonNullableNulls(value, schema);
  defaultValue(value, schema);
  return value;
}

function hasDefault(s: JSONSchemaProps | undefined): s is JSONSchemaProps {
  // The apiserver reads `default: null` as "no default".
  return s !== undefined && s.default !== undefined && s.default !== null;
}

function isNonNullableNull(x: unknown, s: JSONSchemaProps | undefined): s is JSONSchemaProps {
  return x === null && s !== undefined && s.nullable !== true;
}

function schemaForField(
  field: string,
  s: JSONSchemaProps | undefined,
): JSONSchemaProps | undefined {
  if (s === undefined) return undefined;
  if (s.properties !== undefined && hasOwn(s.properties, field)) {
    return getOwn(s.properties, field) as JSONSchemaProps;
  }
  const ap = s.additionalProperties;
  return typeof ap === 'object' && ap !== null ? ap : undefined;
}

function pruneNonNullableNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (isPlainObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = schemaForField(k, s);
      if (isNonNullableNull(x[k], sub) && !hasDefault(sub)) delete x[k];
      else pruneNonNullableNulls(x[k], sub);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNonNullableNulls(v, s?.items);
  }
}

function defaultValue(x: unknown, s: JSONSchemaProps | undefined): void {
  if (s === undefined) return;
  if (isPlainObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (!hasDefault(prop)) continue;
      if (!hasOwn(x, k) || isNonNullableNull(x[k], prop))
        setOwn(x, k, structuredClone(prop.default));
    }
    const ap = s.additionalProperties;
    const apSchema = typeof ap === 'object' && ap !== null ? ap : undefined;
    for (const k of Object.keys(x)) {
      if (s.properties !== undefined && hasOwn(s.properties, k)) {
        defaultValue(x[k], getOwn(s.properties, k) as JSONSchemaProps);
      } else if (ap !== undefined) {
        if (isNonNullableNull(x[k], apSchema) && hasDefault(apSchema)) {
          setOwn(x, k, structuredClone(apSchema.default));
        }
        defaultValue(x[k], apSchema);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    x.forEach((v, i) => {
      if (isNonNullableNull(v, items) && hasDefault(items)) x[i] = structuredClone(items.default);
      defaultValue(x[i], items);
    });
  }
}
