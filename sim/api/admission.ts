// What the API server does to an object between decoding and storage: pruning, defaulting
// and validation for custom resources (from the CRD's structural schema), defaults and a few
// invariants for built-in kinds.
import { pruneUnknownFields } from '../schema/prune.ts';
import { applyDefaults } from '../schema/defaults.ts';
import { validateAgainstSchema } from '../schema/validate.ts';
import { fromLabelSelectorObject, matchesLabels } from '../selectors/labels.ts';
import type { KubeObject, ResourceType } from '../registry/types.ts';
import { applyBuiltinDefaults } from './builtin-defaults.ts';
import { errors, type StatusCause } from './status.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Admitted {
  object: KubeObject;
  warnings: string[];
}

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(
    `fieldValidation parameter unsupported: ${v}. Supported values are "Strict", "Warn", "Ignore"`,
  );
}

/** apimachinery's TotalAnnotationSizeLimitB: keys plus values, in bytes, for every kind. */
const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/**
 * ValidateObjectMeta's annotation size check. This is what rejects a client-side
 * `kubectl apply` of a CRD whose last-applied-configuration annotation would exceed 256 KiB.
 */
function validateAnnotationsSize(rt: ResourceType, obj: KubeObject): void {
  let size = 0;
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size <= TOTAL_ANNOTATION_SIZE_LIMIT_B) return;
  throw errors.invalid(rt, obj.metadata.name ?? '', [
    {
      reason: 'FieldValueTooLong',
      field: 'metadata.annotations',
      message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes`,
    },
  ]);
}

export function admit(
  rt: ResourceType,
  obj: KubeObject,
  isCreate: boolean,
  fieldValidation: FieldValidation,
): Admitted {
  validateAnnotationsSize(rt, obj);
  if (rt.builtin) {
    applyBuiltinDefaults(rt.kind, obj, isCreate);
    const causes = validateBuiltin(rt, obj);
    if (causes.length) throw errors.invalid(rt, obj.metadata.name ?? '', causes);
    return { object: obj, warnings: [] };
  }
  if (!rt.schema) return { object: obj, warnings: [] };
  const { value, unknownFields } = pruneUnknownFields(obj, rt.schema);
  const warnings: string[] = [];
  if (unknownFields.length && fieldValidation === 'Strict') {
    const list = unknownFields.map((f) => `unknown field "${f}"`).join(', ');
    throw errors.badRequest(
      `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${list}`,
    );
  }
  if (fieldValidation === 'Warn')
    warnings.push(...unknownFields.map((f) => `unknown field "${f}"`));
  const defaulted = applyDefaults(value, rt.schema) as KubeObject;
  const fieldErrors = validateAgainstSchema(withoutMetadata(defaulted), rt.schema);
  if (fieldErrors.length) {
    throw errors.invalid(
      rt,
      obj.metadata.name ?? '',
      fieldErrors.map((e) => ({ reason: e.type, field: e.field, message: e.message })),
    );
  }
  return { object: defaulted, warnings };
}

/** The server validates metadata itself; the CRD schema only constrains the rest. */
function withoutMetadata(obj: KubeObject): unknown {
  const { metadata: _metadata, ...rest } = obj;
  return rest;
}

function validateBuiltin(rt: ResourceType, obj: KubeObject): StatusCause[] {
  if (rt.kind !== 'ReplicaSet' && rt.kind !== 'Deployment') return [];
  const spec = (obj.spec ?? {}) as {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
    replicas?: unknown;
  };
  const causes: StatusCause[] = [];
  if (!spec.selector) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'spec.selector',
      message: 'Required value',
    });
  } else {
    const labels = spec.template?.metadata?.labels ?? {};
    const sel = fromLabelSelectorObject(spec.selector);
    if (!matchesLabels(sel, labels)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
      });
    }
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
    });
  }
  return causes;
}
