// Kubernetes strategic merge patch (application/strategic-merge-patch+json), following the
// server-side apply path of k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch:
// parallel lists merged, unmatched nulls ignored).
//
// Deliberate departures from the Go code, all where Go would leak a directive or a patch-only
// value into the stored object:
// - a value added where the original has nothing (or a different type) is itself run through the
//   patch logic against an empty value, so nested directives and nulls never reach the result;
// - `$patch: delete` on a map removes the key instead of leaving `{}` (for maps with `omitempty`
//   the apiserver's re-encoding drops the `{}` anyway);
// - `$patch: merge` is accepted as an explicit no-op instead of being rejected;
// - `$deleteFromPrimitiveList` on a missing list is a no-op instead of creating the list.

import { PatchError } from './json.ts';
import { getOwn, hasOwn, isPlainObject, setOwn } from './merge.ts';
import type { JsonObject } from './merge.ts';
import { smpMetaForKind } from './smp-metadata.ts';
import type { FieldMeta } from './smp-metadata.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const DELETED = Symbol('deleted');
type Merged = JsonObject | typeof DELETED;

const NO_META: FieldMeta = {};
const NO_ID = Symbol('no merge key');

/**
 * Applies a strategic merge patch to `original` using the patch metadata of the built-in `kind`.
 * Neither input is mutated. Throws PatchError for malformed directives.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, kind: string): unknown {
  if (!isPlainObject(patch)) {
    throw new PatchError('strategic merge patch: body must be a JSON object');
  }
  const base = original === undefined || original === null ? {} : original;
  if (!isPlainObject(base)) {
    throw new PatchError('strategic merge patch: the target must be a JSON object');
  }
  const merged = mergeMap(structuredClone(base), structuredClone(patch), smpMetaForKind(kind), '');
  return merged === DELETED ? {} : merged;
}

// Both arguments are private copies, so they are updated in place.
function mergeMap(original: JsonObject, patch: JsonObject, meta: FieldMeta, path: string): Merged {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    switch (directive) {
      case 'replace':
        return mergeMap({}, patch, meta, path);
      case 'delete':
        return DELETED;
      case 'merge':
        break;
      default:
        throw new PatchError(
          `${where(path)}: unknown ${DIRECTIVE} directive ${JSON.stringify(directive)}`,
        );
    }
  }

  const retain = takeRetainKeys(patch, path);
  applySetElementOrder(original, patch, meta, path);

  const deletions: Array<[string, unknown]> = [];
  for (const key of Object.keys(patch)) {
    const patchValue = patch[key];
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path), patchValue]);
      continue;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const fieldMeta = meta.fields?.[key] ?? NO_META;
    const fieldPath = join(path, key);
    const current = getOwn(original, key);
    let next: unknown;
    if (isPlainObject(current) && isPlainObject(patchValue) && fieldMeta.strategy !== 'replace') {
      next = mergeMap(current, patchValue, fieldMeta, fieldPath);
    } else if (Array.isArray(current) && Array.isArray(patchValue) && isMergeList(fieldMeta)) {
      next = mergeList(current, patchValue, fieldMeta, fieldPath);
    } else {
      next = materialize(patchValue, fieldMeta, fieldPath);
    }
    if (next === DELETED) delete original[key];
    else setOwn(original, key, next);
  }

  for (const [field, values] of deletions) {
    deleteFromPrimitiveList(original, field, values, path);
  }

  if (retain) {
    for (const key of Object.keys(original)) {
      if (!retain.has(key)) delete original[key];
    }
  }
  return original;
}

/** Turns a patch value that has nothing to merge with into a plain value, resolving its directives. */
function materialize(value: unknown, meta: FieldMeta, path: string): unknown {
  if (isPlainObject(value)) return mergeMap({}, value, meta, path);
  if (Array.isArray(value)) {
    if (isMergeList(meta)) return mergeList([], value, meta, path);
    const itemMeta = meta.items ?? NO_META;
    return value
      .map((item, i) => materialize(item, itemMeta, `${path}[${i}]`))
      .filter((item) => item !== DELETED);
  }
  return value;
}

function isMergeList(meta: FieldMeta): boolean {
  return meta.strategy === 'merge' || meta.strategy === 'merge,retainKeys';
}

function takeRetainKeys(patch: JsonObject, path: string): Set<string> | undefined {
  if (!hasOwn(patch, RETAIN_KEYS)) return undefined;
  const keys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new PatchError(`${where(path)}: ${RETAIN_KEYS} must be a list of field names`);
  }
  const retain = new Set(keys);
  for (const [key, value] of Object.entries(patch)) {
    if (
      value === null ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST) ||
      key.startsWith(SET_ELEMENT_ORDER)
    )
      continue;
    if (!retain.has(key)) {
      throw new PatchError(
        `${where(path)}: field ${JSON.stringify(key)} is set by the patch but missing from ${RETAIN_KEYS}`,
      );
    }
  }
  return retain;
}

function deleteFromPrimitiveList(
  original: JsonObject,
  field: string,
  values: unknown,
  path: string,
): void {
  const label = `${where(path)}: ${DELETE_FROM_PRIMITIVE_LIST}/${field}`;
  if (!Array.isArray(values) || !values.every(isScalar)) {
    throw new PatchError(`${label} must be a list of primitive values`);
  }
  const current = getOwn(original, field);
  if (current === undefined || current === null) return;
  if (!Array.isArray(current)) {
    throw new PatchError(`${label} applies to a field that is not a list`);
  }
  setOwn(
    original,
    field,
    current.filter((item) => !values.includes(item)),
  );
}

/**
 * Processes `$setElementOrder/<field>` together with the patch list for that field: merges it,
 * then orders the result by the directive. Both keys are removed from `patch`.
 */
function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  meta: FieldMeta,
  path: string,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    const field = directiveField(key, SET_ELEMENT_ORDER, path);
    const label = `${where(path)}: ${key}`;
    if (!Array.isArray(order)) {
      throw new PatchError(`${label} must be a list`);
    }
    const fieldMeta = meta.fields?.[field] ?? NO_META;
    const fieldPath = join(path, field);
    const originalList = listOrAbsent(
      getOwn(original, field),
      `${where(fieldPath)} in the original`,
    );
    const patchValue = getOwn(patch, field);
    // An explicit null deletes the list; ordering it first would be pointless.
    if (patchValue === null) continue;
    const patchList = listOrAbsent(patchValue, `${where(fieldPath)} in the patch`);
    const mergeKey = fieldMeta.mergeKey;
    validateOrder(patchList ?? [], order, mergeKey, label);

    let merged: unknown[];
    if (patchList) {
      const base = originalList ?? [];
      merged = isMergeList(fieldMeta)
        ? mergeList(base, patchList, fieldMeta, fieldPath)
        : (materialize(patchList, fieldMeta, fieldPath) as unknown[]);
      delete patch[field];
    } else if (originalList) {
      merged = originalList;
    } else {
      continue;
    }

    const objects = merged.some(isPlainObject) || order.some(isPlainObject);
    if (objects && !mergeKey) {
      // Elements without a merge key cannot be matched against the order list.
      setOwn(original, field, merged);
      continue;
    }
    if (mergeKey) requireMergeKeys(order, mergeKey, label);
    const ident = identity(mergeKey);
    setOwn(
      original,
      field,
      normalizeOrder(merged, order.map(ident), (originalList ?? []).map(ident), ident),
    );
  }
}

function listOrAbsent(value: unknown, label: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new PatchError(`${label} is not a list`);
  return value as unknown[];
}

/** The patch list must be a subsequence of the order list (deletions and directive elements excepted). */
function validateOrder(
  patchList: unknown[],
  order: unknown[],
  mergeKey: string | undefined,
  label: string,
): void {
  if (patchList.length === 0 || order.length === 0) return;
  if (!mergeKey && (patchList.some(isPlainObject) || order.some(isPlainObject))) return;
  const items = patchList.filter((item) => !(isPlainObject(item) && hasOwn(item, DIRECTIVE)));
  if (mergeKey) {
    requireMergeKeys(items, mergeKey, label);
    requireMergeKeys(order, mergeKey, label);
  }
  const ident = identity(mergeKey);
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    if (ident(items[p]) === ident(order[s])) p++;
  }
  if (p < items.length) {
    throw new PatchError(
      `${label}: the order of the patch list does not match the ${SET_ELEMENT_ORDER} list`,
    );
  }
}

function requireMergeKeys(items: unknown[], mergeKey: string, label: string): void {
  for (const item of items) {
    if (!isPlainObject(item) || !hasOwn(item, mergeKey)) {
      throw new PatchError(
        `${label}: element ${JSON.stringify(item)} has no merge key ${JSON.stringify(mergeKey)}`,
      );
    }
  }
}

/** Merges two lists under the `merge` strategy; elements are matched by the merge key (or by value for primitives). */
function mergeList(
  original: unknown[],
  patch: unknown[],
  meta: FieldMeta,
  path: string,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return [];
  const elementKind = listElementKind([...original, ...patch], path);

  if (elementKind !== 'object') {
    const merged = dedupe([...original, ...patch]);
    const ident = identity(undefined);
    return normalizeOrder(merged, patch, original, ident);
  }

  const mergeKey = meta.mergeKey;
  if (!mergeKey) {
    throw new PatchError(`${where(path)}: cannot merge a list of objects without a merge key`);
  }
  const itemMeta = meta.items ?? NO_META;
  const ident = identity(mergeKey);

  let base = original;
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    switch (directive) {
      case 'delete': {
        if (!hasOwn(item, mergeKey)) {
          throw new PatchError(
            `${where(path)}: ${DIRECTIVE}: delete element ${JSON.stringify(item)} has no merge key ${JSON.stringify(mergeKey)}`,
          );
        }
        const id = item[mergeKey];
        base = base.filter((existing) => ident(existing) !== id);
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge': {
        const rest = { ...item };
        delete rest[DIRECTIVE];
        if (Object.keys(rest).length > 0) plain.push(rest);
        break;
      }
      default:
        throw new PatchError(
          `${where(path)}: unknown ${DIRECTIVE} directive ${JSON.stringify(directive)} in list element`,
        );
    }
  }

  if (replace) {
    return materialize(plain, { ...meta, strategy: 'replace' }, path) as unknown[];
  }

  const merged = [...base];
  for (const item of plain) {
    const id = ident(item);
    if (id === NO_ID) {
      // Go rejects this; a brand-new list is let through so it can fail validation instead.
      if (original.length === 0) {
        const value = materialize(item, itemMeta, path);
        if (value !== DELETED) merged.push(value);
        continue;
      }
      throw new PatchError(
        `${where(path)}: element ${JSON.stringify(item)} has no merge key ${JSON.stringify(mergeKey)}`,
      );
    }
    const index = merged.findIndex((existing) => ident(existing) === id);
    const elementPath = `${path}[${mergeKey}=${JSON.stringify(id)}]`;
    const existing = merged[index];
    if (index >= 0 && isPlainObject(existing)) {
      const value = mergeMap(existing, item, itemMeta, elementPath);
      if (value === DELETED) merged.splice(index, 1);
      else merged[index] = value;
    } else {
      const value = materialize(item, itemMeta, elementPath);
      if (value !== DELETED) merged.push(value);
    }
  }
  return normalizeOrder(merged, plain.map(ident), base.map(ident), ident);
}

type Ident = (item: unknown) => unknown;

function identity(mergeKey: string | undefined): Ident {
  if (!mergeKey) return (item) => item;
  return (item) => (isPlainObject(item) && hasOwn(item, mergeKey) ? item[mergeKey] : NO_ID);
}

/**
 * Orders a merged list the way Go's normalizeElementOrder does: elements named by the patch
 * follow the patch order, the rest follow the original order, and the two runs are interleaved
 * so that a server-only element stays ahead of a patch element it preceded in the original.
 * Patch elements new to the list therefore land before the server-only elements that follow
 * the last patch element they come after.
 */
function normalizeOrder(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  ident: Ident,
): unknown[] {
  const inPatch = (item: unknown): boolean => {
    const id = ident(item);
    return id !== NO_ID && patchOrder.includes(id);
  };
  const patchItems = sortByOrder(
    merged.filter((item) => inPatch(item)),
    patchOrder,
    ident,
  );
  const serverOnly = sortByOrder(
    merged.filter((item) => !inPatch(item)),
    serverOrder,
    ident,
  );

  const position = (item: unknown): number => {
    const id = ident(item);
    return id === NO_ID ? -1 : serverOrder.indexOf(id);
  };
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) {
      result.push(serverOnly[i++]);
    } else if (i >= serverOnly.length) {
      result.push(patchItems[j++]);
    } else {
      const left = position(serverOnly[i]);
      const right = position(patchItems[j]);
      if (left >= 0 && right >= 0 && left < right) result.push(serverOnly[i++]);
      else result.push(patchItems[j++]);
    }
  }
  return result;
}

/** Stable sort by position in `order`; elements not in it keep their relative order after those that are. */
function sortByOrder(items: unknown[], order: unknown[], ident: Ident): unknown[] {
  const rank = (item: unknown): number => {
    const id = ident(item);
    const index = id === NO_ID ? -1 : order.indexOf(id);
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  return items
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.item);
}

function listElementKind(items: unknown[], path: string): string {
  let kind: string | undefined;
  for (const item of items) {
    if (Array.isArray(item))
      throw new PatchError(`${where(path)}: lists of lists cannot be merged`);
    if (item === null)
      throw new PatchError(`${where(path)}: a list with merge strategy cannot contain null`);
    const current = isPlainObject(item) ? 'object' : typeof item;
    if (kind !== undefined && kind !== current) {
      throw new PatchError(`${where(path)}: list elements are not all of the same type`);
    }
    kind = current;
  }
  return kind ?? 'object';
}

function dedupe(items: unknown[]): unknown[] {
  return items.filter((item, index) => items.indexOf(item) === index);
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function directiveField(key: string, prefix: string, path: string): string {
  const field = key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : '';
  if (field === '') {
    throw new PatchError(
      `${where(path)}: malformed directive key ${JSON.stringify(key)}, expected ${prefix}/<field>`,
    );
  }
  return field;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function where(path: string): string {
  return `strategic merge patch at ${path === '' ? '<root>' : path}`;
}
