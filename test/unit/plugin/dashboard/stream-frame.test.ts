// §3.4 framing: SSE `data: {"result":…} ` + `\n\n` + the `\n` delimiter; ndjson otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame } from '../../../../plugin/dashboard/stream.ts';

test('SSE framing', () => {
  assert.equal(frame(true, { result: { a: 1 } }), 'data: {"result":{"a":1}} \n\n\n');
});

test('ndjson framing', () => {
  assert.equal(frame(false, { result: { a: 1 } }), '{"result":{"a":1}}\n');
});
