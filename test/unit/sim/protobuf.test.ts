import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  decodeProtobufBody,
  decodeUnknown,
  formatTime,
  isProtobufContentType,
  ProtobufDecodeError,
  ProtoReader,
  UnsupportedProtobufKindError,
} from '../../../sim/http/protobuf.ts';

// A minimal protobuf writer, independent of the reader under test.
class W {
  private readonly parts: Buffer[] = [];

  static varintBytes(v: bigint | number): Buffer {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      out.push(b);
    } while (n > 0n);
    return Buffer.from(out);
  }
  tag(field: number, wire: number): this {
    this.parts.push(W.varintBytes((field << 3) | wire));
    return this;
  }
  varint(field: number, v: bigint | number): this {
    this.tag(field, 0).parts.push(W.varintBytes(v));
    return this;
  }
  bool(field: number, v: boolean): this {
    return this.varint(field, v ? 1 : 0);
  }
  bytes(field: number, b: Buffer | Uint8Array): this {
    this.tag(field, 2).parts.push(W.varintBytes(b.length), Buffer.from(b));
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  msg(field: number, m: W): this {
    return this.bytes(field, m.done());
  }
  fixed32(field: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.tag(field, 5).parts.push(b);
    return this;
  }
  fixed64(field: number, v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    this.tag(field, 1).parts.push(b);
    return this;
  }
  /** A group (deprecated wire types 3/4) holding `inner`. */
  group(field: number, inner: W): this {
    this.tag(field, 3).parts.push(inner.done());
    return this.tag(field, 4);
  }
  /** A map<string, string|bytes> entry. */
  entry(field: number, key: string, value: string | Buffer): this {
    return this.msg(field, new W().string(1, key).bytes(2, Buffer.from(value)));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** The full request body: magic + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
function envelope(apiVersion: string, kind: string, raw: W, extra?: (u: W) => void): Buffer {
  const u = new W()
    .msg(1, new W().string(1, apiVersion).string(2, kind))
    .msg(2, raw)
    .string(3, '')
    .string(4, '');
  extra?.(u);
  return Buffer.concat([MAGIC, u.done()]);
}

/** meta/v1 Time{seconds = 1, nanos = 2}. */
const time = (seconds: number, nanos = 0): W => {
  const t = new W();
  if (seconds) t.varint(1, seconds);
  if (nanos) t.varint(2, nanos);
  return t;
};

/** ObjectMeta as gogoproto writes it: every non-pointer field, empty or not. */
function meta(name: string, namespace = '', more?: (m: W) => void): W {
  const m = new W()
    .string(1, name)
    .string(2, '')
    .string(3, namespace)
    .string(4, '')
    .string(5, '')
    .string(6, '')
    .varint(7, 0)
    .msg(8, time(0));
  more?.(m);
  return m;
}

function decodeError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtobufDecodeError, `expected ProtobufDecodeError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('wire-format reader', () => {
  test('varints up to 64 bits, signed int32/int64, bool', () => {
    const b = Buffer.concat([
      W.varintBytes(0),
      W.varintBytes(300),
      W.varintBytes(2n ** 64n - 1n),
      W.varintBytes(-1), // int32/int64 -1: ten bytes, sign-extended to 64 bits
      W.varintBytes(-5),
      W.varintBytes(1),
    ]);
    const r = new ProtoReader(b);
    assert.equal(r.varint(), 0n);
    assert.equal(r.uint(), 300);
    assert.equal(r.varint(), 2n ** 64n - 1n);
    assert.equal(r.int64(), -1n);
    assert.equal(r.int32(), -5);
    assert.equal(r.bool(), true);
    assert.ok(r.eof());
  });

  test('fixed32, fixed64 and length-delimited fields', () => {
    const b = new W()
      .fixed32(1, 0xdeadbeef)
      .fixed64(2, 0x0102030405060708n)
      .string(3, 'héllo')
      .done();
    const r = new ProtoReader(b);
    assert.deepEqual(r.tag(), { field: 1, wire: 5 });
    assert.equal(r.fixed32(), 0xdeadbeef);
    assert.deepEqual(r.tag(), { field: 2, wire: 1 });
    assert.equal(r.fixed64(), 0x0102030405060708n);
    assert.deepEqual(r.tag(), { field: 3, wire: 2 });
    assert.equal(r.string(), 'héllo');
    assert.ok(r.eof());
  });

  test('embedded messages are bounded; skip() passes over every wire type', () => {
    const b = new W()
      .varint(1, 7)
      .fixed64(2, 1n)
      .fixed32(3, 1)
      .group(4, new W().string(1, 'in a group').varint(2, 3))
      .msg(5, new W().string(1, 'inner'))
      .varint(6, 42)
      .done();
    const r = new ProtoReader(b);
    for (let i = 0; i < 4; i++) {
      const t = r.tag();
      r.skip(t.wire, t.field);
    }
    assert.deepEqual(r.tag(), { field: 5, wire: 2 });
    const inner = r.message();
    assert.deepEqual(inner.tag(), { field: 1, wire: 2 });
    assert.equal(inner.string(), 'inner');
    assert.ok(inner.eof());
    assert.deepEqual(r.tag(), { field: 6, wire: 0 });
    assert.equal(r.varint(), 42n);
  });

  test('truncated input is an error', () => {
    decodeError(() => new ProtoReader(Buffer.from([0x80])).varint(), /truncated varint/);
    decodeError(() => new ProtoReader(Buffer.from([0x05, 0x61])).bytes(), /truncated/);
    decodeError(() => new ProtoReader(Buffer.from([1, 2, 3])).fixed32(), /truncated fixed32/);
    decodeError(() => new ProtoReader(Buffer.alloc(11, 0xff)).varint(), /longer than 10 bytes/);
    decodeError(() => new ProtoReader(Buffer.from([0x00])).tag(), /invalid field number 0/);
    decodeError(() => new ProtoReader(Buffer.from([0x0f])).skip(7), /unexpected wire type 7/);
  });

  test('formatTime is RFC 3339 in UTC with whole seconds', () => {
    assert.equal(formatTime(0n), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(1700000000n), '2023-11-14T22:13:20Z');
  });

  test('isProtobufContentType', () => {
    assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf'));
    assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf;stream=watch'));
    assert.ok(!isProtobufContentType('application/json'));
    assert.ok(!isProtobufContentType(undefined));
  });
});

describe('decodeProtobufBody', () => {
  test('the bytes kubectl 1.32 sends for `kubectl create namespace foo`', () => {
    // Captured with `kubectl create namespace foo -v=9` against the emulator.
    const hex =
      '6b387300 0a0f0a027631 12094e616d657370616365 121b0a130a03666f6f 12001a0022002a00320038004200 12001a020a00 1a002200';
    const body = Buffer.from(hex.replace(/ /g, ''), 'hex');
    assert.deepEqual(decodeUnknown(body), {
      apiVersion: 'v1',
      kind: 'Namespace',
      raw: body.subarray(23, 23 + 27),
      contentEncoding: '',
      contentType: '',
    });
    assert.equal(
      JSON.stringify(decodeProtobufBody(body)),
      '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"foo"}}',
    );
  });

  test('Namespace: spec.finalizers, status.phase and conditions', () => {
    const raw = new W()
      .msg(1, meta('ns1'))
      .msg(2, new W().string(1, 'kubernetes').string(1, 'example.com/x'))
      .msg(
        3,
        new W()
          .string(1, 'Terminating')
          .msg(
            2,
            new W()
              .string(1, 'NamespaceDeletionContentFailure')
              .string(2, 'False')
              .msg(4, time(1700000000, 999))
              .string(5, 'ContentDeleted')
              .string(6, ''),
          ),
      );
    assert.equal(
      JSON.stringify(decodeProtobufBody(envelope('v1', 'Namespace', raw))),
      JSON.stringify({
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name: 'ns1' },
        spec: { finalizers: ['kubernetes', 'example.com/x'] },
        status: {
          phase: 'Terminating',
          conditions: [
            {
              type: 'NamespaceDeletionContentFailure',
              status: 'False',
              lastTransitionTime: '2023-11-14T22:13:20Z',
              reason: 'ContentDeleted',
            },
          ],
        },
      }),
    );
  });

  test('ObjectMeta: scalars, times, maps, ownerReferences, finalizers, managedFields', () => {
    const m = new W()
      .string(1, 'cm1')
      .string(2, 'gen-')
      .string(3, 'team-a')
      .string(4, '/api/v1/namespaces/team-a/configmaps/cm1')
      .string(5, '0b9a3c1e-1111-2222-3333-444455556666')
      .string(6, '12345')
      .varint(7, 3)
      .msg(8, time(1700000000, 123456789))
      .msg(9, time(1700000060))
      .varint(10, 0) // *int64 set to 0: kept
      .entry(11, 'app', 'web')
      .entry(11, 'tier', '')
      .entry(12, 'note', 'a "quoted" value ✓')
      .msg(
        13,
        new W()
          .string(1, 'ReplicaSet')
          .string(3, 'web-abc')
          .string(4, 'uid-1')
          .string(5, 'apps/v1')
          .bool(6, true)
          .bool(7, false),
      )
      .msg(13, new W().string(1, 'Pod').string(3, 'p').string(4, 'uid-2').string(5, 'v1'))
      .string(14, 'example.com/a')
      .string(14, 'example.com/b')
      .msg(
        17,
        new W()
          .string(1, 'kubectl-create')
          .string(2, 'Update')
          .string(3, 'v1')
          .msg(4, time(1700000000))
          .string(6, 'FieldsV1')
          .msg(7, new W().bytes(1, Buffer.from('{"f:data":{".":{}}}')))
          .string(8, ''),
      );
    const obj = decodeProtobufBody(envelope('v1', 'ConfigMap', new W().msg(1, m)));
    assert.equal(
      JSON.stringify(obj),
      JSON.stringify({
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: {
          name: 'cm1',
          generateName: 'gen-',
          namespace: 'team-a',
          selfLink: '/api/v1/namespaces/team-a/configmaps/cm1',
          uid: '0b9a3c1e-1111-2222-3333-444455556666',
          resourceVersion: '12345',
          generation: 3,
          creationTimestamp: '2023-11-14T22:13:20Z',
          deletionTimestamp: '2023-11-14T22:14:20Z',
          deletionGracePeriodSeconds: 0,
          labels: { app: 'web', tier: '' },
          annotations: { note: 'a "quoted" value ✓' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web-abc',
              uid: 'uid-1',
              controller: true,
              blockOwnerDeletion: false,
            },
            { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-2' },
          ],
          finalizers: ['example.com/a', 'example.com/b'],
          managedFields: [
            {
              manager: 'kubectl-create',
              operation: 'Update',
              apiVersion: 'v1',
              time: '2023-11-14T22:13:20Z',
              fieldsType: 'FieldsV1',
              fieldsV1: { 'f:data': { '.': {} } },
            },
          ],
        },
      }),
    );
  });

  test('ConfigMap: data, binaryData as base64, immutable', () => {
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f]);
    const raw = new W()
      .msg(1, meta('c', 'x'))
      .entry(2, 'a', '1')
      .entry(2, 'empty', '')
      .entry(2, 'multi', 'line 1\nline 2\n')
      .entry(3, 'bin', binary)
      .bool(4, false); // *bool set to false: kept
    assert.equal(
      JSON.stringify(decodeProtobufBody(envelope('v1', 'ConfigMap', raw))),
      JSON.stringify({
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { name: 'c', namespace: 'x' },
        immutable: false,
        data: { a: '1', empty: '', multi: 'line 1\nline 2\n' },
        binaryData: { bin: binary.toString('base64') },
      }),
    );
  });

  test('ConfigMap without data or immutable leaves them out', () => {
    const obj = decodeProtobufBody(envelope('v1', 'ConfigMap', new W().msg(1, meta('c'))));
    assert.deepEqual(obj, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } });
  });

  test('Secret: data bytes as base64 strings, stringData, type, immutable', () => {
    const raw = new W()
      .msg(1, meta('s', 'x'))
      .entry(2, 'p', 'q')
      .entry(2, 'key', Buffer.from([0xde, 0xad, 0xbe, 0xef]))
      .entry(2, 'none', '')
      .string(3, 'Opaque')
      .entry(4, 'plain', 'text')
      .bool(5, true);
    assert.equal(
      JSON.stringify(decodeProtobufBody(envelope('v1', 'Secret', raw))),
      JSON.stringify({
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { name: 's', namespace: 'x' },
        immutable: true,
        data: { p: 'cQ==', key: '3q2+7w==', none: '' },
        stringData: { plain: 'text' },
        type: 'Opaque',
      }),
    );
  });

  test('Secret with an empty type leaves type out', () => {
    const raw = new W().msg(1, meta('s')).string(3, '');
    assert.deepEqual(decodeProtobufBody(envelope('v1', 'Secret', raw)), {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's' },
    });
  });

  test('ServiceAccount: secrets, imagePullSecrets, automountServiceAccountToken', () => {
    const raw = new W()
      .msg(1, meta('sa', 'x'))
      .msg(
        2,
        new W()
          .string(1, 'Secret')
          .string(2, 'x')
          .string(3, 'sa-token')
          .string(4, '')
          .string(5, 'v1')
          .string(6, '')
          .string(7, ''),
      )
      .msg(2, new W().string(3, 'other'))
      .msg(3, new W().string(1, 'regcred'))
      .msg(3, new W().string(1, 'regcred2'))
      .bool(4, false);
    assert.equal(
      JSON.stringify(decodeProtobufBody(envelope('v1', 'ServiceAccount', raw))),
      JSON.stringify({
        kind: 'ServiceAccount',
        apiVersion: 'v1',
        metadata: { name: 'sa', namespace: 'x' },
        secrets: [
          { kind: 'Secret', namespace: 'x', name: 'sa-token', apiVersion: 'v1' },
          { name: 'other' },
        ],
        imagePullSecrets: [{ name: 'regcred' }, { name: 'regcred2' }],
        automountServiceAccountToken: false,
      }),
    );
  });

  test('unknown fields are skipped at every level', () => {
    const unknown = (w: W): W =>
      w
        .varint(900, 1)
        .fixed32(901, 2)
        .fixed64(902, 3n)
        .string(903, 'ignored')
        .group(904, new W().varint(1, 1));
    const m = meta('c', 'x', (mm) => unknown(mm.varint(15, 0).entry(11, 'a', 'b')));
    const raw = unknown(new W().msg(1, m).entry(2, 'k', 'v'));
    const body = envelope('v1', 'ConfigMap', raw, (u) => unknown(u));
    assert.deepEqual(decodeProtobufBody(body), {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'c', namespace: 'x', labels: { a: 'b' } },
      data: { k: 'v' },
    });
  });

  test('an object without metadata gets an empty metadata', () => {
    assert.deepEqual(decodeProtobufBody(envelope('v1', 'ServiceAccount', new W())), {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: {},
    });
  });

  test('other kinds are refused with a message naming the kind', () => {
    const body = envelope('apps/v1', 'Deployment', new W().msg(1, meta('d')));
    assert.throws(
      () => decodeProtobufBody(body),
      (e: unknown) => {
        assert.ok(e instanceof UnsupportedProtobufKindError);
        assert.equal(e.kind, 'Deployment');
        assert.equal(
          e.message,
          'protobuf request bodies are decoded only for Namespace, ConfigMap, Secret and ServiceAccount; ' +
            'send Deployment as JSON (e.g. kubectl create … --dry-run=client -o yaml | kubectl apply -f -)',
        );
        return true;
      },
    );
    // A known kind name in another group/version is not the core/v1 kind.
    assert.throws(
      () => decodeProtobufBody(envelope('example.com/v1', 'Secret', new W())),
      UnsupportedProtobufKindError,
    );
  });

  test('malformed bodies are decode errors', () => {
    decodeError(() => decodeProtobufBody(Buffer.from('{"kind":"Namespace"}')), /k8s\\0 prefix/);
    const good = envelope('v1', 'ConfigMap', new W().msg(1, meta('c')).entry(2, 'a', '1'));
    decodeError(() => decodeProtobufBody(good.subarray(0, good.length - 3)), /truncated/);
    // metadata.name (a string) sent as a varint.
    const wrongWire = envelope('v1', 'ConfigMap', new W().msg(1, new W().varint(1, 5)));
    decodeError(() => decodeProtobufBody(wrongWire), /metadata\.name: wire type 0, want 2/);
    const gzipped = envelope('v1', 'ConfigMap', new W(), (u) => u.string(3, 'gzip'));
    decodeError(() => decodeProtobufBody(gzipped), /content encoding "gzip"/);
  });
});
