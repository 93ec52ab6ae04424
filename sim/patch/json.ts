// RFC 6902 JSON patch (application/json-patch+json).

import { applyPatch, Pointer } from 'rfc6902';
import type { Operation } from 'rfc6902';
import { isPlainObject } from './merge.ts';

/** A patch body that is malformed or cannot be applied to the target; the request handler maps it to a 4xx. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
// rfc6902 silently skips these tokens while walking a pointer, so such a path would address the wrong node.
const UNSAFE_TOKENS = new Set(['__proto__', 'constructor', 'prototype']);
// The document is wrapped under this key so operations on the root pointer "" become ordinary
// member operations; rfc6902 itself refuses to touch the root.
const ROOT = 'root';

/** Applies RFC 6902 operations to a deep copy of `target`; throws PatchError naming the first failing operation. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new PatchError('json patch: body must be a JSON array of operations');
  }
  const doc: Record<string, unknown> = { [ROOT]: structuredClone(target) };
  ops.forEach((raw: unknown, index) => {
    const op = validateOperation(raw, index);
    const describe = `json patch operation ${index} (${op.op} ${JSON.stringify(op.path)})`;
    checkArrayIndex(doc, op, describe);
    let outcome: unknown;
    try {
      [outcome] = applyPatch(doc, [rebase(op)]);
    } catch (err) {
      throw new PatchError(
        `${describe} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (outcome) {
      throw new PatchError(`${describe} failed: ${explain(op)}`);
    }
  });
  return doc[ROOT];
}

function validateOperation(raw: unknown, index: number): Operation {
  if (!isPlainObject(raw)) {
    throw new PatchError(`json patch operation ${index}: must be a JSON object`);
  }
  const { op, path, from } = raw;
  if (typeof op !== 'string' || !OPS.has(op)) {
    throw new PatchError(`json patch operation ${index}: unknown op ${JSON.stringify(op)}`);
  }
  const where = `json patch operation ${index} (${op} ${JSON.stringify(path)})`;
  checkPointer(path, 'path', where);
  if (op === 'move' || op === 'copy') checkPointer(from, 'from', where);
  if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in raw)) {
    throw new PatchError(`${where}: missing "value"`);
  }
  if (op === 'remove' && path === '') {
    throw new PatchError(`${where}: cannot remove the whole document`);
  }
  return raw as unknown as Operation;
}

function checkPointer(pointer: unknown, member: string, where: string): asserts pointer is string {
  if (typeof pointer !== 'string') {
    throw new PatchError(`${where}: "${member}" must be a string`);
  }
  if (pointer !== '' && !pointer.startsWith('/')) {
    throw new PatchError(`${where}: "${member}" ${JSON.stringify(pointer)} is not a JSON pointer`);
  }
  const tokens = Pointer.fromJSON(pointer).tokens.slice(1);
  if (tokens.some((t) => UNSAFE_TOKENS.has(t))) {
    throw new PatchError(`${where}: "${member}" contains an unsupported token`);
  }
}

function rebase(op: Operation): Operation {
  const moved = { ...op, path: `/${ROOT}${op.path}` };
  if (op.op === 'move' || op.op === 'copy')
    return { ...moved, from: `/${ROOT}${op.from}` } as Operation;
  return moved;
}

/** rfc6902 writes `replace` on an array with a non-numeric key as an array property instead of failing. */
function checkArrayIndex(doc: Record<string, unknown>, op: Operation, describe: string): void {
  if (op.op !== 'replace' && op.op !== 'remove' && op.op !== 'test') return;
  const endpoint = Pointer.fromJSON(`/${ROOT}${op.path}`).evaluate(doc);
  if (Array.isArray(endpoint.parent) && !/^(0|[1-9][0-9]*)$/.test(endpoint.key)) {
    throw new PatchError(
      `${describe} failed: ${JSON.stringify(endpoint.key)} is not a valid array index`,
    );
  }
}

function explain(op: Operation): string {
  switch (op.op) {
    case 'test':
      return `value at ${JSON.stringify(op.path)} is not equal to ${JSON.stringify(op.value)}`;
    case 'move':
    case 'copy':
      return `no value at "from" ${JSON.stringify(op.from)} or no parent for ${JSON.stringify(op.path)}`;
    case 'add':
      return `parent of ${JSON.stringify(op.path)} does not exist or the index is out of range`;
    default:
      return `no value at ${JSON.stringify(op.path)}`;
  }
}
