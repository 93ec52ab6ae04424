// Reading zod schemas as JSON-schema-like shapes, for the tests that keep our zod types and
// our CRDs in agreement (crd-agreement.test.ts, analysis-crd-agreement.test.ts).
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

export type FieldKind =
  'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'any';

export interface ZodField {
  path: string;
  kind: FieldKind;
  /** Not optional in its parent object. */
  required: boolean;
}

export function unwrap(s: z.core.$ZodType): { inner: z.core.$ZodType; optional: boolean } {
  let cur = s;
  let optional = false;
  for (;;) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) {
      optional = true;
      cur = cur.unwrap();
    } else if (cur instanceof z.ZodNullable) {
      cur = cur.unwrap();
    } else {
      return { inner: cur, optional };
    }
  }
}

export function kindOf(s: z.core.$ZodType): FieldKind {
  if (s instanceof z.ZodObject || s instanceof z.ZodRecord) return 'object';
  if (s instanceof z.ZodArray) return 'array';
  if (s instanceof z.ZodString || s instanceof z.ZodEnum) return 'string';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodNumber) return s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodUnknown || s instanceof z.ZodAny) return 'any';
  if (s instanceof z.ZodUnion) {
    const kinds = s.options.map((o) => kindOf(unwrap(o).inner)).sort();
    if (isDeepStrictEqual(kinds, ['integer', 'string'])) return 'int-or-string';
    return 'any';
  }
  throw new Error(`unhandled zod type ${s._zod.def.type}; teach kindOf about it`);
}
